"""A model's field checks compiled once: what ``clean_fields`` would say of a feed's values,
without building a model object for each of a feed's services.

An import of 10,000 services spent a quarter of its time building a ``Service`` for each
listing only to ``clean_fields`` it (and Django's ``Model.__init__`` is the costly part).
Here each field gets one rule, made once per process and database from the model field
itself: its type, its choices, ``null`` and ``blank``, and its own validators, so the rules
cannot drift from the model. A value of the exact type the field holds that passes those
checks is one ``Field.clean`` accepts unchanged; anything else, every failure included, goes
to the field's own ``clean``, so each message is Django's, word for word. Fields a feed
never gives (the ones left at their defaults) are checked once, when the rules are made.
``tests/test_openreferral_rules.py`` holds the rules to ``clean_fields`` on valid and
invalid values of every field.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from django.core import validators
from django.core.exceptions import ValidationError
from django.db import connection, models

Quick = Callable[[Any], bool]

_TEXT_FIELDS = (
    models.CharField,
    models.TextField,
    models.URLField,
    models.EmailField,
    models.SlugField,
)


# Values ``json.dumps`` always writes, whatever its encoder's ``default`` does.
_PLAIN_JSON = frozenset({str, int, float, bool, type(None)})

_BOUNDS = (
    validators.MaxLengthValidator,
    validators.MinValueValidator,
    validators.MaxValueValidator,
)


def _limit(validator: Any) -> Any:
    """A validator's limit, or None when it is worked out at call time."""
    limit = validator.limit_value
    return None if callable(limit) else limit


def _validators_quick(field: models.Field[Any, Any]) -> Quick:
    """True when every validator of ``field`` passes: lengths and bounds compared here,
    any other validator (URL, email...) called as Django would."""
    lengths: list[int] = []
    lows: list[Any] = []
    highs: list[Any] = []
    others: list[Callable[[Any], None]] = []
    for validator in field.validators:
        kind = type(validator)
        limit = _limit(validator) if kind in _BOUNDS else None
        if limit is not None and kind is validators.MaxLengthValidator:
            lengths.append(limit)
        elif limit is not None and kind is validators.MinValueValidator:
            lows.append(limit)
        elif limit is not None and kind is validators.MaxValueValidator:
            highs.append(limit)
        else:
            others.append(validator)
    length = min(lengths) if lengths else None
    low = max(lows) if lows else None
    high = min(highs) if highs else None

    def passes(value: Any) -> bool:
        if length is not None and len(value) > length:
            return False
        if low is not None and value < low:
            return False
        if high is not None and value > high:
            return False
        try:
            for validator in others:
                validator(value)
        except ValidationError:
            return False
        return True

    return passes


def _type_quick(field: models.Field[Any, Any]) -> Quick | None:
    """True when ``field.to_python`` would give the value back unchanged and
    ``Field.validate``'s own checks (beyond choices, null and blank) pass; None for a kind
    of field without a quick rule (its values always go to ``Field.clean``)."""
    if type(field) in _TEXT_FIELDS:
        return lambda value: type(value) is str
    if type(field) is models.BooleanField:
        return lambda value: value is True or value is False
    if isinstance(field, models.IntegerField) and not isinstance(field, models.AutoField):
        return lambda value: type(value) is int
    if type(field) is models.DateField:
        return lambda value: type(value) is dt.date
    if type(field) is models.JSONField:
        encoder = field.encoder
        # An encoder that changes only ``default`` (Django's) writes plain values as
        # ``json`` does: a flat list or dict of them is serialisable without encoding it.
        plain = encoder is None or (
            encoder.encode is json.JSONEncoder.encode
            and encoder.iterencode is json.JSONEncoder.iterencode
        )

        def serialisable(value: Any) -> bool:
            kind = type(value)
            if kind is list and plain and all(type(item) in _PLAIN_JSON for item in value):
                return True
            if (
                kind is dict
                and plain
                and all(type(k) is str and type(v) in _PLAIN_JSON for k, v in value.items())
            ):
                return True
            if kind not in (dict, list):
                return False
            try:
                json.dumps(value, cls=encoder)
            except TypeError:
                return False
            return True

        return serialisable
    return None


def _simple_passes(
    field: models.Field[Any, Any],
    typed: Quick | None,
    checked: Quick,
    choices: frozenset[Any] | None,
    blank_allowed: bool,
) -> Quick | None:
    """For the kinds most values are of (text, yes/no, whole numbers): a test true only for
    values ``Rule.messages`` has nothing to say of, by the same tests in fewer calls (every
    field of every service is checked). False sends the value to ``messages``, which
    decides. None for other kinds."""
    if typed is None:
        return None
    skip_empty = field.blank
    if type(field) in _TEXT_FIELDS:

        def text(value: Any) -> bool:
            if type(value) is not str:
                return value is None and skip_empty
            if not value:
                return skip_empty or blank_allowed
            return (choices is None or value in choices) and checked(value)

        return text
    if type(field) is models.BooleanField:
        return _typed_passes(
            lambda value: value is True or value is False, checked, choices, skip_empty
        )
    if isinstance(field, models.IntegerField):
        return _typed_passes(lambda value: type(value) is int, checked, choices, skip_empty)
    return None


def _typed_passes(
    typed: Quick, checked: Quick, choices: frozenset[Any] | None, skip_empty: bool
) -> Quick:
    """``_simple_passes`` for a kind whose values are never empty (yes/no, numbers)."""

    def passes(value: Any) -> bool:
        if typed(value):
            return (choices is None or value in choices) and checked(value)
        return value is None and skip_empty

    return passes


class Rule:
    """One field's check: ``messages(value)`` is what ``clean_fields`` says of the value."""

    def __init__(self, field: models.Field[Any, Any]) -> None:
        self.field = field
        self.name = field.name
        self.skip_empty = field.blank
        self.empty = list(field.empty_values)
        typed = _type_quick(field)
        checked = _validators_quick(field)
        choices = (
            frozenset(key for key, _ in field.flatchoices)
            if field.editable and field.choices is not None
            else None
        )
        blank_allowed = field.blank or not field.editable
        empty = self.empty

        def quick(value: Any) -> bool:
            if typed is None or not typed(value):
                return False
            is_empty = value in empty
            if choices is not None and not is_empty and value not in choices:
                return False
            if is_empty and not blank_allowed:
                return False
            return is_empty or checked(value)

        self.quick = quick
        self.passes = _simple_passes(field, typed, checked, choices, blank_allowed) or (
            self._passes
        )

    def _passes(self, value: Any) -> bool:
        """True when ``messages`` would say nothing, by the same tests (the fast part of it)."""
        return (self.skip_empty and value in self.empty) or self.quick(value)

    def messages(self, value: Any) -> list[str]:
        """Nothing when the value passes, else Django's messages for it."""
        if self.skip_empty and value in self.empty:
            return []  # clean_fields leaves out an empty value of a field that may be blank
        if self.quick(value):
            return []
        try:
            # Only fields that are not relations: clean() does not look at the instance.
            self.field.clean(value, None)
        except ValidationError as error:
            return list(error.messages)
        return []


class Rules:
    """The rules for ``names`` of ``model`` (in the model's field order); the model's other
    fields, except ``exclude``, checked once at their defaults."""

    def __init__(
        self, model: type[models.Model], names: Iterable[str], exclude: Iterable[str] = ()
    ) -> None:
        wanted = set(names)
        left_out = set(exclude)
        fields = [f for f in model._meta.fields if f.name in wanted]
        relations = [f.name for f in fields if f.is_relation]
        if relations or len(fields) != len(wanted):
            raise ValueError(
                f"no rules for {sorted(set(relations) | (wanted - {f.name for f in fields}))}"
            )
        self.rules = [Rule(f) for f in fields if not f.generated]
        # The same default every time: what clean_fields would say of it, said now.
        model().clean_fields(exclude=[*left_out, *wanted])

    def problems(self, values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
        """(field name, message) for each value of ``values`` a rule refuses."""
        for rule in self.rules:
            value = values[rule.name]
            if rule.passes(value):
                continue
            for message in rule.messages(value):
                yield rule.name, message


_made: dict[tuple[type[models.Model], tuple[str, ...], str], Rules] = {}


def rules(model: type[models.Model], names: Iterable[str], exclude: Iterable[str] = ()) -> Rules:
    """The ``Rules`` for ``model``'s ``names`` on the current database, made once per process
    (an integer field's bounds depend on the database)."""
    key = (model, tuple(names), connection.vendor)
    found = _made.get(key)
    if found is None:
        found = _made[key] = Rules(model, key[1], exclude)
    return found

"""The import's compiled field rules say what ``Service.clean_fields`` says, value for value.

The import checks each listing's fields with rules made once from the model's fields
(``openreferral/rules.py``) instead of building a ``Service`` and calling ``clean_fields``:
these tests hold the two to the same answer, message for message, on valid and invalid
values of every field a feed gives, so the faster check is not a weaker one.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from bridgeway.directory.models import Service
from bridgeway.directory.openreferral import hsds, importing, rules
from bridgeway.directory.tests.test_exchange import a_feed_service

pytestmark = pytest.mark.django_db

_EXCLUDE = ["organisation", "id", "confidential_address"]

# Field -> values to try: valid ones, wrong types, out of range, not a choice, too long...
_TRIED: dict[str, list[Any]] = {
    "name": ["Advice line", "", None, "x" * 200, "x" * 201, 12, "é" * 200],
    "description": ["", "Some <b>words</b>", None, 3.5, "x" * 100_000],
    "url": [
        "",
        "https://example.org/help",
        "http://not a url",
        "https://",
        "ftp://example.org",
        "https://example.org/" + "a" * 190,
        None,
        ["https://example.org"],
    ],
    "email": ["", "help@example.org", "help@", "no at sign", "a@b", None, "x" * 250 + "@a.uk"],
    "phone": ["", "0113 496 0000", "1" * 41, None, 113],
    "status": ["active", "temporarily closed", "open", "", None, "ACTIVE"],
    "independence": ["independent", "statutory", "x" * 21, "", None],
    "minimum_age": [None, 0, 16, -1, 32767, 32768, "12", 12.0, True, "twelve"],
    "maximum_age": [None, 130, 99999],
    "waiting_weeks": [None, 0, 6, -3, "6", 6.5],
    "assured_date": [
        None,
        dt.date(2026, 1, 2),
        "2026-01-02",
        "not a date",
        dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC),
        "",
    ],
    "self_referral": [True, False, None, 1, 0, "yes", "True", ""],
    "is_national": [True, False, None, 2],
    "formats": [[], ["audio", "bsl"], None, {"a": 1}, "audio", [object()], ["x" * 10_000], ()],
    "extra": [
        {},
        {"alternate_name": "Other", "contacts": [{"name": "A"}]},
        None,
        [],
        {"when": dt.date(2026, 1, 1)},
        {"money": Decimal("1.5")},
        {"thing": object()},
        {1: "number key"},
        "text",
    ],
}


def _listing_values() -> dict[str, Any]:
    return {
        **{name: getattr(Service(), name) for name in hsds.SERVICE_FIELDS},
        "name": "A service",
        "formats": [],
        "extra": {},
    }


def _django_says(values: dict[str, Any]) -> list[tuple[str, str]]:
    service = Service(organisation_id=uuid.uuid4(), **values)
    try:
        service.clean_fields(exclude=_EXCLUDE)
    except ValidationError as error:
        return [
            (name, str(message))
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return []


def _rules() -> rules.Rules:
    return rules.rules(Service, importing._CHECKED_FIELDS, exclude=importing._UNCHECKED_FIELDS)


@pytest.mark.parametrize(
    ("name", "value"),
    [(name, value) for name, values in _TRIED.items() for value in values],
    # Without a memory address in the id: xdist workers must collect the same names.
    ids=lambda v: re.sub(r" at 0x[0-9a-f]+", "", repr(v))[:30],
)
def test_each_value_is_refused_or_accepted_as_clean_fields_would(name, value):
    values = {**_listing_values(), name: value}
    assert list(_rules().problems(values)) == _django_says(values)


def test_the_rules_cover_every_field_a_listing_gives_and_the_tried_values_cover_them():
    checked = {rule.name for rule in _rules().rules}
    assert checked == {*hsds.SERVICE_FIELDS, "extra"}
    kinds = {type(Service._meta.get_field(name)) for name in checked}
    assert kinds <= {type(Service._meta.get_field(name)) for name in _TRIED}


def test_several_bad_values_are_all_named_in_the_models_field_order():
    values = {
        **_listing_values(),
        "name": "",
        "url": "http://not a url",
        "status": "open",
        "minimum_age": -1,
        "formats": {1, 2},
    }
    found = list(_rules().problems(values))
    assert found == _django_says(values)
    assert [name for name, _ in found] == ["name", "url", "status", "minimum_age", "formats"]


def test_a_listing_the_reader_lets_through_is_refused_by_the_model_rules_naming_the_field():
    # The reader only asks that a web address starts with http(s)://; the model's URL
    # validator refuses this one, and the import names the field with Django's words.
    report = importing.directory_import(
        [a_feed_service(), a_feed_service(url="http://not a url", name="Second")]
    )
    assert report.created == 1
    (problem,) = report.problems
    assert (problem.position, problem.field) == (2, "url")
    assert problem.message == "Enter a valid URL."
    assert Service.objects.get().name == "Council Advice Line"


def test_the_rules_refuse_to_be_made_for_a_relation_or_a_field_the_model_lacks():
    with pytest.raises(ValueError, match="organisation"):
        rules.Rules(Service, ["name", "organisation"])
    with pytest.raises(ValueError, match="colour"):
        rules.Rules(Service, ["name", "colour"])


def test_made_up_ids_are_uuid5_of_the_id_and_what_they_stand_for():
    from bridgeway.directory.openreferral.terms import made_up_id

    for n in range(200):
        given = uuid.UUID(int=n * 7919 + 12345, version=4)
        for text in (str(given), str(given).upper(), given.hex):
            for what in ("phone", "address", "service_at_location", f"area:E0800003{n % 10}", "é"):
                assert made_up_id(text, what) == str(uuid.uuid5(given, what))

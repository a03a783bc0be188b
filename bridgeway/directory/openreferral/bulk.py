"""Writing an import's new rows in bulk: COPY on PostgreSQL, ``executemany`` on SQLite.

An import of 50,000 services spent most of its time not writing but turning values into
what the database takes: Django's ``get_db_prep_save`` for every field of every row (half a
million calls), on model objects built only to be taken apart again. Here each field gets
one converter, chosen once per model and database from the field's type (a UUID is 32 hex
characters on SQLite and itself on PostgreSQL, a JSON value is encoded once, text passes
as it is), and rows are tuples built straight from the values. Fields of any other type
fall back to Django's own conversion, so nothing is written differently (a test compares
rows written both ways).

PostgreSQL takes the rows with one ``COPY ... FROM STDIN`` per table, the fastest way in;
SQLite with ``executemany`` of one prepared INSERT. Only for new rows of models with no
signals or parents; the importer stamps what it wrote itself (decision 0096).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

from bridgeway.directory.openreferral.terms import CANONICAL_UUID

Converter = Callable[[Any], Any]

_BATCH = 2000
# An empty dict or list as JSON text.
_EMPTY_JSON: dict[type, str] = {dict: "{}", list: "[]"}


def _same(value: Any) -> Any:
    return value


# Values a converter may remember the conversion of: immutable, often the same object in
# every row (the import's one ``now``).
_IMMUTABLE = (dt.datetime, dt.date, Decimal)
_NOTHING = object()


def _django(field: models.Field[Any, Any]) -> Converter:
    """Django's own conversion; None stays None when it does for this field, and the last
    conversion of the same immutable object is reused."""
    none_is_none = field.get_db_prep_save(None, connection) is None
    last: list[Any] = [_NOTHING, None]

    def convert(value: Any) -> Any:
        if value is None and none_is_none:
            return None
        if value is last[0]:
            return last[1]
        converted = field.get_db_prep_save(value, connection)
        if isinstance(value, _IMMUTABLE):
            last[0], last[1] = value, converted
        return converted

    return convert


def _uuid_converter(postgres: bool) -> Converter:
    """A UUID field's converter: its text as the import's reader gives it (canonical) is
    taken as it is, without making a UUID object of it."""
    if postgres:

        def uuid_value(value: Any) -> Any:
            if type(value) is str and not CANONICAL_UUID.fullmatch(value):
                return uuid.UUID(value)
            return value

        return uuid_value

    def uuid_text(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is str and CANONICAL_UUID.fullmatch(value):
            return value.replace("-", "")
        return (value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))).hex

    return uuid_text


def _converter(field: models.Field[Any, Any], postgres: bool) -> Converter:
    """How ``field``'s Python value becomes what the database driver takes."""
    if isinstance(field, models.UUIDField):
        return _uuid_converter(postgres)
    if isinstance(field, models.JSONField):
        # One encoder for every row: what ``json.dumps(value, cls=encoder)`` writes, without
        # making an encoder for each value.
        encoder = field.encoder or DjangoJSONEncoder
        dumps = encoder().encode
        # An encoder that changes only ``default`` (Django's) writes an empty dict or list
        # as ``json`` does.
        empty: dict[type, str] = (
            _EMPTY_JSON
            if encoder.encode is json.JSONEncoder.encode
            and encoder.iterencode is json.JSONEncoder.iterencode
            else {}
        )
        # JSON as its text: what psycopg's ``Jsonb`` would send (the same ``dumps``), which
        # COPY's text format carries as it is. The wrapper and its dumper cost a call each,
        # 200,000 of them at 50,000 services.

        def json_text(value: Any) -> Any:
            if value is None:
                return None
            # Most children's ``extra`` is empty: its text is known.
            if not value and type(value) in empty:
                return empty[type(value)]
            return dumps(value)

        return json_text
    if isinstance(field, models.ForeignKey):
        return _converter(field.target_field, postgres)
    if type(field) in (
        models.CharField,
        models.TextField,
        models.URLField,
        models.EmailField,
        models.SlugField,
        models.BooleanField,
        models.IntegerField,
        models.BigIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.SmallIntegerField,
        models.FloatField,
        # A through table's term: an integer the database numbered.
        models.AutoField,
        models.BigAutoField,
        models.SmallAutoField,
    ):
        return _same
    # Anything else (dates, decimals, files...) as Django converts it.
    return _django(field)


class Table:
    """A model's table ready for bulk writes: its columns and each one's converter."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        # An automatic primary key (a through table's) is the database's to number.
        self.fields = [
            f
            for f in model._meta.local_concrete_fields
            if f.column and not isinstance(f, models.AutoField)
        ]
        pk = model._meta.pk
        # The column rows are written in the order of: the primary key, or the first column.
        self._key_at = next((i for i, f in enumerate(self.fields) if f is pk), 0)
        postgres = connection.vendor == "postgresql"
        self.converters = [_converter(f, postgres) for f in self.fields]
        # Each column: its attribute name, converter (None when the value passes as it is,
        # which saves a call for most of a row's values), and its default already converted
        # when the default is always the same (else ``_NOTHING``: worked out for each row).
        self._columns = [
            (
                f.attname,
                None if convert is _same else convert,
                convert(f.get_default()) if _fixed_default(f) else _NOTHING,
                f,
                convert,
            )
            for f, convert in zip(self.fields, self.converters, strict=True)
        ]

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        """The row for ``values`` (attribute name -> Python value); a field not given takes
        its default, as a model object would."""
        # One comprehension, not a call to append for each column (150,000 rows at 50,000
        # services).
        return tuple(
            [
                (values[name] if convert is None else convert(values[name]))
                if name in values
                else (default if default is not _NOTHING else converter(f.get_default()))
                for name, convert, default, f, converter in self._columns
            ]
        )

    def converter(self, attname: str) -> Converter:
        """The converter of the column whose attribute name is ``attname``."""
        for name, _, _, _, converter in self._columns:
            if name == attname:
                return converter
        raise KeyError(attname)

    def pair_rows(
        self,
        first: str,
        second: str,
        pairs: Iterable[tuple[Any, Iterable[Any]]],
        *,
        first_converted: bool = False,
    ) -> list[tuple[Any, ...]]:
        """Rows of a table of two columns (a through table's ``first`` and ``second``
        attributes): for each ``(value, others)`` one row per item of ``others``, the value
        converted once for all of them rather than once a row. With ``first_converted`` the
        values are already as the database takes them (``converter(first)``'s answers)."""
        names = [f.attname for f in self.fields]
        if sorted(names) != sorted([first, second]):
            raise ValueError(f"{self.model.__name__} has columns {names}, not {first}, {second}")
        convert_first = _same if first_converted else self.converter(first)
        convert_second = self.converter(second)
        given: Iterable[tuple[Any, Iterable[Any]]] = (
            pairs if first_converted else ((convert_first(v), others) for v, others in pairs)
        )
        if convert_second is not _same:  # codes and term ids go in as they are
            given = ((v, [convert_second(other) for other in others]) for v, others in given)
        # One comprehension for all the rows rather than one for each service: 470,000 code
        # rows at 50,000 services.
        if names[0] == first:
            return [(v, other) for v, others in given for other in others]
        return [(other, v) for v, others in given for other in others]

    def rows_of(self, objects: Iterable[models.Model]) -> list[tuple[Any, ...]]:
        """The rows of model objects, each field's ``pre_save`` applied (``auto_now``...)."""
        fields, converters = self.fields, self.converters
        return [
            tuple(
                convert(f.pre_save(obj, True))
                for f, convert in zip(fields, converters, strict=True)
            )
            for obj in objects
        ]

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """INSERT the rows: one COPY on PostgreSQL, batched ``executemany`` elsewhere."""
        if not rows:
            return
        # In the order of the primary key (a through table's: its service): a B-tree takes
        # keys in order about three times faster than at random (50,000 code rows on SQLite:
        # 0.62 s -> 0.21 s). The sort is stable, so a service's codes keep the feed's order.
        at = self._key_at
        rows = sorted(rows, key=lambda row: str(row[at]))
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(str(f.column)) for f in self.fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor  # psycopg's own cursor, under Django's wrapper
                # Names come from the model, quoted; the values travel as COPY data.
                with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    text = _copy_text(rows) if len(self.fields) == 2 else None
                    if text is not None:
                        copy.write(text)
                        return
                    for row in rows:
                        copy.write_row(row)
                return
            # Names come from the model, quoted; values are parameters.
            sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
                table, columns, ", ".join(["%s"] * len(self.fields))
            )
            for start in range(0, len(rows), _BATCH):
                cursor.executemany(sql, rows[start : start + _BATCH])

    def write_in_order(self, batches: Iterable[Sequence[tuple[Any, ...]]]) -> None:
        """INSERT batches of rows already in the order of the key ``write`` sorts by, each
        batch sent as soon as it is made: on PostgreSQL the server takes in one batch while
        the next is being built, instead of waiting for the whole table (decision 0162)."""
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(str(f.column)) for f in self.fields)
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                # Names come from the model, quoted; values are parameters.
                sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
                    table, columns, ", ".join(["%s"] * len(self.fields))
                )
                for batch in batches:
                    if batch:
                        cursor.executemany(sql, batch)
                return
            raw = cursor.cursor  # psycopg's own cursor, under Django's wrapper
            pairs = len(self.fields) == 2
            # Names come from the model, quoted; the values travel as COPY data.
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for batch in batches:
                    text = _copy_text(batch) if pairs and batch else None
                    if text is not None:
                        copy.write(text)
                        continue
                    for row in batch:
                        copy.write_row(row)


# What a two-column row may hold to be written as COPY text without the driver.
_PLAIN_TYPES = frozenset({str, int, uuid.UUID})


def _copy_text(rows: Sequence[tuple[Any, ...]]) -> str | None:
    """Rows of two columns (a through table's: a service and a code or term) as COPY text,
    made in one pass rather than a driver call a row (half the rows of an import); None
    when a value is not plain text, a whole number or a UUID, or holds what COPY escapes."""
    if not {type(value) for row in rows for value in row} <= _PLAIN_TYPES:
        return None
    text = "".join([f"{first}\t{second}\n" for first, second in rows])
    if text.count("\t") != len(rows) or text.count("\n") != len(rows) or "\\" in text:
        return None  # a tab, line break or backslash inside a value: the driver escapes it
    return None if "\r" in text else text


def _fixed_default(field: models.Field[Any, Any]) -> bool:
    """Whether the field's default is the same value every time (not ``uuid4``, ``now``)."""
    default = field.default
    return not field.has_default() or not callable(default) or default in (dict, list)


_tables: dict[tuple[type[models.Model], str], Table] = {}


def table(model: type[models.Model]) -> Table:
    """The model's ``Table`` for the current database, built once per process."""
    key = (model, connection.vendor)
    found = _tables.get(key)
    if found is None:
        found = _tables[key] = Table(model)
    return found


def rows_keyed(
    model: type[models.Model], key: str, keys: Sequence[str | uuid.UUID], columns: Sequence[str]
) -> list[tuple[Any, ...]]:
    """The ``columns`` (attribute names) of ``model``'s rows whose UUID field ``key`` is one
    of ``keys``; UUIDs come back as canonical text (``str(uuid)``), the rest as the driver
    gives them.

    ``filter(key__in=...).values_list(...)`` checked and converted every key through the
    field again and, on PostgreSQL, had the driver split a query of 2,000 placeholders for
    each chunk: a tenth of an import of new services. Here each key is converted once,
    PostgreSQL takes them all as one array (``= ANY``), SQLite in chunks of placeholders.
    """
    meta = model._meta
    where = meta.get_field(key)
    if not _is_uuid(where):
        raise ValueError(f"{model.__name__}.{key} is not a UUID field")
    fields = [meta.get_field(name) for name in columns]
    as_text = [_is_uuid(f) for f in fields]
    quote = connection.ops.quote_name
    # Names come from the model, quoted; values are parameters.
    select = "SELECT {} FROM {} WHERE {}".format(  # noqa: S608
        ", ".join(quote(str(f.column)) for f in fields),  # type: ignore[union-attr]
        quote(meta.db_table),
        quote(str(where.column)),  # type: ignore[union-attr]
    )
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"{select} = ANY(%s::uuid[])", [_uuid_array(keys)])
            batches = [cursor.fetchall()]
        else:
            convert = _uuid_converter(postgres=False)
            values = [convert(k) for k in keys]
            batches = []
            for start in range(0, len(values), _BATCH):
                chunk = values[start : start + _BATCH]
                cursor.execute(f"{select} IN ({', '.join(['%s'] * len(chunk))})", chunk)
                batches.append(cursor.fetchall())
    for batch in batches:
        found += [
            tuple(
                _uuid_text(value) if text and value is not None else value
                for value, text in zip(row, as_text, strict=True)
            )
            for row in batch
        ]
    return found


def _uuid_array(keys: Sequence[str | uuid.UUID]) -> str | list[str]:
    """``keys`` as PostgreSQL takes them for ``%s::uuid[]``: canonical UUID texts (all an
    import gives) as one array literal, which needs no quoting; anything else as a list
    for the driver. The driver dumps a list item by item in Python (150,000 ids at 50,000
    services); the literal is one string for it to send."""
    texts = [str(k) for k in keys]
    if all(map(CANONICAL_UUID.fullmatch, texts)):
        return "{" + ",".join(texts) + "}"
    return texts


def _is_uuid(field: Any) -> bool:
    """Whether ``field`` holds a UUID (itself, or as a foreign key to one)."""
    if isinstance(field, models.ForeignKey):
        return _is_uuid(field.target_field)
    return isinstance(field, models.UUIDField)


def _uuid_text(value: Any) -> str:
    """A UUID as the database gives it (an object, or 32 hex characters on SQLite) as
    canonical text."""
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(value))


def insert_objects(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """INSERT new model objects in bulk (what ``bulk_create`` would write, much faster)."""
    if objects:
        target = table(model)
        target.write(target.rows_of(objects))


def insert_children(
    model: type[models.Model], children: Iterable[tuple[str | uuid.UUID, Any]]
) -> None:
    """INSERT HSDS child records (``(service id, child)``) without building model objects:
    each child's attributes, its HSDS ``id`` as the primary key and the service's id."""
    target = table(model)
    rows = []
    row = target.row
    for service_id, child in children:
        rows.append(row({**vars(child), "service_id": service_id}))
    target.write(rows)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for a bulk read or import, then resumed as it was.

    A feed is millions of dicts and lists that live until the import ends, and the import
    makes hundreds of thousands of objects more: the collector ran again and again over all
    of them, finding nothing (JSON and the import's records hold no reference cycles), about
    a third of the time of parsing a feed and a tenth of importing it. Memory is freed as
    before, when the last reference goes.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # What was made meanwhile goes to the oldest generation at once (two list
            # splices) rather than staying young: the first young collection after the
            # collector came back on walked all of it, the whole parsed feed (about 0.2 s a
            # pause at 10,000 services). It stays collectable there. Only when nothing else
            # froze objects, which unfreezing would thaw.
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def update_by_key(
    model: type[models.Model], objects: Sequence[dict[str, Any]], names: list[str]
) -> None:
    """UPDATE the ``names`` fields of each row (attribute name -> value) by primary key
    with ``executemany``.

    ``bulk_update`` builds one CASE expression per field per batch, which took about 4 ms a
    service; a prepared UPDATE per row is a small fraction of that.
    """
    if not objects:
        return
    fields = [model._meta.get_field(name) for name in names]
    pk = model._meta.pk
    assert pk is not None  # noqa: S101 - every concrete model has one; narrows the type
    quote = connection.ops.quote_name
    # Names come from the model, quoted; values are parameters.
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(f"{quote(str(f.column))} = %s" for f in fields),  # type: ignore[union-attr]
        quote(str(pk.column)),
    )
    rows = [
        (
            *(f.get_db_prep_save(values[f.attname], connection) for f in fields),  # type: ignore[union-attr]
            pk.get_db_prep_save(values[pk.attname], connection),
        )
        for values in objects
    ]
    with connection.cursor() as cursor:
        for begin in range(0, len(rows), _BATCH):
            cursor.executemany(sql, rows[begin : begin + _BATCH])

"""HSDS 3 compiled services as the HSDS tabular data package: one CSV per table.

No Django here. ``TabularPackage`` takes the documents ``exchange.directory_export`` gives
(the same ones the JSON export writes, so both exports always say the same thing) and
flattens each into rows of the official tables: the nested ``organization``, ``phones``,
``service_at_locations`` and their ``location`` and ``addresses``, ``attributes`` and their
``taxonomy_term`` ... each become rows of their own table, linked by id. Which tables, which
columns in which order, their types, required fields, enumerations and foreign keys all come
from the official ``datapackage.json`` (a copy ships beside this module as
``hsds_datapackage.json``; the tests check it is the official one).

A CSV cannot tell an empty value from a missing one, so what the JSON export may carry and
the tabular package may not is handled here, each time with a warning naming the service and
the table (see docs/decisions/0025):

- times become ``HH:MM:SS`` and enumerations their official case; a value that is still not
  of its column's type (``"9am"`` as a time) is left out;
- a required column with no value leaves its row out (except an organisation's
  ``description``, which Bridgeway does not record, which is its name instead, and an
  address's ``state_province``, its region or else its town);
- a reference to a row no table holds is left out, and the row too where it is required;
- a second row with the same id is the same record met again (an organisation of several
  services, a term of several attributes) and is written once.

Rows are written as each service is read, so a directory of any size is never held in memory;
only the ids written so far are kept, to link and de-duplicate.
"""

from __future__ import annotations

import csv
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import IO, Any, Final

DATAPACKAGE_PATH: Final = Path(__file__).with_name("hsds_datapackage.json")

# Key of a nested record in a compiled document -> the table its rows go to.
NESTED: Final[dict[str, str]] = {
    "organization": "organization",
    "program": "program",
    "service": "service",
    "services": "service",
    "location": "location",
    "locations": "location",
    "service_at_locations": "service_at_location",
    "addresses": "address",
    "phones": "phone",
    "contacts": "contact",
    "schedules": "schedule",
    "service_areas": "service_area",
    "languages": "language",
    "funding": "funding",
    "cost_options": "cost_option",
    "accessibility": "accessibility",
    "required_documents": "required_document",
    "organization_identifiers": "organization_identifier",
    "attributes": "attribute",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_detail": "taxonomy",
    "metadata": "metadata",
}
# Loose ISO 8601 times a feed may give ("09:00", "09:00:00", "09:00:00Z", "09:00+01:00").
_TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    format: str | None
    required: bool
    unique: bool
    enum: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """One resource of the data package: its file, columns and links to other tables."""

    name: str
    path: str
    columns: tuple[Column, ...]
    # Column -> the table whose id it names.
    references: Mapping[str, str]

    def column(self, name: str) -> Column | None:
        for column in self.columns:
            if column.name == name:
                return column
        return None


@cache
def datapackage() -> dict[str, Any]:
    """The official HSDS 3 tabular data package descriptor."""
    document: dict[str, Any] = json.loads(DATAPACKAGE_PATH.read_text(encoding="utf-8"))
    return document


@cache
def tables() -> dict[str, Table]:
    """Every table of the data package by resource name, in the descriptor's order."""
    found: dict[str, Table] = {}
    for resource in datapackage()["resources"]:
        schema = resource["schema"]
        columns = tuple(
            Column(
                name=f["name"],
                type=f["type"],
                format=f.get("format"),
                required=bool(f.get("constraints", {}).get("required")),
                unique=bool(f.get("constraints", {}).get("unique")),
                enum=tuple(f.get("constraints", {}).get("enum", ())),
            )
            for f in schema["fields"]
        )
        references = {
            key["fields"]: key["reference"]["resource"] for key in schema.get("foreignKeys", [])
        }
        found[resource["name"]] = Table(resource["name"], resource["path"], columns, references)
    return found


class BadCell(ValueError):
    """A value that is not of its column's type."""


def cell(column: Column, value: object) -> str:
    """The CSV text of one value for its column ("" for none); ``BadCell`` if it cannot be."""
    if value is None or value == "":
        return ""
    if isinstance(value, dict | list):
        raise BadCell("is a nested value, not a single one")
    if column.type == "number":
        return _number(value)
    text = str(value).strip()
    if column.enum:
        return _enum(column, text)
    if column.type == "time":
        return _time(text)
    if column.type == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise BadCell(f"{text[:40]!r} is not a date (YYYY-MM-DD)") from None
    if column.type == "datetime":
        try:
            if "T" not in text:
                raise ValueError(text)
            datetime.fromisoformat(text)
        except ValueError:
            raise BadCell(f"{text[:40]!r} is not a date and time (ISO 8601)") from None
        return text
    return _formatted(column, text)


def _number(value: object) -> str:
    if isinstance(value, bool):
        raise BadCell(f"{value} is not a number")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    try:
        float(str(value))
    except ValueError:
        raise BadCell(f"{str(value)[:40]!r} is not a number") from None
    return str(value).strip()


def _enum(column: Column, text: str) -> str:
    for allowed in column.enum:
        if allowed.lower() == text.lower():
            return allowed
    raise BadCell(f"{text[:40]!r} is not one of: {', '.join(column.enum)}")


def _time(text: str) -> str:
    match = _TIME.match(text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise BadCell(f"{text[:40]!r} is not a time (HH:MM:SS)")
    hours, minutes, seconds, fraction, zone = match.groups()
    return f"{hours}:{minutes}:{seconds or '00'}{fraction or ''}{zone or ''}"


def _formatted(column: Column, text: str) -> str:
    if column.format == "uuid":
        try:
            uuid.UUID(text)
        except ValueError:
            raise BadCell(f"{text[:60]!r} is not a UUID") from None
    elif column.format == "email" and not _EMAIL.match(text):
        raise BadCell(f"{text[:60]!r} is not an email address")
    elif column.format == "uri" and not _URI.match(text):
        raise BadCell(f"{text[:60]!r} is not an absolute address (such as https://...)")
    return text


@dataclass
class _Row:
    table: Table
    values: dict[str, str]
    where: str


class TabularPackage:
    """Writes services into one CSV per table, in ``folder`` (which must exist and be empty).

    Call ``add`` for every service document and ``close`` at the end; ``warnings`` then says
    what could not be written as given. Use it as a context manager so files are closed.
    """

    def __init__(self, folder: Path, *, fixed_rows: Iterable[tuple[str, Mapping[str, Any]]] = ()):
        self.folder = folder
        self.warnings: list[str] = []
        self.counts: dict[str, int] = dict.fromkeys(tables(), 0)
        self._written: dict[str, set[str]] = {name: set() for name in tables()}
        self._unique: dict[tuple[str, str], set[str]] = {}
        self._handles: dict[str, IO[str]] = {}
        self._writers: dict[str, Any] = {}
        for name, table in tables().items():
            handle = (folder / table.path).open("w", encoding="utf-8", newline="")
            self._handles[name] = handle
            self._writers[name] = csv.writer(handle)
            self._writers[name].writerow([c.name for c in table.columns])
        # Records every package carries whatever the services (Bridgeway's own taxonomies
        # and terms), written first so each service's attributes can refer to them.
        self._write_all(
            [self._row(tables()[name], dict(record), name) for name, record in fixed_rows]
        )

    def __enter__(self) -> TabularPackage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()

    def add(self, document: Mapping[str, Any], *, table: str = "service") -> None:
        """Write one compiled record (a service by default) and everything nested in it."""
        label = f"{table} {document.get('id', '?')}"
        rows: list[_Row] = []
        self._collect(tables()[table], document, None, rows, label)
        self._write_all(rows)

    def _collect(
        self,
        table: Table,
        record: Mapping[str, Any],
        parent: _Row | None,
        rows: list[_Row],
        label: str,
    ) -> None:
        row = self._row(table, record, label)
        if parent is not None:
            _link(parent, row)
        rows.append(row)
        for key, value in record.items():
            child_table = NESTED.get(key)
            if child_table is None or table.column(key) is not None:
                continue
            children = value if isinstance(value, list) else [value]
            for child in children:
                if isinstance(child, dict):
                    self._collect(tables()[child_table], child, row, rows, label)

    def _row(self, table: Table, record: Mapping[str, Any], label: str) -> _Row:
        values: dict[str, str] = {}
        for column in table.columns:
            try:
                values[column.name] = cell(column, record.get(column.name))
            except BadCell as error:
                self._warn(label, table, f"{column.name} {error}; left out")
                values[column.name] = ""
        if table.name == "organization" and not values["description"]:
            # Bridgeway records no description of an organisation; HSDS requires one.
            values["description"] = values["name"]
        if table.name == "address" and not values["state_province"]:
            # Required by HSDS, rarely known in England and Wales (a county): the town is the
            # nearest division an address gives, and better than losing the postcode.
            values["state_province"] = values["region"] or values["city"]
        return _Row(table, values, label)

    def _write_all(self, rows: list[_Row]) -> None:
        """Write a service's rows once every reference among them is known to resolve."""
        pending = {id(r): r for r in rows if not self._seen(r)}
        # Ids this service's rows will add, so rows may refer to each other in any order.
        changed = True
        while changed:
            changed = False
            available: dict[str, set[str]] = {}
            for row in pending.values():
                available.setdefault(row.table.name, set()).add(row.values["id"])
            for key, row in list(pending.items()):
                if not self._resolve(row, available):
                    del pending[key]
                    changed = True
        for row in rows:
            if id(row) in pending:
                self._write(row)

    def _seen(self, row: _Row) -> bool:
        row_id = row.values.get("id", "")
        if not row_id:
            self._warn(row.where, row.table, "has no id; left out")
            return True
        return row_id in self._written[row.table.name]

    def _resolve(self, row: _Row, available: Mapping[str, set[str]]) -> bool:
        """False if the row cannot be written: a required value missing or unresolved."""
        for column_name, target in row.table.references.items():
            value = row.values.get(column_name, "")
            if not value or value in self._written[target] or value in available.get(target, ()):
                continue
            column = row.table.column(column_name)
            if column is not None and column.required:
                self._warn(
                    row.where,
                    row.table,
                    f"{row.values['id']}: {column_name} {value} names no {target}; row left out",
                )
                return False
            self._warn(row.where, row.table, f"{column_name} {value} names no {target}; left out")
            row.values[column_name] = ""
        missing = [c.name for c in row.table.columns if c.required and not row.values[c.name]]
        if missing:
            self._warn(
                row.where,
                row.table,
                f"{row.values['id']}: {', '.join(missing)} required but not known; row left out",
            )
            return False
        return True

    def _write(self, row: _Row) -> None:
        table = row.table
        if row.values["id"] in self._written[table.name]:
            return  # the same record nested twice in one service
        for column in table.columns:
            value = row.values[column.name]
            if not column.unique or column.name == "id" or not value:
                continue
            seen = self._unique.setdefault((table.name, column.name), set())
            if value in seen:
                self._warn(row.where, table, f"{column.name} {value!r} is not unique; left out")
                row.values[column.name] = ""
            else:
                seen.add(value)
        self._writers[table.name].writerow([row.values[c.name] for c in table.columns])
        self._written[table.name].add(row.values["id"])
        self.counts[table.name] += 1

    def _warn(self, label: str, table: Table, message: str) -> None:
        self.warnings.append(f"{label}: {table.path}: {message}")


def _link(parent: _Row, child: _Row) -> None:
    """Fill the id that links a nested record to the record it sits in, when not given."""
    parent_key = f"{parent.table.name}_id"
    if parent_key in child.values:
        if not child.values[parent_key]:
            child.values[parent_key] = parent.values.get("id", "")
        return
    if child.table.name == "attribute":
        child.values["link_id"] = child.values["link_id"] or parent.values.get("id", "")
        child.values["link_entity"] = child.values["link_entity"] or parent.table.name
        return
    child_key = f"{child.table.name}_id"
    if child_key in parent.values and not parent.values[child_key]:
        parent.values[child_key] = child.values.get("id", "")


def write_package(
    folder: Path,
    services: Iterable[Mapping[str, Any]],
    *,
    fixed_rows: Iterable[tuple[str, Mapping[str, Any]]] = (),
    progress: Callable[[int], None] | None = None,
) -> TabularPackage:
    """Write the whole package into an existing empty folder.

    The CSVs, and ``datapackage.json``: the official descriptor as published, so a reader
    validates the package against the standard's own table schemas.
    """
    with TabularPackage(folder, fixed_rows=fixed_rows) as package:
        for count, service in enumerate(services, start=1):
            package.add(service)
            if progress is not None:
                progress(count)
    (folder / "datapackage.json").write_text(
        json.dumps(datapackage(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return package

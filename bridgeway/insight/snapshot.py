"""The pseudonymised snapshot of case events: its schema, its files and their checks.

Plain Python with pyarrow and DuckDB, no Django: ``snapshot_write`` reads the
database and hands rows here; the needs assessment and later reports read the files back
through ``snapshot_files`` after ``validate_snapshot``.

A snapshot is a directory of Parquet part files, ``events-<UTC time>.parquet``, one per run,
plus ``state.json`` recording how far the runs have got. Each row is one stage a referral
reached. People, cases, organisations and services appear only as keyed hashes
(HMAC-SHA256 with ``PSEUDONYM_KEY``): analysts can count and link rows but never learn
who anyone is, and without the key they cannot test a guess. Names, contact details, free
text and dates of birth are never read, let alone written.

Two columns belong to one stage only: ``coped_better`` (did the person feel better able to
cope, asked at closure) is set on the ``closed`` row, and ``decline_reason`` (why the case was
declined, a code of ``decline_reasons.csv``: outside the area, service full, ...) on the
``declined`` row; both are empty on every other row and on cases finished before they were
asked (decision 0084). A snapshot written before ``decline_reason`` existed fails the schema
check naming the column: delete it and run ``bridgeway snapshot`` again to rebuild it whole.

``person_number`` stands for ``person_key``: a small integer given to each person the first
time the snapshot holds them, kept in ``PERSON_NUMBERS_FILE`` so every later run gives them
the same one; ``record_key`` is the person's record key for perturbation, worked out from
``person_key`` when written (decision 0150). Counting groups and joins on the number, 4 bytes
instead of 32; a snapshot written before them (schema version 3) fails the check naming the
column, and is rebuilt the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, vocabulary
from bridgeway.insight import perturbation

SCHEMA_VERSION = "4"
PART_PATTERN = "events-*.parquet"
STATE_FILE = "state.json"
# Each person's number, beside their pseudonym (decision 0150): an Arrow file, not Parquet, so
# a reader of the directory's ``*.parquet`` (or of ``PART_PATTERN``) never takes it for a part.
PERSON_NUMBERS_FILE = "person-numbers.arrow"
METADATA_KEY = b"bridgeway.snapshot"

# Organisation.Kind's values; kept here so this module needs no Django (a test checks they match).
ORGANISATION_KINDS = ("specialist", "universal", "hub", "reporting_centre", "commissioner")

# Events, people and cases appear as the 32 bytes of their keyed hash (decision 0130): half
# the size of its 64 hexadecimal characters, and one machine word's worth of comparisons less
# for every group-by and join on them. Organisations and services, a few hundred values that
# reports map back to directory names, keep the hexadecimal text.
DIGEST_SIZE = 32
BINARY_KEYS = ("event_id", "person_key", "case_key")

SNAPSHOT_SCHEMA = pa.schema(
    [
        pa.field("event_id", pa.binary(DIGEST_SIZE), nullable=False),
        pa.field("person_key", pa.binary(DIGEST_SIZE), nullable=False),
        # A small number standing for person_key, one to one across the whole snapshot
        # (decision 0150): counting groups and joins on 4 bytes instead of 32.
        pa.field("person_number", pa.int32(), nullable=False),
        # The person's record key for perturbation (decision 0072), worked out from person_key
        # once when written rather than by every count (decision 0150).
        pa.field("record_key", pa.int64(), nullable=False),
        pa.field("case_key", pa.binary(DIGEST_SIZE), nullable=False),
        pa.field("organisation_key", pa.string(), nullable=False),
        pa.field("service_key", pa.string()),
        pa.field("organisation_kind", pa.string(), nullable=False),
        pa.field("service_specialist", pa.bool_()),
        pa.field("stage", pa.string(), nullable=False),
        pa.field("occurred_on", pa.date32(), nullable=False),
        pa.field("lad_code", pa.string()),
        pa.field("pfa_code", pa.string()),
        pa.field("ethnic_group", pa.string(), nullable=False),
        pa.field("age_band", pa.string(), nullable=False),
        pa.field("sex", pa.string(), nullable=False),
        pa.field("sexual_orientation", pa.string(), nullable=False),
        pa.field("religion", pa.string(), nullable=False),
        pa.field("disabilities", pa.list_(pa.string()), nullable=False),
        pa.field("harm_types", pa.list_(pa.string()), nullable=False),
        pa.field("hate_strands", pa.list_(pa.string()), nullable=False),
        pa.field("channel", pa.string(), nullable=False),
        pa.field("coped_better", pa.bool_()),
        pa.field("decline_reason", pa.string()),
    ]
)
COLUMNS = tuple(SNAPSHOT_SCHEMA.names)
# The columns a writer hands to ``write_part``: the person's number and record key are
# worked out there, from person_key.
PERSON_COLUMNS = ("person_number", "record_key")
GIVEN_SCHEMA = pa.schema([field for field in SNAPSHOT_SCHEMA if field.name not in PERSON_COLUMNS])
GIVEN_COLUMNS = tuple(GIVEN_SCHEMA.names)

# Which vocabulary each coded column's values come from, and whether a missing-answer code
# is allowed there too.
CODED_COLUMNS: dict[str, tuple[str, bool]] = {
    "stage": ("funnel_stages", False),
    "ethnic_group": ("ethnic_groups", True),
    "age_band": ("age_bands", True),
    "sex": ("sexes", True),
    "sexual_orientation": ("sexual_orientations", True),
    "religion": ("religions", True),
    "channel": ("referral_channels", False),
}
LIST_COLUMNS: dict[str, str] = {
    "disabilities": "disabilities",
    "harm_types": "harm_types",
    "hate_strands": "hate_strands",
}
AREA_CODE = re.compile(r"^[EW]\d{8}$")


class SnapshotError(ValueError):
    """A snapshot that cannot be read: missing, or a file that breaks the schema."""


def allowed_codes(column: str) -> frozenset[str]:
    """The values a coded column of the snapshot may hold."""
    if column == "organisation_kind":
        return frozenset(ORGANISATION_KINDS)
    if column in LIST_COLUMNS:
        return vocabulary(LIST_COLUMNS[column]).codes
    name, with_not_known = CODED_COLUMNS[column]
    codes = vocabulary(name).codes
    return codes | frozenset(NOT_KNOWN_CODES) if with_not_known else codes


# --- pseudonyms --------------------------------------------------------------------------


class Pseudonymiser:
    """Keyed hashes for the identifiers that leave the database.

    Each kind of identifier has its own prefix, so a person and a case that happened to share
    an id could not be linked.
    """

    def __init__(self, key: str | bytes) -> None:
        if not key:
            raise ValueError("a pseudonym key is needed")
        self._key = key.encode() if isinstance(key, str) else key
        # HMAC is H((K ^ opad) || H((K ^ ipad) || m)) (RFC 2104). Hashing the two padded key
        # blocks once and copying those states per message gives the same digests as
        # ``hmac.new`` in half the time, which matters at a million events.
        block = self._key if len(self._key) <= _BLOCK else hashlib.sha256(self._key).digest()
        block = block.ljust(_BLOCK, b"\0")
        self._inner_pad = bytes(byte ^ 0x36 for byte in block)
        self._outer_pad = bytes(byte ^ 0x5C for byte in block)
        self._inner = hashlib.sha256(self._inner_pad)
        self._outer = hashlib.sha256(self._outer_pad)
        self._database: tuple[int, duckdb.DuckDBPyConnection] | None = None
        self._database_lock = threading.Lock()

    def key(self, kind: str, identifier: object) -> str:
        """The pseudonym of ``identifier`` (a UUID or integer) of the given kind."""
        message = f"{kind}:{identifier}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def keys(self, kind: str, identifiers: Iterable[object]) -> pa.StringArray:
        """``key(kind, i)`` for each identifier, as an Arrow string array, without a row loop
        in Python beyond the hashing itself: the digests are joined and hexed in one go and
        the array is built straight from that buffer (every pseudonym is 64 characters).
        """
        prefix = f"{kind}:"
        inner, outer = self._inner.copy, self._outer.copy

        def digest(identifier: object) -> bytes:
            first = inner()
            first.update(f"{prefix}{identifier}".encode())
            second = outer()
            second.update(first.digest())
            return second.digest()

        hexed = b"".join(map(digest, identifiers)).hex().encode("ascii")
        count = len(hexed) // _HEX_LENGTH
        offsets = np.arange(0, (count + 1) * _HEX_LENGTH, _HEX_LENGTH, dtype=np.int32)
        array: pa.StringArray = pa.StringArray.from_buffers(
            count, pa.py_buffer(offsets), pa.py_buffer(hexed)
        )
        return array

    def digest(self, kind: str, identifier: object) -> bytes:
        """The pseudonym of ``identifier`` as its 32 bytes (``key`` is their hexadecimal)."""
        return hmac.new(self._key, f"{kind}:{identifier}".encode(), hashlib.sha256).digest()

    def digests(self, kind: str, identifiers: pa.Array | pa.ChunkedArray) -> pa.Array:
        """``digest(kind, i)`` for each value of an Arrow column, nulls staying null.

        The whole column is hashed by DuckDB in one statement, no Python per value: HMAC
        written out (RFC 2104) as ``sha256(K ^ opad || sha256(K ^ ipad || message))``, the
        padded key blocks travelling as parameters of an in-process database that is never
        written to disk. Integers and UUIDs read as text exactly as ``f"{identifier}"``
        writes them, so the values are ``digest``'s, byte for byte (a test holds that).
        """
        return self._hashed(kind, identifiers, hexadecimal=False)

    def hexdigests(self, kind: str, identifiers: pa.Array | pa.ChunkedArray) -> pa.Array:
        """``key(kind, i)`` for each value of an Arrow column, hashed as ``digests`` does."""
        return self._hashed(kind, identifiers, hexadecimal=True)

    def _hashed(
        self, kind: str, identifiers: pa.Array | pa.ChunkedArray, *, hexadecimal: bool
    ) -> pa.Array:
        if isinstance(identifiers, pa.ChunkedArray):
            identifiers = identifiers.combine_chunks()
        if pa.types.is_dictionary(identifiers.type):
            identifiers = identifiers.dictionary_decode()
        if not len(identifiers):
            return pa.array([], pa.string() if hexadecimal else pa.binary(DIGEST_SIZE))
        outer = "sha256" if hexadecimal else "unhex(sha256"
        close = "" if hexadecimal else ")"
        values = pa.table({"identifier": identifiers})
        query = (
            f"SELECT {outer}($outer || unhex(sha256($inner || "  # noqa: S608
            "encode($prefix || CAST(identifier AS VARCHAR)))))"
            f"{close} AS pseudonym FROM identifiers"
        )
        with self._database_lock:
            if self._database is None or self._database[0] != os.getpid():
                database = duckdb.connect()
                database.execute("SET threads = 1")
                self._database = (os.getpid(), database)
            cursor = self._database[1].cursor()
        with cursor:
            cursor.register("identifiers", values)
            result = cursor.sql(
                query,
                params={"outer": self._outer_pad, "inner": self._inner_pad, "prefix": f"{kind}:"},
            ).to_arrow_table()
        hashed = result.column(0).combine_chunks()
        if hexadecimal:
            return hashed.cast(pa.string())
        return hashed.cast(pa.binary(DIGEST_SIZE))


_BLOCK = 64  # SHA-256's block size in bytes
_HEX_LENGTH = 64  # a SHA-256 digest written in hexadecimal


# --- writing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotState:
    """How far snapshots have got: the highest CaseEvent id seen and the ids near it."""

    last_event_id: int = 0
    # Ids written in the safety window below ``last_event_id``, so a re-read of the window
    # writes only the late arrivals, not the whole window again.
    recent_event_ids: tuple[int, ...] = ()
    written_at: str = ""
    # Which merges of people's records the parts were written after ("" before any): a merge
    # or its undoing changes the person_key of events already written, so the snapshot is
    # then written again whole (docs/decisions/0119-merges-rewrite-the-snapshot.md).
    people_version: str = ""

    def to_json(self) -> str:
        return json.dumps(
            {
                "schema_version": SCHEMA_VERSION,
                "last_event_id": self.last_event_id,
                "recent_event_ids": list(self.recent_event_ids),
                "written_at": self.written_at,
                "people_version": self.people_version,
            },
            indent=2,
        )


def read_state(directory: Path) -> SnapshotState:
    """The state of the snapshot in ``directory`` (a fresh state when there is none)."""
    path = directory / STATE_FILE
    if not path.exists():
        return SnapshotState()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SnapshotState(
            last_event_id=int(data["last_event_id"]),
            recent_event_ids=tuple(int(i) for i in data.get("recent_event_ids", [])),
            written_at=str(data.get("written_at", "")),
            people_version=str(data.get("people_version", "")),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise SnapshotError(f"{path}: the state file cannot be read ({error})") from None


def write_state(directory: Path, state: SnapshotState) -> None:
    """Replace the state file atomically (a crash leaves the old one whole)."""
    target = directory / STATE_FILE
    temporary = directory / f".{STATE_FILE}.tmp"
    temporary.write_text(state.to_json(), encoding="utf-8")
    os.replace(temporary, target)


def part_name(at: dt.datetime) -> str:
    """The file name of a part written at ``at``; names sort in the order they were written."""
    return f"events-{at.astimezone(dt.UTC):%Y%m%dT%H%M%S%fZ}.parquet"


def _schema_with_metadata(*, written_at: dt.datetime, synthetic: bool) -> pa.Schema:
    metadata = {
        "schema_version": SCHEMA_VERSION,
        "written_at": written_at.astimezone(dt.UTC).isoformat(),
        "synthetic": synthetic,
    }
    return SNAPSHOT_SCHEMA.with_metadata({METADATA_KEY: json.dumps(metadata).encode()})


class PersonNumbers:
    """Each person's number in the snapshot in ``directory``: 0, 1, 2 ... in the order people
    first appear, one number a pseudonym and one pseudonym a number, across every part.

    The numbers are kept in ``PERSON_NUMBERS_FILE``, a cache of what the parts hold: its
    footer names the parts it covers (a digest of their names), and when they are not the
    directory's parts (a part
    removed, a run that died between the two writes, a lost file) it is built again from the
    parts themselves, so a number is never given to a second person. Not a hash of the key:
    two people whose hashes collided would be counted as one.
    """

    def __init__(self, directory: Path, parts: Sequence[Path]) -> None:
        self._directory = directory
        self._keys: list[pa.Array] = []
        self._numbers: list[pa.Array] = []
        self._next = 0
        stored = self._read(directory / PERSON_NUMBERS_FILE, [part.name for part in parts])
        if stored is None:
            stored = self._from_parts(parts)
        if stored.num_rows:
            self._keys.append(stored.column("person_key").combine_chunks())
            self._numbers.append(stored.column("person_number").combine_chunks())
            self._next = int(pc.max(stored.column("person_number")).as_py()) + 1

    @staticmethod
    def _read(path: Path, parts: list[str]) -> pa.Table | None:
        if not path.exists():
            return None
        try:
            with pa.ipc.open_file(path) as reader:
                table = reader.read_all()
            covered = json.loads((table.schema.metadata or {})[METADATA_KEY])["parts"]
        except (OSError, pa.ArrowException, ValueError, KeyError, TypeError):
            return None
        return table if covered == _parts_digest(parts) else None

    @staticmethod
    def _from_parts(parts: Sequence[Path]) -> pa.Table:
        empty = pa.table(
            {"person_key": pa.array([], pa.binary(DIGEST_SIZE)), "person_number": []},
            schema=_PERSON_NUMBERS_SCHEMA,
        )
        if not parts:
            return empty
        for path in parts:
            _check_schema(path)
        with duckdb.connect() as connection:
            pairs = connection.sql(
                "SELECT DISTINCT person_key, person_number FROM read_parquet($files)",
                params={"files": [str(path) for path in parts]},
            ).to_arrow_table()
        keys = pc.count_distinct(pairs.column("person_key")).as_py()
        numbers = pc.count_distinct(pairs.column("person_number")).as_py()
        if not keys == numbers == pairs.num_rows:
            raise SnapshotError(
                f"{parts[0].parent}: a person has two numbers, or a number two people; delete "
                "the snapshot and run `bridgeway snapshot` again to rebuild it whole"
            )
        return pairs.cast(_PERSON_NUMBERS_SCHEMA)

    def columns(self, person_keys: pa.Array | pa.ChunkedArray) -> dict[str, pa.Array]:
        """``person_number`` and ``record_key`` for each key, each distinct key worked out
        once; keys not seen before get the next free numbers."""
        encoded = pc.dictionary_encode(person_keys)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        return {
            "person_number": self._numbers_of(encoded.dictionary).take(encoded.indices),
            "record_key": _record_keys(encoded.dictionary).take(encoded.indices),
        }

    def _numbers_of(self, distinct: pa.Array) -> pa.Array:
        found = np.full(len(distinct), -1, dtype=np.int64)
        if self._keys:
            # Probe the (large) known keys against the batch's distinct keys: the hash table
            # is built over the batch, so each batch costs one pass over the known people.
            position = pc.index_in(
                pa.chunked_array(self._keys, pa.binary(DIGEST_SIZE)), value_set=distinct
            )
            known = pc.is_valid(position)
            numbers = pa.chunked_array(self._numbers, pa.int32())
            found[position.filter(known).to_numpy()] = numbers.filter(known).to_numpy()
        new = np.flatnonzero(found < 0)
        if len(new):
            found[new] = np.arange(self._next, self._next + len(new))
            self._next += len(new)
            self._keys.append(distinct.take(pa.array(new)))
            self._numbers.append(pa.array(found[new], pa.int32()))
        return pa.array(found, pa.int32())

    def save(self, parts: Sequence[str]) -> None:
        """Replace the file atomically, naming the parts whose numbers it holds."""
        table = pa.Table.from_arrays(
            [
                pa.chunked_array(self._keys, pa.binary(DIGEST_SIZE)),
                pa.chunked_array(self._numbers, pa.int32()),
            ],
            schema=_PERSON_NUMBERS_SCHEMA.with_metadata(
                {METADATA_KEY: json.dumps({"parts": _parts_digest(parts)}).encode()}
            ),
        )
        target = self._directory / PERSON_NUMBERS_FILE
        temporary = self._directory / f".{PERSON_NUMBERS_FILE}.tmp"
        with pa.ipc.new_file(temporary, table.schema) as writer:
            writer.write_table(table)
        os.replace(temporary, target)


def _record_keys(person_keys: pa.Array) -> pa.Array:
    """Perturbation's record key of each key (``perturbation.RECORD_KEY_SQL``), in the
    process's own in-memory database (opening one a part would cost more than the hashing)."""
    global _record_key_database
    with _record_key_lock:
        if _record_key_database is None or _record_key_database[0] != os.getpid():
            _record_key_database = (os.getpid(), duckdb.connect())
        cursor = _record_key_database[1].cursor()
    with cursor:
        cursor.register("people", pa.table({"person_key": person_keys}))
        keyed = cursor.sql(
            f"SELECT {perturbation.RECORD_KEY_SQL} FROM people"  # noqa: S608 - a constant
        ).to_arrow_table()
    return keyed.column(0).combine_chunks().cast(pa.int64())


_record_key_database: tuple[int, duckdb.DuckDBPyConnection] | None = None
_record_key_lock = threading.Lock()


def _parts_digest(names: Sequence[str]) -> str:
    """A short stand-in for the list of part names (one a run, so thousands in time)."""
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


_PERSON_NUMBERS_SCHEMA = pa.schema(
    [
        pa.field("person_key", pa.binary(DIGEST_SIZE), nullable=False),
        pa.field("person_number", pa.int32(), nullable=False),
    ]
)


def write_part(
    directory: Path,
    batches: Iterable[Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Any]] | pa.Table],
    *,
    written_at: dt.datetime,
    synthetic: bool,
) -> tuple[Path, int]:
    """Write rows, batch by batch, to a new part file; returns its path and row count.

    A batch is a sequence of rows (mappings of column to value), a mapping of each column to
    its values (much faster to turn into Arrow arrays), or an Arrow table of the columns, in
    each case the columns of ``GIVEN_SCHEMA``: each person's number is assigned here
    (``PersonNumbers``).

    Each batch becomes a row group, so memory holds one batch at a time. The file is written
    under a temporary name and renamed at the end: readers never see half a part, and a
    failed run leaves nothing behind. The person numbers are saved before the rename, so a
    part never holds a number the file does not (and if the rename fails, the file no longer
    names the directory's parts and is built again from them).
    """
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / part_name(written_at)
    temporary = directory / f".{target.name}.tmp"
    schema = _schema_with_metadata(written_at=written_at, synthetic=synthetic)
    existing = [part for part in snapshot_files(directory) if part.name != target.name]
    people = PersonNumbers(directory, existing)
    rows_written = 0
    try:
        with pq.ParquetWriter(temporary, schema) as writer:
            for batch in batches:
                if isinstance(batch, pa.Table):
                    given = pa.Table.from_arrays(
                        [batch.column(name) for name in GIVEN_COLUMNS], schema=GIVEN_SCHEMA
                    )
                elif isinstance(batch, Mapping):
                    given = pa.Table.from_pydict(
                        {name: batch[name] for name in GIVEN_COLUMNS}, schema=GIVEN_SCHEMA
                    )
                else:
                    given = pa.Table.from_pylist(list(batch), schema=GIVEN_SCHEMA)
                worked_out = people.columns(given.column("person_key"))
                table = pa.Table.from_arrays(
                    [
                        worked_out[name] if name in worked_out else given.column(name)
                        for name in COLUMNS
                    ],
                    schema=schema,
                )
                if table.num_rows:
                    writer.write_table(table)
                    rows_written += table.num_rows
            if rows_written == 0:
                writer.write_table(schema.empty_table())
        people.save(sorted([*(part.name for part in existing), target.name]))
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target, rows_written


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartInfo:
    """What a part file's footer says about it."""

    path: Path
    rows: int
    written_at: dt.datetime | None
    synthetic: bool


def snapshot_files(directory: Path) -> list[Path]:
    """The part files of the snapshot in ``directory``, oldest first."""
    if not directory.is_dir():
        raise SnapshotError(
            f"{directory}: there is no snapshot here (the directory does not exist)"
        )
    return sorted(directory.glob(PART_PATTERN))


def part_info(path: Path) -> PartInfo:
    """The row count and footer metadata of one part file."""
    metadata = pq.read_metadata(path)
    written_at: dt.datetime | None = None
    synthetic = False
    raw = (metadata.metadata or {}).get(METADATA_KEY)
    if raw:
        try:
            values = json.loads(raw)
            written_at = dt.datetime.fromisoformat(values["written_at"])
            synthetic = bool(values.get("synthetic", False))
        except (ValueError, KeyError, TypeError):
            written_at = None
    return PartInfo(path=path, rows=metadata.num_rows, written_at=written_at, synthetic=synthetic)


def _check_schema(path: Path) -> None:
    try:
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowException) as error:
        raise SnapshotError(f"{path}: not a readable Parquet file ({error})") from None
    for expected in SNAPSHOT_SCHEMA:
        if expected.name not in schema.names:
            raise SnapshotError(f"{path}: column {expected.name} is missing")
        actual = schema.field(expected.name)
        if not actual.type.equals(expected.type):
            raise SnapshotError(
                f"{path}: column {expected.name} has type {actual.type}, expected "
                f"{expected.type} (a snapshot written by an older version: delete it and run "
                "`bridgeway snapshot` again to rebuild it whole)"
            )


def _first_bad_values(path: Path) -> Iterator[tuple[str, Any]]:
    """Each column's first value outside what it may hold, one small DuckDB query per column.

    Values travel as parameters; the column names are this module's own constants.
    """
    checks: list[tuple[str, str, list[str] | None]] = []
    for column in (*CODED_COLUMNS, "organisation_kind"):
        checks.append(
            (
                column,
                f"SELECT {column} FROM read_parquet($path) "  # noqa: S608
                f"WHERE {column} IS NULL OR NOT list_contains($codes, {column}) LIMIT 1",
                sorted(allowed_codes(column)),
            )
        )
    for column in LIST_COLUMNS:
        checks.append(
            (
                column,
                f"SELECT value FROM (SELECT unnest({column}) AS value "  # noqa: S608
                "FROM read_parquet($path)) "
                "WHERE value IS NULL OR NOT list_contains($codes, value) LIMIT 1",
                sorted(allowed_codes(column)),
            )
        )
    for column in ("lad_code", "pfa_code"):
        checks.append(
            (
                column,
                f"SELECT {column} FROM read_parquet($path) WHERE {column} IS NOT NULL "  # noqa: S608
                f"AND NOT regexp_full_match({column}, '[EW][0-9]{{8}}') LIMIT 1",
                None,
            )
        )
    for column in (
        "event_id",
        "person_key",
        "person_number",
        "record_key",
        "case_key",
        "organisation_key",
        "occurred_on",
    ):
        checks.append(
            (
                column,
                f"SELECT {column} FROM read_parquet($path) WHERE {column} IS NULL LIMIT 1",  # noqa: S608
                None,
            )
        )
    checks.append(
        (
            "coped_better",
            "SELECT coped_better FROM read_parquet($path) "
            "WHERE coped_better IS NOT NULL AND stage <> 'closed' LIMIT 1",
            None,
        )
    )
    checks.append(
        (
            "decline_reason",
            "SELECT decline_reason FROM read_parquet($path) WHERE decline_reason IS NOT NULL "
            "AND (stage <> 'declined' OR NOT list_contains($codes, decline_reason)) LIMIT 1",
            sorted(vocabulary("decline_reasons").codes),
        )
    )
    with duckdb.connect() as connection:
        for column, query, codes in checks:
            parameters: dict[str, Any] = {"path": str(path)}
            if codes is not None:
                parameters["codes"] = codes
            found = connection.execute(query, parameters).fetchall()
            if found:
                yield column, found[0][0]


def validate_snapshot(directory: Path) -> list[PartInfo]:
    """Check every part file of the snapshot; return their details, oldest first.

    Raises ``SnapshotError`` naming the file, the column and the first bad value when a file
    lacks a column, has the wrong type, or holds a code outside the vocabulary.
    """
    files = snapshot_files(directory)
    if not files:
        raise SnapshotError(
            f"{directory}: the snapshot is empty (no {PART_PATTERN} files); "
            "run `bridgeway snapshot` first"
        )
    parts = []
    for path in files:
        stat = path.stat()
        # Part files are never changed once renamed into place, so a file checked once (same
        # size and modification time) need not be scanned again on every page view.
        signature = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        info = _validated.get(signature)
        if info is None:
            _check_schema(path)
            for column, value in _first_bad_values(path):
                shown = "an empty value" if value is None else repr(value)
                raise SnapshotError(
                    f"{path}: column {column} holds {shown}, which is not allowed there"
                )
            info = part_info(path)
            _validated[signature] = info
        parts.append(info)
    return parts


_validated: dict[tuple[str, int, int], PartInfo] = {}

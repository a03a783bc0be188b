"""Taking the snapshot: case events turned into pseudonymised Parquet rows.

This is the one module of insight that may read case records (the architecture test holds it
to that), and it reads only codes, dates and ids, never a sealed field. Everything after it,
every report and page, reads the Parquet files (``insight.snapshot``), not casework.
"""

from __future__ import annotations

import fcntl
import json
import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.conf import settings
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Max, Q, UUIDField
from django.db.models.functions import Coalesce
from django.utils import timezone

from bridgeway.accounts.models import Organisation
from bridgeway.casework.models import CaseEvent, Person, PersonMerge, Referral
from bridgeway.directory.models import Service, ServiceDistrict, ServicePoliceForceArea
from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, vocabulary
from bridgeway.insight.snapshot import GIVEN_COLUMNS as SNAPSHOT_COLUMNS
from bridgeway.insight.snapshot import (
    Pseudonymiser,
    SnapshotError,
    SnapshotState,
    read_state,
    snapshot_files,
    write_part,
    write_state,
)
from bridgeway.insight.snapshot_store import configured_store, snapshot_pull, snapshot_push
from bridgeway.places.models import LocalAuthorityDistrict
from bridgeway.replica import replica_reads

# PostgreSQL hands out ids when rows are inserted but they become visible when their
# transaction commits, so an event with a lower id can appear after one with a higher id was
# already snapshotted. Each run therefore re-reads this many ids below the last one it saw;
# ids already written in that window are listed in the state file and skipped, and readers
# dedupe by event_id in case a run wrote a part but died before saving its state.
SAFETY_WINDOW_IDS = 2_000
_Item = TypeVar("_Item")
BATCH_SIZE = 20_000

_EVENT_FIELDS = (
    "id",
    "stage",
    "occurred_at",
    "referral_id",
    # The person's link key when casework linked their records across organisations (an
    # onward referral or transfer made with consent), else the record's own id: one person,
    # one person_key, counted once (decision 0082).
    "person_root",
    "referral__organisation_id",
    "referral__organisation__kind",
    "referral__service_id",
    "referral__service__is_specialist",
    "referral__person__district_id",
    "referral__person__district__police_force_area_id",
    "referral__person__police_force_area_id",
    "referral__person__ethnic_group",
    "referral__person__age_band",
    "referral__person__sex",
    "referral__person__sexual_orientation",
    "referral__person__religion",
    "referral__person__disabilities",
    "referral__harm_types",
    "referral__hate_strands",
    "referral__channel",
    "referral__coped_better",
    "referral__decline_reason",
)
_SERVICE = _EVENT_FIELDS.index("referral__service_id")
_PERSON_LAD = _EVENT_FIELDS.index("referral__person__district_id")
_PERSON_PFA = _EVENT_FIELDS.index("referral__person__police_force_area_id")


@dataclass(frozen=True)
class SnapshotResult:
    """What one snapshot run wrote."""

    out_dir: Path
    path: Path | None
    events_written: int
    last_event_id: int


class _Codes:
    """The codes each characteristic may hold, built once per run rather than once per row."""

    def __init__(self) -> None:
        not_known = frozenset(NOT_KNOWN_CODES)
        self.characteristics = {
            name: vocabulary(name).codes | not_known
            for name in ("ethnic_groups", "age_bands", "sexes", "sexual_orientations", "religions")
        }
        self.lists = {
            name: vocabulary(name).codes for name in ("disabilities", "harm_types", "hate_strands")
        }

    def characteristic(self, vocabulary_name: str, code: object) -> str:
        # Casework only stores known codes; a code since withdrawn from the vocabulary is an
        # answer that can no longer be read, which is what "not recorded" means.
        if isinstance(code, str) and code in self.characteristics[vocabulary_name]:
            return code
        return "not_recorded"

    def listed(self, vocabulary_name: str, codes: object) -> list[str]:
        if not isinstance(codes, list) or not codes:
            return []
        known = self.lists[vocabulary_name]
        return [code for code in dict.fromkeys(codes) if isinstance(code, str) and code in known]


# Kinds whose pseudonyms the snapshot holds as 32 bytes; the others as hexadecimal text.
_BINARY_KINDS = frozenset({"event", "person", "case"})


class _RememberedPseudonyms:
    """Keyed hashes of events, people, cases, organisations and services, column by column.

    Every column is hashed in bulk (``Pseudonymiser.digests``, in DuckDB): no Python runs per
    event. A column's distinct values are hashed once each and spread back with an Arrow
    ``take``, since a person has many events and a referral several.
    """

    def __init__(self, pseudonyms: Pseudonymiser) -> None:
        self._pseudonyms = pseudonyms

    def events(self, identifiers: pa.Array | pa.ChunkedArray) -> pa.Array:
        """The pseudonyms of many event ids at once (each is unique: no de-duplication)."""
        return self._pseudonyms.digests("event", identifiers)

    def mapped(self, kind: str, column: pa.Array | pa.ChunkedArray) -> pa.Array:
        """The pseudonym of each value of ``column`` (nulls stay null), each distinct value
        hashed once."""
        encoded = pc.dictionary_encode(column)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        if kind in _BINARY_KINDS:
            hashed = self._pseudonyms.digests(kind, encoded.dictionary)
        else:
            hashed = self._pseudonyms.hexdigests(kind, encoded.dictionary)
        return hashed.take(encoded.indices)


class _ServiceAreas:
    """Each service's first district and force area, fetched once per service per run."""

    def __init__(self) -> None:
        self._areas: dict[Any, tuple[str | None, str | None]] = {}

    def load(self, service_ids: set[Any]) -> None:
        missing = service_ids - set(self._areas)
        if not missing:
            return
        for service_id in missing:
            self._areas[service_id] = (None, None)
        districts = (
            ServiceDistrict.objects.filter(service_id__in=missing)
            .order_by("service_id", "id")
            .values_list(
                "service_id",
                "localauthoritydistrict_id",
                "localauthoritydistrict__police_force_area_id",
            )
        )
        for service_id, lad, pfa in districts:
            if self._areas[service_id] == (None, None):
                self._areas[service_id] = (lad, pfa)
        forces = (
            ServicePoliceForceArea.objects.filter(service_id__in=missing)
            .order_by("service_id", "id")
            .values_list("service_id", "policeforcearea_id")
        )
        for service_id, pfa in forces:
            if self._areas[service_id] == (None, None):
                self._areas[service_id] = (None, pfa)

    def get(self, service_id: Any) -> tuple[str | None, str | None]:
        return self._areas.get(service_id, (None, None))


def _event_columns(
    batch: Sequence[Sequence[Any]],
    pseudonyms: _RememberedPseudonyms,
    service_areas: _ServiceAreas,
    codes: _Codes,
) -> dict[str, Any]:
    """The snapshot's columns for a batch of ``_EVENT_FIELDS`` tuples, built column by column."""
    local_zone = timezone.get_current_timezone()
    columns: dict[str, list[Any]] = {name: [] for name in SNAPSHOT_COLUMNS}
    (
        event_ids,
        person_keys,
        case_keys,
        organisation_keys,
        service_keys,
        kinds,
        specialists,
        stages,
        days,
        lads,
        pfas,
        ethnic_groups,
        age_bands,
        sexes,
        orientations,
        religions,
        disabilities,
        harm_types,
        hate_strands,
        channels,
        coped,
        decline_reasons,
    ) = (columns[name] for name in SNAPSHOT_COLUMNS)
    characteristic = codes.characteristic
    listed = codes.listed
    for (
        event_id,
        stage,
        occurred_at,
        referral_id,
        person_id,
        organisation_id,
        organisation_kind,
        service_id,
        is_specialist,
        person_lad,
        person_lad_pfa,
        person_pfa,
        ethnic_group,
        age_band,
        sex,
        sexual_orientation,
        religion,
        person_disabilities,
        referral_harms,
        referral_strands,
        channel,
        coped_better,
        decline_reason,
    ) in batch:
        lad = person_lad
        pfa = person_pfa or person_lad_pfa
        if lad is None and pfa is None and service_id is not None:
            lad, pfa = service_areas.get(service_id)
        # Identifiers as text, hashed a column at a time below.
        event_ids.append(event_id)
        person_keys.append(str(person_id))
        case_keys.append(str(referral_id))
        organisation_keys.append(str(organisation_id))
        service_keys.append(str(service_id) if service_id else None)
        kinds.append(organisation_kind)
        specialists.append(is_specialist if service_id else None)
        stages.append(stage)
        # The day in England and Wales, not UTC: an event at 00:30 BST belongs to that day.
        days.append(occurred_at.astimezone(local_zone).date())
        lads.append(lad)
        pfas.append(pfa)
        ethnic_groups.append(characteristic("ethnic_groups", ethnic_group))
        age_bands.append(characteristic("age_bands", age_band))
        sexes.append(characteristic("sexes", sex))
        orientations.append(characteristic("sexual_orientations", sexual_orientation))
        religions.append(characteristic("religions", religion))
        disabilities.append(listed("disabilities", person_disabilities))
        harm_types.append(listed("harm_types", referral_harms))
        hate_strands.append(listed("hate_strands", referral_strands))
        channels.append(channel)
        # The outcome is asked at closure, so it belongs to the closing event alone.
        coped.append(coped_better if stage == "closed" else None)
        # Likewise the reason belongs to the declining event; blank (before 0084) is unknown.
        decline_reasons.append((decline_reason or None) if stage == "declined" else None)
    hashed: dict[str, Any] = dict(columns)
    hashed["event_id"] = pseudonyms.events(pa.array(event_ids, pa.int64()))
    for name, kind in (
        ("person_key", "person"),
        ("case_key", "case"),
        ("organisation_key", "organisation"),
        ("service_key", "service"),
    ):
        hashed[name] = pseudonyms.mapped(kind, pa.array(columns[name], pa.string()))
    return hashed


# On PostgreSQL the snapshot is read with two narrow COPYs per batch rather than one wide
# join: the batch's stage events (id, stage, local day, referral), in id order straight off
# the primary key, and the referrals those events belong to, with the person's codes and the
# area fallback joined in SQL. A referral has about five stage events, so everything known
# about the referral (codes, lists, four pseudonyms) crosses the wire and is worked out once
# per referral, then spread over its events with one Arrow ``take``. Only the event id gets
# an HMAC per row, and that is done in bulk by DuckDB (``Pseudonymiser.digests``). The ORM path
# above gives the same rows on every database and stays the reference; tests run both.
_COPY_EVENTS = """
COPY (
  SELECT e.id, e.stage, (e.occurred_at AT TIME ZONE %(zone)s)::date AS occurred_on,
         e.referral_id
  FROM {events} e
  WHERE e.kind = 'stage' AND e.id > %(floor)s AND e.id <= %(ceiling)s
  ORDER BY e.id
  LIMIT %(limit)s
) TO STDOUT WITH (FORMAT csv)
"""
_COPY_EVENT_COLUMNS = ("id", "stage", "occurred_on", "referral_id")
_COPY_REFERRALS = """
COPY (
  WITH service_area AS (
    SELECT DISTINCT ON (service_id) service_id, lad, pfa FROM (
      SELECT sd.service_id, sd.localauthoritydistrict_id AS lad,
             l.police_force_area_id AS pfa, 0 AS source, sd.id
      FROM {service_districts} sd JOIN {districts} l ON l.code = sd.localauthoritydistrict_id
      UNION ALL
      SELECT sf.service_id, NULL, sf.policeforcearea_id, 1, sf.id
      FROM {service_forces} sf
    ) AS areas
    ORDER BY service_id, source, id
  )
  SELECT r.id AS referral_id, coalesce(p.link_key, r.person_id) AS person_id,
         r.organisation_id, o.kind, r.service_id,
         s.is_specialist,
         CASE WHEN p.district_id IS NULL AND p.police_force_area_id IS NULL
              THEN sa.lad ELSE p.district_id END AS lad_code,
         CASE WHEN p.district_id IS NULL AND p.police_force_area_id IS NULL
              THEN sa.pfa ELSE coalesce(p.police_force_area_id, d.police_force_area_id)
         END AS pfa_code,
         p.ethnic_group, p.age_band, p.sex, p.sexual_orientation, p.religion,
         p.disabilities, r.harm_types, r.hate_strands, r.channel, r.coped_better,
         r.decline_reason
  FROM {referrals} r
  JOIN {people} p ON p.id = r.person_id
  JOIN {organisations} o ON o.id = r.organisation_id
  LEFT JOIN {services} s ON s.id = r.service_id
  LEFT JOIN {districts} d ON d.code = p.district_id
  LEFT JOIN service_area sa ON sa.service_id = r.service_id
  WHERE r.id IN (
    SELECT e.referral_id FROM {events} e
    WHERE e.kind = 'stage' AND e.id > %(floor)s AND e.id <= %(ceiling)s
  )
) TO STDOUT WITH (FORMAT csv)
"""
_COPY_REFERRAL_COLUMNS = (
    "referral_id",
    "person_id",
    "organisation_id",
    "organisation_kind",
    "service_id",
    "service_specialist",
    "lad_code",
    "pfa_code",
    "ethnic_group",
    "age_band",
    "sex",
    "sexual_orientation",
    "religion",
    "disabilities",
    "harm_types",
    "hate_strands",
    "channel",
    "coped_better",
    "decline_reason",
)
# Events per COPY batch: large enough that each query's fixed cost and each Arrow call's
# overhead vanish, small enough that a first national run holds one batch in memory.
COPY_BATCH_SIZE = 250_000


def _copy_table(
    cursor: Any,
    query: str,
    parameters: dict[str, Any],
    column_names: Sequence[str],
    column_types: dict[str, pa.DataType],
) -> pa.Table | None:
    """One ``COPY ... TO STDOUT (FORMAT csv)`` read whole into an Arrow table (None if empty).

    COPY hands over about one row per block; joining them in C and parsing the buffer with
    Arrow's threaded CSV reader keeps Python out of the per-row work.
    """
    with cursor.copy(query, parameters) as copy:
        data = b"".join(map(bytes, copy))
    if not data:
        return None  # Arrow refuses an empty CSV
    return pa_csv.read_csv(
        pa.BufferReader(data),
        read_options=pa_csv.ReadOptions(
            column_names=list(column_names), block_size=max(1 << 20, len(data) // 4 + 1)
        ),
        parse_options=pa_csv.ParseOptions(newlines_in_values=False),
        convert_options=pa_csv.ConvertOptions(
            column_types=column_types,
            strings_can_be_null=True,
            # COPY writes NULL as nothing and an empty string as "".
            quoted_strings_can_be_null=False,
            true_values=["t"],
            false_values=["f"],
        ),
    )


def _mapped(column: pa.Array | pa.ChunkedArray, translate: Any, kind: pa.DataType) -> pa.Array:
    """``translate`` applied to each distinct value of ``column`` once, then spread back."""
    encoded = pc.dictionary_encode(column)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    distinct = encoded.dictionary.to_pylist()
    values = pa.array([translate(value) for value in distinct], type=kind)
    return values.take(encoded.indices)


def _reads_by_copy() -> bool:
    """Whether this database streams events with COPY (PostgreSQL) rather than the ORM."""
    return _events_database().vendor == "postgresql"


def _events_database() -> BaseDatabaseWrapper:
    """The database the events are read from: the replica where there is one and it is fit
    (bridgeway/replica.py), else the primary."""
    return connections[router.db_for_read(CaseEvent)]


def _referral_columns(
    referrals: pa.Table, pseudonyms: _RememberedPseudonyms, codes: _Codes
) -> dict[str, pa.Array]:
    """The snapshot's columns that belong to the referral, one row per referral."""
    string = pa.string()
    column = referrals.column
    service = column("service_id")
    arrays: dict[str, pa.Array] = {
        "person_key": pseudonyms.mapped("person", column("person_id")),
        "case_key": pseudonyms.mapped("case", column("referral_id")),
        "organisation_key": pseudonyms.mapped("organisation", column("organisation_id")),
        "service_key": pseudonyms.mapped("service", service),
        "organisation_kind": column("organisation_kind").combine_chunks(),
        "service_specialist": pc.if_else(
            pc.is_valid(service),
            column("service_specialist"),
            pa.scalar(None, pa.bool_()),
        ).combine_chunks(),
        "lad_code": column("lad_code").combine_chunks(),
        "pfa_code": column("pfa_code").combine_chunks(),
        "channel": column("channel").combine_chunks(),
        "coped_better": column("coped_better").combine_chunks(),
        "decline_reason": column("decline_reason").combine_chunks(),
    }
    for name, vocabulary_name in (
        ("ethnic_group", "ethnic_groups"),
        ("age_band", "age_bands"),
        ("sex", "sexes"),
        ("sexual_orientation", "sexual_orientations"),
        ("religion", "religions"),
    ):
        arrays[name] = _mapped(
            column(name), lambda v, n=vocabulary_name: codes.characteristic(n, v), string
        )
    for name in ("disabilities", "harm_types", "hate_strands"):
        arrays[name] = _mapped(
            column(name), lambda v, n=name: codes.listed(n, json.loads(v)), pa.list_(string)
        )
    return arrays


def _postgres_event_tables(
    *,
    floor: int,
    ceiling: int,
    already_written: set[int],
    written_ids: list[int],
    pseudonyms: _RememberedPseudonyms,
    codes: _Codes,
) -> Iterator[pa.Table]:
    """The stage events with ids in (floor, ceiling] as snapshot tables, via COPY.

    ``written_ids`` receives only the ids the state file keeps (those in the safety window
    below ``ceiling``), not every id written.
    """
    tables = {
        "events": CaseEvent._meta.db_table,
        "referrals": Referral._meta.db_table,
        "people": Person._meta.db_table,
        "organisations": Organisation._meta.db_table,
        "services": Service._meta.db_table,
        "districts": LocalAuthorityDistrict._meta.db_table,
        "service_districts": ServiceDistrict._meta.db_table,
        "service_forces": ServicePoliceForceArea._meta.db_table,
    }
    connection = _events_database()
    quoted = {name: connection.ops.quote_name(t) for name, t in tables.items()}
    events_query = _COPY_EVENTS.format(**quoted)
    referrals_query = _COPY_REFERRALS.format(**quoted)
    zone = timezone.get_current_timezone_name()
    string = pa.string()
    event_types = {
        "id": pa.int64(),
        "stage": string,
        "occurred_on": pa.date32(),
        "referral_id": string,
    }
    referral_types = {name: string for name in _COPY_REFERRAL_COLUMNS}
    referral_types.update({"service_specialist": pa.bool_(), "coped_better": pa.bool_()})
    kept_from = ceiling - SAFETY_WINDOW_IDS
    null_bool = pa.scalar(None, pa.bool_())
    null_string = pa.scalar(None, pa.string())
    connection.ensure_connection()
    raw = connection.connection

    def copied() -> Iterator[tuple[pa.Table, pa.Table | None]]:
        low = floor
        with raw.cursor() as cursor:
            while low < ceiling:
                events = _copy_table(
                    cursor,
                    events_query,
                    {"zone": zone, "floor": low, "ceiling": ceiling, "limit": COPY_BATCH_SIZE},
                    _COPY_EVENT_COLUMNS,
                    event_types,
                )
                if events is None:
                    return
                high = pc.max(events.column("id")).as_py()
                referrals = _copy_table(
                    cursor,
                    referrals_query,
                    {"floor": low, "ceiling": high},
                    _COPY_REFERRAL_COLUMNS,
                    referral_types,
                )
                low = high
                yield events, referrals

    for events, referrals in _read_ahead(copied()):
        ids = events.column("id")
        if already_written:
            events = events.filter(
                pc.invert(pc.is_in(ids, value_set=pa.array(sorted(already_written))))
            )
        if referrals is None or not events.num_rows:
            continue
        # An event whose referral was deleted between the two reads has gone too.
        rows = pc.index_in(events.column("referral_id"), value_set=referrals.column(0))
        if rows.null_count:
            events = events.filter(pc.is_valid(rows))
            rows = rows.drop_null()
        if not events.num_rows:
            continue
        ids = events.column("id").combine_chunks()
        written_ids.extend(ids.filter(pc.greater(ids, kept_from)).to_pylist())
        stage = events.column("stage").combine_chunks()
        per_referral = _referral_columns(referrals, pseudonyms, codes)
        arrays = {name: values.take(rows) for name, values in per_referral.items()}
        arrays["event_id"] = pseudonyms.events(ids)
        arrays["stage"] = stage
        arrays["occurred_on"] = events.column("occurred_on").combine_chunks()
        # The outcome is asked at closure, so it belongs to the closing event alone.
        arrays["coped_better"] = pc.if_else(
            pc.equal(stage, "closed"), arrays["coped_better"], null_bool
        )
        # And the reason to the declining one; COPY writes a blank reason as "", not NULL.
        reason = arrays["decline_reason"]
        arrays["decline_reason"] = pc.if_else(
            pc.and_(pc.equal(stage, "declined"), pc.not_equal(reason, "")), reason, null_string
        )
        yield pa.Table.from_arrays(
            [arrays[name] for name in SNAPSHOT_COLUMNS], names=list(SNAPSHOT_COLUMNS)
        )


def _read_ahead(source: Iterator[_Item], depth: int = 1) -> Iterator[_Item]:
    """``source``'s items, produced in a thread up to ``depth`` items ahead of the reader.

    PostgreSQL works out the next batch's COPY (and the driver waits for it, without the
    GIL) while this thread hashes and writes the current one, so the database's time and
    Python's overlap instead of adding up. The thread owns the connection until it ends;
    an error there is raised here, and a reader that stops early stops the thread.
    """
    ready: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in source:
                while not stop.is_set():
                    try:
                        ready.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(("end", None))
        except BaseException as error:  # handed to the reader, which raises it
            ready.put(("error", error))

    worker = threading.Thread(target=produce, name="snapshot-copy", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = ready.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        while worker.is_alive():
            try:
                ready.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.1)


def snapshot_write(*, out_dir: Path | None = None, batch_size: int = BATCH_SIZE) -> SnapshotResult:
    """Write the stage events since the last run to a new pseudonymised part file.

    The first run writes every stage event (an empty part when there are none, so the
    snapshot exists); later runs write only events they have not written before, and write
    no file when there are none. Another run on the same directory at the same time is
    refused rather than queued, so a stuck run cannot pile up behind it.
    """
    directory = Path(out_dir or settings.SNAPSHOT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SnapshotError(
                f"{directory}: another snapshot is being written there; try again when it ends"
            ) from None
        # A copy of a snapshot kept in a bucket starts from the bucket's parts and state, and
        # sends what it wrote back (decision 0129).
        store = configured_store(directory)
        if store is not None:
            snapshot_pull(store, directory, with_state=True)
        # It only reads the database, so the replica may serve it (bridgeway/replica.py).
        with replica_reads():
            result = _snapshot_write_locked(directory, batch_size)
        if store is not None:
            snapshot_push(store, directory, result.path)
        return result


def people_version() -> str:
    """Which merges of people's records (and undoings) have happened: "" before any."""
    merges = PersonMerge.objects.aggregate(
        last=Max("id"), undone=Count("id", filter=Q(undone_at__isnull=False))
    )
    return "" if merges["last"] is None else f"{merges['last']}:{merges['undone']}"


def _snapshot_write_locked(directory: Path, batch_size: int) -> SnapshotResult:
    state = read_state(directory)
    version = people_version()
    if version != state.people_version:
        # A merge moved referrals (and their events) to another person: events already
        # written carry the person_key they had then, so every part is written again.
        for part in snapshot_files(directory):
            part.unlink()
        state = SnapshotState()
    ceiling = CaseEvent.objects.aggregate(highest=Max("id"))["highest"] or 0
    floor = max(0, state.last_event_id - SAFETY_WINDOW_IDS)
    already_written = set(state.recent_event_ids)
    events = (
        CaseEvent.objects.filter(kind=CaseEvent.Kind.STAGE, id__gt=floor, id__lte=ceiling)
        .annotate(
            person_root=Coalesce(
                "referral__person__link_key", "referral__person_id", output_field=UUIDField()
            )
        )
        .order_by("id")
    )
    synthetic = events.filter(referral__is_synthetic=True).exists()
    pseudonyms = _RememberedPseudonyms(Pseudonymiser(settings.PSEUDONYM_KEY))
    service_areas = _ServiceAreas()
    codes = _Codes()
    written_ids: list[int] = []

    def batches() -> Iterator[dict[str, Any]]:
        # values_list tuples, not dicts, and a server-side cursor on PostgreSQL fetching a
        # batch at a time: the per-row Python work is what bounds the rate.
        batch: list[tuple[Any, ...]] = []
        for values in events.values_list(*_EVENT_FIELDS).iterator(chunk_size=batch_size):
            if values[0] in already_written:
                continue
            batch.append(values)
            if len(batch) >= batch_size:
                yield columns(batch)
                batch = []
        if batch:
            yield columns(batch)

    def columns(batch: list[tuple[Any, ...]]) -> dict[str, Any]:
        service_areas.load(
            {
                values[_SERVICE]
                for values in batch
                if values[_SERVICE] and not (values[_PERSON_LAD] or values[_PERSON_PFA])
            }
        )
        written_ids.extend(values[0] for values in batch)
        return _event_columns(batch, pseudonyms, service_areas, codes)

    source: Iterator[Any] = batches()
    if _reads_by_copy():
        source = _postgres_event_tables(
            floor=floor,
            ceiling=ceiling,
            already_written=already_written,
            written_ids=written_ids,
            pseudonyms=pseudonyms,
            codes=codes,
        )
    has_parts = bool(snapshot_files(directory))
    written_at = timezone.now()
    path: Path | None = None
    count = 0
    batches_iterator = source
    first = next(batches_iterator, None)
    if first is not None or not has_parts:
        path, count = write_part(
            directory,
            _chain(first, batches_iterator),
            written_at=written_at,
            synthetic=synthetic,
        )
    last_event_id = max(state.last_event_id, ceiling)
    window_start = last_event_id - SAFETY_WINDOW_IDS
    recent = sorted(i for i in already_written.union(written_ids) if i > window_start)
    write_state(
        directory,
        SnapshotState(
            last_event_id=last_event_id,
            recent_event_ids=tuple(recent),
            written_at=written_at.isoformat(),
            people_version=version,
        ),
    )
    return SnapshotResult(
        out_dir=directory, path=path, events_written=count, last_event_id=last_event_id
    )


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    if first is not None:
        yield first
    yield from rest

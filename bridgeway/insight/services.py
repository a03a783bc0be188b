"""Insight's writes and reports: taking the snapshot, and the needs assessment over it.

``snapshot_write`` is the one place insight touches case records, and it reads only codes,
dates and ids (never a sealed field). Everything after it reads the Parquet files.
"""

from __future__ import annotations

import datetime as dt
import fcntl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from bridgeway.casework.models import CaseEvent
from bridgeway.directory.models import Service
from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, vocabulary
from bridgeway.insight.needs_assessment import NeedsAssessment, count_people, needs_assessment_table
from bridgeway.insight.selectors import area_population
from bridgeway.insight.snapshot import (
    Pseudonymiser,
    SnapshotError,
    SnapshotState,
    read_state,
    snapshot_files,
    validate_snapshot,
    write_part,
    write_state,
)

# PostgreSQL hands out ids when rows are inserted but they become visible when their
# transaction commits, so an event with a lower id can appear after one with a higher id was
# already snapshotted. Each run therefore re-reads this many ids below the last one it saw;
# ids already written in that window are listed in the state file and skipped, and readers
# dedupe by event_id in case a run wrote a part but died before saving its state.
SAFETY_WINDOW_IDS = 2_000
BATCH_SIZE = 5_000

_EVENT_FIELDS = (
    "id",
    "stage",
    "occurred_at",
    "referral_id",
    "referral__person_id",
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
)


@dataclass(frozen=True)
class SnapshotResult:
    """What one snapshot run wrote."""

    out_dir: Path
    path: Path | None
    events_written: int
    last_event_id: int


def _characteristic(vocabulary_name: str, code: object) -> str:
    # Casework only stores known codes; a code since withdrawn from the vocabulary is an
    # answer that can no longer be read, which is what "not recorded" means.
    if isinstance(code, str) and (code in NOT_KNOWN_CODES or code in vocabulary(vocabulary_name)):
        return code
    return "not_recorded"


def _codes(vocabulary_name: str, codes: object) -> list[str]:
    if not isinstance(codes, list):
        return []
    known = vocabulary(vocabulary_name)
    return [code for code in dict.fromkeys(codes) if isinstance(code, str) and code in known]


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
            Service.districts.through.objects.filter(service_id__in=missing)
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
            Service.police_force_areas.through.objects.filter(service_id__in=missing)
            .order_by("service_id", "id")
            .values_list("service_id", "policeforcearea_id")
        )
        for service_id, pfa in forces:
            if self._areas[service_id] == (None, None):
                self._areas[service_id] = (None, pfa)

    def get(self, service_id: Any) -> tuple[str | None, str | None]:
        return self._areas.get(service_id, (None, None))


def _event_row(
    values: Mapping[str, Any], pseudonyms: Pseudonymiser, service_areas: _ServiceAreas
) -> dict[str, Any]:
    service_id = values["referral__service_id"]
    lad = values["referral__person__district_id"]
    pfa = (
        values["referral__person__police_force_area_id"]
        or values["referral__person__district__police_force_area_id"]
    )
    if lad is None and pfa is None and service_id is not None:
        lad, pfa = service_areas.get(service_id)
    return {
        "event_id": pseudonyms.key("event", values["id"]),
        "person_key": pseudonyms.key("person", values["referral__person_id"]),
        "case_key": pseudonyms.key("case", values["referral_id"]),
        "organisation_key": pseudonyms.key("organisation", values["referral__organisation_id"]),
        "service_key": pseudonyms.key("service", service_id) if service_id else None,
        "organisation_kind": values["referral__organisation__kind"],
        "service_specialist": values["referral__service__is_specialist"] if service_id else None,
        "stage": values["stage"],
        # The day in England and Wales, not UTC: an event at 00:30 BST belongs to that day.
        "occurred_on": timezone.localtime(values["occurred_at"]).date(),
        "lad_code": lad,
        "pfa_code": pfa,
        "ethnic_group": _characteristic("ethnic_groups", values["referral__person__ethnic_group"]),
        "age_band": _characteristic("age_bands", values["referral__person__age_band"]),
        "sex": _characteristic("sexes", values["referral__person__sex"]),
        "sexual_orientation": _characteristic(
            "sexual_orientations", values["referral__person__sexual_orientation"]
        ),
        "religion": _characteristic("religions", values["referral__person__religion"]),
        "disabilities": _codes("disabilities", values["referral__person__disabilities"]),
        "harm_types": _codes("harm_types", values["referral__harm_types"]),
        "hate_strands": _codes("hate_strands", values["referral__hate_strands"]),
        "channel": values["referral__channel"],
        # The outcome is asked at closure, so it belongs to the closing event alone.
        "coped_better": values["referral__coped_better"] if values["stage"] == "closed" else None,
    }


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
        return _snapshot_write_locked(directory, batch_size)


def _snapshot_write_locked(directory: Path, batch_size: int) -> SnapshotResult:
    state = read_state(directory)
    ceiling = CaseEvent.objects.aggregate(highest=Max("id"))["highest"] or 0
    floor = max(0, state.last_event_id - SAFETY_WINDOW_IDS)
    already_written = set(state.recent_event_ids)
    events = CaseEvent.objects.filter(
        kind=CaseEvent.Kind.STAGE, id__gt=floor, id__lte=ceiling
    ).order_by("id")
    synthetic = events.filter(referral__is_synthetic=True).exists()
    pseudonyms = Pseudonymiser(settings.PSEUDONYM_KEY)
    service_areas = _ServiceAreas()
    written_ids: list[int] = []

    def batches() -> Iterator[list[dict[str, Any]]]:
        batch: list[Mapping[str, Any]] = []
        for values in events.values(*_EVENT_FIELDS).iterator(chunk_size=batch_size):
            if values["id"] in already_written:
                continue
            batch.append(values)
            if len(batch) >= batch_size:
                yield rows(batch)
                batch = []
        if batch:
            yield rows(batch)

    def rows(batch: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        service_areas.load(
            {
                v["referral__service_id"]
                for v in batch
                if v["referral__service_id"]
                and not (
                    v["referral__person__district_id"]
                    or v["referral__person__police_force_area_id"]
                )
            }
        )
        written_ids.extend(v["id"] for v in batch)
        return [_event_row(v, pseudonyms, service_areas) for v in batch]

    has_parts = bool(snapshot_files(directory))
    written_at = timezone.now()
    path: Path | None = None
    count = 0
    batches_iterator = batches()
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
        ),
    )
    return SnapshotResult(
        out_dir=directory, path=path, events_written=count, last_event_id=last_event_id
    )


def _chain(
    first: list[dict[str, Any]] | None, rest: Iterator[list[dict[str, Any]]]
) -> Iterator[list[dict[str, Any]]]:
    if first is not None:
        yield first
    yield from rest


class PeriodError(ValueError):
    """A period that ends before it starts."""


def needs_assessment_rows(
    *,
    snapshot_dir: Path | None = None,
    area_code: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> NeedsAssessment:
    """The needs assessment for one area (a PFA or LAD code) and period, from the snapshot.

    Its ``rows`` follow ``needs_assessment.HEADER``. Raises ``UnknownArea`` for a code that is
    neither, ``PeriodError`` for a period that ends before it starts and ``SnapshotError``
    when the snapshot is missing, empty or broken.
    """
    if date_from and date_to and date_from > date_to:
        raise PeriodError(
            f"the period starts on {date_from.isoformat()} but ends earlier, on {date_to.isoformat()}"
        )
    area = area_population(area_code)
    parts = validate_snapshot(Path(snapshot_dir or settings.SNAPSHOT_DIR))
    counted = count_people(
        [part.path for part in parts],
        area_code=area.code,
        area_kind=area.kind,
        date_from=date_from,
        date_to=date_to,
    )
    threshold = settings.SUPPRESSION_THRESHOLD
    written = [part.written_at for part in parts if part.written_at is not None]
    return NeedsAssessment(
        area=area,
        date_from=date_from,
        date_to=date_to,
        rows=needs_assessment_table(area, counted.by_group, threshold=threshold),
        snapshot_written_at=max(written) if written else None,
        synthetic=any(part.synthetic for part in parts),
        threshold=threshold,
        first_event_on=counted.first_event_on,
        last_event_on=counted.last_event_on,
    )

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
from bridgeway.insight import breakdown, scrutiny
from bridgeway.insight.needs_assessment import (
    AreaPopulation,
    NeedsAssessment,
    count_people,
    count_people_by_area,
    event_span,
    needs_assessment_table,
)
from bridgeway.insight.selectors import (
    area_population,
    directory_coverage,
    force_area_populations,
    provider_names,
)
from bridgeway.insight.snapshot import (
    PartInfo,
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
    _check_period(date_from, date_to)
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


ALL_AREAS = "all"


class EmptyPeriod(ValueError):
    """No one in the chosen areas had an event in the period: a report would be all zeros."""


def _check_period(date_from: dt.date | None, date_to: dt.date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise PeriodError(
            f"the period starts on {date_from.isoformat()} but ends earlier, on {date_to.isoformat()}"
        )


def _period_text(date_from: dt.date | None, date_to: dt.date | None) -> str:
    start = date_from.isoformat() if date_from else "the first event"
    end = date_to.isoformat() if date_to else "the latest event"
    return f"from {start} to {end}"


def needs_assessments(
    *,
    snapshot_dir: Path | None = None,
    area_code: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[NeedsAssessment]:
    """The needs assessment for one area, or for every police force area with ``"all"``.

    Unlike ``needs_assessment_rows`` (which the dashboard uses to show an empty period as
    such), a period in which no one in the chosen areas has an event raises ``EmptyPeriod``
    saying when the snapshot's events are: a file of zeros would read as "no one needed
    help". With ``"all"`` every area gets its block, including those with no one in it, as
    long as someone somewhere had an event. Raises ``UnknownArea``, ``PeriodError`` and
    ``SnapshotError`` as ``needs_assessment_rows`` does.
    """
    _check_period(date_from, date_to)
    if area_code.strip().lower() == ALL_AREAS:
        areas = force_area_populations()
    else:
        areas = [area_population(area_code)]
    parts = validate_snapshot(Path(snapshot_dir or settings.SNAPSHOT_DIR))
    files = [part.path for part in parts]
    kinds = {area.kind for area in areas}
    counted = {}
    for kind in kinds:
        counted.update(
            count_people_by_area(
                files,
                area_codes=[area.code for area in areas if area.kind == kind],
                area_kind=kind,
                date_from=date_from,
                date_to=date_to,
            )
        )
    if all(counted[area.code].first_event_on is None for area in areas):
        first, last = event_span(files)
        where = "any police force area" if len(areas) > 1 else areas[0].name
        known = (
            f"the snapshot's events run from {first.isoformat()} to {last.isoformat()}"
            if first and last
            else "the snapshot has no events yet"
        )
        raise EmptyPeriod(
            f"no one had an event in {where} {_period_text(date_from, date_to)}; {known}. "
            "Choose a period with --from and --to inside that range."
        )
    threshold = settings.SUPPRESSION_THRESHOLD
    written = [part.written_at for part in parts if part.written_at is not None]
    return [
        NeedsAssessment(
            area=area,
            date_from=date_from,
            date_to=date_to,
            rows=needs_assessment_table(area, counted[area.code].by_group, threshold=threshold),
            snapshot_written_at=max(written) if written else None,
            synthetic=any(part.synthetic for part in parts),
            threshold=threshold,
            first_event_on=counted[area.code].first_event_on,
            last_event_on=counted[area.code].last_event_on,
        )
        for area in areas
    ]


@dataclass(frozen=True)
class BreakdownReport:
    """A funnel or intersections table for one or more areas, and what a reader must know."""

    title: str
    header: tuple[str, ...]
    rows: list[breakdown.Row]
    areas: list[AreaPopulation]
    characteristics: list[str]
    roll_up: bool
    date_from: dt.date | None
    date_to: dt.date | None
    snapshot_written_at: dt.datetime | None
    synthetic: bool
    threshold: int


def _breakdown_counts(
    *,
    snapshot_dir: Path | None,
    area_code: str,
    characteristics: list[str],
    stages: tuple[str, ...],
    date_from: dt.date | None,
    date_to: dt.date | None,
    roll_up: bool,
) -> tuple[list[AreaPopulation], list[PartInfo], dict[str, breakdown.Counts]]:
    _check_period(date_from, date_to)
    breakdown.check_characteristics(characteristics)
    if area_code.strip().lower() == ALL_AREAS:
        areas = force_area_populations()
    else:
        areas = [area_population(area_code)]
    parts = validate_snapshot(Path(snapshot_dir or settings.SNAPSHOT_DIR))
    files = [part.path for part in parts]
    counted: dict[str, breakdown.Counts] = {}
    for kind in {area.kind for area in areas}:
        counted.update(
            breakdown.count_cells(
                files,
                area_codes=[area.code for area in areas if area.kind == kind],
                area_kind=kind,
                characteristics=characteristics,
                stages=stages,
                date_from=date_from,
                date_to=date_to,
                roll_up=roll_up,
            )
        )
    if not any(counted[area.code].total for area in areas):
        first, last = event_span(files)
        where = "any police force area" if len(areas) > 1 else areas[0].name
        known = (
            f"the snapshot's events run from {first.isoformat()} to {last.isoformat()}"
            if first and last
            else "the snapshot has no events yet"
        )
        raise EmptyPeriod(
            f"no one had an event in {where} {_period_text(date_from, date_to)}; {known}. "
            "Choose a period with --from and --to inside that range."
        )
    return areas, parts, counted


def _report(
    title: str,
    header: tuple[str, ...],
    rows: list[breakdown.Row],
    areas: list[AreaPopulation],
    parts: list[PartInfo],
    characteristics: list[str],
    roll_up: bool,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> BreakdownReport:
    written = [part.written_at for part in parts if part.written_at is not None]
    return BreakdownReport(
        title=title,
        header=header,
        rows=rows,
        areas=areas,
        characteristics=characteristics,
        roll_up=roll_up,
        date_from=date_from,
        date_to=date_to,
        snapshot_written_at=max(written) if written else None,
        synthetic=any(part.synthetic for part in parts),
        threshold=settings.SUPPRESSION_THRESHOLD,
    )


def funnel_report(
    *,
    snapshot_dir: Path | None = None,
    area_code: str,
    characteristic: str = "ethnic_group",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    roll_up: bool = False,
) -> BreakdownReport:
    """People reaching each stage by group, for one area or ``"all"`` police force areas.

    Raises ``BreakdownError`` for an unknown characteristic, ``EmptyPeriod`` when no one is
    in the period, and ``UnknownArea``, ``PeriodError`` and ``SnapshotError`` as
    ``needs_assessments`` does.
    """
    areas, parts, counted = _breakdown_counts(
        snapshot_dir=snapshot_dir,
        area_code=area_code,
        characteristics=[characteristic],
        stages=breakdown.FUNNEL_STAGES,
        date_from=date_from,
        date_to=date_to,
        roll_up=roll_up,
    )
    rows = [
        row
        for area in areas
        for row in breakdown.funnel_table(
            area_code=area.code,
            area_name=area.name,
            characteristic=characteristic,
            counts=counted[area.code],
            threshold=settings.SUPPRESSION_THRESHOLD,
            roll_up=roll_up,
        )
    ]
    return _report(
        "Funnel",
        breakdown.funnel_header(),
        rows,
        areas,
        parts,
        [characteristic],
        roll_up,
        date_from,
        date_to,
    )


def intersections_report(
    *,
    snapshot_dir: Path | None = None,
    area_code: str,
    characteristics: list[str],
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    roll_up: bool = False,
) -> BreakdownReport:
    """People referred, offered and accepting support by two or three characteristics crossed.

    Raises as ``funnel_report`` does, and ``BreakdownError`` for fewer than two
    characteristics.
    """
    if len(characteristics) < 2:
        raise breakdown.BreakdownError("an intersection needs two or three characteristics")
    areas, parts, counted = _breakdown_counts(
        snapshot_dir=snapshot_dir,
        area_code=area_code,
        characteristics=characteristics,
        stages=breakdown.PEOPLE_STAGES,
        date_from=date_from,
        date_to=date_to,
        roll_up=roll_up,
    )
    rows = [
        row
        for area in areas
        for row in breakdown.intersections_table(
            area_code=area.code,
            area_name=area.name,
            characteristics=characteristics,
            counts=counted[area.code],
            threshold=settings.SUPPRESSION_THRESHOLD,
            roll_up=roll_up,
        )
    ]
    return _report(
        "Intersections",
        breakdown.intersections_header(),
        rows,
        areas,
        parts,
        characteristics,
        roll_up,
        date_from,
        date_to,
    )


def _one_area_snapshot(
    snapshot_dir: Path | None,
    area_code: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> tuple[list[AreaPopulation], list[PartInfo]]:
    _check_period(date_from, date_to)
    if area_code.strip().lower() == ALL_AREAS:
        areas = force_area_populations()
    else:
        areas = [area_population(area_code)]
    parts = validate_snapshot(Path(snapshot_dir or settings.SNAPSHOT_DIR))
    return areas, parts


def _empty_period(
    areas: list[AreaPopulation],
    files: list[Path],
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> EmptyPeriod:
    first, last = event_span(files)
    where = "any police force area" if len(areas) > 1 else areas[0].name
    known = (
        f"the snapshot's events run from {first.isoformat()} to {last.isoformat()}"
        if first and last
        else "the snapshot has no events yet"
    )
    return EmptyPeriod(
        f"no one had an event in {where} {_period_text(date_from, date_to)}; {known}. "
        "Choose a period with --from and --to inside that range."
    )


def provider_report(
    *,
    snapshot_dir: Path | None = None,
    area_code: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    quality: bool = False,
) -> BreakdownReport:
    """Provider scrutiny (or, with ``quality``, data quality) for one area or ``"all"``.

    Raises ``EmptyPeriod`` when no provider had anyone in the period, and ``UnknownArea``,
    ``PeriodError`` and ``SnapshotError`` as ``needs_assessments`` does.
    """
    areas, parts = _one_area_snapshot(snapshot_dir, area_code, date_from, date_to)
    files = [part.path for part in parts]
    threshold = settings.SUPPRESSION_THRESHOLD
    rows: list[breakdown.Row] = []
    anyone = False
    for area in areas:
        counts = scrutiny.count_providers(
            files, area_code=area.code, area_kind=area.kind, date_from=date_from, date_to=date_to
        )
        anyone = anyone or bool(counts)
        names = provider_names(list(counts))
        if quality:
            rows += scrutiny.data_quality_table(area, counts, names, threshold=threshold)
        else:
            rows += scrutiny.provider_scrutiny_table(area, counts, names, threshold=threshold)
    if not anyone:
        raise _empty_period(areas, files, date_from, date_to)
    return _report(
        "Data quality" if quality else "Providers",
        scrutiny.QUALITY_HEADER if quality else scrutiny.PROVIDER_HEADER,
        rows,
        areas,
        parts,
        ["ethnic_group"],
        False,
        date_from,
        date_to,
    )


def coverage_gaps_report(
    *,
    snapshot_dir: Path | None = None,
    area_code: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    min_share: float = 0.01,
) -> BreakdownReport:
    """Sizeable ethnic groups per area and the specialist services covering them.

    Reads coverage from the directory and people from the snapshot (an empty period is not
    an error here: the gaps are about services, and the people column then shows 0).
    """
    areas, parts = _one_area_snapshot(snapshot_dir, area_code, date_from, date_to)
    files = [part.path for part in parts]
    rows: list[breakdown.Row] = []
    for area in areas:
        referred = scrutiny.count_referred_to_specialists(
            files, area_code=area.code, area_kind=area.kind, date_from=date_from, date_to=date_to
        )
        rows += scrutiny.coverage_gaps_table(
            area,
            directory_coverage(area),
            referred,
            min_share=min_share,
            threshold=settings.SUPPRESSION_THRESHOLD,
        )
    return _report(
        "Coverage gaps",
        scrutiny.GAPS_HEADER,
        rows,
        areas,
        parts,
        ["ethnic_group"],
        False,
        date_from,
        date_to,
    )

"""Insight's reports, assembled from the snapshot: the needs assessment, the funnel, the
intersections, provider scrutiny, data quality and coverage gaps.

Each reads the pseudonymised Parquet files (never a case record), the census population and
the directory, and returns published rows with what a reader must know around them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.conf import settings

from bridgeway.insight import breakdown, coarsening, scrutiny, sparse_tables
from bridgeway.insight.figures import Row
from bridgeway.insight.needs_assessment import (
    AreaPopulation,
    NeedsAssessment,
    count_people,
    count_people_by_area,
    event_span,
    published_assessment,
)
from bridgeway.insight.selectors import (
    area_population,
    directory_coverage,
    force_area_populations,
    provider_names,
)
from bridgeway.insight.snapshot import PartInfo, validate_snapshot
from bridgeway.insight.snapshot_store import snapshot_copy


class PeriodError(ValueError):
    """A period that ends before it starts."""


def needs_assessment_rows(
    *,
    snapshot_dir: Path | None = None,
    area_code: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    roll_up: bool = False,
) -> NeedsAssessment:
    """The needs assessment for one area (a PFA or LAD code) and period, from the snapshot.

    Its ``rows`` follow ``needs_assessment.HEADER``. Raises ``UnknownArea`` for a code that is
    neither, ``PeriodError`` for a period that ends before it starts and ``SnapshotError``
    when the snapshot is missing, empty or broken.
    """
    _check_period(date_from, date_to)
    area = area_population(area_code)
    parts = validate_snapshot(snapshot_copy(Path(snapshot_dir or settings.SNAPSHOT_DIR)))
    counted = count_people(
        [part.path for part in parts],
        area_code=area.code,
        area_kind=area.kind,
        date_from=date_from,
        date_to=date_to,
    )
    threshold = settings.SUPPRESSION_THRESHOLD
    # Too sparse by the 19 groups: withheld, or shown by the five (decision 0160).
    published = published_assessment(area, counted, threshold=threshold, roll_up=roll_up)
    return NeedsAssessment(
        area=area,
        date_from=date_from,
        date_to=date_to,
        rows=published.rows,
        snapshot_written_at=_written_at(parts),
        synthetic=_synthetic(parts),
        threshold=threshold,
        first_event_on=counted.first_event_on,
        last_event_on=counted.last_event_on,
        withheld=published.withheld,
        coarsened=published.coarsened,
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
    areas, parts = _areas_and_parts(snapshot_dir, area_code, date_from, date_to)
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
        raise _empty_period(areas, files, date_from, date_to)
    threshold = settings.SUPPRESSION_THRESHOLD
    assessments = []
    for area in areas:
        # Too sparse by the 19 groups: withheld, or shown by the five (decision 0160).
        published = published_assessment(area, counted[area.code], threshold=threshold)
        assessments.append(
            NeedsAssessment(
                area=area,
                date_from=date_from,
                date_to=date_to,
                rows=published.rows,
                snapshot_written_at=_written_at(parts),
                synthetic=_synthetic(parts),
                threshold=threshold,
                first_event_on=counted[area.code].first_event_on,
                last_event_on=counted[area.code].last_event_on,
                withheld=published.withheld,
                coarsened=published.coarsened,
            )
        )
    return assessments


@dataclass(frozen=True)
class BreakdownReport:
    """A funnel or intersections table for one or more areas, and what a reader must know."""

    title: str
    header: tuple[str, ...]
    rows: list[Row]
    areas: list[AreaPopulation]
    characteristics: list[str]
    roll_up: bool
    date_from: dt.date | None
    date_to: dt.date | None
    snapshot_written_at: dt.datetime | None
    synthetic: bool
    threshold: int
    # Each area whose cross table is too sparse to show in full, and the stages withheld
    # (decision 0155).
    withheld: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # What the files must say of provider tables, answers or specialists' counts withheld as
    # too sparse (decision 0157), a sentence for each area.
    notes: tuple[str, ...] = ()
    # The areas whose table by the 19 ethnic groups was withheld and is shown by the five
    # high-level groups instead (decision 0158); ``withheld`` is then the five groups'.
    coarsened: tuple[str, ...] = ()


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
    areas, parts = _areas_and_parts(snapshot_dir, area_code, date_from, date_to)
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
        raise _empty_period(areas, files, date_from, date_to)
    return areas, parts, counted


def _report(
    title: str,
    header: tuple[str, ...],
    rows: list[Row],
    areas: list[AreaPopulation],
    parts: list[PartInfo],
    characteristics: list[str],
    roll_up: bool,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> BreakdownReport:
    return BreakdownReport(
        title=title,
        header=header,
        rows=rows,
        areas=areas,
        characteristics=characteristics,
        roll_up=roll_up,
        date_from=date_from,
        date_to=date_to,
        snapshot_written_at=_written_at(parts),
        synthetic=_synthetic(parts),
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
    threshold = settings.SUPPRESSION_THRESHOLD
    return _protected_breakdown(
        "Funnel",
        breakdown.funnel_header(),
        snapshot_dir=snapshot_dir,
        area_code=area_code,
        characteristics=[characteristic],
        stages=breakdown.FUNNEL_STAGES,
        date_from=date_from,
        date_to=date_to,
        roll_up=roll_up,
        withheld_of=lambda counts, rolled: breakdown.funnel_withheld(
            counts, characteristic, threshold, roll_up=rolled
        ),
        table=lambda area, counts, rolled: breakdown.funnel_table(
            area_code=area.code,
            area_name=area.name,
            characteristic=characteristic,
            counts=counts,
            threshold=threshold,
            roll_up=rolled,
        ),
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
    threshold = settings.SUPPRESSION_THRESHOLD
    return _protected_breakdown(
        "Intersections",
        breakdown.intersections_header(),
        snapshot_dir=snapshot_dir,
        area_code=area_code,
        characteristics=characteristics,
        stages=breakdown.PEOPLE_STAGES,
        date_from=date_from,
        date_to=date_to,
        roll_up=roll_up,
        withheld_of=lambda counts, rolled: breakdown.withheld_stages(
            counts, characteristics, threshold, roll_up=rolled
        ),
        table=lambda area, counts, rolled: breakdown.intersections_table(
            area_code=area.code,
            area_name=area.name,
            characteristics=characteristics,
            counts=counts,
            threshold=threshold,
            roll_up=rolled,
        ),
    )


def _protected_breakdown(
    title: str,
    header: tuple[str, ...],
    *,
    snapshot_dir: Path | None,
    area_code: str,
    characteristics: list[str],
    stages: tuple[str, ...],
    date_from: dt.date | None,
    date_to: dt.date | None,
    roll_up: bool,
    withheld_of: Callable[[breakdown.Counts, bool], tuple[str, ...]],
    table: Callable[[AreaPopulation, breakdown.Counts, bool], list[Row]],
) -> BreakdownReport:
    """A table by group for each area, its sparse stages withheld (decision 0155) and shown by
    the five high-level groups where they withhold fewer (decision 0158)."""
    areas, parts, counted = _breakdown_counts(
        snapshot_dir=snapshot_dir,
        area_code=area_code,
        characteristics=characteristics,
        stages=stages,
        date_from=date_from,
        date_to=date_to,
        roll_up=roll_up,
    )
    withheld = {
        area.code: gone for area in areas if (gone := withheld_of(counted[area.code], roll_up))
    }
    five = _five_groups_in_place(
        snapshot_dir=snapshot_dir,
        area_code=area_code,
        characteristics=characteristics,
        stages=stages,
        date_from=date_from,
        date_to=date_to,
        roll_up=roll_up,
        withheld=withheld,
        withheld_of=lambda counts: withheld_of(counts, True),
    )
    rows = [
        row
        for area in areas
        for row in table(
            area,
            five[area.code][0] if area.code in five else counted[area.code],
            roll_up or area.code in five,
        )
    ]
    report = _report(
        title, header, rows, areas, parts, characteristics, roll_up, date_from, date_to
    )
    return _with_five_groups(report, withheld, five)


def _five_groups_in_place(
    *,
    snapshot_dir: Path | None,
    area_code: str,
    characteristics: list[str],
    stages: tuple[str, ...],
    date_from: dt.date | None,
    date_to: dt.date | None,
    roll_up: bool,
    withheld: dict[str, tuple[str, ...]],
    withheld_of: Callable[[breakdown.Counts], tuple[str, ...]],
) -> dict[str, tuple[breakdown.Counts, tuple[str, ...]]]:
    """Each area whose table by the 19 ethnic groups is withheld (decision 0155) and whose
    table by the five high-level groups shows more stages: its five-group counts and the
    stages they withhold (decision 0158). The counts are those of the roll-up a reader can
    ask for, so nothing new is published."""
    if roll_up or "ethnic_group" not in characteristics or not withheld:
        return {}
    _areas, _parts, counted = _breakdown_counts(
        snapshot_dir=snapshot_dir,
        area_code=area_code,
        characteristics=characteristics,
        stages=stages,
        date_from=date_from,
        date_to=date_to,
        roll_up=True,
    )
    five: dict[str, tuple[breakdown.Counts, tuple[str, ...]]] = {}
    for code, nineteen_withheld in withheld.items():
        five_withheld = withheld_of(counted[code])
        if coarsening.five_groups_show_more(nineteen_withheld, five_withheld):
            five[code] = (counted[code], five_withheld)
    return five


def _with_five_groups(
    report: BreakdownReport,
    withheld: dict[str, tuple[str, ...]],
    five: dict[str, tuple[breakdown.Counts, tuple[str, ...]]],
) -> BreakdownReport:
    """The report with what each area shows withheld: the five groups' where they stand in."""
    shown_withheld = {
        code: five[code][1] if code in five else stages for code, stages in withheld.items()
    }
    return replace(
        report,
        withheld={code: stages for code, stages in shown_withheld.items() if stages},
        coarsened=tuple(code for code in withheld if code in five),
    )


def _areas_and_parts(
    snapshot_dir: Path | None,
    area_code: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> tuple[list[AreaPopulation], list[PartInfo]]:
    """The areas asked for (one, or every police force area) and the checked snapshot."""
    _check_period(date_from, date_to)
    if area_code.strip().lower() == ALL_AREAS:
        areas = force_area_populations()
    else:
        areas = [area_population(area_code)]
    parts = validate_snapshot(snapshot_copy(Path(snapshot_dir or settings.SNAPSHOT_DIR)))
    return areas, parts


def _written_at(parts: list[PartInfo]) -> dt.datetime | None:
    """When the snapshot was last written (its newest part), if recorded."""
    written = [part.written_at for part in parts if part.written_at is not None]
    return max(written) if written else None


def _synthetic(parts: list[PartInfo]) -> bool:
    return any(part.synthetic for part in parts)


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
    providers, data_quality = provider_reports(
        snapshot_dir=snapshot_dir, area_code=area_code, date_from=date_from, date_to=date_to
    )
    return data_quality if quality else providers


def provider_reports(
    *,
    snapshot_dir: Path | None = None,
    area_code: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> tuple[BreakdownReport, BreakdownReport]:
    """Provider scrutiny and data quality together, from one count of the providers.

    Both tables are built from the same counts, so a page showing both (the dashboard)
    reads the snapshot once for them. Raises as ``provider_report`` does.
    """
    areas, parts = _areas_and_parts(snapshot_dir, area_code, date_from, date_to)
    files = [part.path for part in parts]
    threshold = settings.SUPPRESSION_THRESHOLD
    provider_rows: list[Row] = []
    quality_rows: list[Row] = []
    provider_notes: list[str] = []
    quality_notes: list[str] = []
    anyone = False
    for area in areas:
        counts = scrutiny.count_providers(
            files, area_code=area.code, area_kind=area.kind, date_from=date_from, date_to=date_to
        )
        anyone = anyone or bool(counts)
        names = provider_names(list(counts))
        provider_rows += scrutiny.provider_scrutiny_table(area, counts, names, threshold=threshold)
        quality_rows += scrutiny.data_quality_table(area, counts, names, threshold=threshold)
        provider_notes += scrutiny.provider_notes(area, counts, names, threshold=threshold)
        quality_notes += scrutiny.quality_notes(area, counts, names, threshold=threshold)
    if not anyone:
        raise _empty_period(areas, files, date_from, date_to)
    common = (areas, parts, ["ethnic_group"], False, date_from, date_to)
    return (
        replace(
            _report("Providers", scrutiny.PROVIDER_HEADER, provider_rows, *common),
            notes=tuple(provider_notes),
        ),
        replace(
            _report("Data quality", scrutiny.QUALITY_HEADER, quality_rows, *common),
            notes=tuple(quality_notes),
        ),
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
    areas, parts = _areas_and_parts(snapshot_dir, area_code, date_from, date_to)
    files = [part.path for part in parts]
    rows: list[Row] = []
    notes: list[str] = []
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
        listed = scrutiny.sizeable_groups(area, min_share)
        if scrutiny.specialists_withheld(
            [referred.get(group, 0) for group in listed], settings.SUPPRESSION_THRESHOLD
        ):
            notes.append(sparse_tables.specialists_note(area.name))
    report = _report(
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
    return replace(report, notes=tuple(notes))


def service_reach_report(
    *,
    snapshot_dir: Path | None = None,
    area_code: str,
    service_keys: dict[str, str],
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> BreakdownReport:
    """Provider scrutiny for chosen services only: whom each reached in one area and period,
    against the area's census population, perturbed, suppressed and with Wilson intervals
    as every provider's row is (commissioning shows it before and after an award). Each
    figure is the one provider scrutiny publishes for that provider, area and period: a
    service too small for a table by group has its groups ``[c]`` here too, its total
    shown (decisions 0157, 0161 and 0164).

    ``service_keys`` maps each service's pseudonym (``Pseudonymiser.key("service", id)``) to
    its name. A period in which a service reached no one gives it no rows. Raises
    ``UnknownArea``, ``PeriodError`` and ``SnapshotError`` as ``needs_assessments`` does.
    """
    areas, parts = _areas_and_parts(snapshot_dir, area_code, date_from, date_to)
    files = [part.path for part in parts]
    rows: list[Row] = []
    threshold = settings.SUPPRESSION_THRESHOLD
    for area in areas:
        counts = scrutiny.count_providers(
            files, area_code=area.code, area_kind=area.kind, date_from=date_from, date_to=date_to
        )
        chosen = {p: c for p, c in counts.items() if p.service_key in service_keys}
        names = {p: service_keys[p.service_key] for p in chosen}
        # Withheld and hidden over every provider of the area, as provider scrutiny
        # decides them: the chosen services' rows are the very rows it publishes, so the
        # reach gives back no cell it withholds (decision 0164).
        rows += scrutiny.provider_scrutiny_table(
            area, chosen, names, threshold=threshold, everyone=counts
        )
    return _report(
        "Service reach",
        scrutiny.PROVIDER_HEADER,
        rows,
        areas,
        parts,
        ["ethnic_group"],
        False,
        date_from,
        date_to,
    )

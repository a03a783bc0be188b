"""The needs assessment: who is referred and who takes support up, beside who lives there.

Plain Python with DuckDB over the snapshot's Parquet files; census population comes in as
plain data, so the whole computation can be tested from a hand-made snapshot.

One row per ethnic group (the 19 ONS groups in vocabulary order), then the three kinds of
missing answer, then the total. The columns are a published contract (``HEADER``); symbols
follow the Government Statistical Service: ``[c]`` suppressed, ``[x]`` not available,
``[z]`` not applicable.

Census columns (population, its share, the representation ratio) exist only for the 19
groups: they are ``[x]`` in the missing-answer rows and the total. The total's referred share
and take-up ratio are ``[z]``. A count that is ``[c]`` makes everything worked out from it
``[c]`` too.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

import duckdb

from bridgeway.disclosure import statistics
from bridgeway.disclosure.statistics import NotComputable
from bridgeway.disclosure.suppression import ColumnSuppression, suppress_column
from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, high_level_group, vocabulary
from bridgeway.insight import coarsening, perturbation, sparse_tables
from bridgeway.insight.figures import (
    CONFIDENTIAL_FIGURE,
    NOT_APPLICABLE_FIGURE,
    NOT_AVAILABLE_FIGURE,
    Figure,
    Row,
)
from bridgeway.insight.perturbation import EMPTY, KEY_MODULUS, KeyedCount, combine, is_hidden
from bridgeway.spreadsheet_cells import csv_record

HEADER = (
    "area_code",
    "area_name",
    "ethnic_group",
    "ethnic_group_label",
    "population",
    "population_share",
    "referred",
    "referred_share",
    "representation_ratio",
    "representation_low",
    "representation_high",
    "offered",
    "accepted",
    "take_up_rate",
    "take_up_low",
    "take_up_high",
    "take_up_ratio",
    "take_up_ratio_low",
    "take_up_ratio_high",
)
# The provider table's columns: the needs assessment's with the referred share's interval
# beside the share (the contract CSV keeps its own columns).
SHARE_INTERVAL_HEADER = (
    *HEADER[: HEADER.index("referred_share") + 1],
    "referred_share_low",
    "referred_share_high",
    *HEADER[HEADER.index("referred_share") + 1 :],
)
TOTAL = "total"
SHARE_PLACES = 4
RATIO_PLACES = 3
STAGES = ("referred", "offered", "accepted")

AreaKind = Literal["pfa", "lad"]


@dataclass(frozen=True)
class AreaPopulation:
    """An area and its census 2021 residents by ethnic group (empty when not available)."""

    code: str
    name: str
    kind: AreaKind
    population: Mapping[str, int] = field(default_factory=dict)

    @property
    def population_available(self) -> bool:
        return bool(self.population)

    @property
    def residents(self) -> int:
        return sum(self.population.values())


@dataclass(frozen=True)
class GroupCounts:
    """Distinct people in one group who reached each stage in the period."""

    referred: int = 0
    offered: int = 0
    accepted: int = 0


@dataclass(frozen=True)
class NeedsAssessment:
    """The table for one area and period, and what a reader needs to know about its sources."""

    area: AreaPopulation
    date_from: dt.date | None
    date_to: dt.date | None
    rows: list[Row]
    snapshot_written_at: dt.datetime | None
    synthetic: bool
    threshold: int
    first_event_on: dt.date | None
    last_event_on: dt.date | None
    # The stages withheld as too sparse to show by group (decision 0160), of the level shown.
    withheld: tuple[str, ...] = ()
    # Whether the five high-level groups stand in for the 19 (decisions 0158, 0160).
    coarsened: bool = False


def group_codes() -> list[str]:
    """The rows of the table, in order: the 19 groups, the missing answers, the total."""
    return [*vocabulary("ethnic_groups").ordered_codes(), *NOT_KNOWN_CODES, TOTAL]


def group_label(code: str) -> str:
    """The English label of a row (the CSV is a stable contract, so not translated)."""
    if code == TOTAL:
        return "Total"
    if code in NOT_KNOWN_CODES:
        return vocabulary("not_known").label(code)
    if code in vocabulary("ethnic_groups"):
        return vocabulary("ethnic_groups").label(code)
    return high_level_labels()[code]


def high_level_labels() -> dict[str, str]:
    """The five high-level ethnic groups, in vocabulary order, with their labels."""
    return {
        term.extra["high_level_code"]: term.extra["high_level_label"]
        for term in vocabulary("ethnic_groups")
    }


def rolled_up_area(area: AreaPopulation) -> AreaPopulation:
    """The area's residents by the five high-level groups (each resident is in one group, so a
    high-level group's residents are the sum of its groups' residents).

    Only residents are added up here: a high-level group's *counts* are cells of their own
    (``protected_roll_up``), never the sum of its groups' published counts (issue 14).
    """
    population: dict[str, int] = {}
    for code, residents in area.population.items():
        group = high_level_group(code)
        population[group] = population.get(group, 0) + residents
    return AreaPopulation(area.code, area.name, area.kind, population)


# --- counting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeopleCounts:
    """Counts by group, and the first and last day with an event in the area and period.

    Counts are perturbed (decision 0072) unless asked for raw; ``total`` and
    ``recorded_total`` are the whole area's and the recorded groups' own perturbed cells
    (``None`` for a hand-made table, whose total is then the sum of its rows).
    """

    by_group: dict[str, GroupCounts]
    first_event_on: dt.date | None
    last_event_on: dt.date | None
    total: GroupCounts | None = None
    recorded_total: GroupCounts | None = None
    rolled_up: dict[str, GroupCounts] | None = None


# Each person is counted in the group on their newest record: the latest day, and on the same
# day the latest part file (parts are listed oldest first, so a higher position is newer). An
# event that a later run wrote again (runs overlap on purpose; see snapshot_write)
# carries the same person, stage and day, so counting distinct people per area, group and
# stage counts it once. The key is a single integer so DuckDB's arg_max stays on its fast
# path, and each person's record key is worked out once, in the pass that groups by person,
# not once per cell they appear in: this query is benchmarked against a plain GROUP BY
# (bench/insight_needs_assessment.py). People are grouped, de-duplicated and joined by their
# number in the snapshot (4 bytes, one to one with the 32-byte person_key), and their record
# key is the one the snapshot writer stored (decision 0150): the 32-byte key is not read.
_COUNT_SQL = """
WITH events AS (
    SELECT person_number, record_key, stage, occurred_on, ethnic_group, {area_column} AS area,
           date_diff('day', DATE '2000-01-01', occurred_on) * 100000
               + list_position($files, filename) AS newness
    FROM read_parquet($files, filename = true)
), people AS (
    SELECT person_number, arg_max(ethnic_group, newness) AS ethnic_group,
           any_value(record_key) AS record_key
    FROM events GROUP BY person_number
), seen AS (
    SELECT DISTINCT person_number, area, stage FROM events
    WHERE list_contains($areas, area) AND list_contains($stages, stage)
      AND ($date_from IS NULL OR occurred_on >= $date_from)
      AND ($date_to IS NULL OR occurred_on <= $date_to)
)
SELECT seen.area, people.ethnic_group, seen.stage, count(*), sum(record_key) % {modulus}
FROM seen JOIN people USING (person_number)
GROUP BY ALL
"""
_SPAN_SQL = """
SELECT {area_column}, min(occurred_on), max(occurred_on) FROM read_parquet($files)
WHERE list_contains($areas, {area_column})
  AND ($date_from IS NULL OR occurred_on >= $date_from)
  AND ($date_to IS NULL OR occurred_on <= $date_to)
GROUP BY ALL
"""
# Aggregates spill to disk beyond this, so a national snapshot fits a small server.
DUCKDB_MEMORY_LIMIT = "1500MB"


# A person's record key in SQL, as ``perturbation.record_key`` computes it in Python (kept
# here under this name for the queries that work it out from person_key).
RECORD_KEY_SQL = perturbation.RECORD_KEY_SQL


def connect() -> duckdb.DuckDBPyConnection:
    """A connection to the process's in-memory DuckDB database, with insight's memory limit
    and spilling to the temp dir; closing it leaves the database open for the next.

    Opening a database costs about 20 ms and a page runs several queries, each through its
    own connection (one a thread, as DuckDB asks): a cursor of one database per process costs
    under 1 ms. The memory limit is then the process's, shared by its threads. A forked
    worker opens its own database: one inherited across a fork is not safe to use.
    """
    global _database
    with _database_lock:
        if _database is None or _database[0] != os.getpid():
            database = duckdb.connect()
            database.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
            database.execute(
                "SET temp_directory = $directory", {"directory": tempfile.gettempdir()}
            )
            database.execute("SET preserve_insertion_order = false")
            _database = (os.getpid(), database)
        return _database[1].cursor()


_database: tuple[int, duckdb.DuckDBPyConnection] | None = None
_database_lock = threading.Lock()


def count_people(
    files: Sequence[Path],
    *,
    area_code: str,
    area_kind: AreaKind,
    date_from: dt.date | None,
    date_to: dt.date | None,
    perturb: bool = True,
) -> PeopleCounts:
    """Distinct people per ethnic group who were referred, offered and accepted support."""
    return count_people_by_area(
        files,
        area_codes=[area_code],
        area_kind=area_kind,
        date_from=date_from,
        date_to=date_to,
        perturb=perturb,
    )[area_code]


def protected_counts(
    tallies: Mapping[str, Mapping[str, KeyedCount]], *, perturb: bool
) -> tuple[dict[str, GroupCounts], GroupCounts, GroupCounts]:
    """Each group's counts, the total and the recorded groups' total, as published.

    ``tallies`` maps group to stage to true count and cell key. Each person is in one group,
    so the totals are the union of disjoint cells; each is perturbed as its own cell.
    """

    def publish(cell: KeyedCount) -> int:
        return perturbation.perturb(cell) if perturb else cell.count

    def counts_of(cells: Mapping[str, KeyedCount]) -> GroupCounts:
        return GroupCounts(**{stage: publish(cells.get(stage, EMPTY)) for stage in STAGES})

    def union(groups: Sequence[str]) -> GroupCounts:
        return counts_of(
            {
                stage: combine(tallies[g].get(stage, EMPTY) for g in groups if g in tallies)
                for stage in STAGES
            }
        )

    by_group = {group: counts_of(cells) for group, cells in tallies.items()}
    recorded = [g for g in tallies if g not in NOT_KNOWN_CODES]
    return by_group, union(list(tallies)), union(recorded)


def protected_roll_up(
    tallies: Mapping[str, Mapping[str, KeyedCount]], *, perturb: bool
) -> dict[str, GroupCounts]:
    """The five high-level groups' counts, each perturbed as a cell of its own (issue 14).

    A high-level group's people are the union of its groups' people (each person is in one
    group), so its cell is their combined count and record key; perturbing that cell, rather
    than adding the groups' published counts, keeps the roll-up from giving a hidden group back
    by subtraction. The groups not known (``NOT_KNOWN_CODES``) keep their own cells.
    """
    members: dict[str, list[str]] = {}
    for code in tallies:
        group = code if code in NOT_KNOWN_CODES else high_level_group(code)
        members.setdefault(group, []).append(code)
    return {
        group: GroupCounts(
            **{
                stage: (perturbation.perturb(cell) if perturb else cell.count)
                for stage in STAGES
                for cell in [combine(tallies[code].get(stage, EMPTY) for code in codes)]
            }
        )
        for group, codes in members.items()
    }


def count_people_by_area(
    files: Sequence[Path],
    *,
    area_codes: Sequence[str],
    area_kind: AreaKind,
    date_from: dt.date | None,
    date_to: dt.date | None,
    perturb: bool = True,
) -> dict[str, PeopleCounts]:
    """``count_people`` for many areas of one kind in one pass over the files.

    Every code asked for has an entry, empty when the area has no events in the period.
    Counts are perturbed by the cell key method unless ``perturb`` is false (tests of the
    counting itself; nothing published may use raw counts).
    """
    # An area with no one in the period has no cells: every count, rolled up or not, is 0.
    empty = {
        code: PeopleCounts(by_group={}, first_event_on=None, last_event_on=None, rolled_up={})
        for code in area_codes
    }
    if not files or not area_codes:
        return empty
    area_column = "pfa_code" if area_kind == "pfa" else "lad_code"
    # The column name is one of two constants; every value travels as a parameter.
    paths = [str(path) for path in files]
    period = {"areas": list(area_codes), "date_from": date_from, "date_to": date_to}
    with connect() as connection:
        counted = connection.execute(
            _COUNT_SQL.format(area_column=area_column, modulus=KEY_MODULUS),
            {"files": paths, "stages": list(STAGES), **period},
        ).fetchall()
        spans = connection.execute(
            _SPAN_SQL.format(area_column=area_column), {"files": paths, **period}
        ).fetchall()
    tallies: dict[str, dict[str, dict[str, KeyedCount]]] = {}
    for area, group, stage, people, key in counted:
        tallies.setdefault(area, {}).setdefault(group, {})[stage] = KeyedCount(
            int(people), int(key)
        )
    span_of = {area: (first, last) for area, first, last in spans}
    result = dict(empty)
    for area, (first, last) in span_of.items():
        by_group, total, recorded_total = protected_counts(tallies.get(area, {}), perturb=perturb)
        result[area] = PeopleCounts(
            by_group=by_group,
            first_event_on=first,
            last_event_on=last,
            total=total,
            recorded_total=recorded_total,
            rolled_up=protected_roll_up(tallies.get(area, {}), perturb=perturb),
        )
    return result


def event_span(files: Sequence[Path]) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day with any event in the files (``None, None`` when there are none)."""
    if not files:
        return None, None
    with duckdb.connect() as connection:
        found = connection.execute(
            "SELECT min(occurred_on), max(occurred_on) FROM read_parquet($files)",
            {"files": [str(path) for path in files]},
        ).fetchone()
    return (found[0], found[1]) if found else (None, None)


# --- the table ------------------------------------------------------------------------------


def _share(numerator: int, denominator: int) -> Figure:
    return (
        NOT_APPLICABLE_FIGURE
        if denominator == 0
        else Figure.decimal(numerator / denominator, SHARE_PLACES)
    )


def share_with_interval(
    numerator: int, denominator: int, *, hidden: bool
) -> tuple[Figure, Figure, Figure]:
    """A share of published counts with its 95 % Wilson interval, widened to every true
    count the published ones allow (decision 0073), each to ``SHARE_PLACES`` places.

    ``hidden``: the numerator or the denominator is hidden, so the share is too (``[c]``);
    ``[z]`` when there is no one to share; ``[x]`` when the perturbed numerator is above the
    denominator (each is perturbed on its own), where no share can be stated.
    """
    if hidden:
        return CONFIDENTIAL_FIGURE, CONFIDENTIAL_FIGURE, CONFIDENTIAL_FIGURE
    if denominator == 0:
        return NOT_APPLICABLE_FIGURE, NOT_APPLICABLE_FIGURE, NOT_APPLICABLE_FIGURE
    try:
        value = statistics.proportion(numerator, denominator)
        interval = statistics.wilson_interval_within(
            numerator, denominator, perturbation.MAX_PERTURBATION
        )
    except NotComputable:
        return NOT_AVAILABLE_FIGURE, NOT_AVAILABLE_FIGURE, NOT_AVAILABLE_FIGURE
    return (
        Figure.decimal(value, SHARE_PLACES),
        Figure.decimal(interval.low, SHARE_PLACES),
        Figure.decimal(interval.high, SHARE_PLACES),
    )


def _referred_share(
    referred: int, denominator: int, hidden: bool, threshold: int
) -> tuple[Figure, Figure, Figure]:
    """A group's share of the people referred, and its interval (decision 0073).

    The share itself is worked out as before (a perturbed count may stand above its
    perturbed total, and the contract CSV keeps publishing that share); the interval is
    ``[x]`` then.
    """
    if hidden or is_hidden(denominator, threshold):
        return CONFIDENTIAL_FIGURE, CONFIDENTIAL_FIGURE, CONFIDENTIAL_FIGURE
    share = _share(referred, denominator)
    if share.is_symbol:
        return share, share, share
    if referred > denominator:
        return share, NOT_AVAILABLE_FIGURE, NOT_AVAILABLE_FIGURE
    _value, low, high = share_with_interval(referred, denominator, hidden=False)
    return share, low, high


def _take_up(accepted: int, offered: int, hidden: bool) -> tuple[Figure, Figure, Figure]:
    if hidden:
        return CONFIDENTIAL_FIGURE, CONFIDENTIAL_FIGURE, CONFIDENTIAL_FIGURE
    if offered == 0:
        return NOT_APPLICABLE_FIGURE, NOT_APPLICABLE_FIGURE, NOT_APPLICABLE_FIGURE
    try:
        estimate = statistics.take_up(accepted, offered, spread=perturbation.MAX_PERTURBATION)
    except NotComputable:
        # More people accepted than were offered support in the period (their offer fell
        # before it, or a stage was skipped): no take-up rate can be stated.
        return NOT_AVAILABLE_FIGURE, NOT_AVAILABLE_FIGURE, NOT_AVAILABLE_FIGURE
    assert estimate.interval is not None  # noqa: S101 - Wilson always has an interval
    return (
        Figure.decimal(estimate.value, SHARE_PLACES),
        Figure.decimal(estimate.interval.low, SHARE_PLACES),
        Figure.decimal(estimate.interval.high, SHARE_PLACES),
    )


def _take_up_ratio(
    counts: GroupCounts, others_accepted: int, others_offered: int, hidden: bool
) -> tuple[Figure, Figure, Figure]:
    if hidden:
        return CONFIDENTIAL_FIGURE, CONFIDENTIAL_FIGURE, CONFIDENTIAL_FIGURE
    if counts.offered == 0 or others_offered <= 0 or others_accepted <= 0:
        return NOT_APPLICABLE_FIGURE, NOT_APPLICABLE_FIGURE, NOT_APPLICABLE_FIGURE
    try:
        estimate = statistics.take_up_ratio(
            counts.accepted,
            counts.offered,
            others_accepted,
            others_offered,
            spread=perturbation.MAX_PERTURBATION,
        )
    except NotComputable:
        return NOT_AVAILABLE_FIGURE, NOT_AVAILABLE_FIGURE, NOT_AVAILABLE_FIGURE
    value = Figure.decimal(estimate.value, RATIO_PLACES)
    if estimate.interval is None:
        return value, NOT_AVAILABLE_FIGURE, NOT_AVAILABLE_FIGURE
    return (
        value,
        Figure.decimal(estimate.interval.low, RATIO_PLACES),
        Figure.decimal(estimate.interval.high, RATIO_PLACES),
    )


def _representation(
    area: AreaPopulation, group: str, referred: int, recorded_referred: int, hidden: bool
) -> tuple[Figure, Figure, Figure]:
    if hidden:
        return CONFIDENTIAL_FIGURE, CONFIDENTIAL_FIGURE, CONFIDENTIAL_FIGURE
    if not area.population_available:
        return NOT_AVAILABLE_FIGURE, NOT_AVAILABLE_FIGURE, NOT_AVAILABLE_FIGURE
    residents = area.residents
    population = area.population.get(group, 0)
    if recorded_referred == 0 or population == 0 or residents == 0:
        return NOT_APPLICABLE_FIGURE, NOT_APPLICABLE_FIGURE, NOT_APPLICABLE_FIGURE
    try:
        estimate = statistics.representation(
            referred,
            recorded_referred,
            population / residents,
            spread=perturbation.MAX_PERTURBATION,
        )
    except NotComputable:
        # The group's count and the recorded total are perturbed on their own, so a group
        # that is nearly everyone can be published above the total: no share can be stated.
        return NOT_AVAILABLE_FIGURE, NOT_AVAILABLE_FIGURE, NOT_AVAILABLE_FIGURE
    assert estimate.interval is not None  # noqa: S101 - Wilson always has an interval
    return (
        Figure.decimal(estimate.value, RATIO_PLACES),
        Figure.decimal(estimate.interval.low, RATIO_PLACES),
        Figure.decimal(estimate.interval.high, RATIO_PLACES),
    )


@dataclass(frozen=True)
class _Suppressed:
    referred: ColumnSuppression
    offered: ColumnSuppression
    accepted: ColumnSuppression

    def hidden(self, column: str, group: str, recorded: list[str]) -> bool:
        suppression: ColumnSuppression = getattr(self, column)
        if group == TOTAL:
            return suppression.total_hidden
        if group in NOT_KNOWN_CODES:
            return suppression.not_known_hidden[NOT_KNOWN_CODES.index(group)]
        return suppression.recorded_hidden[recorded.index(group)]


def _summed(of: Mapping[str, GroupCounts], groups: list[str]) -> GroupCounts:
    """The groups' counts added stage by stage: a total cell when none was published."""
    return GroupCounts(*(sum(getattr(of[g], stage) for g in groups) for stage in STAGES))


def _own_cells(rolled_up_counts: Mapping[str, GroupCounts] | None) -> dict[str, GroupCounts]:
    """The high-level groups' own cells for a roll-up, refusing to go without them."""
    if rolled_up_counts is None:
        raise ValueError(
            "a roll-up needs the high-level groups' own cells (rolled_up_counts, "
            "PeopleCounts.rolled_up): the sum of the groups' published counts would give "
            "a hidden group back"
        )
    unknown_groups = set(rolled_up_counts) - {*high_level_labels(), *NOT_KNOWN_CODES}
    if unknown_groups:
        raise ValueError(f"rolled-up counts for groups not rolled up: {sorted(unknown_groups)}")
    return dict(rolled_up_counts)


def needs_assessment_table(
    area: AreaPopulation,
    counts: Mapping[str, GroupCounts],
    *,
    threshold: int,
    totals: GroupCounts | None = None,
    recorded_totals: GroupCounts | None = None,
    roll_up: bool = False,
    rolled_up_counts: Mapping[str, GroupCounts] | None = None,
    header: Sequence[str] = HEADER,
    withheld: Collection[str] = (),
) -> list[Row]:
    """The rows of the needs assessment for one area, suppressed and formatted.

    ``counts`` are published (perturbed) counts; ``totals`` and ``recorded_totals`` the
    total cells perturbed on their own (``PeopleCounts.total``), or the sums of the rows
    when not given. Shares, rates and ratios are worked out from these published counts.
    ``roll_up`` gives the five high-level ethnic groups instead of the 19, from
    ``rolled_up_counts`` (``PeopleCounts.rolled_up``): each high-level group's own perturbed
    cell, suppressed as groups of their own. It is required with ``roll_up``, and ``counts``
    is then not used for the rows: the sum of the groups' published counts would give a hidden
    group back by subtraction (issue 14), so a roll-up without its own cells raises
    ``ValueError``. ``header``: the columns (``SHARE_INTERVAL_HEADER`` adds the referred
    share's interval). ``withheld``: the stages too sparse to publish by group (a provider's,
    decision 0157): ``[c]`` in every group's row, zeros too, with everything worked out from
    them; the total row stays.

    A referred share is hidden when its count is, or when the total it is a share of is
    hidden (1 to ``threshold - 1``): the share would give that total back.
    """
    recorded = vocabulary("ethnic_groups").ordered_codes()
    everyone = [*recorded, *NOT_KNOWN_CODES]
    unknown_groups = set(counts) - set(everyone)
    if unknown_groups:
        raise ValueError(f"counts for groups outside the vocabulary: {sorted(unknown_groups)}")
    if roll_up:
        area, counts = rolled_up_area(area), _own_cells(rolled_up_counts)
        recorded = list(high_level_labels())
        everyone = [*recorded, *NOT_KNOWN_CODES]
    of = {group: counts.get(group, GroupCounts()) for group in everyone}

    def column(stage: str) -> ColumnSuppression:
        return suppress_column(
            [getattr(of[g], stage) for g in recorded],
            [getattr(of[g], stage) for g in NOT_KNOWN_CODES],
            threshold,
        )

    suppressed = _Suppressed(*(column(stage) for stage in STAGES))
    totals = totals or _summed(of, everyone)
    recorded_totals = recorded_totals or _summed(of, recorded)
    rows: list[Row] = []
    for group in [*everyone, TOTAL]:
        group_counts = totals if group == TOTAL else of[group]
        hidden = {
            stage: suppressed.hidden(stage, group, recorded)
            or is_hidden(getattr(group_counts, stage), threshold)
            or (stage in withheld and group != TOTAL)
            for stage in STAGES
        }
        row = Row(
            {
                "area_code": area.code,
                "area_name": area.name,
                "ethnic_group": group,
                "ethnic_group_label": group_label(group),
            }
        )
        for stage in STAGES:
            row[stage] = Figure.count(getattr(group_counts, stage), hidden=hidden[stage])
            if stage in withheld and group != TOTAL:
                row[stage] = CONFIDENTIAL_FIGURE  # zeros too: the column is withheld
        take_up = _take_up(
            group_counts.accepted, group_counts.offered, hidden["accepted"] or hidden["offered"]
        )
        row["take_up_rate"], row["take_up_low"], row["take_up_high"] = take_up
        population_based = (
            "population",
            "population_share",
            "representation_ratio",
            "representation_low",
            "representation_high",
        )
        if group in recorded:
            if area.population_available:
                population = area.population.get(group, 0)
                row["population"] = Figure.count(population)
                row["population_share"] = _share(population, area.residents)
            else:
                row["population"] = row["population_share"] = NOT_AVAILABLE_FIGURE
            (
                row["referred_share"],
                row["referred_share_low"],
                row["referred_share_high"],
            ) = _referred_share(
                group_counts.referred, recorded_totals.referred, hidden["referred"], threshold
            )
            (
                row["representation_ratio"],
                row["representation_low"],
                row["representation_high"],
            ) = _representation(
                area, group, group_counts.referred, recorded_totals.referred, hidden["referred"]
            )
            others_accepted = recorded_totals.accepted - group_counts.accepted
            others_offered = recorded_totals.offered - group_counts.offered
        else:
            for name in population_based:
                row[name] = NOT_AVAILABLE_FIGURE
            others_accepted, others_offered = recorded_totals.accepted, recorded_totals.offered
            if group == TOTAL:
                row["referred_share"] = NOT_APPLICABLE_FIGURE
                row["referred_share_low"] = row["referred_share_high"] = NOT_APPLICABLE_FIGURE
            else:
                (
                    row["referred_share"],
                    row["referred_share_low"],
                    row["referred_share_high"],
                ) = _referred_share(
                    group_counts.referred, totals.referred, hidden["referred"], threshold
                )
        if group == TOTAL:
            ratio = (NOT_APPLICABLE_FIGURE, NOT_APPLICABLE_FIGURE, NOT_APPLICABLE_FIGURE)
        else:
            ratio = _take_up_ratio(
                group_counts,
                others_accepted,
                others_offered,
                hidden["accepted"] or hidden["offered"],
            )
        row["take_up_ratio"], row["take_up_ratio_low"], row["take_up_ratio_high"] = ratio
        rows.append(Row({name: row[name] for name in header}))
    return rows


def write_csv(rows: Sequence[Row], handle: IO[str]) -> None:
    """Write the table as CSV with the contract's header."""
    writer = csv.DictWriter(handle, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_record(row) for row in rows)


def assessment_withheld(
    counts: Mapping[str, GroupCounts],
    threshold: int,
    *,
    totals: GroupCounts | None = None,
    roll_up: bool = False,
) -> tuple[str, ...]:
    """The stages of a needs assessment too sparse to publish by group (decision 0160).

    The rule of a funnel by one characteristic (``sparse_tables``, decision 0155) over the
    table's groups (the 19 or the five high-level ones, and the three missing answers), on
    perturbed counts only: by the 19 groups an area needs 5 people a group (110) referred to
    show its people referred by group. ``counts`` are the rows' own cells (the high-level
    groups' with ``roll_up``); ``totals`` the total cell (the sum of the rows for a hand-made
    table).
    """
    level = list(high_level_labels()) if roll_up else vocabulary("ethnic_groups").ordered_codes()
    empty = GroupCounts()
    cells = {
        stage: [getattr(counts.get(code, empty), stage) for code in [*level, *NOT_KNOWN_CODES]]
        for stage in STAGES
    }
    totals = totals or GroupCounts(*(sum(cells[stage]) for stage in STAGES))
    if not any(getattr(totals, stage) for stage in STAGES):
        return ()  # no one in the area and period (a published 0 is a true 0): nothing to hide
    return sparse_tables.withheld_stages(
        cells, {stage: getattr(totals, stage) for stage in STAGES}, STAGES, threshold
    )


@dataclass(frozen=True)
class PublishedAssessment:
    """The rows an area's needs assessment publishes, the stages it withholds and whether the
    five high-level groups stand in for the 19."""

    rows: list[Row]
    withheld: tuple[str, ...]
    coarsened: bool


def published_assessment(
    area: AreaPopulation, counted: PeopleCounts, *, threshold: int, roll_up: bool = False
) -> PublishedAssessment:
    """The needs assessment of an area as published (decision 0160): by the 19 groups with
    the stages too sparse to show by group withheld (``[c]`` in every group's row, zeros too,
    the total row kept), or, where the five high-level groups withhold fewer stages, by the
    five in their place (the roll-up's own rows, decision 0158). A roll-up asked for is under
    the same rule at its own level."""
    five = assessment_withheld(
        counted.rolled_up or {}, threshold, totals=counted.total, roll_up=True
    )
    withheld = (
        five if roll_up else assessment_withheld(counted.by_group, threshold, totals=counted.total)
    )
    # A hand-made table without the high-level groups' own cells has no roll-up to show.
    coarsened = (
        not roll_up
        and counted.rolled_up is not None
        and coarsening.five_groups_show_more(withheld, five)
    )
    if coarsened:
        withheld = five
    rows = needs_assessment_table(
        area,
        counted.by_group,
        threshold=threshold,
        totals=counted.total,
        recorded_totals=counted.recorded_total,
        roll_up=roll_up or coarsened,
        rolled_up_counts=counted.rolled_up,
        withheld=withheld,
    )
    return PublishedAssessment(rows, withheld, coarsened)

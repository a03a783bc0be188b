"""The funnel by group and the intersections: plain Python with DuckDB, no Django.

Both count distinct people (``person_key``) over the snapshot's Parquet files, each person in
the groups on their newest event, as the needs assessment does.

* The **funnel** follows one characteristic's groups through the stages referred → contacted
  → assessed → offered → accepted → started → closed: how many people reached each stage in
  the period, and what share of those referred that is (with its Wilson interval), so a reader
  sees where each community drops out.
* The **intersections** cross two or three characteristics (ethnic group by age band, sex,
  disability, religion, sexual orientation, …) with the needs assessment's people statistics:
  referred, offered, accepted, take-up with its Wilson interval and take-up against everyone
  else recorded with its Koopman score interval. Census 2021 publishes no population for most of these
  crossings at area level, so there is no representation ratio here.

Ethnic groups are the 19 ONS groups unless the reader asks for the roll-up to the five
high-level groups (Asian, Black, Mixed, White, Other). There is never a 'BAME' total: no
row, no column and no option adds every group but White together.

Disclosure control follows the needs assessment (``[c]`` for 1 to threshold - 1 and for
everything worked out from it; zero stays 0, except in a cross table where nothing else can
protect a small count). A cross table can be subtracted along every
line, since each line's total is published in the one-way tables, so ``suppress_table``
protects every line, and then checks by linear programming that no hidden cell can be pinned
from the line totals and the visible cells.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bridgeway.disclosure import statistics
from bridgeway.disclosure.statistics import NotComputable
from bridgeway.disclosure.suppression import NOT_APPLICABLE, is_primary, suppress_column
from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, high_level_group, vocabulary
from bridgeway.insight import perturbation, sparse_tables
from bridgeway.insight.figures import (
    CONFIDENTIAL_FIGURE,
    NOT_APPLICABLE_FIGURE,
    NOT_AVAILABLE_FIGURE,
    Figure,
    Row,
)
from bridgeway.insight.needs_assessment import (
    RECORD_KEY_SQL,
    AreaKind,
    connect,
    share_with_interval,
)
from bridgeway.insight.perturbation import EMPTY, KEY_MODULUS, KeyedCount, combine
from bridgeway.insight.pinned_counts import PinnedCounts
from bridgeway.spreadsheet_cells import csv_record

SHARE_PLACES = 4
RATIO_PLACES = 3
TOTAL = "total"
# The snapshot lists a person's disabilities; an empty list cannot tell "none" from "not
# asked", so it is its own group rather than a missing answer.
NO_DISABILITY = "no_disability_recorded"

# The characteristics a reader can choose, and the vocabulary of each.
CHARACTERISTICS: dict[str, str] = {
    "ethnic_group": "ethnic_groups",
    "age_band": "age_bands",
    "sex": "sexes",
    "disability": "disabilities",
    "religion": "religions",
    "sexual_orientation": "sexual_orientations",
}
CHARACTERISTIC_LABELS: dict[str, str] = {
    "ethnic_group": "Ethnic group",
    "age_band": "Age band",
    "sex": "Sex",
    "disability": "Disability",
    "religion": "Religion",
    "sexual_orientation": "Sexual orientation",
}
# Each person holds exactly one group of these, so their groups' counts add up to the total.
ADDITIVE = frozenset(CHARACTERISTICS) - {"disability"}
FUNNEL_STAGES = ("referred", "contacted", "assessed", "offered", "accepted", "started", "closed")
PEOPLE_STAGES = ("referred", "offered", "accepted")

Cell = tuple[str, ...]


class BreakdownError(ValueError):
    """A characteristic or combination of characteristics that cannot be reported."""


# --- groups -------------------------------------------------------------------------------


def check_characteristics(characteristics: Sequence[str], *, most: int = 3) -> list[str]:
    """The characteristics if they can be crossed: known, different, at most ``most``."""
    chosen = list(characteristics)
    unknown = [name for name in chosen if name not in CHARACTERISTICS]
    if unknown:
        raise BreakdownError(
            f"{unknown[0]!r} is not a characteristic; choose from {', '.join(CHARACTERISTICS)}"
        )
    if len(set(chosen)) != len(chosen):
        raise BreakdownError("each characteristic can be chosen only once")
    if not 1 <= len(chosen) <= most:
        raise BreakdownError(f"choose from 1 to {most} characteristics, not {len(chosen)}")
    return chosen


def recorded_groups(characteristic: str, *, roll_up: bool = False) -> list[str]:
    """A characteristic's own groups in vocabulary order (high-level ones when rolled up)."""
    codes = vocabulary(CHARACTERISTICS[characteristic]).ordered_codes()
    if characteristic == "ethnic_group" and roll_up:
        return list(dict.fromkeys(high_level_group(code) for code in codes))
    if characteristic == "disability":
        return [*codes, NO_DISABILITY]
    return codes


def missing_groups(characteristic: str) -> list[str]:
    """The missing-answer groups of a characteristic (none for disability; see NO_DISABILITY)."""
    return [] if characteristic == "disability" else list(NOT_KNOWN_CODES)


def groups(characteristic: str, *, roll_up: bool = False) -> list[str]:
    """Every group of a characteristic: its own, then the missing answers."""
    return [*recorded_groups(characteristic, roll_up=roll_up), *missing_groups(characteristic)]


def group_label(characteristic: str, code: str, *, roll_up: bool = False) -> str:
    """The English label of a group (CSV files are for analysts, so not translated)."""
    if code == TOTAL:
        return "Total"
    if code == NO_DISABILITY:
        return "No disability recorded"
    if code in NOT_KNOWN_CODES:
        return vocabulary("not_known").label(code)
    if characteristic == "ethnic_group" and roll_up:
        for term in vocabulary("ethnic_groups"):
            if term.extra["high_level_code"] == code:
                return term.extra["high_level_label"]
    return vocabulary(CHARACTERISTICS[characteristic]).label(code)


def _group_of(characteristic: str, code: str, roll_up: bool) -> str:
    if characteristic == "ethnic_group" and roll_up and code not in NOT_KNOWN_CODES:
        return high_level_group(code)
    return code


# --- counting -----------------------------------------------------------------------------

# As in needs_assessment._COUNT_SQL: each person in the groups of their newest record (the
# latest day, then the latest part file), and each person counted once per area and stage,
# so an event written again by an overlapping run does not count twice.
_PEOPLE_SQL = """
WITH events AS (
    SELECT person_key, stage, occurred_on, {area_column} AS area, ethnic_group, age_band, sex,
           sexual_orientation, religion, disabilities,
           date_diff('day', DATE '2000-01-01', occurred_on) * 100000
               + list_position($files, filename) AS newness
    FROM read_parquet($files, filename = true)
), people AS (
    SELECT person_key, newest.*
    FROM (
        SELECT person_key,
               arg_max(
                   struct_pack(ethnic_group, age_band, sex, sexual_orientation, religion,
                               disabilities),
                   newness
               ) AS newest
        FROM events GROUP BY person_key
    )
), seen AS (
    SELECT DISTINCT person_key, area, stage FROM events
    WHERE list_contains($areas, area) AND list_contains($stages, stage)
      AND ($date_from IS NULL OR occurred_on >= $date_from)
      AND ($date_to IS NULL OR occurred_on <= $date_to)
), chosen AS (
    SELECT seen.area, seen.person_key, seen.stage, people.ethnic_group, people.age_band,
           people.sex, people.sexual_orientation, people.religion,
           CASE WHEN len(people.disabilities) = 0 THEN ['{no_disability}']
                ELSE people.disabilities END AS disability_list
    FROM seen JOIN people USING (person_key)
)
"""


@dataclass(frozen=True)
class Counts:
    """Distinct people per cell and stage in one area, and the people behind the totals."""

    cells: dict[Cell, dict[str, int]]
    # Distinct people per stage, and those among them whose every chosen answer is recorded.
    total: dict[str, int]
    recorded_total: dict[str, int]

    def get(self, cell: Cell, stage: str) -> int:
        return self.cells.get(cell, {}).get(stage, 0)


def count_cells(
    files: Sequence[Path],
    *,
    area_codes: Sequence[str],
    area_kind: AreaKind,
    characteristics: Sequence[str],
    stages: Sequence[str],
    date_from: dt.date | None,
    date_to: dt.date | None,
    roll_up: bool = False,
    perturb: bool = True,
) -> dict[str, Counts]:
    """Distinct people per area, cell (one group of each characteristic) and stage.

    Every area asked for has an entry (empty when no one is in it). Every cell, each total
    and each recorded total is perturbed on its own by the cell key method (decision 0072)
    unless ``perturb`` is false (tests of the counting; nothing published uses raw counts).
    """
    chosen = check_characteristics(characteristics)
    result = {code: Counts(cells={}, total={}, recorded_total={}) for code in area_codes}
    if not files or not area_codes:
        return result
    area_column = "pfa_code" if area_kind == "pfa" else "lad_code"
    # Column names come from CHARACTERISTICS (checked above) and two constants; every value
    # travels as a parameter.
    base = _PEOPLE_SQL.format(area_column=area_column, no_disability=NO_DISABILITY)
    columns = [
        "unnest(disability_list) AS disability" if name == "disability" else name for name in chosen
    ]
    names = ", ".join(chosen)
    recorded = " AND ".join(
        f"{name} NOT IN ('not_asked', 'prefer_not_to_say', 'not_recorded')"
        for name in chosen
        if name != "disability"
    )
    parameters = {
        "files": [str(path) for path in files],
        "areas": list(area_codes),
        "stages": list(stages),
        "date_from": date_from,
        "date_to": date_to,
    }
    cells_sql = (
        f", crossed AS (SELECT area, person_key, stage, {', '.join(columns)} FROM chosen) "  # noqa: S608
        f"SELECT area, stage, {names}, count(DISTINCT person_key), "
        f"sum({RECORD_KEY_SQL}) % {KEY_MODULUS} "
        "FROM crossed GROUP BY ALL"
    )
    totals_sql = (
        "SELECT area, stage, count(DISTINCT person_key), "  # noqa: S608
        f"sum({RECORD_KEY_SQL}) % {KEY_MODULUS}, "
        f"count(DISTINCT person_key) FILTER (WHERE {recorded or 'true'}), "
        f"coalesce(sum({RECORD_KEY_SQL}) FILTER (WHERE {recorded or 'true'}), 0) % {KEY_MODULUS} "
        "FROM chosen GROUP BY area, stage"
    )
    with connect() as connection:
        cells = connection.execute(base + cells_sql, parameters).fetchall()
        totals = connection.execute(base + totals_sql, parameters).fetchall()

    def publish(cell: KeyedCount) -> int:
        return perturbation.perturb(cell) if perturb else cell.count

    raw: dict[tuple[str, Cell, str], KeyedCount] = {}
    for area, stage, *values in cells:
        key = tuple(
            _group_of(name, code, roll_up) for name, code in zip(chosen, values[:-2], strict=True)
        )
        # Rolled-up groups are the union of their parts: each person has one ethnic group,
        # so no one is counted twice, and the union's cell key is the sum of the parts'.
        before = raw.get((area, key, stage), EMPTY)
        raw[(area, key, stage)] = combine([before, KeyedCount(int(values[-2]), int(values[-1]))])
    for (area, key, stage), cell in raw.items():
        result[area].cells.setdefault(key, {})[stage] = publish(cell)
    for area, stage, everyone, everyone_key, all_recorded, recorded_key in totals:
        result[area].total[stage] = publish(KeyedCount(int(everyone), int(everyone_key)))
        result[area].recorded_total[stage] = publish(
            KeyedCount(int(all_recorded), int(recorded_key))
        )
    return result


# --- disclosure control for cross tables --------------------------------------------------


def _exposed(values: Sequence[int]) -> bool:
    # One hidden cell in a line with a known total is the total minus the rest; k hidden
    # cells adding up to k are all 1.
    return len(values) == 1 or (len(values) > 1 and sum(values) == len(values))


def _lines(shape: Sequence[Sequence[str]]) -> list[tuple[int, list[Cell]]]:
    """Every line of the table: the cells that vary along one axis with the others fixed."""
    lines = []
    for axis in range(len(shape)):
        others = [groups_ for index, groups_ in enumerate(shape) if index != axis]
        for fixed in itertools.product(*others):
            line = []
            for code in shape[axis]:
                cell = list(fixed)
                cell.insert(axis, code)
                line.append(tuple(cell))
            lines.append((axis, line))
    return lines


def _margin_hidden(
    values: Mapping[Cell, int],
    shape: Sequence[Sequence[str]],
    axis: int,
    threshold: int,
    additive: Sequence[bool],
) -> set[Cell]:
    """Which totals of the lines along ``axis`` are hidden where they are published.

    They are the cells of the table without that axis: the one-way table (suppressed by
    ``suppress_column``, missing answers as their own block) or the smaller cross table.
    """
    rest = [groups_ for index, groups_ in enumerate(shape) if index != axis]
    sums: dict[Cell, int] = {}
    for cell in itertools.product(*shape):
        key = cell[:axis] + cell[axis + 1 :]
        sums[key] = sums.get(key, 0) + values.get(cell, 0)
    if len(rest) == 1:
        own = [code for code in rest[0] if code not in NOT_KNOWN_CODES]
        missing = [code for code in rest[0] if code in NOT_KNOWN_CODES]
        column = suppress_column(
            [sums[(code,)] for code in own], [sums[(code,)] for code in missing], threshold
        )
        flags = [*column.recorded_hidden, *column.not_known_hidden]
        return {(code,) for code, flag in zip([*own, *missing], flags, strict=True) if flag}
    other_flags = [flag for index, flag in enumerate(additive) if index != axis]
    return suppress_table(sums, rest, threshold, additive=other_flags)


def suppress_table(
    values: Mapping[Cell, int],
    shape: Sequence[Sequence[str]],
    threshold: int,
    *,
    additive: Sequence[bool] | None = None,
) -> set[Cell]:
    """The cells of a cross table to hide: small counts, and enough others to protect them.

    ``shape`` lists each axis's groups (missing answers by their ``NOT_KNOWN_CODES``).
    ``additive`` says for each axis whether the lines along it add up to a published total
    (a person in two disability groups is in two cells of a line along disability, so those
    lines have none). A small count is protected when no known total, with the visible cells,
    pins it to one value.
    """
    if threshold < 1:
        raise ValueError("the suppression threshold must be at least 1")
    if any(value < 0 for value in values.values()):
        raise ValueError("counts cannot be negative")
    flags = list(additive) if additive is not None else [True] * len(shape)
    lines = _lines(shape)
    every_cell = [cell for axis, line in lines if axis == 0 for cell in line]
    hidden = {cell for cell in every_cell if is_primary(values.get(cell, 0), threshold)}
    # The reader knows a line's total when it is published: in the one-way table, or in the
    # cross table of the other characteristics, unless suppressed there. Lines along an axis
    # whose groups overlap (disability) add up to no published total.
    margins = {
        axis: _margin_hidden(values, shape, axis, threshold, flags)
        for axis in range(len(shape))
        if flags[axis]
    }
    known = [
        line
        for axis, line in lines
        if flags[axis] and line[0][:axis] + line[0][axis + 1 :] not in margins[axis]
    ]
    if not is_primary(sum(values.get(cell, 0) for cell in every_cell), threshold):
        known.append(every_cell)
    pinned = PinnedCounts(values, known, threshold)
    while _protect_lines(values, hidden, known) or _protect_pinned(values, hidden, pinned):
        pass
    return hidden


def _hide_next(values: Mapping[Cell, int], hidden: set[Cell], line: Iterable[Cell]) -> bool:
    """Hide the smallest visible non-zero count of ``line``; whether there was one."""
    candidates = sorted(
        (cell for cell in line if values.get(cell, 0) > 0 and cell not in hidden),
        key=lambda cell: (values.get(cell, 0), cell),
    )
    if candidates:
        hidden.add(candidates[0])
        return True
    return False


def _protect_lines(
    values: Mapping[Cell, int], hidden: set[Cell], lines: Sequence[Sequence[Cell]]
) -> bool:
    """One pass giving every exposed line another hidden cell; whether anything changed."""
    changed = False
    for line in lines:
        if _exposed([values.get(cell, 0) for cell in line if cell in hidden]):
            changed = _hide_next(values, hidden, line) or changed
    return changed


def _protect_pinned(values: Mapping[Cell, int], hidden: set[Cell], pinned: PinnedCounts) -> bool:
    """Hide one more cell so that the first small count the totals give away is safe.

    Every line may have two or more hidden cells and a count still be fixed: by one hidden
    cell joining two otherwise separate groups of them, or because the rest of a line is
    zeros, so its total gives its hidden cell away. First choice is another count beside the
    pinned one; when there is none, a zero in a line with hidden cells is hidden too (shown
    as [c], as statistical releases do when nothing else protects a small count), choosing
    one that frees the count when one does.
    """
    cell = pinned.first(hidden)
    if cell is None:
        return False
    lines = pinned.lines
    for line in lines:
        if cell in line and _hide_next(values, hidden, line):
            return True
    zeros = sorted(
        {
            other
            for line in lines
            if hidden.intersection(line)
            for other in line
            if other not in hidden and values.get(other, 0) == 0
        }
    )
    # Hiding more only widens what the count could be: when every zero hidden at once
    # leaves it pinned, no one of them frees it; nor does one outside its lines.
    if zeros and not pinned.would_pin(cell, hidden | set(zeros)):
        beside = pinned.beside(cell, hidden)
        zero = pinned.first_to_free(cell, hidden, [zero for zero in zeros if zero in beside])
        if zero is not None:
            hidden.add(zero)
            return True
    if zeros:
        hidden.add(zeros[0])
        return True
    return False


# --- tables -------------------------------------------------------------------------------


def _rate(numerator: int, denominator: int, hidden: bool) -> tuple[Figure, Figure, Figure]:
    # More people at a later stage than were referred in the period (they were referred
    # before it began) gives [x]: no share can be stated.
    return share_with_interval(numerator, denominator, hidden=hidden)


def _ratio(
    accepted: int, offered: int, others_accepted: int, others_offered: int, hidden: bool
) -> tuple[Figure, Figure, Figure]:
    if hidden:
        return CONFIDENTIAL_FIGURE, CONFIDENTIAL_FIGURE, CONFIDENTIAL_FIGURE
    if offered == 0 or others_offered <= 0 or others_accepted <= 0:
        return NOT_APPLICABLE_FIGURE, NOT_APPLICABLE_FIGURE, NOT_APPLICABLE_FIGURE
    try:
        estimate = statistics.take_up_ratio(
            accepted,
            offered,
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


def funnel_header() -> tuple[str, ...]:
    """The funnel CSV's columns."""
    rates = [
        f"{stage}{suffix}" for stage in FUNNEL_STAGES[1:] for suffix in ("_rate", "_low", "_high")
    ]
    return (
        "area_code",
        "area_name",
        "characteristic",
        "group",
        "group_label",
        *FUNNEL_STAGES,
        *rates,
    )


def funnel_withheld(
    counts: Counts, characteristic: str, threshold: int, *, roll_up: bool = False
) -> tuple[str, ...]:
    """The stages of a funnel too sparse to publish by group (decision 0155)."""
    codes = [*recorded_groups(characteristic, roll_up=roll_up), *missing_groups(characteristic)]
    cells = {stage: [counts.get((code,), stage) for code in codes] for stage in FUNNEL_STAGES}
    return sparse_tables.withheld_stages(
        cells, counts.total, FUNNEL_STAGES, threshold, partition=characteristic in ADDITIVE
    )


def funnel_table(
    *,
    area_code: str,
    area_name: str,
    characteristic: str,
    counts: Counts,
    threshold: int,
    roll_up: bool = False,
) -> list[Row]:
    """One row per group and a total: people reaching each stage, and their share of referred."""
    own = recorded_groups(characteristic, roll_up=roll_up)
    missing = missing_groups(characteristic)
    # A funnel too sparse to publish (decision 0155) shows only its totals in those stages.
    withheld = funnel_withheld(counts, characteristic, threshold, roll_up=roll_up)
    hidden: dict[str, dict[str, bool]] = {}
    for stage in FUNNEL_STAGES:
        column = suppress_column(
            [counts.get((g,), stage) for g in own],
            [counts.get((g,), stage) for g in missing],
            threshold,
        )
        flags = {
            g: h or stage in withheld for g, h in zip(own, column.recorded_hidden, strict=True)
        }
        flags.update(
            (g, h or stage in withheld)
            for g, h in zip(missing, column.not_known_hidden, strict=True)
        )
        # Disability's groups overlap, so its total is not their sum and is checked alone.
        flags[TOTAL] = column.total_hidden or is_primary(counts.total.get(stage, 0), threshold)
        hidden[stage] = flags
    rows: list[Row] = []
    for group in [*own, *missing, TOTAL]:
        row = Row(
            {
                "area_code": area_code,
                "area_name": area_name,
                "characteristic": characteristic,
                "group": group,
                "group_label": group_label(characteristic, group, roll_up=roll_up),
            }
        )
        people = {
            stage: counts.total.get(stage, 0) if group == TOTAL else counts.get((group,), stage)
            for stage in FUNNEL_STAGES
        }
        for stage in FUNNEL_STAGES:
            row[stage] = Figure.count(people[stage], hidden=hidden[stage][group])
            if stage in withheld and group != TOTAL:
                row[stage] = CONFIDENTIAL_FIGURE  # zeros too: the column is withheld
        for stage in FUNNEL_STAGES[1:]:
            rate = _rate(
                people[stage],
                people["referred"],
                hidden[stage][group] or hidden["referred"][group],
            )
            row[f"{stage}_rate"], row[f"{stage}_low"], row[f"{stage}_high"] = rate
        rows.append(row)
    return rows


def intersections_header(how_many: int = 3) -> tuple[str, ...]:
    """The intersections CSV's columns (always three group columns; unused ones are [z])."""
    group_columns = [
        name for n in range(1, how_many + 1) for name in (f"group_{n}", f"group_{n}_label")
    ]
    return (
        "area_code",
        "area_name",
        "characteristics",
        *group_columns,
        "referred",
        "offered",
        "accepted",
        "take_up_rate",
        "take_up_low",
        "take_up_high",
        "take_up_ratio",
        "take_up_ratio_low",
        "take_up_ratio_high",
    )


def withheld_stages(
    counts: Counts, characteristics: Sequence[str], threshold: int, *, roll_up: bool = False
) -> tuple[str, ...]:
    """The stages of a cross table too sparse to publish (``sparse_tables``, decision 0155)."""
    shape = [groups(name, roll_up=roll_up) for name in check_characteristics(characteristics)]
    cells = {
        stage: [counts.get(cell, stage) for cell in itertools.product(*shape)]
        for stage in PEOPLE_STAGES
    }
    additive = all(name in ADDITIVE for name in characteristics)
    return sparse_tables.withheld_stages(
        cells, counts.total, PEOPLE_STAGES, threshold, partition=additive
    )


def intersections_table(
    *,
    area_code: str,
    area_name: str,
    characteristics: Sequence[str],
    counts: Counts,
    threshold: int,
    roll_up: bool = False,
) -> list[Row]:
    """One row per combination of groups (recorded groups first), with disclosure control.

    The take-up ratio compares a cell with every other person whose chosen characteristics
    are all recorded. A stage too sparse to publish (``withheld_stages``) is ``[c]`` in
    every row, with the take-up figures when offered or accepted is.
    """
    chosen = check_characteristics(characteristics)
    if len(chosen) < 2:
        raise BreakdownError("an intersection needs two or three characteristics")
    withheld = withheld_stages(counts, chosen, threshold, roll_up=roll_up)
    shape = [groups(name, roll_up=roll_up) for name in chosen]
    additive = [name in ADDITIVE for name in chosen]
    # A withheld stage is [c] in every row whatever is hidden: no need to work it out.
    hidden = {
        stage: suppress_table(
            {cell: counts.get(cell, stage) for cell in itertools.product(*shape)},
            shape,
            threshold,
            additive=additive,
        )
        for stage in PEOPLE_STAGES
        if stage not in withheld
    }
    missing = set(NOT_KNOWN_CODES)
    rows: list[Row] = []
    for cell in itertools.product(*shape):
        row = Row(
            {
                "area_code": area_code,
                "area_name": area_name,
                "characteristics": " x ".join(chosen),
            }
        )
        for n in range(3):
            if n < len(chosen):
                row[f"group_{n + 1}"] = cell[n]
                row[f"group_{n + 1}_label"] = group_label(chosen[n], cell[n], roll_up=roll_up)
            else:
                row[f"group_{n + 1}"] = row[f"group_{n + 1}_label"] = NOT_APPLICABLE
        people = {stage: counts.get(cell, stage) for stage in PEOPLE_STAGES}
        is_hidden = {stage: stage in withheld or cell in hidden[stage] for stage in PEOPLE_STAGES}
        for stage in PEOPLE_STAGES:
            # Unlike the one-way tables, a zero may be hidden here (see _protect_pinned).
            row[stage] = CONFIDENTIAL_FIGURE if is_hidden[stage] else Figure(people[stage])
        take_up_hidden = is_hidden["accepted"] or is_hidden["offered"]
        row["take_up_rate"], row["take_up_low"], row["take_up_high"] = _rate(
            people["accepted"], people["offered"], take_up_hidden
        )
        recorded = not missing.intersection(cell)
        others_accepted = counts.recorded_total.get("accepted", 0) - (
            people["accepted"] if recorded else 0
        )
        others_offered = counts.recorded_total.get("offered", 0) - (
            people["offered"] if recorded else 0
        )
        # The comparison group's counts are sums a reader cannot see, but a ratio beside a
        # hidden count would let them back out the hidden one: hide it with the count.
        row["take_up_ratio"], row["take_up_ratio_low"], row["take_up_ratio_high"] = _ratio(
            people["accepted"], people["offered"], others_accepted, others_offered, take_up_hidden
        )
        rows.append(row)
    return rows


def write_rows(rows: Sequence[Row], header: Sequence[str], handle: IO[str]) -> None:
    """Write rows as CSV under ``header``."""
    writer = csv.DictWriter(handle, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_record(row) for row in rows)

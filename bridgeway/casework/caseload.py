"""Figures for an organisation's caseload page: waiting times and reach. Plain Python.

Percentiles interpolate linearly between the ordered values (Hyndman and Fan's type 7, the
default of numpy, R and ``statistics.quantiles(method="inclusive")``), so a manager's median
and 90th percentile are the same figures a spreadsheet or an analyst would get.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bridgeway.disclosure.statistics import NotComputable, representation
from bridgeway.disclosure.suppression import suppress_column


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0 to 100) of ``values``; ``None`` when there are none."""
    if not 0 <= q <= 100:
        raise ValueError(f"a percentile is between 0 and 100, not {q}")
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    fraction = position - below
    return ordered[below] + (ordered[above] - ordered[below]) * fraction


@dataclass(frozen=True)
class Waiting:
    """How long people waited for first contact, in days: median, 90th percentile, count."""

    median: float | None
    p90: float | None
    count: int


def waiting(days: Sequence[float]) -> Waiting:
    """The median and 90th percentile of the waits given (days, fractions allowed)."""
    return Waiting(median=percentile(days, 50), p90=percentile(days, 90), count=len(days))


@dataclass(frozen=True)
class ReachRow:
    """One ethnic group on the caseload page: people reached against the area's residents.

    ``people`` is ``None`` when the count is hidden (suppressed); the shares and the ratio are
    then ``None`` too, since each would give the count away. ``ratio`` is ``None`` also when
    the area has no residents of the group (nothing to compare with) or nobody's group was
    recorded. The ratio is insight's representation: the group's share of the people whose
    group was recorded over its share of the area's residents, with the Wilson interval.
    """

    group: str
    people: int | None
    share: float | None
    population_share: float | None
    ratio: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Reach:
    """Who an organisation reaches, by ethnic group, with the missing answers and the total."""

    groups: list[ReachRow]
    not_known: list[ReachRow]
    total: int | None


def reach_by_group(
    people: dict[str, int],
    population: dict[str, int],
    *,
    groups: Sequence[str],
    not_known: Sequence[str],
    threshold: int,
) -> Reach:
    """People reached in each group against the area's population, as insight publishes it.

    ``people`` counts distinct people by ethnic group code (recorded groups and the missing
    answers alike); ``population`` the area's census residents by group. Small counts are
    hidden with insight's primary and secondary suppression at ``threshold``.
    """
    recorded_counts = [people.get(code, 0) for code in groups]
    missing_counts = [people.get(code, 0) for code in not_known]
    hidden = suppress_column(recorded_counts, missing_counts, threshold)
    recorded_total = sum(recorded_counts)
    residents = sum(population.get(code, 0) for code in groups)
    rows = []
    for code, count, is_hidden in zip(groups, recorded_counts, hidden.recorded_hidden, strict=True):
        rows.append(_reach_row(code, count, is_hidden, recorded_total, population, residents))
    missing_rows = [
        ReachRow(
            group=code,
            people=None if is_hidden and count else count,
            share=None,
            population_share=None,
            ratio=None,
            low=None,
            high=None,
        )
        for code, count, is_hidden in zip(
            not_known, missing_counts, hidden.not_known_hidden, strict=True
        )
    ]
    total = recorded_total + sum(missing_counts)
    return Reach(
        groups=rows,
        not_known=missing_rows,
        total=None if hidden.total_hidden and total else total,
    )


def _reach_row(
    code: str,
    count: int,
    is_hidden: bool,
    recorded_total: int,
    population: dict[str, int],
    residents: int,
) -> ReachRow:
    population_share = population.get(code, 0) / residents if residents else None
    if is_hidden and count:
        return ReachRow(code, None, None, population_share, None, None, None)
    share = count / recorded_total if recorded_total else None
    ratio = low = high = None
    if recorded_total and population_share:
        try:
            estimate = representation(count, recorded_total, population_share)
        except NotComputable:
            estimate = None
        if estimate is not None:
            ratio = estimate.value
            if estimate.interval is not None:
                low, high = estimate.interval.low, estimate.interval.high
    return ReachRow(code, count, share, population_share, ratio, low, high)

"""Pure arithmetic of review and decision figures (no Django): weighted totals, spreads, days.

Kept apart so the rules commissioners and applicants see can be tested exactly.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


def weighted_percent(
    scores: Mapping[int, int], weights: Mapping[int, int], score_max: int
) -> float:
    """One reviewer's scores as a weighted percentage of the best possible (0 to 100).

    ``scores`` and ``weights`` are keyed by criterion; every weighted criterion must be scored.
    """
    total_weight = sum(weights.values())
    if total_weight <= 0 or score_max <= 0:
        raise ValueError("weights and the scale must be positive")
    missing = set(weights) - set(scores)
    if missing:
        raise ValueError(f"criteria not scored: {sorted(missing)}")
    earned = sum(scores[criterion] * weight for criterion, weight in weights.items())
    return 100.0 * earned / (total_weight * score_max)


def weighted_share(earned: float, total_weight: int, score_max: int) -> float:
    """A weighted sum, sum(score x weight), as a percentage of the best possible.

    The same figure as ``weighted_percent`` when the database has done the summing; given the
    mean of several reviewers' sums, the mean of their percentages.
    """
    if total_weight <= 0 or score_max <= 0:
        raise ValueError("weights and the scale must be positive")
    return 100.0 * earned / (total_weight * score_max)


def wide_spread_at(score_max: int) -> int:
    """The difference between highest and lowest score from which a spread is wide."""
    return math.ceil(score_max / 2)


def spread_is_wide(scores: Iterable[int], score_max: int) -> bool:
    """Whether reviewers disagree widely: the highest and lowest differ by half the scale or more.

    On a 0 to 5 scale a 2 and a 5 are wide (3 apart); a 3 and a 5 are not.
    """
    given = list(scores)
    if len(given) < 2:
        return False
    return max(given) - min(given) >= wide_spread_at(score_max)


@dataclass(frozen=True)
class DaysFigure:
    """How many days something took, over several applications: the median and the longest."""

    count: int
    median: float | None
    longest: int | None


def days_figure(days: Iterable[int]) -> DaysFigure:
    """The median and longest of ``days`` (None for both when there are none)."""
    values = list(days)
    if not values:
        return DaysFigure(count=0, median=None, longest=None)
    return DaysFigure(
        count=len(values), median=float(statistics.median(values)), longest=max(values)
    )


def days_between(start: dt.date, end: dt.date, *, paused: int = 0) -> int:
    """Whole days from ``start`` to ``end``, less days the clock was stopped (never below 0)."""
    return max(0, (end - start).days - paused)


def paused_days(
    start: dt.date, end: dt.date, pauses: Iterable[tuple[dt.date, dt.date | None]]
) -> int:
    """Days between ``start`` and ``end`` on which the clock was stopped.

    Each pause runs from the day a question was asked to the day it was answered (``None``:
    still open, so until ``end``). Overlapping pauses count once; only the part inside
    ``start`` to ``end`` counts.
    """
    spans = sorted((max(asked, start), min(answered or end, end)) for asked, answered in pauses)
    total = 0
    reached = start
    for begin, finish in spans:
        begin = max(begin, reached)
        if finish > begin:
            total += (finish - begin).days
            reached = finish
    return total

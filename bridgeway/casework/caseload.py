"""Figures for an organisation's caseload page: waiting-time percentiles. Plain Python.

Percentiles interpolate linearly between the ordered values (Hyndman and Fan's type 7, the
default of numpy, R and ``statistics.quantiles(method="inclusive")``), so a manager's median
and 90th percentile are the same figures a spreadsheet or an analyst would get.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


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

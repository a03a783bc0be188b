"""Confidence intervals and ratios for insight's tables: plain arithmetic, no Django.

Every rate Bridgeway publishes has a 95% interval. Proportions use the Wilson score interval
(it behaves at 0, 1 and small counts, where the textbook Wald interval collapses or leaves
[0, 1]); ratios of two proportions use the Katz log interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The 97.5th percentile of the standard normal distribution: a two-sided 95% interval.
Z_95 = 1.959963984540054


class NotComputable(ValueError):
    """The statistic has no value for these counts (a zero denominator, a zero count for Katz)."""


@dataclass(frozen=True)
class Interval:
    """A lower and an upper bound."""

    low: float
    high: float


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its 95% interval (``None`` when the interval cannot be computed)."""

    value: float
    interval: Interval | None


def _check_counts(successes: int, trials: int) -> None:
    if trials < 0 or successes < 0:
        raise NotComputable("counts cannot be negative")
    if successes > trials:
        raise NotComputable(f"{successes} successes out of only {trials} trials")


def proportion(successes: int, trials: int) -> float:
    """``successes / trials``; ``NotComputable`` when there are no trials."""
    _check_counts(successes, trials)
    if trials == 0:
        raise NotComputable("no trials")
    return successes / trials


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> Interval:
    """The Wilson score interval for ``successes`` out of ``trials``.

    Matches ``statsmodels.stats.proportion.proportion_confint(method="wilson")``.
    """
    _check_counts(successes, trials)
    if trials == 0:
        raise NotComputable("no trials")
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half_width = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    # At p = 0 or 1 the end is exactly 0 or 1; rounding would leave it a hair away.
    low = 0.0 if successes == 0 else max(0.0, centre - half_width)
    high = 1.0 if successes == trials else min(1.0, centre + half_width)
    return Interval(low=low, high=high)


def risk_ratio(a: int, n1: int, c: int, n2: int) -> float:
    """The ratio of two proportions, ``(a / n1) / (c / n2)``."""
    first = proportion(a, n1)
    second = proportion(c, n2)
    if second == 0:
        raise NotComputable("the comparison proportion is zero")
    return first / second


def katz_log_ratio_interval(a: int, n1: int, c: int, n2: int, z: float = Z_95) -> Interval:
    """The Katz log interval for the ratio of ``a / n1`` to ``c / n2``.

    ``exp(ln(RR) ± z * sqrt(1/a - 1/n1 + 1/c - 1/n2))``; undefined when ``a`` or ``c`` is
    zero (the log of the ratio is infinite), which raises ``NotComputable``.
    """
    ratio = risk_ratio(a, n1, c, n2)
    if a == 0 or c == 0:
        raise NotComputable("the Katz interval needs both counts above zero")
    standard_error = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    log_ratio = math.log(ratio)
    return Interval(
        low=math.exp(log_ratio - z * standard_error),
        high=math.exp(log_ratio + z * standard_error),
    )


def representation(
    referred: int, referred_recorded_total: int, population_share: float, z: float = Z_95
) -> Estimate:
    """How a group's share of referrals compares with its share of the population.

    1 means the group is referred in proportion to its size; below 1, under-represented.
    The interval is the Wilson interval of the referral share, each end divided by the
    population share (which is a census count, treated as known exactly).
    """
    if population_share <= 0:
        raise NotComputable("the group has no residents in the area")
    share = proportion(referred, referred_recorded_total)
    interval = wilson_interval(referred, referred_recorded_total, z)
    return Estimate(
        value=share / population_share,
        interval=Interval(interval.low / population_share, interval.high / population_share),
    )


def take_up(accepted: int, offered: int, z: float = Z_95) -> Estimate:
    """The share of people offered support who accepted it, with its Wilson interval."""
    return Estimate(
        value=proportion(accepted, offered), interval=wilson_interval(accepted, offered, z)
    )


def take_up_ratio(
    accepted: int, offered: int, others_accepted: int, others_offered: int, z: float = Z_95
) -> Estimate:
    """A group's take-up rate over everyone else's, with the Katz interval when it exists."""
    value = risk_ratio(accepted, offered, others_accepted, others_offered)
    try:
        interval: Interval | None = katz_log_ratio_interval(
            accepted, offered, others_accepted, others_offered, z
        )
    except NotComputable:
        interval = None
    return Estimate(value=value, interval=interval)

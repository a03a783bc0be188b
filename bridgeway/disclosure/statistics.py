"""Confidence intervals and ratios for insight's tables: plain arithmetic, no Django.

Every rate Bridgeway publishes has a 95% interval. Proportions use the Wilson score interval
(it behaves at 0, 1 and small counts, where the textbook Wald interval collapses or leaves
[0, 1]); ratios of two proportions use the Koopman asymptotic score interval, which
Fagerland, Lydersen and Laake (2015, "Recommended confidence intervals for two independent
binomial proportions", Statistical Methods in Medical Research 24(2)) recommend for the ratio:
unlike the Katz log interval it stays honest when a group's rate is 0 % or 100 % (Katz has no
interval at 0 %, and at 100 % its width no longer depends on the group's own size, so five
people look as certain as five hundred).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.optimize import brentq  # type: ignore[import-untyped]

# The 97.5th percentile of the standard normal distribution: a two-sided 95% interval.
Z_95 = 1.959963984540054


class NotComputable(ValueError):
    """The statistic has no value for these counts (a zero denominator, an infinite ratio)."""


# The bounds are searched for within e^±60 of the estimate, on the log scale, far wider than
# any ratio counts of people can give.
_LOG_RATIO_SPAN = 60.0


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


def _koopman_statistic(a: int, n1: int, c: int, n2: int, ratio: float) -> float:
    """Pearson's chi-squared for ``p1 = ratio * p2``, at the constrained maximum likelihood.

    The constrained estimate of ``p2`` is the smaller root of Miettinen and Nurminen's
    quadratic ``N*ratio*p^2 - (n1*ratio + a + n2 + c*ratio)*p + (a + c) = 0``.
    """
    total = n1 + n2
    b = n1 * ratio + a + n2 + c * ratio
    discriminant = max(0.0, b * b - 4 * total * ratio * (a + c))
    # The smaller root written as 2C / (b + sqrt(disc)), which loses no digits to cancellation
    # when the ratio is tiny or huge.
    second = 2 * (a + c) / (b + math.sqrt(discriminant))
    first = ratio * second
    statistic = 0.0
    for observed, trials, expected in ((a, n1, first), (c, n2, second)):
        variance = trials * expected * (1 - expected)
        difference = observed - trials * expected
        if variance <= 0:
            # The estimate sits at 0 or 1, where it fits only counts that are all or nothing.
            if abs(difference) > 1e-9 * trials:
                return math.inf
            continue
        statistic += difference * difference / variance
    return statistic


def _score_bound(
    a: int, n1: int, c: int, n2: int, z2: float, inside: float, outside: float
) -> float:
    """The ratio between ``inside`` (score below ``z2``) and ``outside`` where it reaches it."""

    def excess(log_ratio: float) -> float:
        # An infinite score (a ratio no count fits) is capped so the root finder sees a sign.
        return min(_koopman_statistic(a, n1, c, n2, math.exp(log_ratio)), 1e12) - z2

    if excess(math.log(outside)) <= 0:
        return outside
    return math.exp(brentq(excess, math.log(inside), math.log(outside), xtol=1e-12))


def koopman_ratio_interval(a: int, n1: int, c: int, n2: int, z: float = Z_95) -> Interval:
    """The Koopman asymptotic score interval for the ratio of ``a / n1`` to ``c / n2``.

    Every ratio the score test at level ``z`` does not reject (Koopman 1984), found by
    Brent's method: the bounds are where statsmodels' ``score_test_proportions_2indep(...,
    compare="ratio", correction=False)`` gives p = 0.05. (statsmodels' closed-form
    ``confint_proportions_2indep(method="score")`` agrees except at a rate of 100 %, where it
    takes the wrong root of Nam's cubic.) At ``a = 0`` the interval starts at 0; at ``c = 0``
    the ratio itself is infinite, which raises ``NotComputable``.
    """
    ratio = risk_ratio(a, n1, c, n2)
    z2 = z * z
    # The score is 0 at the estimate; where the estimate is 0, start just inside the span.
    centre = ratio if a > 0 else math.exp(-_LOG_RATIO_SPAN / 2)
    low = (
        0.0
        if a == 0
        else _score_bound(a, n1, c, n2, z2, centre, centre * math.exp(-_LOG_RATIO_SPAN))
    )
    high = _score_bound(a, n1, c, n2, z2, centre, centre * math.exp(_LOG_RATIO_SPAN))
    return Interval(low=low, high=high)


def representation(
    referred: int,
    referred_recorded_total: int,
    population_share: float,
    z: float = Z_95,
    *,
    spread: int = 0,
) -> Estimate:
    """How a group's share of referrals compares with its share of the population.

    1 means the group is referred in proportion to its size; below 1, under-represented.
    The interval is the Wilson interval of the referral share (widened to every true count
    within ``spread`` of the published ones), each end divided by the population share (a
    census count, treated as known exactly).
    """
    if population_share <= 0:
        raise NotComputable("the group has no residents in the area")
    share = proportion(referred, referred_recorded_total)
    interval = wilson_interval_within(referred, referred_recorded_total, spread, z)
    return Estimate(
        value=share / population_share,
        interval=Interval(interval.low / population_share, interval.high / population_share),
    )


def take_up(accepted: int, offered: int, z: float = Z_95, *, spread: int = 0) -> Estimate:
    """The share of people offered support who accepted it, with its Wilson interval
    (widened to every true count within ``spread`` of the published ones)."""
    return Estimate(
        value=proportion(accepted, offered),
        interval=wilson_interval_within(accepted, offered, spread, z),
    )


def take_up_ratio(
    accepted: int,
    offered: int,
    others_accepted: int,
    others_offered: int,
    z: float = Z_95,
    *,
    spread: int = 0,
) -> Estimate:
    """A group's take-up rate over everyone else's, with its Koopman score interval.

    With ``spread``, the counts are published ones each moved by up to ``spread``; the
    others' counts are a published total less the group's, so they may be out by twice that.
    """
    value = risk_ratio(accepted, offered, others_accepted, others_offered)
    if spread <= 0:
        interval: Interval | None = koopman_ratio_interval(
            accepted, offered, others_accepted, others_offered, z
        )
    else:
        interval = koopman_ratio_interval_within(
            accepted, offered, others_accepted, others_offered, spread, 2 * spread, z
        )
    return Estimate(value=value, interval=interval)


# --- intervals for perturbed counts (decision 0073) -------------------------------------------


def possible_counts(published: int, spread: int, *, at_least_one: bool = True) -> range:
    """The true counts a published count may stand for, when each was moved by up to
    ``spread``: a 0 stands only for 0, and (``at_least_one``) a count of people never became
    0. A difference of two published counts (``at_least_one=False``) may stand for 0."""
    if spread <= 0:
        return range(published, published + 1)
    if published <= 0 and at_least_one:
        return range(0, 1)
    least = 1 if at_least_one else 0
    return range(max(least, published - spread), max(least, published + spread) + 1)


def wilson_interval_within(successes: int, trials: int, spread: int, z: float = Z_95) -> Interval:
    """The Wilson interval widened to every pair of true counts the published ones allow.

    The union of the Wilson intervals over every ``successes`` and ``trials`` within
    ``spread`` of the published ones (at most 7 x 7 pairs for a spread of 3), so it covers
    the true proportion at 95 % whatever the perturbation was. With ``spread`` 0 it is the
    Wilson interval.
    """
    _check_counts(max(0, successes), max(0, trials))
    lows, highs = [], []
    for trial_count in possible_counts(trials, spread):
        for success_count in possible_counts(successes, spread):
            if trial_count == 0 or success_count > trial_count:
                continue
            interval = wilson_interval(success_count, trial_count, z)
            lows.append(interval.low)
            highs.append(interval.high)
    if not lows:
        raise NotComputable("no true counts fit the published ones")
    return Interval(low=min(lows), high=max(highs))


def koopman_ratio_interval_within(
    a: int, n1: int, c: int, n2: int, spread: int, others_spread: int, z: float = Z_95
) -> Interval | None:
    """Koopman's score interval widened to the true counts the published ones allow.

    ``a`` of ``n1`` are each within ``spread`` of the true counts, ``c`` of ``n2`` within
    ``others_spread`` (the comparison group is a published total less the group's own count,
    so its counts move by up to twice as much). The lowest bound comes from the fewest in the
    group taking support up and the most in the comparison group; the highest from the
    reverse (the score interval moves the same way as each count, which a test checks against
    every combination of small counts). ``None`` when the comparison group's take-up could
    be 0, so no upper bound exists.
    """
    a_range = possible_counts(a, spread)
    n1_range = possible_counts(n1, spread)
    c_range = possible_counts(c, others_spread, at_least_one=False)
    n2_range = possible_counts(n2, others_spread, at_least_one=False)
    fewest_offered, most_offered = n1_range[0], n1_range[-1]
    others_fewest_offered, others_most_offered = max(1, n2_range[0]), n2_range[-1]
    lowest = koopman_ratio_interval(
        a_range[0],
        most_offered,
        min(c_range[-1], others_fewest_offered),
        others_fewest_offered,
        z,
    ).low
    if c_range[0] == 0 or fewest_offered == 0:
        return None
    highest = koopman_ratio_interval(
        min(a_range[-1], fewest_offered), fewest_offered, c_range[0], others_most_offered, z
    ).high
    return Interval(low=lowest, high=highest)

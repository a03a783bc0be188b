"""Intervals that allow for the cell key perturbation (decision 0073).

A published count may be up to 3 from the true one, so an interval worked out from published
counts covers the true rate only if it covers every true count they allow. These check the
widened intervals against the plain ones at every such count, with statsmodels as the
reference for the plain Wilson interval.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from bridgeway.disclosure.statistics import (
    NotComputable,
    koopman_ratio_interval,
    koopman_ratio_interval_within,
    possible_counts,
    take_up,
    take_up_ratio,
    wilson_interval,
    wilson_interval_within,
)


def test_possible_counts_keep_zero_and_people():
    assert list(possible_counts(0, 3)) == [0]
    assert list(possible_counts(2, 3)) == [1, 2, 3, 4, 5]
    assert list(possible_counts(10, 3)) == list(range(7, 14))
    assert list(possible_counts(2, 6, at_least_one=False)) == list(range(0, 9))
    assert list(possible_counts(7, 0)) == [7]


@given(
    st.integers(min_value=1, max_value=400).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    )
)
def test_without_spread_the_interval_is_wilsons(counts):
    successes, trials = counts
    low, high = proportion_confint(successes, trials, alpha=0.05, method="wilson")
    interval = wilson_interval_within(successes, trials, 0)
    assert interval.low == pytest.approx(low, abs=1e-12)
    assert interval.high == pytest.approx(high, abs=1e-12)


@given(
    st.integers(min_value=1, max_value=200).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    )
)
def test_the_widened_interval_covers_every_true_count_the_published_ones_allow(counts):
    successes, trials = counts
    widened = wilson_interval_within(successes, trials, 3)
    for true_trials, true_successes in itertools.product(
        possible_counts(trials, 3), possible_counts(successes, 3)
    ):
        if true_successes > true_trials:
            continue
        low, high = proportion_confint(true_successes, true_trials, alpha=0.05, method="wilson")
        assert widened.low <= low + 1e-12
        assert high <= widened.high + 1e-12
    plain = wilson_interval(successes, trials)
    assert widened.low <= plain.low
    assert plain.high <= widened.high


def test_five_of_five_published_is_not_certain():
    """5 of 5 published may be 2 of 8 in truth: the interval says so."""
    estimate = take_up(5, 5, spread=3)
    assert estimate.value == 1.0
    assert estimate.interval is not None
    assert estimate.interval.high == 1.0
    assert estimate.interval.low == pytest.approx(wilson_interval(2, 8).low)
    assert estimate.interval.low < wilson_interval(5, 5).low


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=1, max_value=12).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    ),
    st.integers(min_value=1, max_value=30).flatmap(
        lambda n: st.tuples(st.integers(min_value=1, max_value=n), st.just(n))
    ),
)
def test_the_ratio_interval_takes_its_bounds_at_the_corners(group, others):
    """The widened Koopman interval, from two corners only, equals the union over every
    combination of true counts (spreads of 2 and 3 keep the search small)."""
    a, n1 = group
    c, n2 = others
    widened = koopman_ratio_interval_within(a, n1, c, n2, 2, 3)
    lows, highs, unbounded = [], [], False
    for true_a, true_n1, true_c, true_n2 in itertools.product(
        possible_counts(a, 2),
        possible_counts(n1, 2),
        possible_counts(c, 3, at_least_one=False),
        possible_counts(n2, 3, at_least_one=False),
    ):
        if true_a > true_n1 or true_c > true_n2 or true_n2 == 0:
            continue
        if true_c == 0:
            unbounded = True
            continue
        interval = koopman_ratio_interval(true_a, true_n1, true_c, true_n2)
        lows.append(interval.low)
        highs.append(interval.high)
    if unbounded:
        assert widened is None
        return
    assert widened is not None
    assert widened.low == pytest.approx(min(lows), rel=1e-7, abs=1e-12)
    assert widened.high == pytest.approx(max(highs), rel=1e-7)


def test_a_ratio_whose_comparison_could_be_zero_has_no_upper_bound():
    estimate = take_up_ratio(3, 6, 4, 20, spread=3)
    assert estimate.interval is None
    bounded = take_up_ratio(3, 6, 40, 200, spread=3)
    assert bounded.interval is not None
    plain = koopman_ratio_interval(3, 6, 40, 200)
    assert bounded.interval.low < plain.low
    assert plain.high < bounded.interval.high


def test_more_published_successes_than_trials_is_not_computable_without_true_counts():
    with pytest.raises(NotComputable):
        wilson_interval_within(9, 0, 0)

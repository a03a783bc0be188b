"""Wilson and Katz intervals agree with statsmodels and with the formulas by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import proportion_confint

from bridgeway.insight.statistics import (
    NotComputable,
    katz_log_ratio_interval,
    representation,
    take_up_ratio,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("successes", "trials"), [(0, 1), (1, 1), (0, 10), (10, 10), (3, 7), (20, 33), (500, 10_000)]
)
def test_wilson_interval_matches_statsmodels(successes, trials):
    low, high = proportion_confint(successes, trials, alpha=0.05, method="wilson")
    interval = wilson_interval(successes, trials)
    assert interval.low == pytest.approx(low, abs=1e-12)
    assert interval.high == pytest.approx(high, abs=1e-12)


@given(
    st.integers(min_value=1, max_value=100_000).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    )
)
def test_wilson_interval_matches_statsmodels_for_any_counts(counts):
    successes, trials = counts
    low, high = proportion_confint(successes, trials, alpha=0.05, method="wilson")
    interval = wilson_interval(successes, trials)
    assert interval.low == pytest.approx(low, abs=1e-9)
    assert interval.high == pytest.approx(high, abs=1e-9)
    assert 0 <= interval.low <= successes / trials <= interval.high <= 1


def test_wilson_interval_of_no_trials_is_not_computable():
    with pytest.raises(NotComputable):
        wilson_interval(0, 0)


def test_wilson_interval_refuses_more_successes_than_trials():
    with pytest.raises(NotComputable):
        wilson_interval(5, 4)


def test_katz_interval_matches_the_formula_by_hand():
    # 5 of 10 against 6 of 8: RR = 0.5 / 0.75; se = sqrt(1/5 - 1/10 + 1/6 - 1/8).
    se = math.sqrt(1 / 5 - 1 / 10 + 1 / 6 - 1 / 8)
    ratio = (5 / 10) / (6 / 8)
    interval = katz_log_ratio_interval(5, 10, 6, 8)
    assert interval.low == pytest.approx(ratio * math.exp(-1.959963984540054 * se))
    assert interval.high == pytest.approx(ratio * math.exp(1.959963984540054 * se))
    assert interval.low == pytest.approx(0.3188, abs=5e-5)
    assert interval.high == pytest.approx(1.3941, abs=5e-5)


@given(
    st.integers(min_value=1, max_value=5_000).flatmap(
        lambda n1: st.tuples(st.integers(min_value=1, max_value=n1), st.just(n1))
    ),
    st.integers(min_value=1, max_value=5_000).flatmap(
        lambda n2: st.tuples(st.integers(min_value=1, max_value=n2), st.just(n2))
    ),
)
def test_katz_interval_matches_statsmodels_risk_ratio(first, second):
    a, n1 = first
    c, n2 = second
    table = Table2x2([[a, n1 - a], [c, n2 - c]], shift_zeros=False)
    low, high = table.riskratio_confint(alpha=0.05)
    interval = katz_log_ratio_interval(a, n1, c, n2)
    assert interval.low == pytest.approx(low, rel=1e-9)
    assert interval.high == pytest.approx(high, rel=1e-9)
    assert interval.low <= (a / n1) / (c / n2) <= interval.high


@pytest.mark.parametrize(("a", "n1", "c", "n2"), [(0, 10, 3, 10), (3, 10, 0, 10)])
def test_katz_interval_with_a_zero_count_is_not_computable(a, n1, c, n2):
    with pytest.raises(NotComputable):
        katz_log_ratio_interval(a, n1, c, n2)


def test_take_up_ratio_keeps_its_value_when_only_the_interval_is_missing():
    estimate = take_up_ratio(0, 10, 3, 10)
    assert estimate.value == 0
    assert estimate.interval is None


def test_representation_divides_share_and_wilson_ends_by_the_population_share():
    estimate = representation(20, 33, 0.8)
    low, high = proportion_confint(20, 33, method="wilson")
    assert estimate.value == pytest.approx((20 / 33) / 0.8)
    assert estimate.interval is not None
    assert estimate.interval.low == pytest.approx(low / 0.8)
    assert estimate.interval.high == pytest.approx(high / 0.8)


def test_representation_of_a_group_with_no_residents_is_not_computable():
    with pytest.raises(NotComputable):
        representation(3, 10, 0.0)

"""The review and decision arithmetic, exactly and for any input."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.commissioning.figures import (
    days_between,
    days_figure,
    spread_is_wide,
    weighted_percent,
)


def test_weighted_percent_counts_heavier_criteria_more():
    # Need (weight 3) scored 5 of 5, cost (weight 1) scored 1 of 5: (15 + 1) / 20 = 80%.
    assert weighted_percent({1: 5, 2: 1}, {1: 3, 2: 1}, 5) == pytest.approx(80.0)
    assert weighted_percent({1: 1, 2: 5}, {1: 3, 2: 1}, 5) == pytest.approx(40.0)


def test_weighted_percent_refuses_a_missing_score():
    with pytest.raises(ValueError, match="not scored"):
        weighted_percent({1: 5}, {1: 3, 2: 1}, 5)


@given(
    st.lists(st.tuples(st.integers(0, 10), st.integers(1, 100)), min_size=1, max_size=8),
    st.integers(2, 10),
)
def test_weighted_percent_stays_between_0_and_100(pairs, score_max):
    scores = {n: min(score, score_max) for n, (score, _w) in enumerate(pairs)}
    weights = {n: weight for n, (_s, weight) in enumerate(pairs)}
    assert 0.0 <= weighted_percent(scores, weights, score_max) <= 100.0


@pytest.mark.parametrize(
    ("scores", "wide"),
    [([2, 5], True), ([3, 5], False), ([5], False), ([0, 1, 2, 3], True), ([], False)],
)
def test_spread_is_wide_at_half_the_scale(scores, wide):
    assert spread_is_wide(scores, 5) is wide


@given(st.lists(st.integers(0, 400), max_size=50))
def test_days_figure_matches_the_standard_library(days):
    figure = days_figure(days)
    assert figure.count == len(days)
    if days:
        assert figure.median == statistics.median(days)
        assert figure.longest == max(days)
    else:
        assert figure.median is None
        assert figure.longest is None


def test_paused_days_are_taken_off():
    assert days_between(dt.date(2026, 1, 1), dt.date(2026, 1, 31), paused=10) == 20
    assert days_between(dt.date(2026, 1, 1), dt.date(2026, 1, 2), paused=10) == 0

"""Small counts are hidden, and no hidden count can be worked out from what is shown."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog  # type: ignore[import-untyped]

from bridgeway.disclosure.suppression import (
    CONFIDENTIAL,
    format_count,
    format_decimal,
    suppress_column,
)

THRESHOLD = 5


def _hidden_cells(recorded, not_known, result):
    cells = [("r", i, v) for i, v in enumerate(recorded)] + [
        ("n", i, v) for i, v in enumerate(not_known)
    ]
    hidden_flags = list(result.recorded_hidden) + list(result.not_known_hidden)
    return cells, hidden_flags


def _recoverable(recorded, not_known, result):
    """The hidden cells a reader could pin to one value, by linear programming.

    The reader sees every visible cell, the total when shown, and (cautiously) the sum of
    the recorded groups whenever any non-zero count is visible or the total and every
    missing-answer row are; the grand total when shown or when a missing-answer row's
    share is visible. Hidden cells are at least 1, since zero is always shown.
    """
    cells, hidden_flags = _hidden_cells(recorded, not_known, result)
    hidden = [cell for cell, flag in zip(cells, hidden_flags, strict=True) if flag]
    if not hidden:
        return []
    visible = [cell for cell, flag in zip(cells, hidden_flags, strict=True) if not flag]
    total = sum(recorded) + sum(not_known)
    any_visible_non_zero = any(v > 0 for _b, _i, v in visible)
    not_known_complete = not any(b == "n" for b, _i, _v in hidden)
    recorded_complete = not any(b == "r" for b, _i, _v in hidden)
    total_known = not result.total_hidden or any(b == "n" and v > 0 for b, _i, v in visible)
    recorded_known = any_visible_non_zero or recorded_complete
    total_known = total_known or (recorded_known and not_known_complete)
    recorded_known = recorded_known or (total_known and not_known_complete)
    equations, targets = [], []
    if total_known:
        equations.append([1.0] * len(hidden))
        targets.append(total - sum(v for _b, _i, v in visible))
    if recorded_known:
        equations.append([1.0 if b == "r" else 0.0 for b, _i, _v in hidden])
        targets.append(sum(recorded) - sum(v for b, _i, v in visible if b == "r"))
    if not equations:
        return []
    recovered = []
    for index, cell in enumerate(hidden):
        objective = np.zeros(len(hidden))
        objective[index] = 1.0
        bounds = [(1, None)] * len(hidden)
        low = linprog(objective, A_eq=equations, b_eq=targets, bounds=bounds)
        high = linprog(-objective, A_eq=equations, b_eq=targets, bounds=bounds)
        assert low.status == 0
        if high.status == 0 and abs(low.fun + high.fun) < 1e-6:
            recovered.append(cell)
    return recovered


small_counts = st.one_of(
    st.just(0), st.integers(min_value=1, max_value=4), st.integers(min_value=5, max_value=40)
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(small_counts, min_size=19, max_size=19),
    st.lists(small_counts, min_size=3, max_size=3),
)
def test_no_hidden_count_can_be_worked_out_from_the_total_and_visible_cells(recorded, not_known):
    result = suppress_column(recorded, not_known, THRESHOLD)
    assert _recoverable(recorded, not_known, result) == []


@settings(max_examples=100, deadline=None)
@given(
    st.lists(small_counts, min_size=19, max_size=19),
    st.lists(small_counts, min_size=3, max_size=3),
)
def test_every_count_from_one_to_four_is_hidden_and_zero_never_is(recorded, not_known):
    result = suppress_column(recorded, not_known, THRESHOLD)
    cells = [*recorded, *not_known]
    flags = [*result.recorded_hidden, *result.not_known_hidden]
    for value, hidden in zip(cells, flags, strict=True):
        if 1 <= value <= 4:
            assert hidden
        if value == 0:
            assert not hidden
    assert result.total_hidden or not 1 <= sum(cells) <= 4
    if sum(flags) == 1:
        # A lone hidden cell is joined by another unless there is none to hide: then the
        # total is hidden instead.
        assert result.total_hidden
        assert not any(v > 0 and not h for v, h in zip(cells, flags, strict=True))


def test_a_single_small_count_hides_the_next_smallest_in_the_column_too():
    recorded = [20, 10, 3] + [0] * 16
    result = suppress_column(recorded, [6, 0, 0], THRESHOLD)
    assert [i for i, hidden in enumerate(result.recorded_hidden) if hidden] == [1, 2]
    assert result.not_known_hidden == (False, False, False)
    assert not result.total_hidden


def test_two_hidden_ones_are_joined_by_a_third_cell():
    # Two hidden cells adding up to 2 would both have to be 1.
    recorded = [1, 1, 30, 12] + [0] * 15
    result = suppress_column(recorded, [0, 0, 0], THRESHOLD)
    assert [i for i, hidden in enumerate(result.recorded_hidden) if hidden] == [0, 1, 3]


def test_a_lone_small_count_with_nothing_else_to_hide_hides_the_total():
    result = suppress_column([3] + [0] * 18, [0, 0, 0], THRESHOLD)
    assert result.recorded_hidden[0]
    assert result.total_hidden


def test_threshold_one_hides_nothing():
    result = suppress_column([1, 2, 3] + [0] * 16, [1, 0, 0], 1)
    assert result.hidden_count == 0


def test_counts_are_written_as_numbers_or_c_and_zero_stays_zero():
    assert format_count(3, hidden=True) == CONFIDENTIAL
    assert format_count(0, hidden=True) == "0"
    assert format_count(12, hidden=False) == "12"
    assert format_decimal(2 / 3, 4) == "0.6667"
    assert format_decimal(2 / 3, 3) == "0.667"


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        suppress_column([-1], [0, 0, 0], THRESHOLD)

"""How long the insight page's bars are drawn (bridgeway/insight/bars.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.insight.bars import BREAK_RATIO, ROOM, bar, scale_for

shares = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
groups = st.lists(st.lists(st.one_of(st.none(), shares), min_size=1, max_size=2), max_size=20)


def test_a_large_majority_is_cut_so_small_groups_can_be_read() -> None:
    scale = scale_for([[0.72, 0.60], [0.09, 0.12], [0.02, 0.01]])
    assert scale == 0.12
    majority, small = bar(0.72, scale), bar(0.02, scale)
    assert majority is not None
    assert majority.cut
    assert majority.width == ROOM
    assert small is not None
    assert not small.cut
    assert small.width == pytest.approx(ROOM / 6)  # a sixth of the way, not 2 % of it


def test_groups_of_like_size_are_drawn_against_the_largest() -> None:
    scale = scale_for([[0.40, 0.35], [0.30, 0.20], [0.20, None]])
    assert scale == 0.40
    assert [b.cut for b in (bar(0.40, scale), bar(0.30, scale)) if b] == [False, False]


def test_a_hidden_figure_has_no_bar_and_nothing_is_drawn_against_zero() -> None:
    assert bar(None, 0.5) is None
    assert scale_for([[None], [0.0]]) == 1.0
    assert scale_for([]) == 1.0


@given(groups)
def test_no_bar_runs_past_the_room_left_for_its_value(found: list[list[float | None]]) -> None:
    scale = scale_for(found)
    for values in found:
        for value in values:
            drawn = bar(value, scale)
            assert drawn is None or 0 <= drawn.width <= ROOM
            # A bar is cut exactly when its value is larger than the scale.
            assert drawn is None or drawn.cut == (value is not None and value > scale)


@given(groups)
def test_only_the_largest_group_is_ever_cut_and_bars_keep_their_order(
    found: list[list[float | None]],
) -> None:
    scale = scale_for(found)
    peaks = sorted(
        (max(v for v in g if v is not None) for g in found if any(v is not None for v in g)),
        reverse=True,
    )
    cut_groups = [
        values
        for values in found
        if any((b := bar(v, scale)) is not None and b.cut for v in values)
    ]
    assert len(cut_groups) <= 1
    if cut_groups:
        assert peaks[0] > BREAK_RATIO * peaks[1]
    # Bars not cut are in proportion to their values.
    values = sorted({v for g in found for v in g if v is not None and v <= scale})
    widths = [bar(v, scale).width for v in values]  # type: ignore[union-attr]
    assert widths == sorted(widths)

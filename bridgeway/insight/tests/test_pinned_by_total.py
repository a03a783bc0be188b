"""Issue 14: a column whose shown counts and total leave its ``[c]`` cells no room is withheld.

Each published count is within ``MAX_PERTURBATION`` of the true one, so the total's greatest
less the shown cells' least bounds the sum of the ``[c]`` cells, each at least 1. When the
perturbation moves the total down and the shown cells up by the most it can, that bound can
equal the number of ``[c]`` cells and pin each at 1. The attacker found it on the demo (West
Midlands, decision 0167): a provider's answers on ethnic group in one district, 57 people
published (true 60), 56 recorded (53), 8 not recorded (5) and two ``[c]`` (1 each).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog  # type: ignore[import-untyped]

from bridgeway.insight.perturbation import MAX_PERTURBATION, bounds, is_hidden
from bridgeway.insight.sparse_tables import withheld_stages

THRESHOLD = 5
STAGE = ("referred",)


def test_the_demos_answers_are_withheld():
    """People 57, recorded 56, not asked and prefer not to say [c] (2 and 1 before [c]),
    not recorded 8: the [c] cells add up to at most 60 - 53 - 5 = 2, so each is 1."""
    assert withheld_stages({"referred": [56, 2, 1, 8]}, {"referred": 57}, STAGE, THRESHOLD)


def test_a_column_with_room_for_its_small_cells_is_shown():
    """The same answers with the total perturbed up: the [c] cells may hold 1 to 7 together."""
    assert not withheld_stages({"referred": [56, 2, 1, 8]}, {"referred": 62}, STAGE, THRESHOLD)


def _reader_range(shown: list[int | None], total: int, cell: int) -> float:
    """The width of what a reader can tell of one ``[c]`` cell (``None`` in ``shown``) from
    the column as published: a linear program over the true counts (scipy's, independent of
    the rule)."""
    cell_bounds = [(1, None) if value is None else bounds(value, THRESHOLD) for value in shown]
    least, most = bounds(total, THRESHOLD)
    ones = np.ones((1, len(shown)))
    objective = np.zeros(len(shown))
    objective[cell] = 1.0
    extremes = []
    for sign in (1.0, -1.0):
        result = linprog(
            sign * objective,
            A_ub=np.vstack([ones, -ones]),
            b_ub=[most, -least],
            bounds=cell_bounds,
            method="highs",
        )
        if result.status == 3:
            return np.inf
        assert result.status == 0
        extremes.append(sign * result.fun)
    return extremes[1] - extremes[0]


@settings(max_examples=400, deadline=None)
@given(
    true=st.lists(st.integers(0, 15), min_size=2, max_size=6),
    # The perturbation at its extremes half the time: the case that pins.
    changes=st.lists(
        st.one_of(
            st.sampled_from([-MAX_PERTURBATION, MAX_PERTURBATION]),
            st.integers(-MAX_PERTURBATION, MAX_PERTURBATION),
        ),
        min_size=7,
        max_size=7,
    ),
)
def test_no_column_shown_pins_a_small_cell_through_its_total(true, changes):
    """Whatever the true counts and however the perturbation falls (each count moved by up to
    ``MAX_PERTURBATION``, never below 1), a column that is shown leaves every ``[c]`` cell a
    range of at least one whole person to a reader who knows the method."""
    published = [
        max(1, count + change) if count else 0
        for count, change in zip(true, changes[:-1], strict=False)
    ]
    total = max(1, sum(true) + changes[-1]) if sum(true) else 0
    if withheld_stages({"referred": published}, {"referred": total}, STAGE, THRESHOLD):
        return
    shown: list[int | None] = [None if is_hidden(v, THRESHOLD) else v for v in published]
    for cell, value in enumerate(shown):
        if value is None:
            assert _reader_range(shown, total, cell) >= 1 - 1e-9

"""The cross tables' check for small counts the line totals give away (``breakdown._pinned``)
finds exactly the cells a program per cell finds, with fewer programs (decision 0167)."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog  # type: ignore[import-untyped]

from bridgeway.disclosure.suppression import is_primary
from bridgeway.insight.breakdown import _lines, _pinned

THRESHOLD = 3


def _each_cell_alone(values, hidden, lines):
    """The reference: every small hidden count minimised and maximised over the lines."""
    order = sorted(hidden)
    position = {cell: n for n, cell in enumerate(order)}
    rows, targets = [], []
    for line in lines:
        row = np.zeros(len(order))
        for cell in line:
            if cell in position:
                row[position[cell]] = 1.0
        if row.any():
            rows.append(row)
            targets.append(sum(values[cell] for cell in line if cell in position))
    pinned = []
    for cell in order:
        if not is_primary(values[cell], THRESHOLD) or not rows:
            continue
        objective = np.zeros(len(order))
        objective[position[cell]] = 1.0
        ends = [
            linprog(sign * objective, A_eq=np.array(rows), b_eq=targets, method="highs")
            for sign in (1.0, -1.0)
        ]
        if any(end.status != 0 for end in ends) or -ends[1].fun - ends[0].fun < 0.5:
            pinned.append(cell)
    return pinned


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_the_pinned_cells_are_those_a_program_per_cell_pins(data):
    shape = [
        [f"{axis}{n}" for n in range(data.draw(st.integers(2, 4)))] for axis in ("a", "b", "c")
    ][: data.draw(st.integers(2, 3))]
    cells = list(itertools.product(*shape))
    values = {cell: data.draw(st.integers(0, 6)) for cell in cells}
    hidden = {cell for cell in cells if data.draw(st.booleans())}
    lines = [line for _axis, line in _lines(shape)]
    assert sorted(_pinned(values, hidden, lines, THRESHOLD)) == _each_cell_alone(
        values, hidden, lines
    )

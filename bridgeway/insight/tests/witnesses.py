"""People near the snapshot's who give every published figure: cheap proof that a small count
is not pinned (issue 14, decision 0163).

The attacker's program (``attacker._Program``) is over the margins of a table of everyone;
at the demo's size (93,720 unknowns, 16,188 equations tying the margins together) each of its
programs takes minutes. But any set of people, counted kind by kind, gives margins that agree
and a value for every published count: if those values keep within every published bound, the
set is one the attacker cannot rule out, and each small cell's value in it is one the
attacker's range must hold. Two such sets whose values of a cell lie ``width`` apart prove the
cell is not pinned, with no program over the margins at all.

So this module solves the attacker's program *restricted* to kinds of people near the
snapshot's: every kind someone in the snapshot is, and every kind one characteristic away from
one of those (a class of each characteristic's values and a class of event pattern make a
kind). Its columns are counts of people, not margins, so it needs no equations, and its only
rows are the published counts that bound anything (a ``[c]`` that may hide a zero bounds
nothing). Each solution (HiGHS's simplex, warm-started from the one before) gives a value for
every small cell at once. A cell the restricted program cannot show wide is left to the
attacker's own programs, so the answer is the same: only the work is less.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
from scipy import sparse  # type: ignore[import-untyped]

# A hair of slack for the solver's rounding: a range of exactly ``width`` is wide.
SLACK = 1e-6
UNBOUNDED = "unbounded"


def kinds_nearby(people_kinds: np.ndarray, class_sizes: list[int]) -> np.ndarray:
    """Every kind of person in the snapshot and every kind one characteristic away from one
    (the last column, the class of event pattern, is kept), each once."""
    kinds = np.unique(people_kinds, axis=0)
    nearby = [kinds]
    for characteristic, size in enumerate(class_sizes):
        for value in range(size):
            changed = kinds.copy()
            changed[:, characteristic] = value
            nearby.append(changed)
    return np.unique(np.concatenate(nearby), axis=0)


@dataclass
class Witnessed:
    """The least and greatest value seen for each small cell in sets of people that give every
    published figure, and how many programs found them."""

    low: np.ndarray
    high: np.ndarray
    programs: int

    def wide(self, number: int, width: float) -> bool:
        return bool(self.high[number] - self.low[number] >= width - SLACK)


def witness(
    model: Any,
    bounded: list[tuple[int, float, float]],
    secret_rows: list[int],
    *,
    width: float,
    deadline: float | None = None,
) -> Witnessed:
    """Values of each secret cell (a row of ``model.rows``) in sets of nearby people that keep
    within every bound in ``bounded`` (row, least, greatest): the snapshot's own people first,
    then the restricted program's solutions, until each cell is seen ``width`` apart or the
    restricted program cannot widen it further (or ``deadline``, ``time.monotonic``, passes).
    """
    kinds = kinds_nearby(model.people_kinds, model.class_sizes)
    columns = model.kind_columns(kinds)
    secrets = (model.rows[secret_rows] @ columns).tocsr()
    true = secrets @ _true_counts(model.people_kinds, kinds)
    witnessed = Witnessed(true.copy(), true.copy(), 0)
    if not secret_rows:
        return witnessed
    # A bound of 0 to no limit holds for any count of people: it needs no row.
    informative = [(row, least, most) for row, least, most in bounded if least > 0 or most < np.inf]
    counted = (model.rows[[row for row, _l, _m in informative]] @ columns).tocsc()
    lows = np.array([least for _r, least, _m in informative], dtype=float)
    highs = np.array([most for _r, _l, most in informative], dtype=float)
    solver = _Solver(counted, lows, highs)

    def solve(objective: np.ndarray) -> bool:
        """Whether the objective falls without limit (a cell that grows without limit)."""
        found = solver.minimise(objective)
        witnessed.programs += 1
        if isinstance(found, np.ndarray):
            values = secrets @ found
            np.minimum(witnessed.low, values, out=witnessed.low)
            np.maximum(witnessed.high, values, out=witnessed.high)
        return isinstance(found, str)

    # Two programs over all the small cells together show most of them wide.
    total = np.asarray(secrets.sum(axis=0)).ravel()
    solve(total)
    solve(-total)
    for number in range(len(secret_rows)):
        if witnessed.wide(number, width):
            continue
        if deadline is not None and time.monotonic() > deadline:
            break
        objective = secrets[number].toarray().ravel()
        solve(objective)
        if not witnessed.wide(number, width) and solve(-objective):
            witnessed.high[number] = np.inf
    return witnessed


def _true_counts(people_kinds: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    """How many people of each of ``kinds`` the snapshot holds."""
    own, counts = np.unique(people_kinds, axis=0, return_counts=True)
    position = {tuple(kind): number for number, kind in enumerate(kinds.tolist())}
    true = np.zeros(len(kinds))
    for kind, count in zip(own.tolist(), counts, strict=True):
        true[position[tuple(kind)]] = count
    return true


class _Solver:
    """One HiGHS model of the restricted program; each objective starts from the last basis."""

    def __init__(self, counted: sparse.csc_matrix, lows: np.ndarray, highs: np.ndarray) -> None:
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.columns = counted.shape[1]
        lp = highspy.HighsLp()
        lp.num_col_ = self.columns
        lp.num_row_ = counted.shape[0]
        lp.col_cost_ = np.zeros(self.columns)
        lp.col_lower_ = np.zeros(self.columns)
        lp.col_upper_ = np.full(self.columns, highspy.kHighsInf)
        lp.row_lower_ = lows
        lp.row_upper_ = np.where(np.isinf(highs), highspy.kHighsInf, highs)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = counted.indptr
        lp.a_matrix_.index_ = counted.indices
        lp.a_matrix_.value_ = counted.data
        self.highs.passModel(lp)
        self.every = np.arange(self.columns, dtype=np.int32)

    def minimise(self, objective: np.ndarray) -> np.ndarray | str | None:
        """Counts of each kind that keep within every bound, least by ``objective``;
        ``UNBOUNDED`` when the objective falls without limit, ``None`` when HiGHS stops short
        of an answer."""
        self.highs.changeColsCost(self.columns, self.every, objective)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return np.asarray(self.highs.getSolution().col_value)
        # The snapshot's own people keep within every bound, so the program is feasible.
        if status in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return UNBOUNDED
        return None

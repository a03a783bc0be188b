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
# The most kinds a cell's own program holds: its programs take milliseconds up to about this.
NEAR_MOST = 3_000


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
    then those one person away (``_one_person_away``), then the restricted program's
    solutions, until each cell is seen ``width`` apart or the restricted program cannot widen
    it further (or ``deadline``, ``time.monotonic``, passes).
    """
    kinds = kinds_nearby(model.people_kinds, model.class_sizes)
    columns = model.kind_columns(kinds)
    secrets = (model.rows[secret_rows] @ columns).tocsc()
    own = _true_counts(model.people_kinds, kinds)
    true = secrets @ own
    witnessed = Witnessed(true.copy(), true.copy(), 0)
    if not secret_rows:
        return witnessed
    # A bound of 0 to no limit holds for any count of people: it needs no row.
    informative = [(row, least, most) for row, least, most in bounded if least > 0 or most < np.inf]
    counted = (model.rows[[row for row, _l, _m in informative]] @ columns).tocsc()
    lows = np.array([least for _r, least, _m in informative], dtype=float)
    highs = np.array([most for _r, _l, most in informative], dtype=float)
    _one_person_away(witnessed, kinds, own, counted, secrets, lows, highs, model.class_sizes)
    undecided = [n for n in range(len(secret_rows)) if not witnessed.wide(n, width)]
    if undecided:
        witnessed.programs += _near_each_cell(
            witnessed,
            undecided,
            kinds,
            own,
            counted,
            secrets,
            lows,
            highs,
            model.class_sizes,
            width=width,
            deadline=deadline,
        )
    undecided = [n for n in undecided if not witnessed.wide(n, width)]
    if not undecided:
        return witnessed
    kept = _distinct_columns(counted, secrets, highs)
    secrets = secrets[:, kept].tocsr()
    solver = _Solver(counted[:, kept], lows, highs)

    def solve(objective: np.ndarray) -> bool:
        """Whether the objective falls without limit (a cell that grows without limit)."""
        found = solver.minimise(objective, deadline)
        witnessed.programs += 1
        if isinstance(found, np.ndarray):
            values = secrets @ found
            np.minimum(witnessed.low, values, out=witnessed.low)
            np.maximum(witnessed.high, values, out=witnessed.high)
        return isinstance(found, str)

    # Two programs over the cells left together show most of them wide.
    total = np.asarray(secrets[undecided].sum(axis=0)).ravel()
    solve(total)
    solve(-total)
    for number in undecided:
        if witnessed.wide(number, width):
            continue
        if deadline is not None and time.monotonic() > deadline:
            break
        objective = secrets[number].toarray().ravel()
        solve(objective)
        if not witnessed.wide(number, width) and solve(-objective):
            witnessed.high[number] = np.inf
    return witnessed


def _one_person_away(
    witnessed: Witnessed,
    kinds: np.ndarray,
    own: np.ndarray,
    counted: sparse.csc_matrix,
    secrets: sparse.csc_matrix,
    lows: np.ndarray,
    highs: np.ndarray,
    class_sizes: list[int],
) -> None:
    """Widen ``witnessed`` by the sets of people one person away from the snapshot's that keep
    within every bound: one person fewer, one more, or one of them with one characteristic
    changed. Each is a sum over a few columns, so every such set is tried at once, with no
    program; a change of one characteristic moves the person between the groups of one
    table only, where the totals (often the tightest bounds) stay as they are."""
    values = counted @ own
    # Rows already at their greatest (least) cannot count one more (one fewer) person.
    full = (highs - values < 1 - SLACK).astype(float)
    empty = (values - lows < 1 - SLACK).astype(float)
    present = np.flatnonzero(own >= 1)
    fewer = present[counted[:, present].T @ empty == 0]
    more = np.flatnonzero(counted.T @ full == 0)
    true = secrets @ own
    _widen(witnessed, true, -secrets[:, fewer])
    _widen(witnessed, true, secrets[:, more])
    sources, targets = _changes_of_one_characteristic(kinds, present, class_sizes)
    step = 20_000  # pairs at a time: each pair's difference is a sparse column
    for start in range(0, len(sources), step):
        source, target = sources[start : start + step], targets[start : start + step]
        change = counted[:, target] - counted[:, source]
        blocked = change.maximum(0).T @ full + (-change).maximum(0).T @ empty
        allowed = blocked == 0
        _widen(witnessed, true, secrets[:, target[allowed]] - secrets[:, source[allowed]])


def _near_each_cell(
    witnessed: Witnessed,
    undecided: list[int],
    kinds: np.ndarray,
    own: np.ndarray,
    counted: sparse.csc_matrix,
    secrets: sparse.csc_matrix,
    lows: np.ndarray,
    highs: np.ndarray,
    class_sizes: list[int],
    *,
    width: float,
    deadline: float | None,
) -> int:
    """Widen each cell in ``undecided`` by a small program of its own: the snapshot's people
    stay, and only the kinds in or one characteristic from the cell's may change (by people
    added, removed or moved, any number), within every bound they touch. Each solution is a
    set of people the attacker's whole program allows, so it widens every cell it moves; each
    program has hundreds of columns, not tens of thousands. Returns the programs solved."""
    values = counted @ own
    true = secrets @ own
    by_cell = secrets.tocsr()
    present = np.flatnonzero(own >= 1)
    sources, targets = _changes_of_one_characteristic(kinds, present, class_sizes)
    programs = 0
    for number in undecided:
        if witnessed.wide(number, width):
            continue
        if deadline is not None and time.monotonic() > deadline:
            break
        inside = by_cell[number].indices
        inside_present = inside[own[inside] >= 1]
        # People of the cell who may leave it, and people one step from it who may join;
        # then, if that is not enough, everyone one step from those (to make room).
        leaving = np.isin(sources, inside_present)
        joining = np.isin(targets, inside) & ~np.isin(sources, inside)
        near = np.unique(np.concatenate([inside_present, sources[joining], targets[leaving]]))
        for _step in range(2):
            if witnessed.wide(number, width):
                break
            if deadline is not None and time.monotonic() > deadline:
                break
            programs += _widen_near(
                witnessed,
                number,
                near,
                own,
                values,
                true,
                counted,
                secrets,
                by_cell,
                lows,
                highs,
                width=width,
                deadline=deadline,
            )
            nearby = np.isin(sources, near) | np.isin(targets, near)
            near = np.unique(np.concatenate([near, sources[nearby], targets[nearby]]))
            if len(near) > NEAR_MOST:
                break  # as large as the restricted program: that program is next
    return programs


def _widen_near(
    witnessed: Witnessed,
    number: int,
    near: np.ndarray,
    own: np.ndarray,
    values: np.ndarray,
    true: np.ndarray,
    counted: sparse.csc_matrix,
    secrets: sparse.csc_matrix,
    by_cell: sparse.csr_matrix,
    lows: np.ndarray,
    highs: np.ndarray,
    *,
    width: float,
    deadline: float | None,
) -> int:
    """Least and greatest the cell ``number`` can be when only the kinds ``near`` change from
    the snapshot's counts; returns the programs solved."""
    block = counted[:, near].tocsr()
    touched = np.flatnonzero(np.diff(block.indptr))
    solver = _Solver(
        block[touched].tocsc(),
        lows[touched] - values[touched],
        highs[touched] - values[touched],
        lower=-own[near],
    )
    objective = by_cell[number][:, near].toarray().ravel()
    moved = secrets[:, near]
    programs = 0
    for sign in (1.0, -1.0):
        found = solver.minimise(sign * objective, deadline)
        programs += 1
        if isinstance(found, np.ndarray):
            seen = true + moved @ found
            np.minimum(witnessed.low, seen, out=witnessed.low)
            np.maximum(witnessed.high, seen, out=witnessed.high)
        elif found == UNBOUNDED:
            witnessed.high[number] = np.inf
        if witnessed.wide(number, width):
            break
    return programs


def _widen(witnessed: Witnessed, true: np.ndarray, changes: sparse.spmatrix) -> None:
    """Each column of ``changes`` is one set of people's change to the secret cells from the
    snapshot's (``true``): the cells it moves are seen that much higher or lower."""
    if changes.shape[1] == 0:
        return
    changes = sparse.csr_matrix(changes)
    np.maximum(witnessed.high, true + changes.max(axis=1).toarray().ravel(), out=witnessed.high)
    np.minimum(witnessed.low, true + changes.min(axis=1).toarray().ravel(), out=witnessed.low)


def _changes_of_one_characteristic(
    kinds: np.ndarray, present: np.ndarray, class_sizes: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Each kind someone is (``present``, positions in ``kinds``) paired with each kind one
    characteristic away (positions too): the person's kind before and after."""
    shape = kinds.max(axis=0) + 1
    # np.unique sorted the kinds row by row, so their flat numbers are in order too.
    numbers = np.ravel_multi_index(tuple(kinds.T), shape)
    sources, targets = [], []
    for characteristic, size in enumerate(class_sizes):
        for value in range(size):
            moved = present[kinds[present, characteristic] != value]
            changed = kinds[moved].copy()
            changed[:, characteristic] = value
            found = np.searchsorted(numbers, np.ravel_multi_index(tuple(changed.T), shape))
            sources.append(moved)
            targets.append(found)
    if not sources:
        return np.zeros(0, int), np.zeros(0, int)
    return np.concatenate(sources), np.concatenate(targets)


def _distinct_columns(
    counted: sparse.csc_matrix, secrets: sparse.csc_matrix, highs: np.ndarray
) -> np.ndarray:
    """The kinds the restricted program needs: none counted in a published 0 (there can be
    none of them), and one of each set of kinds that every bound and every secret cell count
    alike (any number of people of those kinds is the same as as many of the first)."""
    zero_rows = (highs < 1 - SLACK).astype(float)
    possible = np.flatnonzero(counted.T @ zero_rows == 0)
    both = sparse.vstack([counted[:, possible], secrets[:, possible]]).tocsc()
    both.sort_indices()
    seen: dict[bytes, int] = {}
    for position in range(len(possible)):
        where = slice(both.indptr[position], both.indptr[position + 1])
        seen.setdefault(both.indices[where].tobytes() + both.data[where].tobytes(), position)
    return possible[np.array(sorted(seen.values()), dtype=int)]


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

    def __init__(
        self,
        counted: sparse.csc_matrix,
        lows: np.ndarray,
        highs: np.ndarray,
        lower: np.ndarray | None = None,
    ) -> None:
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.columns = counted.shape[1]
        lp = highspy.HighsLp()
        lp.num_col_ = self.columns
        lp.num_row_ = counted.shape[0]
        lp.col_cost_ = np.zeros(self.columns)
        lp.col_lower_ = np.zeros(self.columns) if lower is None else lower.astype(float)
        lp.col_upper_ = np.full(self.columns, highspy.kHighsInf)
        lp.row_lower_ = np.where(np.isinf(lows), -highspy.kHighsInf, lows)
        lp.row_upper_ = np.where(np.isinf(highs), highspy.kHighsInf, highs)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = counted.indptr
        lp.a_matrix_.index_ = counted.indices
        lp.a_matrix_.value_ = counted.data
        self.highs.passModel(lp)
        self.every = np.arange(self.columns, dtype=np.int32)

    def minimise(self, objective: np.ndarray, deadline: float | None) -> np.ndarray | str | None:
        """Counts of each kind that keep within every bound, least by ``objective``;
        ``UNBOUNDED`` when the objective falls without limit, ``None`` when HiGHS stops short
        of an answer (``deadline``, ``time.monotonic``, passed)."""
        self.highs.changeColsCost(self.columns, self.every, objective)
        if deadline is not None:
            # HiGHS's clock runs on across the runs of one model: the limit is its total.
            left = max(deadline - time.monotonic(), 0.0)
            self.highs.setOptionValue("time_limit", self.highs.getRunTime() + left)
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

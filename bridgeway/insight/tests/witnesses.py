"""People near the snapshot's who give every published figure: cheap proof that a small count
is not pinned (issue 14, decisions 0163 and 0167).

The attacker's program (``attacker._Program``) is over the margins of a table of everyone;
at the demo's size (93,720 unknowns, 16,188 equations tying the margins together) each of its
programs takes minutes. But any set of people, counted kind by kind, gives margins that agree
and a value for every published count: if those values keep within every published bound, the
set is one the attacker cannot rule out, and each small cell's value in it is one the
attacker's range must hold. Two such sets whose values of a cell lie ``width`` apart prove the
cell is not pinned, with no program over the margins at all.

So this module looks for such sets among kinds of people near the snapshot's: every kind
someone in the snapshot is, and every kind one characteristic away from one of those (a class
of each characteristic's values and a class of event pattern make a kind). Their counts need
no equations, and the only rows are the published counts that bound anything (a ``[c]`` that
may hide a zero bounds nothing). First every set one person away from the snapshot's is tried
at once, with no program; then each cell left gets a program of its own, which starts from
the kinds around the cell and grows by column generation (decision 0167) until it holds the
least and greatest the cell can be over every nearby kind, or shows the cell wide. A cell no
nearby set shows wide is left to the attacker's own programs, so the answer is the same: only
the work is less.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
from scipy import sparse  # type: ignore[import-untyped]

# A hair of slack for the solver's rounding: a range of exactly ``width`` is wide.
SLACK = 1e-6
# Reduced costs within HiGHS's dual feasibility tolerance are 0.
PRICE_SLACK = 1e-7
UNBOUNDED = "unbounded"
# A cell's program grows by at most this many kinds a round: those whose reduced cost is
# greatest, so each round stays small and the next prices again.
KINDS_A_ROUND = 200
# Rounds of column generation for each direction of a cell; a cell still undecided after them
# is left to the attacker's programs.
ROUNDS_MOST = 200


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
    then those one person away (``_one_person_away``), then each cell's own program
    (``_near_each_cell``), until each cell is seen ``width`` apart or its program cannot widen
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
    """Widen each cell in ``undecided`` by a program of its own over the changes to the
    snapshot's counts of nearby kinds (people added, removed or moved, any number), within
    every bound. It starts from the kinds in or one characteristic from the cell's and grows
    by column generation (``_CellProgram``), so it reaches the least and greatest the cell can
    be over every nearby kind while holding a few hundred of them. Each solution is a set of
    people the attacker's whole program allows, so it widens every cell it moves. Returns the
    programs solved."""
    values = counted @ own
    true = secrets @ own
    by_cell = secrets.tocsr()
    counted_by_kind = counted.T.tocsr()
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
        # People of the cell who may leave it, and people one step from it who may join.
        leaving = np.isin(sources, inside_present)
        joining = np.isin(targets, inside) & ~np.isin(sources, inside)
        near = np.unique(np.concatenate([inside_present, sources[joining], targets[leaving]]))
        program = _CellProgram(counted, counted_by_kind, own, lows - values, highs - values, near)
        objective = by_cell[number].toarray().ravel()
        for sign in (1.0, -1.0):
            for found in program.solutions(sign * objective, deadline):
                programs += 1
                if isinstance(found, str):
                    witnessed.high[number] = np.inf
                else:
                    columns, change = found
                    seen = true + secrets[:, columns] @ change
                    np.minimum(witnessed.low, seen, out=witnessed.low)
                    np.maximum(witnessed.high, seen, out=witnessed.high)
                if witnessed.wide(number, width):
                    break
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


def _true_counts(people_kinds: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    """How many people of each of ``kinds`` the snapshot holds."""
    own, counts = np.unique(people_kinds, axis=0, return_counts=True)
    position = {tuple(kind): number for number, kind in enumerate(kinds.tolist())}
    true = np.zeros(len(kinds))
    for kind, count in zip(own.tolist(), counts, strict=True):
        true[position[tuple(kind)]] = count
    return true


class _CellProgram:
    """One cell's program over changes to the snapshot's counts of kinds, grown by column
    generation: after each solution, every kind the program lacks is priced by its reduced
    cost (its objective less what the rows' duals charge it), and those that would move the
    objective further join it, with any rows they bring. When none would, the solution is the
    best over every kind, though the program holds a few of them (Dantzig-Wolfe's pricing, as
    in cutting-stock problems)."""

    def __init__(
        self,
        counted: sparse.csc_matrix,
        counted_by_kind: sparse.csr_matrix,
        own: np.ndarray,
        room_below: np.ndarray,
        room_above: np.ndarray,
        kinds: np.ndarray,
    ) -> None:
        self.counted = counted
        self.counted_by_kind = counted_by_kind
        self.own = own
        self.room_below = np.where(np.isinf(room_below), -highspy.kHighsInf, room_below)
        self.room_above = np.where(np.isinf(room_above), highspy.kHighsInf, room_above)
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.held = np.zeros(counted.shape[1], dtype=bool)
        self.row_position = np.full(counted.shape[0], -1)
        self.rows: list[int] = []
        self.columns = np.zeros(0, dtype=int)
        self._add(kinds, np.zeros(counted.shape[1]))

    def solutions(
        self, objective: np.ndarray, deadline: float | None
    ) -> Iterator[tuple[np.ndarray, np.ndarray] | str]:
        """Each round's least solution by ``objective`` (over every kind), as the kinds held
        and their changes, until no kind would lower it further; ``UNBOUNDED`` when it falls
        without limit. Stops early when HiGHS does (``deadline``, ``time.monotonic``)."""
        held = np.arange(len(self.columns), dtype=np.int32)
        self.highs.changeColsCost(len(held), held, objective[self.columns])
        for _round in range(ROUNDS_MOST):
            if deadline is not None:
                # HiGHS's clock runs on across the runs of one model: the limit is its total.
                left = max(deadline - time.monotonic(), 0.0)
                self.highs.setOptionValue("time_limit", self.highs.getRunTime() + left)
            self.highs.run()
            status = self.highs.getModelStatus()
            if status in (
                highspy.HighsModelStatus.kUnbounded,
                highspy.HighsModelStatus.kUnboundedOrInfeasible,
            ):
                yield UNBOUNDED
                return
            # The snapshot's own people (no change) keep within every bound: always feasible.
            if status != highspy.HighsModelStatus.kOptimal:
                return
            solution = self.highs.getSolution()
            yield self.columns, np.asarray(solution.col_value)
            duals = np.zeros(self.counted.shape[0])
            duals[self.rows] = solution.row_dual
            reduced = objective - self.counted_by_kind @ duals
            # A kind not held has no change yet: more of it helps when its reduced cost is
            # below 0, fewer (down to none) when above 0 and the snapshot has some.
            helps = (reduced < -PRICE_SLACK) | ((reduced > PRICE_SLACK) & (self.own > 0))
            joining = np.flatnonzero(helps & ~self.held)
            if not len(joining):
                return
            if len(joining) > KINDS_A_ROUND:
                joining = joining[np.argsort(-np.abs(reduced[joining]))[:KINDS_A_ROUND]]
            self._add(np.sort(joining), objective)

    def _add(self, kinds: np.ndarray, objective: np.ndarray) -> None:
        """The kinds join with their change 0 (down to minus the snapshot's count), and every
        row they count joins with the room left in its bounds."""
        block = self.counted[:, kinds]
        counted_rows = np.unique(block.indices)
        new = counted_rows[self.row_position[counted_rows] < 0]
        if len(new):
            self.row_position[new] = np.arange(len(self.rows), len(self.rows) + len(new))
            self.rows.extend(new.tolist())
            nothing = np.zeros(0, dtype=np.int32)
            self.highs.addRows(
                len(new),
                self.room_below[new],
                self.room_above[new],
                0,
                nothing,
                nothing,
                np.zeros(0),
            )
        self.highs.addCols(
            len(kinds),
            objective[kinds],
            -self.own[kinds].astype(float),
            np.full(len(kinds), highspy.kHighsInf),
            block.nnz,
            block.indptr.astype(np.int32),
            self.row_position[block.indices].astype(np.int32),
            block.data.astype(float),
        )
        self.held[kinds] = True
        self.columns = np.concatenate([self.columns, kinds])

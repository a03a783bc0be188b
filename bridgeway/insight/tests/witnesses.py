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
from dataclasses import dataclass, field
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
    published figure, how many programs found them, and the cells whose range is the
    attacker's own (its least and greatest over every kind of person, not only seen)."""

    low: np.ndarray
    high: np.ndarray
    programs: int
    # Each such cell, with the published counts its least and greatest rest on (rows of the
    # model: the bounds whose duals are not 0).
    exact: dict[int, tuple[int, ...]] = field(default_factory=dict)

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
    universe = nearby_universe(model, bounded, secret_rows)
    true = universe.secrets @ universe.own
    witnessed = Witnessed(true.copy(), true.copy(), 0)
    if not secret_rows:
        return witnessed
    _one_person_away(witnessed, universe, model.class_sizes)
    undecided = [n for n in range(len(secret_rows)) if not witnessed.wide(n, width)]
    witnessed.programs += _near_each_cell(
        witnessed, undecided, universe, model.class_sizes, width=width, deadline=deadline
    )
    return witnessed


def nearby_universe(
    model: Any,
    bounded: list[tuple[int, float, float]],
    secret_rows: list[int],
    kinds: np.ndarray | None = None,
) -> _Universe:
    """The nearby kinds (or ``kinds``, which must hold everyone's), the rows that bound
    anything and the secret cells, for the programs."""
    if kinds is None:
        kinds = kinds_nearby(model.people_kinds, model.class_sizes)
    columns = model.kind_columns(kinds)
    own = _true_counts(model.people_kinds, kinds)
    # A bound of 0 to no limit holds for any count of people: it needs no row.
    informative = [(row, least, most) for row, least, most in bounded if least > 0 or most < np.inf]
    bounding_rows = model.rows[[row for row, _l, _m in informative]]
    counted = (bounding_rows @ columns).tocsc()
    values = counted @ own
    lows = np.array([least for _r, least, _m in informative], dtype=float)
    highs = np.array([most for _r, _l, most in informative], dtype=float)
    return _Universe(
        model,
        kinds,
        own,
        counted,
        (model.rows[secret_rows] @ columns).tocsc(),
        lows - values,
        highs - values,
        bounding_rows,
        np.array([row for row, _l, _m in informative], dtype=int),
        model.rows[secret_rows],
    )


def _one_person_away(witnessed: Witnessed, universe: _Universe, class_sizes: list[int]) -> None:
    """Widen ``witnessed`` by the sets of people one person away from the snapshot's that keep
    within every bound: one person fewer, one more, or one of them with one characteristic
    changed. Each is a sum over a few columns, so every such set is tried at once, with no
    program; a change of one characteristic moves the person between the groups of one
    table only, where the totals (often the tightest bounds) stay as they are."""
    counted, secrets, own = universe.counted, universe.secrets, universe.own
    # Rows already at their greatest (least) cannot count one more (one fewer) person.
    full = (universe.room_above < 1 - SLACK).astype(float)
    empty = (-universe.room_below < 1 - SLACK).astype(float)
    present = np.flatnonzero(own >= 1)
    fewer = present[counted[:, present].T @ empty == 0]
    more = np.flatnonzero(counted.T @ full == 0)
    true = secrets @ own
    _widen(witnessed, true, -secrets[:, fewer])
    _widen(witnessed, true, secrets[:, more])
    sources, targets = _changes_of_one_characteristic(universe.kinds, present, class_sizes)
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
    universe: _Universe,
    class_sizes: list[int],
    *,
    width: float,
    deadline: float | None,
) -> int:
    """Widen each cell in ``undecided`` by a program of its own over changes to the
    snapshot's counts of kinds (people added, removed or moved, any number), within every
    bound. It starts from the kinds in or one characteristic from the cell's and grows by
    column generation (``_CellProgram``) until it holds the least and greatest the cell can be
    over every kind of person, with a few hundred of them. Each solution is a set of people
    the attacker's whole program allows, so it widens every cell it moves; the range of a
    cell whose programs both ran to the end is the attacker's own (``witnessed.exact``).
    Returns the programs solved."""
    true = universe.secrets @ universe.own
    by_cell = universe.secrets.tocsr()
    present = np.flatnonzero(universe.own >= 1)
    sources, targets = _changes_of_one_characteristic(universe.kinds, present, class_sizes)
    programs = 0
    for number in undecided:
        if witnessed.wide(number, width):
            continue
        if deadline is not None and time.monotonic() > deadline:
            break
        inside = by_cell[number].indices
        inside_present = inside[universe.own[inside] >= 1]
        # People of the cell who may leave it, and people one step from it who may join.
        leaving = np.isin(sources, inside_present)
        joining = np.isin(targets, inside) & ~np.isin(sources, inside)
        near = np.unique(np.concatenate([inside_present, sources[joining], targets[leaving]]))
        program = _CellProgram(universe, number, near)
        ended = 0
        resting: list[int] = []
        for sign in (1.0, -1.0):
            for found in program.solutions(sign, deadline):
                programs += 1
                if isinstance(found, str):
                    witnessed.high[number] = np.inf
                else:
                    np.minimum(witnessed.low, true + found, out=witnessed.low)
                    np.maximum(witnessed.high, true + found, out=witnessed.high)
                if witnessed.wide(number, width):
                    break
            if witnessed.wide(number, width):
                break
            ended += program.ended
            resting += program.binding()
        if ended == 2:
            witnessed.exact[number] = tuple(dict.fromkeys(resting))
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


@dataclass
class _Universe:
    """What every cell's program draws on: the nearby kinds (``kinds``, with the snapshot's
    count of each, ``own``), the bounding rows and secret cells that count each, the room
    each row has above and below the snapshot's value, and the model itself, to price and
    count any other kind of person."""

    model: Any
    kinds: np.ndarray
    own: np.ndarray
    counted: sparse.csc_matrix  # bounding rows by nearby kinds
    secrets: sparse.csc_matrix  # secret cells by nearby kinds
    room_below: np.ndarray
    room_above: np.ndarray
    bounding_rows: sparse.csr_matrix  # bounding rows by the model's unknowns (margin cells)
    bounding_queries: np.ndarray  # the model's row behind each bounding row
    secret_rows: sparse.csr_matrix  # secret cells by the model's unknowns

    def __post_init__(self) -> None:
        self.counted_by_kind = self.counted.T.tocsr()
        self.bounding_by_unknown = self.bounding_rows.T.tocsr()
        self.room_below = np.where(np.isinf(self.room_below), -highspy.kHighsInf, self.room_below)
        self.room_above = np.where(np.isinf(self.room_above), highspy.kHighsInf, self.room_above)


def cheapest_kind(model: Any, weights: np.ndarray) -> tuple[np.ndarray, float]:
    """The kind of person whose unknowns (one cell of each of the model's tables) weigh least
    in total, and that total: min-sum over the model's junction tree, each table's
    characteristics not shared with its parent chosen at their best for each value of the
    shared ones (the pattern of events is in every table), leaves first."""
    tables = [
        weights[model.offsets[block] : model.offsets[block + 1]].reshape(model.shapes[block])
        for block in range(len(model.blocks))
    ]
    choices: dict[int, np.ndarray] = {}
    for block in reversed(range(1, len(model.blocks))):
        chars, parent = model.blocks[block], model.parents[block]
        shared = [n for n, c in enumerate(chars) if c in model.blocks[parent]]
        own_only = [n for n, c in enumerate(chars) if c not in model.blocks[parent]]
        table = tables[block].transpose([*shared, len(chars), *own_only])
        flat = table.reshape((*table.shape[: len(shared) + 1], -1))
        choices[block] = flat.argmin(axis=-1)
        # Both blocks list their characteristics in order, so the shared ones line up.
        shape = [1] * len(model.blocks[parent]) + [model.pattern_count]
        for n in shared:
            shape[model.blocks[parent].index(chars[n])] = model.class_sizes[chars[n]]
        tables[parent] = tables[parent] + flat.min(axis=-1).reshape(shape)
    root = tables[0]
    best = np.unravel_index(int(root.argmin()), root.shape)
    kind = np.zeros(len(model.class_sizes) + 1, dtype=np.int64)
    for n, c in enumerate(model.blocks[0]):
        kind[c] = best[n]
    kind[-1] = best[-1]
    for block in range(1, len(model.blocks)):
        chars, parent = model.blocks[block], model.parents[block]
        own_only = [c for c in chars if c not in model.blocks[parent]]
        given = (*tuple(int(kind[c]) for c in chars if c in model.blocks[parent]), int(kind[-1]))
        chosen = np.unravel_index(
            int(choices[block][given]), [model.class_sizes[c] for c in own_only]
        )
        for c, value in zip(own_only, chosen, strict=True):
            kind[c] = value
    return kind, float(root.min())


class _CellProgram:
    """One cell's program over changes to the snapshot's counts of kinds, grown by column
    generation: after each solution every nearby kind the program lacks is priced by its
    reduced cost (its objective less what the rows' duals charge it), and those that would
    move the objective further join it, with any rows they bring; when no nearby kind would,
    the cheapest of every kind of person (``cheapest_kind``) is priced, and joins if it would.
    When none would, the solution is the best over every kind (Dantzig-Wolfe's pricing, as in
    cutting-stock problems): the attacker's own optimum, though the program holds a few
    hundred kinds."""

    def __init__(self, universe: _Universe, cell: int, kinds: np.ndarray) -> None:
        self.universe = universe
        self.cell = universe.secret_rows[cell].toarray().ravel()  # over the model's unknowns
        self.objective = universe.secrets[[cell]].toarray().ravel()  # over the nearby kinds
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.held = np.zeros(universe.counted.shape[1], dtype=bool)
        self.row_position = np.full(universe.counted.shape[0], -1)
        self.rows: list[int] = []
        self.costs: list[np.ndarray] = []  # each column's objective, the cell's count
        self.secret_blocks: list[sparse.csc_matrix] = []
        self.ended = 0  # 1 when the last ``solutions`` ran to the optimum over every kind
        counted = universe.counted[:, kinds]
        self._add(counted, universe.secrets[:, kinds], self.objective[kinds], universe.own[kinds])
        self.held[kinds] = True

    def solutions(self, sign: float, deadline: float | None) -> Iterator[np.ndarray | str]:
        """Each round's change to every secret cell, least by ``sign`` times the cell, until
        no kind would lower it further (then ``ended`` is 1); ``UNBOUNDED`` when it falls
        without limit. Stops early when HiGHS does (``deadline``, ``time.monotonic``)."""
        universe = self.universe
        self.ended = 0
        costs = sign * np.concatenate(self.costs)
        self.highs.changeColsCost(len(costs), np.arange(len(costs), dtype=np.int32), costs)
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
            yield sparse.hstack(self.secret_blocks).tocsr() @ np.asarray(solution.col_value)
            duals = np.zeros(universe.counted.shape[0])
            duals[self.rows] = solution.row_dual
            reduced = sign * self.objective - universe.counted_by_kind @ duals
            # A kind not held has no change yet: more of it helps when its reduced cost is
            # below 0, fewer (down to none) when above 0 and the snapshot has some.
            helps = (reduced < -PRICE_SLACK) | ((reduced > PRICE_SLACK) & (universe.own > 0))
            joining = np.flatnonzero(helps & ~self.held)
            if len(joining):
                if len(joining) > KINDS_A_ROUND:
                    joining = joining[np.argsort(-np.abs(reduced[joining]))[:KINDS_A_ROUND]]
                joining = np.sort(joining)
                self._add(
                    universe.counted[:, joining],
                    universe.secrets[:, joining],
                    self.objective[joining],
                    universe.own[joining],
                    sign,
                )
                self.held[joining] = True
                continue
            # No nearby kind helps: the cheapest of every kind (none of them in the snapshot).
            weights = sign * self.cell - universe.bounding_by_unknown @ duals
            kind, cost = cheapest_kind(universe.model, weights)
            if cost >= -PRICE_SLACK:
                self.ended = 1
                return
            unknowns = universe.model.kind_columns(kind[np.newaxis])
            self._add(
                (universe.bounding_rows @ unknowns).tocsc(),
                (universe.secret_rows @ unknowns).tocsc(),
                np.asarray(self.cell @ unknowns).ravel(),
                np.zeros(1),
                sign,
            )

    def binding(self) -> list[int]:
        """The published counts (rows of the model) whose bounds the last solution rests on."""
        duals = np.asarray(self.highs.getSolution().row_dual)
        return [
            int(self.universe.bounding_queries[self.rows[position]])
            for position in np.flatnonzero(np.abs(duals) > PRICE_SLACK)
        ]

    def _add(
        self,
        counted: sparse.csc_matrix,
        secrets: sparse.csc_matrix,
        objective: np.ndarray,
        own: np.ndarray,
        sign: float = 1.0,
    ) -> None:
        """Kinds join with their change 0 (down to minus the snapshot's count), and every row
        they count joins with the room left in its bounds."""
        universe = self.universe
        counted = sparse.csc_matrix(counted)
        counted_rows = np.unique(counted.indices)
        new = counted_rows[self.row_position[counted_rows] < 0]
        if len(new):
            self.row_position[new] = np.arange(len(self.rows), len(self.rows) + len(new))
            self.rows.extend(new.tolist())
            nothing = np.zeros(0, dtype=np.int32)
            self.highs.addRows(
                len(new),
                universe.room_below[new],
                universe.room_above[new],
                0,
                nothing,
                nothing,
                np.zeros(0),
            )
        self.highs.addCols(
            counted.shape[1],
            sign * objective,
            -own.astype(float),
            np.full(counted.shape[1], highspy.kHighsInf),
            counted.nnz,
            counted.indptr.astype(np.int32),
            self.row_position[counted.indices].astype(np.int32),
            counted.data.astype(float),
        )
        self.costs.append(objective)
        self.secret_blocks.append(sparse.csc_matrix(secrets))

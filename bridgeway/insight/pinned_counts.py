"""Which small hidden counts of a cross table a reader could work out from its line totals.

Plain Python with NumPy and SciPy, no Django. A reader who knows each line's total (published
in the smaller tables) and its visible cells knows what its hidden cells add up to; linear
programming over the hidden cells gives each one's least and greatest possible values, and a
small count whose two agree is given away (pinned).

``suppress_table`` hides one more cell at a time until nothing small is pinned, so the same
table is checked again and again with more hidden. Hiding a cell only widens what the others
could be (every earlier solution still fits, with the new cell at its true value), so a count
once shown not pinned stays so: ``PinnedCounts`` remembers them and checks only the rest,
stopping at the first pinned one, which is all the suppression needs (decision 0168).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from scipy.optimize import linprog  # type: ignore[import-untyped]

from bridgeway.disclosure.suppression import is_primary

Cell = tuple[str, ...]

# Two values a solution shows for a count half a person apart or more: it is not pinned.
APART = 0.5


class _Program:
    """The line equations over one set of hidden cells, and the solutions seen so far."""

    def __init__(
        self,
        values: Mapping[Cell, int],
        hidden: Collection[Cell],
        lines: Sequence[Sequence[Cell]],
        watched: Sequence[Cell],
    ) -> None:
        order = sorted(hidden)
        self.position = {cell: index for index, cell in enumerate(order)}
        equations: list[list[float]] = []
        targets: list[float] = []
        for line in lines:
            row = [0.0] * len(order)
            for cell in line:
                if cell in self.position:
                    row[self.position[cell]] = 1.0
            if any(row):
                equations.append(row)
                targets.append(
                    float(sum(values.get(cell, 0) for cell in line if cell in self.position))
                )
        self.a_eq = np.array(equations) if equations else None
        self.b_eq = np.array(targets)
        # A zero may be hidden in a cross table, so all a reader knows of a hidden cell is
        # that it is not negative.
        self.bounds = [(0, None)] * len(order)
        self.watched = list(watched)
        self._columns = [self.position[cell] for cell in self.watched]
        self.seen_low = np.full(len(self.watched), np.inf)
        self.seen_high = np.full(len(self.watched), -np.inf)

    @property
    def constrained(self) -> bool:
        return self.a_eq is not None

    def solve(self, weights: Mapping[Cell, float]) -> Any:
        """Minimise the weighted sum of hidden cells, noting where each watched count fell."""
        objective = np.zeros(len(self.position))
        for cell, weight in weights.items():
            objective[self.position[cell]] = weight
        result = linprog(
            objective, A_eq=self.a_eq, b_eq=self.b_eq, bounds=self.bounds, method="highs"
        )
        if result.status == 0 and self._columns:
            np.minimum(self.seen_low, result.x[self._columns], out=self.seen_low)
            np.maximum(self.seen_high, result.x[self._columns], out=self.seen_high)
        return result

    def seen_apart(self, number: int) -> bool:
        return bool(self.seen_high[number] - self.seen_low[number] >= APART)

    def pins(self, cell: Cell, number: int) -> bool:
        """Whether ``cell`` (watched as ``number``) has one possible value."""
        low = self.solve({cell: 1.0})
        if self.seen_apart(number):
            return False
        high = self.solve({cell: -1.0})
        if low.status == 0 and high.status == 0:
            return bool(-high.fun - low.fun < APART)
        # Unbounded above cannot happen (each line's total bounds its cells); any other
        # solver failure counts as pinned, to be safe.
        return low.status != 0 or high.status not in (0, 3)


class PinnedCounts:
    """The small counts of one table a reader could pin, as its hidden cells only grow."""

    def __init__(
        self, values: Mapping[Cell, int], lines: Sequence[Sequence[Cell]], threshold: int
    ) -> None:
        self.values = values
        self.lines = lines
        self.threshold = threshold
        self._lines_of: dict[Cell, list[int]] = {}
        for index, line in enumerate(lines):
            for cell in line:
                self._lines_of.setdefault(cell, []).append(index)
        self._not_pinned: set[Cell] = set()
        self._hidden_before: frozenset[Cell] = frozenset()
        # A count shown pinned with some cells hidden is pinned with any of them hidden, so
        # while the table hides only cells from that set, it need not be checked again.
        self._pinned_within: tuple[Cell, frozenset[Cell]] | None = None

    def pinned(self, hidden: Collection[Cell]) -> Iterator[Cell]:
        """The small hidden counts the totals give away, in order, each found when asked for.

        ``hidden`` must hold every cell hidden at the last call: what was shown not pinned
        then is remembered.
        """
        return self._search(hidden, self._left(hidden))

    def first(self, hidden: Collection[Cell]) -> Cell | None:
        """The first small hidden count the totals give away, or ``None``."""
        left = self._left(hidden)
        if left and self._pinned_within is not None:
            cell, within = self._pinned_within
            if left[0] == cell and within.issuperset(hidden):
                return cell
        found = next(self._search(hidden, left), None)
        if found is not None:
            self._remember(found, hidden)
        return found

    def would_pin(self, cell: Cell, hidden: Collection[Cell]) -> bool:
        """Whether ``cell`` would be pinned with ``hidden`` hidden (a trial: only a pin is kept)."""
        if self._pinned_within is not None:
            known, within = self._pinned_within
            if known == cell and within.issuperset(hidden):
                return True
        program = _Program(self.values, hidden, self.lines, [cell])
        if program.constrained and program.pins(cell, 0):
            self._remember(cell, hidden)
            return True
        return False

    def first_to_free(
        self, cell: Cell, hidden: Collection[Cell], candidates: Sequence[Cell]
    ) -> Cell | None:
        """The first of ``candidates`` that, hidden as well, leaves the pinned ``cell`` free.

        Hiding more only widens what the count could be, so when a run of candidates hidden
        together leaves it pinned, no one of them frees it: halving the run finds where the
        first that might begins, in a few programs rather than two per candidate.
        """
        hidden = set(hidden)
        start = 0
        while start < len(candidates):
            if self.would_pin(cell, hidden | set(candidates[start:])):
                return None
            # Hidden with candidates[start:pinning] the count is pinned; with [start:freeing],
            # free (with none of them it is pinned: the caller found it so).
            pinning, freeing = start, len(candidates)
            while freeing - pinning > 1:
                middle = (pinning + freeing) // 2
                if self.would_pin(cell, hidden | set(candidates[start:middle])):
                    pinning = middle
                else:
                    freeing = middle
            last = candidates[freeing - 1]
            if freeing - 1 == start or not self.would_pin(cell, hidden | {last}):
                return last
            start = freeing
        return None

    def beside(self, cell: Cell, hidden: Collection[Cell]) -> set[Cell]:
        """The cells of every line joined to ``cell`` through hidden cells.

        What ``cell`` could be depends only on those lines' totals, so hiding a cell outside
        them cannot change it.
        """
        reached: set[int] = set()
        joined, frontier = {cell}, [cell]
        while frontier:
            for index in self._lines_of.get(frontier.pop(), ()):
                if index not in reached:
                    reached.add(index)
                    for other in self.lines[index]:
                        if other in hidden and other not in joined:
                            joined.add(other)
                            frontier.append(other)
        return {other for index in reached for other in self.lines[index]}

    def _remember(self, cell: Cell, hidden: Collection[Cell]) -> None:
        # Pinned within two sets is not pinned within their union: keep one set.
        known = self._pinned_within
        if known is None or known[0] != cell or not known[1].issuperset(hidden):
            self._pinned_within = (cell, frozenset(hidden))

    def _left(self, hidden: Collection[Cell]) -> list[Cell]:
        """The small hidden counts not yet shown free, in order."""
        if not self._hidden_before.issubset(hidden):
            raise ValueError("the hidden cells can only grow between checks")
        self._hidden_before = frozenset(hidden)
        return [
            cell
            for cell in sorted(hidden)
            if cell not in self._not_pinned and is_primary(self.values.get(cell, 0), self.threshold)
        ]

    def _search(self, hidden: Collection[Cell], left: list[Cell]) -> Iterator[Cell]:
        if not left:
            return
        program = _Program(self.values, hidden, self.lines, left)
        if not program.constrained:
            self._not_pinned.update(left)
            return
        # Every solution is values a reader cannot rule out: two programs over all the counts
        # left show most of them at two values apart, so they need no programs of their own.
        program.solve(dict.fromkeys(left, 1.0))
        program.solve(dict.fromkeys(left, -1.0))
        for number, cell in enumerate(left):
            if program.seen_apart(number) or not program.pins(cell, number):
                self._not_pinned.add(cell)
            else:
                yield cell

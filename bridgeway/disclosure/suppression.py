"""Disclosure control for published counts: plain Python, no Django.

A count from 1 to ``threshold - 1`` could point to a person, so it is hidden (primary
suppression, written ``[c]``). Hiding one cell is not enough when a reader can subtract the
visible cells from a total, so more cells are hidden until no hidden cell can be worked out
(secondary suppression). Zero stays 0: there is no one to identify in an empty cell.

The symbols are the Government Statistical Service's: ``[c]`` confidential, ``[x]`` not
available, ``[z]`` not applicable.

The tables this serves (a characteristic's groups, then the three kinds of missing answer,
then a total) let a careful reader learn two sums besides the visible cells:

* the total of the *recorded* groups: every recorded group's share is published over it, and
  ratios compare a group with the other recorded groups, so one visible non-zero cell gives
  it away;
* the grand total: it is a row of its own, and the missing-answer rows' shares are over it.

So a hidden cell is protected only if, inside every sum the reader can know, it shares the
remainder with at least one other hidden cell, and the remainder is not fixed by the fact
that each hidden cell is at least 1 (two hidden cells that add up to 2 are both 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

CONFIDENTIAL = "[c]"
NOT_AVAILABLE = "[x]"
NOT_APPLICABLE = "[z]"
SYMBOLS = frozenset({CONFIDENTIAL, NOT_AVAILABLE, NOT_APPLICABLE})

RECORDED = "recorded"
NOT_KNOWN = "not_known"
ANY_BLOCK = "any"


@dataclass(frozen=True)
class ColumnSuppression:
    """Which cells of one column of counts are hidden."""

    recorded_hidden: tuple[bool, ...]
    not_known_hidden: tuple[bool, ...]
    total_hidden: bool

    @property
    def hidden_count(self) -> int:
        return sum(self.recorded_hidden) + sum(self.not_known_hidden) + int(self.total_hidden)


@dataclass(frozen=True)
class _Cell:
    block: str
    index: int
    value: int


def is_primary(value: int, threshold: int) -> bool:
    """Whether a count is small enough to identify someone (1 to ``threshold - 1``)."""
    return 0 < value < threshold


def _sums_known(cells: list[_Cell], hidden: set[_Cell], total_hidden: bool) -> tuple[bool, bool]:
    """Whether a reader can know the recorded groups' sum and the grand total."""
    visible_non_zero = [cell for cell in cells if cell.value > 0 and cell not in hidden]
    recorded_complete = not any(cell.block == RECORDED for cell in hidden)
    not_known_complete = not any(cell.block == NOT_KNOWN for cell in hidden)
    # Any published share or ratio beside a visible count gives its denominator away.
    recorded_known = bool(visible_non_zero) or recorded_complete
    total_known = not total_hidden or any(cell.block == NOT_KNOWN for cell in visible_non_zero)
    for _round in range(2):
        total_known = total_known or (recorded_known and not_known_complete)
        recorded_known = recorded_known or (total_known and not_known_complete)
    return recorded_known, total_known


def _exposed(group: list[_Cell]) -> bool:
    """Whether a reader who knows the sum of ``group`` can tell any one of its cells."""
    if not group:
        return False
    # Each hidden cell is at least 1, so k cells adding up to k are all 1.
    return len(group) == 1 or sum(cell.value for cell in group) == len(group)


def _exposed_block(cells: list[_Cell], hidden: set[_Cell], total_hidden: bool) -> str | None:
    """The block a further cell must be hidden in, or ``None`` when every hidden cell is safe."""
    recorded_known, total_known = _sums_known(cells, hidden, total_hidden)
    hidden_cells = [cell for cell in cells if cell in hidden]
    recorded = [cell for cell in hidden_cells if cell.block == RECORDED]
    not_known = [cell for cell in hidden_cells if cell.block == NOT_KNOWN]
    if recorded_known and _exposed(recorded):
        return RECORDED
    if recorded_known and total_known and _exposed(not_known):
        return NOT_KNOWN
    if total_known and _exposed(hidden_cells):
        return ANY_BLOCK
    return None


def suppress_column(
    recorded: Sequence[int], not_known: Sequence[int], threshold: int
) -> ColumnSuppression:
    """Primary and secondary suppression for one column of a table of distinct people.

    ``recorded`` are the counts of the characteristic's own groups, ``not_known`` those of
    the missing-answer rows; the total is their sum (each person is in one row).
    """
    if threshold < 1:
        raise ValueError("the suppression threshold must be at least 1")
    if any(value < 0 for value in (*recorded, *not_known)):
        raise ValueError("counts cannot be negative")
    cells = [_Cell(RECORDED, i, value) for i, value in enumerate(recorded)] + [
        _Cell(NOT_KNOWN, i, value) for i, value in enumerate(not_known)
    ]
    hidden = {cell for cell in cells if is_primary(cell.value, threshold)}
    total_hidden = is_primary(sum(recorded) + sum(not_known), threshold)
    while True:
        block = _exposed_block(cells, hidden, total_hidden)
        if block is None:
            break
        candidates = sorted(
            (cell for cell in cells if cell.value > 0 and cell not in hidden),
            key=lambda cell: (cell.block != block, cell.value, cell.block, cell.index),
        )
        if candidates:
            # The next smallest count, from the same block when there is one, hides the
            # remainder with the least loss of information.
            hidden.add(candidates[0])
        elif not total_hidden:
            total_hidden = True
        else:  # pragma: no cover - with every count hidden no sum is known
            break
    return ColumnSuppression(
        recorded_hidden=tuple(cell in hidden for cell in cells if cell.block == RECORDED),
        not_known_hidden=tuple(cell in hidden for cell in cells if cell.block == NOT_KNOWN),
        total_hidden=total_hidden,
    )


def format_count(value: int, *, hidden: bool) -> str:
    """A count as published: the number, or ``[c]`` when hidden (zero is never hidden)."""
    return CONFIDENTIAL if hidden and value != 0 else str(value)


def format_decimal(value: float, places: int) -> str:
    """A share, rate or ratio rounded to ``places`` decimal places."""
    return f"{value:.{places}f}"


def is_symbol(text: str) -> bool:
    """Whether a published cell is one of the symbols rather than a number."""
    return text in SYMBOLS

"""How long the insight page's bars are drawn: plain Python, no Django.

Shares in an area are lopsided (a majority group of 72 % beside groups of 1 or 2 %): drawn
against the largest, the small groups' bars are a few pixels long and cannot be compared. So
when the largest group is far larger than the next, the bars are drawn against the next
largest and the largest group's bars are cut short, with a break mark; every bar carries its
value, so the cut bar still says its real share.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# The part of the chart's width a full bar takes, leaving room after it for its value
# ("72.0%" fits after it in a 390 px wide phone's table cell).
ROOM = 60.0
# The largest group's bars are cut when it is more than this many times the next largest.
BREAK_RATIO = 2.5


@dataclass(frozen=True)
class Bar:
    """One bar: its width as a percentage of the chart, and whether it is cut short."""

    width: float
    cut: bool

    @property
    def css(self) -> str:
        """The width as an SVG length ("12.34%")."""
        return f"{self.width:.2f}%"


def scale_for(groups: Iterable[Sequence[float | None]]) -> float:
    """The value a full bar stands for, given each group's values (a group's own bars).

    The largest value, unless the largest group is more than ``BREAK_RATIO`` times the next
    largest: then the next largest, so the smaller groups' bars keep a readable length.
    """
    peaks = sorted(
        (
            max(values)
            for values in ([v for v in group if v is not None] for group in groups)
            if values
        ),
        reverse=True,
    )
    peaks = [peak for peak in peaks if peak > 0]
    if not peaks:
        return 1.0
    if len(peaks) > 1 and peaks[0] > BREAK_RATIO * peaks[1]:
        return peaks[1]
    return peaks[0]


def bar(value: float | None, scale: float) -> Bar | None:
    """The bar for ``value`` drawn against ``scale`` (``None`` when no number stands there)."""
    if value is None:
        return None
    share = max(value, 0.0) / scale if scale > 0 else 0.0
    return Bar(width=min(share, 1.0) * ROOM, cut=share > 1.0)

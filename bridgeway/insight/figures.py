"""Published figures and the rows that hold them: plain Python, no Django.

A table's figures travel as numbers, each with the decimal places it is published to or the
symbol that stands in for it (``[c]`` hidden, ``[x]`` not available, ``[z]`` not
applicable), until the CSV or spreadsheet writer or the page shows them. ``Figure.text`` is
the one place a figure becomes its published text, ``Figure.number`` the one place it
becomes the number a spreadsheet stores and a chart is drawn from, and ``Figure.percent``
the one place a share becomes a percentage on a page.

A hidden figure keeps no number at all, so nothing downstream can show a suppressed count by
mistake.
"""

from __future__ import annotations

from dataclasses import dataclass

from bridgeway.disclosure.suppression import (
    CONFIDENTIAL,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SYMBOLS,
    format_count,
    format_decimal,
)


@dataclass(frozen=True, eq=False)
class Figure:
    """One published number, or the symbol that stands in for it.

    ``places`` is 0 for a count and the decimal places for a share, rate or ratio. Two
    figures, or a figure and a string, are equal when they publish the same text: a table
    compares cell by cell with the CSV it is written to.
    """

    value: int | float | None
    places: int = 0
    symbol: str | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.symbol is None):
            raise ValueError("a figure is either a number or a symbol")
        if self.symbol is not None and self.symbol not in SYMBOLS:
            raise ValueError(f"{self.symbol!r} is not a publication symbol")

    @classmethod
    def count(cls, value: int, *, hidden: bool = False) -> Figure:
        """A count of people, hidden as ``[c]`` when ``hidden`` (zero is never hidden)."""
        return CONFIDENTIAL_FIGURE if hidden and value != 0 else cls(value)

    @classmethod
    def decimal(cls, value: float, places: int) -> Figure:
        """A share, rate or ratio published to ``places`` decimal places."""
        return cls(value, places=places)

    @property
    def is_symbol(self) -> bool:
        """Whether a symbol stands in for the number."""
        return self.symbol is not None

    @property
    def text(self) -> str:
        """The figure as published: the rounded number, or its symbol."""
        if self.symbol is not None:
            return self.symbol
        if self.places == 0:
            return format_count(int(self.value or 0), hidden=False)
        return format_decimal(float(self.value or 0), self.places)

    @property
    def number(self) -> int | float | None:
        """The published number (rounded as its text is), or ``None`` under a symbol.

        ``round`` rounds exactly as the text does, so a spreadsheet cell, a chart and the
        CSV all say the same number.
        """
        if self.value is None:
            return None
        if self.places == 0:
            return int(self.value)
        return round(float(self.value), self.places)

    @property
    def percent(self) -> str:
        """A share as a percentage with one decimal place (its symbol when there is none)."""
        number = self.number
        if number is None:
            return self.text
        return f"{number * 100:.1f}%"

    def __str__(self) -> str:
        return self.text

    # int() and float() give the published number, and refuse a symbol as they would its text.
    def __int__(self) -> int:
        return int(self._published_number())

    def __float__(self) -> float:
        return float(self._published_number())

    def _published_number(self) -> int | float:
        number = self.number
        if number is None:
            raise ValueError(f"{self.text} stands in for a number that is not published")
        return number

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Figure):
            return self.text == other.text
        if isinstance(other, str):
            return self.text == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.text)


CONFIDENTIAL_FIGURE = Figure(None, symbol=CONFIDENTIAL)
NOT_AVAILABLE_FIGURE = Figure(None, symbol=NOT_AVAILABLE)
NOT_APPLICABLE_FIGURE = Figure(None, symbol=NOT_APPLICABLE)


class Row(dict[str, "str | Figure"]):
    """One row of a published table: column name to a label (text) or a ``Figure``.

    Labels are codes, names and flags (``area_code``, ``ethnic_group_label``,
    ``service_specialist``); everything counted or worked out is a ``Figure``. Writers turn
    the row into text with ``str``, which publishes each figure.
    """

    def figure(self, column: str) -> Figure:
        """The figure in ``column`` (a ``TypeError`` if the column holds a label)."""
        value = self[column]
        if not isinstance(value, Figure):
            raise TypeError(f"{column} holds a label, not a figure")
        return value

    def label(self, column: str) -> str:
        """The label in ``column`` (a ``TypeError`` if the column holds a figure)."""
        value = self[column]
        if not isinstance(value, str):
            raise TypeError(f"{column} holds a figure, not a label")
        return value

"""Text in a download stays text: no cell of a CSV or XLSX file Bridgeway writes is a formula.

A name typed by staff or read from someone else's feed can begin with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return; a spreadsheet opening the file would run it as a formula
(``=HYPERLINK(...)`` sends whoever clicks it to any address, older DDE formulas start
programs). Every writer of a download passes its cells through here. No Django here, so any
app may use it and the rule can be property-tested alone.

- CSV, as OWASP advises (https://owasp.org/www-community/attacks/CSV_Injection): a text value
  beginning with one of those characters gets a single quote in front, which a spreadsheet
  shows as text. A number stays a number, also when written as text (``-3``, ``-0.25``): it
  is not a formula, and quoting it would turn a figure into a word.
- XLSX: the cell is stored as a string (never as a formula) and marked ``quotePrefix``, so a
  spreadsheet keeps it as text even after someone edits it; its text is unchanged.

Machine-readable data (the HSDS tabular package) is not neutralised: there the exact text is
the data. See docs/decisions/0064-downloads-hold-no-formulas.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
# A plain number as a CSV writes one: a sign, digits, a decimal part, an exponent.
_NUMBER: Final = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

Value = TypeVar("Value")


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula (a plain number excepted)."""
    return text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text)


def csv_cell(value: Value) -> Value | str:
    """``value`` as a CSV cell that no spreadsheet runs: formula-like text gets a ``'`` in
    front; numbers, and anything that is not text, are left as they are."""
    if isinstance(value, str) and starts_like_formula(value):
        return "'" + value
    return value


def csv_row(values: Iterable[Value]) -> list[Value | str]:
    """A row for ``csv.writer``, each cell through ``csv_cell``."""
    return [csv_cell(value) for value in values]


def csv_record(record: Mapping[str, Value]) -> dict[str, Value | str]:
    """A row for ``csv.DictWriter``, each value through ``csv_cell``."""
    return {name: csv_cell(value) for name, value in record.items()}


def workbook_as_text(workbook: Workbook) -> None:
    """Make every formula-like text cell of ``workbook`` plain text, in place; call it just
    before saving. openpyxl stores any string beginning with ``=`` as a formula: this stores
    it as the string it is. Numbers and dates are left alone."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value: Any = cell.value
                if isinstance(value, str) and starts_like_formula(value):
                    cell.data_type = "s"
                    cell.quotePrefix = True

"""The one rule every download follows: text is never a formula (bridgeway/spreadsheet_cells.py)."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from bridgeway.spreadsheet_cells import (
    FORMULA_STARTS,
    csv_cell,
    csv_record,
    csv_row,
    starts_like_formula,
    workbook_as_text,
)

HOSTILE = '=HYPERLINK("http://x","y")'
formula_like = st.builds(
    lambda start, rest: start + rest, st.sampled_from(FORMULA_STARTS), st.text()
).filter(starts_like_formula)


@given(formula_like)
def test_formula_like_text_gets_a_quote_in_front_and_keeps_its_text(text: str) -> None:
    assert csv_cell(text) == "'" + text


@given(st.text().filter(lambda text: not text.startswith(FORMULA_STARTS)))
def test_other_text_is_left_as_it_is(text: str) -> None:
    assert csv_cell(text) == text


@given(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False)))
def test_numbers_stay_numbers_also_written_as_text(number: float) -> None:
    assert csv_cell(number) == number
    assert csv_cell(str(number)) == str(number)


def test_the_characters_owasp_names_each_make_a_formula() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert csv_cell(start + "cmd|' /C calc'!A0") == "'" + start + "cmd|' /C calc'!A0"
    assert csv_cell("-3") == "-3"
    assert csv_cell("-0.25") == "-0.25"
    assert csv_cell("+1e5") == "+1e5"
    assert csv_cell("-3+cmd") == "'-3+cmd"
    assert csv_cell(None) is None


@given(st.lists(st.one_of(st.text(), st.integers())))
def test_a_csv_row_read_back_holds_no_formula(values: list[str | int]) -> None:
    handle = io.StringIO()
    csv.writer(handle).writerow(csv_row(values))
    for cell in next(csv.reader(io.StringIO(handle.getvalue())), []):
        assert not starts_like_formula(cell)


def test_a_record_is_neutralised_value_by_value() -> None:
    assert csv_record({"name": HOSTILE, "count": "-3", "n": 4}) == {
        "name": "'" + HOSTILE,
        "count": "-3",
        "n": 4,
    }


# Each example writes and reads a workbook: on a loaded machine one takes longer than
# hypothesis's default 200 ms (and its health check finds the examples slow), which is not a
# failure of the workbook.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formula_like.filter(lambda text: "\r" not in text and text.isprintable()))
def test_a_workbook_keeps_formula_like_text_as_text(text: str) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = text
    sheet["A2"] = -3
    sheet["A3"] = "Total"
    workbook_as_text(workbook)
    handle = io.BytesIO()
    workbook.save(handle)
    read = load_workbook(io.BytesIO(handle.getvalue()))
    cell = read.active["A1"]  # type: ignore[index]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert (read.active["A2"].value, read.active["A2"].data_type) == (-3, "n")  # type: ignore[index]
    assert not read.active["A3"].quotePrefix  # type: ignore[index]


def test_without_the_rule_openpyxl_would_write_a_formula() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = HOSTILE
    assert sheet["A1"].data_type == "f"
    workbook_as_text(workbook)
    assert sheet["A1"].data_type == "s"

"""Published figures: numbers until they are written, one rounding for text, files and bars."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.disclosure.suppression import format_count, format_decimal
from bridgeway.insight.figures import CONFIDENTIAL_FIGURE, NOT_APPLICABLE_FIGURE, Figure, Row
from bridgeway.insight.needs_assessment import (
    HEADER,
    AreaPopulation,
    GroupCounts,
    needs_assessment_table,
)

LABEL_COLUMNS = {"area_code", "area_name", "ethnic_group", "ethnic_group_label"}


def test_a_count_publishes_as_its_number_and_a_hidden_one_keeps_no_number():
    assert Figure.count(12).text == "12"
    assert Figure.count(12).number == 12
    hidden = Figure.count(3, hidden=True)
    assert hidden is CONFIDENTIAL_FIGURE
    assert (hidden.text, hidden.number, hidden.is_symbol) == ("[c]", None, True)
    assert Figure.count(0, hidden=True).text == "0"  # zero identifies no one


def test_a_share_publishes_rounded_and_shows_as_a_percentage_of_that_rounding():
    share = Figure.decimal(2 / 3, 4)
    assert share.text == "0.6667"
    assert share.number == 0.6667
    assert share.percent == "66.7%"
    assert NOT_APPLICABLE_FIGURE.percent == "[z]"


@given(st.floats(min_value=0, max_value=1000, allow_nan=False), st.integers(1, 6))
def test_the_published_number_is_exactly_the_published_text_read_back(value, places):
    figure = Figure.decimal(value, places)
    assert figure.text == format_decimal(value, places)
    assert figure.number == float(figure.text)


@given(st.integers(0, 10**9), st.booleans())
def test_a_count_publishes_exactly_as_format_count_does(value, hidden):
    assert Figure.count(value, hidden=hidden).text == format_count(value, hidden=hidden)


def test_a_figure_equals_the_text_it_publishes():
    assert Figure.count(7) == "7"
    assert Figure.decimal(0.5, 4) == Figure.decimal(0.50001, 4)
    assert hash(Figure.count(7)) == hash("7")
    assert Figure.count(7) != "7.0"
    assert str(CONFIDENTIAL_FIGURE) == "[c]"
    assert int(Figure.count(7)) == 7
    with pytest.raises(ValueError, match="not published"):
        int(CONFIDENTIAL_FIGURE)


def test_a_figure_is_a_number_or_a_known_symbol_never_both():
    with pytest.raises(ValueError, match="either"):
        Figure(3, symbol="[c]")
    with pytest.raises(ValueError, match="either"):
        Figure(None)
    with pytest.raises(ValueError, match="symbol"):
        Figure(None, symbol="n/a")


def test_a_row_tells_figures_from_labels():
    row = Row({"area_code": "E23000010", "referred": Figure.count(4)})
    assert row.figure("referred").number == 4
    assert row.label("area_code") == "E23000010"
    with pytest.raises(TypeError, match="label"):
        row.figure("area_code")
    with pytest.raises(TypeError, match="figure"):
        row.label("referred")


def test_every_column_of_a_table_but_its_labels_travels_as_a_figure():
    area = AreaPopulation("E23000010", "West Yorkshire", "pfa", {"white_british": 800})
    rows = needs_assessment_table(
        area, {"white_british": GroupCounts(referred=9, offered=6, accepted=5)}, threshold=5
    )
    for row in rows:
        assert isinstance(row, Row)
        assert set(row) == set(HEADER)
        for column in set(HEADER) - LABEL_COLUMNS:
            assert isinstance(row[column], Figure), column
        for column in LABEL_COLUMNS:
            assert isinstance(row[column], str), column


def test_figures_have_no_django_in_them():
    source = Path(__file__).resolve().parents[1] / "figures.py"
    imported = {
        node.module or ""
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom)
    } | {
        alias.name
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not {name for name in imported if name.split(".")[0] == "django"}

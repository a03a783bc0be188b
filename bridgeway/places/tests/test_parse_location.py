"""Parsing what people type as a postcode: any spacing or case, and nothing else raised."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.places.postcodes import (
    MAX_INPUT_LENGTH,
    InvalidPostcode,
    Outcode,
    Postcode,
    parse_location,
)

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"

outcodes = st.one_of(
    st.builds(
        lambda a, d: a + d, st.sampled_from(["B", "M", "LS", "BD", "SW"]), st.sampled_from(DIGITS)
    ),
    st.builds(
        lambda a, d, e: a + d + e,
        st.sampled_from(["B", "LS", "BD"]),
        st.sampled_from(DIGITS),
        st.sampled_from(DIGITS),
    ),
    st.builds(
        lambda a, d, e: a + d + e,
        st.sampled_from(["W", "EC", "SW"]),
        st.sampled_from(DIGITS),
        st.sampled_from(LETTERS),
    ),
)
incodes = st.builds(
    lambda d, x, y: d + x + y,
    st.sampled_from(DIGITS),
    st.sampled_from(LETTERS),
    st.sampled_from(LETTERS),
)


def _respell(text: str, cases: list[bool], spaces: list[int]) -> str:
    """``text`` with each character's case flipped as told and spaces put between them."""
    out = []
    for index, char in enumerate(text):
        out.append(" " * spaces[index % len(spaces)])
        out.append(char.lower() if cases[index % len(cases)] else char)
    return "".join(out)


@given(
    outcode=outcodes,
    incode=incodes,
    cases=st.lists(st.booleans(), min_size=1, max_size=8),
    spaces=st.lists(st.integers(0, 1), min_size=1, max_size=8),
)
def test_any_spacing_and_case_of_a_postcode_parses_to_the_same_postcode(
    outcode, incode, cases, spaces
):
    typed = _respell(outcode + incode, cases, spaces)
    if len(typed) > MAX_INPUT_LENGTH:
        return
    assert parse_location(typed) == Postcode(outcode=outcode, incode=incode)


@given(outcode=outcodes, padding=st.text(" \t\n", max_size=4))
def test_an_outcode_in_any_case_with_surrounding_space_is_a_postcode_district(outcode, padding):
    assert parse_location(padding + outcode.lower() + padding) == Outcode(outcode=outcode)


@given(st.text(max_size=40))
def test_random_text_never_raises_anything_but_invalid_postcode(text):
    try:
        result = parse_location(text)
    except InvalidPostcode:
        return
    assert isinstance(result, Postcode | Outcode)


@pytest.mark.parametrize(
    "text", ["", "   ", "LS6 1AAA", "1AA", "HELLO WORLD", "LS6-1AA", "'; DROP TABLE", "x" * 500]
)
def test_text_that_is_not_a_postcode_is_refused(text):
    with pytest.raises(InvalidPostcode):
        parse_location(text)


def test_non_string_input_is_refused_as_invalid_postcode():
    with pytest.raises(InvalidPostcode):
        parse_location(None)  # type: ignore[arg-type]


def test_a_postcode_prints_with_one_space():
    assert str(parse_location("ls61aa")) == "LS6 1AA"

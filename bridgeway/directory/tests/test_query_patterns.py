"""The API's parameter patterns accept exactly what its parsers read."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.directory.openreferral.feed import parse_day, parse_time
from bridgeway.directory.query_patterns import (
    DAY,
    DAY_WORDS,
    POSTCODE,
    POSTCODE_REQUIRED,
    TIME,
    any_case,
)
from bridgeway.places.postcodes import InvalidPostcode, parse_location


@pytest.mark.parametrize("word", [w for words in DAY_WORDS.values() for w in words])
def test_every_day_word_in_any_case_matches_and_parses(word: str) -> None:
    for spelled in (word, word.upper(), word.title(), f" {word} "):
        assert re.fullmatch(DAY, spelled)
        assert parse_day(spelled) in DAY_WORDS


@given(st.from_regex(TIME, fullmatch=True))
def test_every_time_the_pattern_allows_parses(text: str) -> None:
    if text.strip(" "):
        parse_time(text)


@given(st.from_regex(POSTCODE_REQUIRED, fullmatch=True).filter(lambda text: len(text) <= 16))
def test_every_postcode_the_pattern_allows_parses(text: str) -> None:
    parse_location(text)


@pytest.mark.parametrize("text", ["LS6", "ls6 1aa", "B1 1AA", "NPT 1AA", "  LS6  ", "L S 6 1 A A"])
def test_postcodes_in_any_case_and_spacing_match(text: str) -> None:
    assert re.fullmatch(POSTCODE_REQUIRED, text)
    parse_location(text)


@pytest.mark.parametrize("text", ["", "  ", "X", "123", "LS6\n", "LS6\t"])
def test_what_is_not_a_postcode_does_not_match(text: str) -> None:
    assert not re.fullmatch(POSTCODE_REQUIRED, text)


def test_blank_is_allowed_only_where_a_postcode_is_optional() -> None:
    assert re.fullmatch(POSTCODE, "  ")
    assert not re.fullmatch(POSTCODE_REQUIRED, "  ")
    with pytest.raises(InvalidPostcode):
        parse_location("  ")


def test_any_case_spells_out_each_letter() -> None:
    assert any_case("mo1") == "[Mm][Oo]1"

"""The UK phone number parser."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.frontdoor.phone_numbers import InvalidPhoneNumber, is_mobile, normalise_uk_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("07700 900123", "07700900123"),
        ("+44 7700 900123", "07700900123"),
        ("+44 (0)7700 900123", "07700900123"),
        ("0044 7700 900123", "07700900123"),
        ("0113-496-0000", "01134960000"),
        ("(0113) 496 0000", "01134960000"),
    ],
)
def test_uk_numbers_are_stored_as_national_digits(typed: str, stored: str) -> None:
    assert normalise_uk_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "12345", "+1 212 555 0100", "07700 9OO123", "0770090012345", "phone me", "x" * 31]
)
def test_things_that_are_not_uk_numbers_are_refused(typed: str) -> None:
    with pytest.raises(InvalidPhoneNumber):
        normalise_uk_phone(typed)


def test_only_mobiles_take_texts() -> None:
    assert is_mobile("07700900123")
    assert not is_mobile("01134960000")


@given(st.text(max_size=40))
def test_any_text_is_either_refused_or_a_plausible_national_number(text: str) -> None:
    try:
        number = normalise_uk_phone(text)
    except InvalidPhoneNumber:
        return
    assert number.isdigit()
    assert number.startswith("0")
    assert 10 <= len(number) <= 11


@given(st.from_regex(r"0[1-9][0-9]{9}", fullmatch=True), st.sampled_from(["", " ", "-", "  "]))
def test_grouping_never_changes_the_number(number: str, separator: str) -> None:
    grouped = separator.join([number[:5], number[5:8], number[8:]])
    assert normalise_uk_phone(grouped) == number
    assert normalise_uk_phone("+44" + grouped[1:]) == number

"""Passwords: at least 12 characters, not common, not repetitive, not the email address."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.accounts.models import User
from bridgeway.accounts.passwords import common_passwords, email_parts, is_repetitive

GOOD = "plum orchard kettle 1987"


def _refusals(password: str, email: str = "ola.nordmann@example.org") -> list[str]:
    try:
        validate_password(password, User(email=email))
    except ValidationError as error:
        return [str(code) for code in (e.code for e in error.error_list)]
    return []


def test_a_long_uncommon_password_is_accepted() -> None:
    assert _refusals(GOOD) == []


def test_eleven_characters_are_too_few() -> None:
    assert "password_too_short" in _refusals("plum orchar")


@pytest.mark.parametrize(
    "password", ["aaaaaaaaaaaa", "abcabcabcabc", "abcdefghijkl", "123456789012", "zyxwvutsrqpo"]
)
def test_repetitive_passwords_are_refused(password: str) -> None:
    assert "password_repetitive" in _refusals(password)


@pytest.mark.parametrize(
    "password",
    # On zxcvbn's list but not Django's; and common ones dressed up with digits and symbols.
    ["1qaz2wsx3edc4rfv", "Liverpool1234!", "!!Password2024"],
)
def test_common_passwords_and_their_variations_are_refused(password: str) -> None:
    assert "password_too_common" in _refusals(password)


def test_the_common_list_is_twice_djangos() -> None:
    assert len(common_passwords()) > 40_000


@pytest.mark.parametrize(
    "password",
    ["ola.nordmann@example.org!", "my name is ola.nordmann", "Nordmann the great 77"],
)
def test_passwords_containing_the_email_are_refused(password: str) -> None:
    assert "password_contains_email" in _refusals(password)


def test_email_parts_are_the_address_its_local_part_and_its_longer_pieces() -> None:
    assert email_parts("Ola.Nordmann@Example.org") == [
        "ola.nordmann@example.org",
        "ola.nordmann",
        "nordmann",
    ]


@given(unit=st.text(min_size=1, max_size=5), times=st.integers(min_value=2, max_value=6))
def test_any_repeated_unit_is_repetitive(unit: str, times: int) -> None:
    assert is_repetitive(unit * times)

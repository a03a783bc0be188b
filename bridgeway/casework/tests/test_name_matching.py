"""The name normaliser behind the blind index: spellings of one name meet, others do not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.casework.name_matching import (
    name_skeleton,
    name_tokens,
    normal_email,
    normal_phone,
    plain_letters,
)

SAME_NAME = [
    ("Mohammed", "Muhammad", "Mohammad", "Mohamed", "Muhammed", "MOHAMMED", "Md", "Mohd"),
    ("Hussain", "Hussein", "Husain", "Husein"),
    ("Chaudhry", "Choudhury", "Chowdhury", "Chaudhary", "Choudry"),
    ("Yusuf", "Yousef", "Youssef", "Yusef"),
    ("Aisha", "Ayesha", "Aysha"),
    ("Fatima", "Fatimah"),
    ("Siddiqui", "Siddiqi", "Sidiqui"),
    ("Qureshi", "Kureshi"),
    ("Ahmed", "Ahmad"),
    ("Zoë", "Zoe", "zoe"),
    ("Renée", "Renee"),
    ("Łukasz", "Lukasz"),
]
# The skeleton is coarse on purpose (Hussain and Hassan meet; a person confirms), but names
# with different consonants stay apart.
DIFFERENT = [("Mohammed", "Ahmed"), ("Kaur", "Khan"), ("Singh", "Sandhu"), ("Begum", "Bibi")]


@pytest.mark.parametrize("spellings", SAME_NAME)
def test_spellings_of_one_name_share_a_skeleton(spellings: tuple[str, ...]) -> None:
    assert len({name_skeleton(s) for s in spellings}) == 1


@pytest.mark.parametrize(("one", "other"), DIFFERENT)
def test_different_names_keep_different_skeletons(one: str, other: str) -> None:
    assert name_skeleton(one) != name_skeleton(other)


def test_a_full_name_tolerates_case_spacing_and_punctuation() -> None:
    assert name_tokens("  muhammad   HUSSEIN ") == name_tokens("Mohammed Hussain")
    assert name_tokens("Anne-Marie O'Neil") == name_tokens("anne marie o neil")


@given(st.text())
def test_skeletons_are_lowercase_letters_and_never_fail(text: str) -> None:
    for token in name_tokens(text):
        assert token
        assert token.isascii()
        assert token.isalpha()
        assert token == token.lower()


@given(st.text(alphabet=st.characters(categories=["L", "Zs", "Pd"]), max_size=40))
def test_case_and_spacing_never_change_the_tokens(text: str) -> None:
    assert name_tokens(text) == name_tokens(text.casefold())
    assert name_tokens(" ".join(text.split())) == name_tokens(f"  {text}  ")


@given(st.text())
def test_a_skeleton_is_its_own_skeleton(text: str) -> None:
    for token in name_tokens(text):
        assert name_skeleton(token)[0] == token[0]


@given(st.text())
def test_plain_letters_is_idempotent(text: str) -> None:
    once = plain_letters(text)
    assert plain_letters(once) == once


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("07700 900982", "07700900982"),
        ("+44 7700 900982", "07700900982"),
        ("0044 7700 900 982", "07700900982"),
        ("(0113) 496 0000", "01134960000"),
        ("123", ""),
        ("", ""),
    ],
)
def test_phone_numbers_written_differently_meet(written: str, normal: str) -> None:
    assert normal_phone(written) == normal


def test_email_addresses_compare_without_case() -> None:
    assert normal_email(" Name@Example.ORG ") == "name@example.org"
    assert normal_email("not an address") == ""

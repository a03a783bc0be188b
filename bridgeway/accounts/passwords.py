"""Password rules beyond Django's own: a longer common list, repetition, and the email.

With Django's validators (at least 12 characters, not like the account's attributes, not
all digits) these refuse the passwords an attacker tries first (ASVS 5.0, 6.2): the ones on
breach lists, trivial variations of them, runs and repeats, and the account's own address.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Digits and punctuation at either end: "Liverpool1234!" is "liverpool" to a cracker.
_AFFIXES = re.compile(r"^[\d\W_]+|[\d\W_]+$")
# Pieces of an address's local part long enough to be a name: "ola.nordmann" -> "nordmann".
_LOCAL_PIECES = re.compile(r"[._+\-]+")
MINIMUM_DISTINCT_CHARACTERS = 5
# More than this share of neighbouring characters the same or next to each other ("aaaa",
# "abcd", "4321") and the password is a run, not a secret.
RUN_SHARE = 2 / 3


@cache
def common_passwords() -> frozenset[str]:
    """Django's 20,000 common passwords and zxcvbn's 30,000 from breaches (40,101 in all)."""
    # A large module: loaded on first use. zxcvbn ships no type information.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

    return frozenset(CommonPasswordValidator().passwords) | frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """Whether ``password``, or it without digits and punctuation at its ends, is common."""
    lowered = password.lower().strip()
    core = _AFFIXES.sub("", lowered)
    listed = common_passwords()
    return lowered in listed or (len(core) >= 4 and core in listed)


def is_repetitive(password: str) -> bool:
    """Whether ``password`` is a repeated unit, a run, or too few different characters."""
    text = password.lower()
    if len(set(text)) < MINIMUM_DISTINCT_CHARACTERS:
        return True
    for period in range(1, len(text) // 2 + 1):
        if all(text[index] == text[index - period] for index in range(period, len(text))):
            return True
    pairs = list(pairwise(text))
    close = sum(1 for first, second in pairs if abs(ord(first) - ord(second)) <= 1)
    return bool(pairs) and close / len(pairs) > RUN_SHARE


def email_parts(email: str) -> list[str]:
    """The address, its local part, and the local part's pieces of four or more characters."""
    email = email.lower().strip()
    local = email.partition("@")[0]
    pieces = [piece for piece in _LOCAL_PIECES.split(local) if len(piece) >= 4]
    return [part for part in dict.fromkeys([email, local, *pieces]) if len(part) >= 3]


class LongerCommonPasswordValidator:
    """Refuse passwords on a 40,000-entry common list, and simple variations of them."""

    def validate(self, password: str, user: Any = None) -> None:
        """Raise ``ValidationError`` when the password is common."""
        if is_common(password):
            raise ValidationError(
                _("This password is one of the most often used, so it is easy to guess."),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        """What the rule asks for, for the password form."""
        return _("Your password cannot be a commonly used password, or one with a few changes.")


class RepetitivePasswordValidator:
    """Refuse passwords like 'aaaaaaaaaaaa', 'abcabcabcabc' and 'abcdefghijkl'."""

    def validate(self, password: str, user: Any = None) -> None:
        """Raise ``ValidationError`` when the password repeats itself or runs in order."""
        if is_repetitive(password):
            raise ValidationError(
                _(
                    "This password repeats itself or runs in order (like aaaa, abcabc or "
                    "1234), so it is easy to guess."
                ),
                code="password_repetitive",
            )

    def get_help_text(self) -> str:
        """What the rule asks for, for the password form."""
        return _("Your password cannot repeat itself or be letters or numbers in order.")


class EmailInPasswordValidator:
    """Refuse passwords that contain the account's email address or its name part."""

    def validate(self, password: str, user: Any = None) -> None:
        """Raise ``ValidationError`` when the password contains the user's email."""
        email = getattr(user, "email", "") or ""
        lowered = password.lower()
        if email and any(part in lowered for part in email_parts(email)):
            raise ValidationError(
                _("This password contains your email address, so it is easy to guess."),
                code="password_contains_email",
            )

    def get_help_text(self) -> str:
        """What the rule asks for, for the password form."""
        return _("Your password cannot contain your email address.")

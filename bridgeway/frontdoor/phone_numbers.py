"""UK phone numbers as people type them. Plain Python, no Django, so it can be property-tested.

A worker must be able to ring or text the number a person gave, so it is checked here and
stored in one form (``07700 900123`` style digits, no spaces) rather than as typed.
"""

from __future__ import annotations

import re

MAX_INPUT_LENGTH = 30
# Spaces, dashes, dots and brackets are how people group digits; nothing else is allowed.
_SEPARATORS = re.compile(r"[\s\-.()]")
_ALLOWED = re.compile(r"^\+?[0-9]+$")


class InvalidPhoneNumber(ValueError):
    """Text that is not a UK phone number."""


def normalise_uk_phone(text: str) -> str:
    """A UK phone number as national digits (``07700900123``), whatever spacing it was typed in.

    Accepts ``+44``, ``0044`` and ``(0)`` forms. Raises ``InvalidPhoneNumber`` otherwise.
    """
    if not isinstance(text, str) or len(text) > MAX_INPUT_LENGTH:
        raise InvalidPhoneNumber("too long to be a phone number")
    compact = _SEPARATORS.sub("", text.replace("(0)", ""))
    if not compact or not _ALLOWED.match(compact):
        raise InvalidPhoneNumber("only digits, spaces and a leading + may be used")
    if compact.startswith("+44"):
        compact = "0" + compact[3:]
    elif compact.startswith("0044"):
        compact = "0" + compact[4:]
    elif compact.startswith("+"):
        raise InvalidPhoneNumber("not a UK number")
    # UK national numbers: a leading 0 and 10 more digits (a few old 0 + 9 digit numbers remain).
    if not compact.startswith("0") or compact.startswith("00") or not 10 <= len(compact) <= 11:
        raise InvalidPhoneNumber("not a UK number")
    return compact


def is_mobile(number: str) -> bool:
    """Whether a normalised number is a UK mobile, so it can take text messages."""
    return number.startswith("07") and len(number) == 11 and not number.startswith("070")

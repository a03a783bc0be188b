"""The exact shapes the API's text parameters take, as patterns its OpenAPI document carries.

The API checks each of these parameters against the pattern before reading it, and the
document publishes the same pattern, so the document says exactly what is accepted: anything
matching is read, anything else is a 422 naming the parameter. Patterns are written for
every engine that reads them (ECMAScript in JSON Schema, Rust's regex in pydantic, Python's
in the tests): ASCII classes only, no look-arounds, no flags, with case spelled out.

Each allows spaces around the value, and a blank value, which means "not given" (search forms
send every field, filled in or not). Pure: no Django here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

BLANK = re.compile(r"^ *$")
# RFC 5545 day codes with the English names and three-letter abbreviations (parse_day).
DAY_WORDS = {
    "MO": ("mo", "mon", "monday"),
    "TU": ("tu", "tue", "tuesday"),
    "WE": ("we", "wed", "wednesday"),
    "TH": ("th", "thu", "thursday"),
    "FR": ("fr", "fri", "friday"),
    "SA": ("sa", "sat", "saturday"),
    "SU": ("su", "sun", "sunday"),
}
# HH:MM or HH:MM:SS (with fractions), in 24 hours, an offset allowed (parse_time).
TIME = (
    r"^ *(?:(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?)? *$"
)


def any_case(word: str) -> str:
    """A pattern for ``word`` in any mix of upper and lower case."""
    return "".join(
        f"[{char.upper()}{char.lower()}]" if char.isascii() and char.isalpha() else re.escape(char)
        for char in word
    )


def one_of(words: Iterable[str]) -> str:
    """A pattern for any of ``words`` in any case, spaces around it allowed, or blank."""
    # Longest first, so no engine settles on a prefix ("mo" of "monday").
    ordered = sorted(set(words), key=lambda word: (-len(word), word))
    alternatives = "|".join(any_case(word) for word in ordered)
    return rf"^ *(?:{alternatives})? *$"


def _spaced(pattern: str) -> str:
    # parse_location drops every space, so one may come after any character.
    return f"{pattern} *"


_LETTER = _spaced("[A-Za-z]")
_DIGIT = _spaced("[0-9]")
_LETTER_OR_DIGIT = _spaced("[A-Za-z0-9]")
_OUTWARD = (
    f"(?:{_LETTER}(?:{_LETTER})?{_DIGIT}(?:{_LETTER_OR_DIGIT})?"
    f"|{_spaced('[Nn]')}{_spaced('[Pp]')}{_spaced('[Tt]')})"
)
_POSTCODE = f"{_OUTWARD}(?:{_DIGIT}{_LETTER}{_LETTER})?"
# A full postcode or a postcode district in any case and spacing (places.postcodes), or blank.
POSTCODE = rf"^ *(?:{_POSTCODE})? *$"
# The same, where a postcode must be given.
POSTCODE_REQUIRED = rf"^ *{_POSTCODE} *$"


def language(codes: Iterable[str]) -> str:
    """A pattern for the language codes Bridgeway knows (ISO 639-3 and 639-1), or blank."""
    return one_of(codes)


DAY = one_of(word for words in DAY_WORDS.values() for word in words)

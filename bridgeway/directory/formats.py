"""The formats a service can offer its support in: a small Bridgeway vocabulary.

The shared vocabulary has no file for formats, so the directory defines it here. Codes never
change (they travel in HSDS exports as ``bridgeway:formats``); labels may be translated.

- ``audio``: spoken word or audio (phone, voice notes, recorded information)
- ``video``: video calls or video material
- ``bsl``: British Sign Language, in person or by video
- ``easy_read``: easy read material
- ``interpreters``: the service arranges interpreters for other languages

Plain Python with no Django, so the HSDS parser and matching can use it anywhere.
"""

from __future__ import annotations

from typing import Final


def gettext_noop(text: str) -> str:
    """Marks a label for translation (makemessages finds it) without importing Django."""
    return text


# Code -> English label, in the order forms show them; the web layer translates the label.
FORMATS: Final[dict[str, str]] = {
    "audio": gettext_noop("Spoken word or audio"),
    "video": gettext_noop("Video"),
    "bsl": gettext_noop("British Sign Language"),
    "easy_read": gettext_noop("Easy read"),
    "interpreters": gettext_noop("Interpreters"),
}

# The taxonomy name formats travel under in HSDS attributes.
FORMATS_TAXONOMY: Final = "bridgeway:formats"


def check_formats(codes: object) -> list[str]:
    """The codes, de-duplicated in order; ``ValueError`` naming the first that is not known."""
    if isinstance(codes, str) or not isinstance(codes, list | tuple | set | frozenset):
        raise ValueError("give a list of format codes, not a single value")
    unique: list[str] = []
    for code in codes:
        if not isinstance(code, str) or code not in FORMATS:
            raise ValueError(f"{code!r} is not a format code; use one of: {', '.join(FORMATS)}")
        if code not in unique:
            unique.append(code)
    return unique

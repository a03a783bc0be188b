"""What the directory publishes as text: plain text, safe formatting, and only safe addresses.

No Django here. The Open Referral feed is open to any website, and whatever reads it may put
a name straight into a page or an address into a link. So every field the directory
publishes follows one of three rules, applied on the way in (staff forms refuse markup, an
import cleans it with a warning) and again on the way out (the database may hold older
values):

- **plain text** (names, addresses, phone and opening-hours descriptions): no markup at all;
- **safe formatting** (a service's description): paragraphs, line breaks, bold, emphasis,
  lists and links, cleaned by nh3;
- **addresses** (a service's website, an organisation's website, links in a description):
  ``https``, ``http``, ``mailto`` or ``tel`` only; anything else (``javascript:``, ``data:``)
  is refused or left out, never published.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any, Final

import nh3

# Formatting a description may keep; links only to web, mail and phone addresses.
SAFE_TAGS: Final = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a"}
SAFE_URL_SCHEMES: Final = {"http", "https", "mailto", "tel"}
# Something a browser would read as a tag, a comment or a declaration.
_TAG: Final = re.compile(r"<[a-zA-Z/!?]")
_SCHEME: Final = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
# Schemes that run code or carry a whole document: never published, even inside kept fields.
_LIVE_SCHEME: Final = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)
# Browsers ignore tabs and new lines inside an address and spaces and control characters
# around it ("java\tscript:" is javascript:), so they are taken out before it is judged.
_IGNORED_IN_ADDRESS: Final = re.compile(r"[\x00-\x20\x7f]")
# Enough rounds to take apart markup hidden under several layers of entities.
_MAX_ROUNDS: Final = 8


def has_markup(text: str) -> bool:
    """Whether ``text`` holds a tag, comment or declaration a browser would read as markup."""
    return bool(_TAG.search(text))


def plain_text(text: str) -> str:
    """Text with any markup removed, for names and short fields.

    Entities are decoded so the words read as written (``&amp;`` is ``&``); markup hidden
    under entities (``&lt;script&gt;`` inside a tag) is taken out too, round after round,
    so the result never decodes into a tag.
    """
    for _round in range(_MAX_ROUNDS):
        if "<" not in text:
            break
        cleaned = html.unescape(nh3.clean(text, tags=set()))
        if cleaned == text:
            break
        text = cleaned
    if has_markup(text):
        # Still markup after every round: keep the words, never the angle brackets.
        text = text.replace("<", "").replace(">", "")
    return text.strip()


def safe_html(text: str) -> str:
    """Text keeping only safe formatting; ``javascript:`` and other schemes are dropped."""
    if "<" not in text and "javascript:" not in text.lower():
        return text.strip()
    return nh3.clean(text, tags=SAFE_TAGS, url_schemes=SAFE_URL_SCHEMES).strip()


def address_scheme(address: str) -> str | None:
    """The scheme of an address (``https``, ``mailto``...) in lower case, as a browser reads
    it; ``None`` for an address without one."""
    match = _SCHEME.match(_IGNORED_IN_ADDRESS.sub("", address))
    return match.group(1).lower() if match else None


def is_safe_address(address: str) -> bool:
    """Whether ``address`` may be published as a link: ``https``, ``http``, ``mailto`` or
    ``tel``, with no spaces, control characters or markup in it."""
    return (
        address_scheme(address) in SAFE_URL_SCHEMES
        and not _IGNORED_IN_ADDRESS.search(address)
        and not has_markup(address)
        and '"' not in address
    )


def safe_address(address: str) -> str:
    """``address`` if it may be published as a link, else ``""``."""
    address = address.strip()
    return address if address and is_safe_address(address) else ""


def safe_email(address: str) -> str:
    """``address`` if it is a plain email address (no markup, spaces or scheme), else ``""``."""
    address = address.strip()
    if (
        address.count("@") != 1
        or ":" in address
        or has_markup(address)
        or _IGNORED_IN_ADDRESS.search(address)
    ):
        return ""
    return address


def kept_field(value: Any) -> Any:
    """A field kept from a feed (``alternate_name``, ``contacts``...) made safe to publish:
    every text in it plain, and any ``javascript:``, ``vbscript:`` or ``data:`` address
    left out. Numbers, booleans and ``None`` are kept as they are."""
    if isinstance(value, str):
        text = plain_text(value)
        return "" if _LIVE_SCHEME.match(_IGNORED_IN_ADDRESS.sub("", text)) else text
    if isinstance(value, Mapping):
        return {key: kept_field(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [kept_field(item) for item in value]
    return value

"""A service's description as a public page shows it: safe formatting only, cleaned every time.

Imported descriptions were cleaned on the way in (``hsds.safe_html``), and staff type plain
text into the listing form. Neither is trusted here: the text is cleaned again each time it is
shown, so a description written into the database some other way (an old import, a bug, a
direct edit) still cannot carry a script or a ``javascript:`` link onto a page.

What survives: paragraphs, line breaks, bold and emphasis, lists, and ``mailto`` and ``tel``
links (they open the person's own email or phone, never another website). A web address
(``http``, ``https``) is shown as text after the link's words, not as a link: the site sends no
one to another website but the quick exit, because a page elsewhere has no quick exit and no
Escape-twice, and its address stays in the browser's history.
"""

from __future__ import annotations

import html
import re
from typing import Final

import nh3
from django.utils.safestring import SafeString, mark_safe

TAGS: Final = frozenset({"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a"})
URL_SCHEMES: Final = frozenset({"http", "https", "mailto", "tel"})
# Schemes that stay links on the page; web addresses become text (see the module docstring).
LINK_SCHEMES: Final = frozenset({"mailto", "tel"})
LINK_REL: Final = "noopener noreferrer nofollow"
# GOV.UK Frontend styles paragraphs and links as they are; lists need their classes.
_CLASSES: Final = {
    "ul": {"class": "govuk-list govuk-list--bullet"},
    "ol": {"class": "govuk-list govuk-list--number"},
}
_BLOCK = re.compile(r"<\s*(p|ul|ol|li|br)\b", re.IGNORECASE)
_BLOCK_END = re.compile(r"<\s*(/\s*(p|li|ul|ol)|br)\b[^>]*>", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# An anchor whose address the cleaner removed (a javascript: link, say) is left as its text.
# The cleaner writes every anchor itself, and without an href only its fixed rel remains.
_ANCHOR_WITHOUT_ADDRESS = re.compile(r"<a(?![^>]*\shref=)[^>]*>(.*?)</a>", re.DOTALL)
# The cleaner writes ``href`` first and escapes its value, so it can be shown as text as it is.
_WEB_ANCHOR = re.compile(r'<a href="(https?://[^"]*)"[^>]*>(.*?)</a>', re.DOTALL | re.IGNORECASE)


def _web_address_as_text(match: re.Match[str]) -> str:
    address, words = match.group(1), match.group(2)
    if html.unescape(words).strip() == html.unescape(address):
        return address
    return f"{words} ({address})"


def _clean(fragment: str) -> str:
    cleaned = nh3.clean(
        fragment,
        tags=set(TAGS),
        attributes={"a": {"href"}},
        url_schemes=set(URL_SCHEMES),
        # A relative address would point into Bridgeway itself: never what a listing means.
        url_relative="deny",
        link_rel=LINK_REL,
        set_tag_attribute_values=_CLASSES,
        strip_comments=True,
        clean_content_tags={"script", "style"},
    )
    return _WEB_ANCHOR.sub(_web_address_as_text, _ANCHOR_WITHOUT_ADDRESS.sub(r"\1", cleaned))


def description_html(text: str) -> SafeString:
    """The description as safe HTML for a public page.

    Text without paragraphs or lists of its own (what staff type) gets a paragraph for each
    blank-line break and a line break for each new line, as it was written.
    """
    if not text.strip():
        return mark_safe("")
    if not _BLOCK.search(text):
        paragraphs = [part.strip() for part in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n"))]
        text = "".join("<p>" + part.replace("\n", "<br>") + "</p>" for part in paragraphs if part)
    # Cleaned just above: only the tags, attributes and addresses listed here survive.
    return mark_safe(_clean(text))  # noqa: S308


def description_text(text: str) -> str:
    """The description's words with every tag removed, for short summaries (escape it)."""
    if "<" not in text and "&" not in text:
        return text
    # Blocks end in a space, so "<p>One</p><p>Two</p>" reads "One Two", not "OneTwo".
    spaced = _BLOCK_END.sub(" ", text)
    return " ".join(html.unescape(nh3.clean(spaced, tags=set())).split())

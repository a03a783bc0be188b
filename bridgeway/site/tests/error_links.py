"""Checks that a page's error messages reach the fields they are about.

GOV.UK's error summary links each message to its field (``href="#id"``), and each field names
its hint and error message in ``aria-describedby``. A link to an id that is not on the page, or
a description that names a missing id, leaves a screen-reader user unable to reach the field.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.described_by: list[str] = []
        self.summary_links: list[str] = []
        self._summary_depth = 0
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id") is not None:
            self.ids.add(attributes["id"] or "")
        if "aria-describedby" in attributes:
            self.described_by.extend((attributes["aria-describedby"] or "").split() or [""])
        if tag in {"input", "br", "img", "meta", "link", "hr", "source", "wbr"}:
            return
        self._depth += 1
        classes = (attributes.get("class") or "").split()
        if "govuk-error-summary" in classes and not self._summary_depth:
            self._summary_depth = self._depth
        if self._summary_depth and tag == "a":
            self.summary_links.append(attributes.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"input", "br", "img", "meta", "link", "hr", "source", "wbr"}:
            return
        if self._summary_depth == self._depth:
            self._summary_depth = 0
        self._depth -= 1


def error_summary_links(page: str) -> list[str]:
    """The ``href`` of every link inside an error summary on the page."""
    parser = _Ids()
    parser.feed(page)
    return parser.summary_links


def unreachable_errors(page: str) -> list[str]:
    """What on the page points at nothing: summary links and descriptions naming missing ids."""
    parser = _Ids()
    parser.feed(page)
    problems = [
        f"error summary link {href!r} goes to no element"
        for href in parser.summary_links
        if not href.startswith("#") or href[1:] not in parser.ids or not href[1:]
    ]
    problems += [
        f"aria-describedby names {name!r}, which is not on the page"
        for name in parser.described_by
        if name not in parser.ids or not name
    ]
    if '<fieldset class="govuk-fieldset" id=""' in page or ' id=""' in page:
        problems.append("an element has an empty id")
    return problems

"""Whether a form post came from one of our own pages, from the browser's own headers.

Browsers add ``Sec-Fetch-Site`` and ``Origin`` to every form post, and a page on another site
can set neither: they say, with the browser's authority, where the post came from. This is
what lets the public forms work with no cookie until the person sends something (see
docs/decisions/0050-no-cookies-before-a-form-is-started.md). Plain data, no Django.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import Enum


class Verdict(Enum):
    """What the headers say about a post."""

    SAME_ORIGIN = "same-origin"
    CROSS_ORIGIN = "cross-origin"
    # Neither header: a very old browser, or not a browser. The caller falls back to a token.
    UNKNOWN = "unknown"


def post_verdict(
    *, sec_fetch_site: str | None, origin: str | None, own_origins: Collection[str]
) -> Verdict:
    """Judge a post by ``Sec-Fetch-Site`` first, then ``Origin`` (exact, case-insensitive).

    ``Sec-Fetch-Site`` other than ``same-origin`` ("same-site", "cross-site", "none") is
    refused: a sibling subdomain is not us, and a person cannot type a post into the
    address bar. ``Origin: null`` (sandboxed frames, privacy redirects) is refused too.
    """
    if sec_fetch_site is not None:
        return (
            Verdict.SAME_ORIGIN
            if sec_fetch_site.strip().lower() == "same-origin"
            else Verdict.CROSS_ORIGIN
        )
    if origin is None:
        return Verdict.UNKNOWN
    wanted = {own.strip().lower().rstrip("/") for own in own_origins if own.strip()}
    given = origin.strip().lower().rstrip("/")
    return Verdict.SAME_ORIGIN if given and given in wanted else Verdict.CROSS_ORIGIN

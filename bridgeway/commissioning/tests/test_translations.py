"""Commissioning speaks Welsh on every page, and the public funding page in all four languages.

The strings are read the way makemessages reads them (templates through Django's templatize,
Python through its gettext calls), so a string added later without its translations fails here
even when no test renders the page it is on.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from bridgeway.site.tests.test_staff_welsh import _calls, _template_calls

APP = Path(settings.BASE_DIR) / "bridgeway" / "commissioning"
PUBLIC_TEMPLATES = [APP / "templates" / "commissioning" / "public_funding.html"]
# Shown on the public page through the model: the kind of round, and the default eligibility,
# which templatize writes as ``_("...")`` where the call reader above does not look.
PUBLIC_EXTRA = ["Grant", "Contract", "Community organisations in these areas."]


@cache
def catalogue(language: str) -> dict[Any, str]:
    path = Path(settings.BASE_DIR) / "bridgeway" / "locale" / language / "LC_MESSAGES"
    with (path / "django.mo").open("rb") as compiled:
        return gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]


def _translated(language: str, context: str | None, msgid: str, plural: bool) -> bool:
    key = f"{context}\x04{msgid}" if context else msgid
    return bool(catalogue(language).get((key, 0) if plural else key))


def commissioning_msgids() -> set[tuple[str | None, str, bool]]:
    found: set[tuple[str | None, str, bool]] = set()
    for path in sorted((APP / "templates").rglob("*.html")):
        found |= set(_template_calls(path))
    for path in sorted(APP.rglob("*.py")):
        if not {"tests", "migrations", "management"} & set(path.parts):
            found |= set(_calls(path.read_text("utf-8")))
    return found


def test_every_commissioning_string_has_welsh() -> None:
    msgids = commissioning_msgids()
    assert len(msgids) > 150
    missing = sorted(m for c, m, p in msgids if not _translated("cy", c, m, p))
    assert missing == []


@pytest.mark.parametrize("language", ["cy", "ur", "pa", "pl"])
def test_the_public_funding_page_strings_are_in_each_language(language: str) -> None:
    msgids = {call for path in PUBLIC_TEMPLATES for call in _template_calls(path)}
    msgids |= {(None, extra, False) for extra in PUBLIC_EXTRA}
    assert len(msgids) > 15
    missing = sorted(m for c, m, p in msgids if not _translated(language, c, m, p))
    assert missing == []

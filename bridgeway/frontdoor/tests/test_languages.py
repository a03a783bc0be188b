# ruff: noqa: RUF001 - Panjabi, like Welsh, is written here with the typographic apostrophe.
"""Every public page in Urdu (right to left), Polish and Panjabi, as well as English and Welsh."""

from __future__ import annotations

import ast
import gettext
import html as html_lib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from bridgeway.accounts.models import Organisation
from bridgeway.directory.models import Service

LOCALE = Path(settings.BASE_DIR) / "bridgeway" / "locale"
NEW_LANGUAGES = ["ur", "pl", "pa"]
ALL_TRANSLATED = ["cy", *NEW_LANGUAGES]
RIGHT_TO_LEFT = {"ur"}

# Each public page and the English of its main heading (the service page's heading is the
# service's own name, so its "Who runs it" heading stands in).
PAGES = {
    "": "Find support you can trust",
    "get-support/": "Where are you?",
    "get-support/what/": "What happened? Choose any that fit.",
    "get-support/language/": "Which language would you like support in?",
    "get-support/how/": "How would you like to get support? Choose any that fit.",
    "get-support/age/": "How old are you?",
    "get-support/matters/": "What matters to you? Choose any that fit.",
    "services/{service}/": "Who runs it",
    "services/{service}/refer/": "About what happened",
    "report/": "Report a hate incident",
    "report/follow-up/": "Check on a report",
    "privacy/": "Privacy notice",
    "accessibility/": "Accessibility statement",
    "contact/": "Contact us",
}

# Written by hand, so a catalogue that merely echoed the English would fail.
HOME_PAGE = {
    "ur": ("ایسی مدد ڈھونڈیں جس پر آپ بھروسہ کر سکیں", "یہ سائٹ جلدی سے چھوڑیں"),
    "pl": ("Znajdź pomoc, której możesz zaufać", "Szybko opuść tę stronę"),
    "pa": ("ਅਜਿਹੀ ਮਦਦ ਲੱਭੋ ਜਿਸ ’ਤੇ ਤੁਸੀਂ ਭਰੋਸਾ ਕਰ ਸਕੋ", "ਇਹ ਸਾਈਟ ਜਲਦੀ ਛੱਡੋ"),
}

# Where the strings of public pages come from: the front door, the public page shells,
# and the words for vocabulary answers and match reasons shown on them.
PUBLIC_SOURCES = re.compile(
    r"^(frontdoor/|site/templates/site/(base|public_base|error|csrf_failure)\.html"
    r"|equality/labels\.py|directory/reasons\.py)"
)


def _text(html: str) -> str:
    """The page's text with tags removed and entities decoded, whitespace squeezed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def paths(leeds_service: Service, reporting_centre: Organisation) -> dict[str, str]:
    return {path.format(service=leeds_service.id): heading for path, heading in PAGES.items()}


@pytest.mark.parametrize("language", NEW_LANGUAGES)
def test_every_public_page_renders_in_the_language_with_its_direction_and_heading(
    client: Client, paths: dict[str, str], language: str
) -> None:
    direction = "rtl" if language in RIGHT_TO_LEFT else "ltr"
    for path, english_heading in paths.items():
        response = client.get(f"/{language}/{path}")
        assert response.status_code == 200, path
        html = response.content.decode()
        assert f'<html lang="{language}" dir="{direction}"' in html, path
        with translation.override(language):
            heading = translation.gettext(english_heading)
            leave = translation.gettext("Leave this site quickly")
        assert heading != english_heading, (language, path)
        assert leave != "Leave this site quickly"
        text = _text(html)
        assert heading in text, (language, path)
        assert leave in text, (language, path)
        assert english_heading not in text, (language, path)


@pytest.mark.parametrize("language", sorted(HOME_PAGE))
def test_the_home_page_speaks_the_language(client: Client, language: str) -> None:
    text = _text(client.get(f"/{language}/").content.decode())
    heading, leave = HOME_PAGE[language]
    assert heading in text
    assert leave in text
    assert "Find support you can trust" not in text


def test_welsh_and_english_pages_stay_left_to_right(client: Client) -> None:
    for language in ("en", "cy"):
        html = client.get(f"/{language}/").content.decode()
        assert f'<html lang="{language}" dir="ltr"' in html


def test_the_switcher_names_every_language_in_itself_with_its_direction(client: Client) -> None:
    html = client.get("/pl/report/follow-up/").content.decode()
    for code, endonym, direction in [
        ("en", "English", "ltr"),
        ("cy", "Cymraeg", "ltr"),
        ("ur", "اردو", "rtl"),
        ("pa", "ਪੰਜਾਬੀ", "ltr"),
    ]:
        link = (
            f'href="/{code}/report/follow-up/" lang="{code}" hreflang="{code}" '
            f'dir="{direction}">{endonym}</a>'
        )
        assert link in html, code
    assert (
        'lang="pl" dir="ltr" aria-current="true" class="bw-language-switcher__current">Polski<'
        in (html)
    )


def test_a_form_error_is_shown_in_the_persons_language(
    client: Client, reporting_centre: Organisation
) -> None:
    html = client.post("/ur/report/", {"narrative": ""}).content.decode()
    assert "کچھ غلط ہے" in _text(html)  # "There is a problem"
    assert "There is a problem" not in html
    assert not reporting_centre.referrals.exists()


@dataclass
class _Entry:
    msgid: str = ""
    context: str | None = None
    references: list[str] = field(default_factory=list)
    translations: list[str] = field(default_factory=list)
    fuzzy: bool = False


def _keyword(entry: _Entry, line: str) -> str:
    """Read a ``msgctxt``/``msgid``/``msgstr`` line into the entry; return what follows on."""
    keyword, _, value = line.partition(" ")
    if keyword == "msgctxt":
        entry.context = ast.literal_eval(value)
        return ""
    if keyword == "msgid":
        entry.msgid = ast.literal_eval(value)
        return "msgid"
    if keyword.startswith("msgstr"):
        entry.translations.append(ast.literal_eval(value))
        return "msgstr"
    return ""


def _catalogue(language: str) -> list[_Entry]:
    """The entries of a language's .po file (enough of the format for these checks)."""
    entries: list[_Entry] = []
    entry = _Entry()
    target = ""
    for line in (LOCALE / language / "LC_MESSAGES" / "django.po").read_text("utf-8").splitlines():
        if not line.strip():
            entries.append(entry)
            entry, target = _Entry(), ""
        elif line.startswith("#:"):
            entry.references += line[2:].split()
        elif line.startswith("#,"):
            entry.fuzzy = entry.fuzzy or "fuzzy" in line
        elif line.startswith('"') and target == "msgid":
            entry.msgid += ast.literal_eval(line)
        elif line.startswith('"') and target == "msgstr":
            entry.translations[-1] += ast.literal_eval(line)
        elif not line.startswith(("#", '"')):
            target = _keyword(entry, line)
    entries.append(entry)
    return [entry for entry in entries if entry.msgid]


@pytest.mark.parametrize("language", ALL_TRANSLATED)
def test_no_public_string_is_left_untranslated(language: str) -> None:
    public = [
        entry
        for entry in _catalogue(language)
        if any(PUBLIC_SOURCES.match(reference) for reference in entry.references)
    ]
    assert len(public) > 300
    untranslated = [e.msgid for e in public if e.fuzzy or not all(e.translations)]
    assert untranslated == []


@pytest.mark.parametrize("language", ALL_TRANSLATED)
def test_the_compiled_catalogue_matches_its_source(language: str) -> None:
    """The committed .mo holds every translation of the .po, so no one ships a stale one."""
    directory = LOCALE / language / "LC_MESSAGES"
    with (directory / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    singular = [
        entry
        for entry in _catalogue(language)
        if len(entry.translations) == 1 and entry.translations[0] and not entry.fuzzy
    ]
    stale = [
        entry.msgid
        for entry in singular
        if (
            catalogue.pgettext(entry.context, entry.msgid)
            if entry.context
            else catalogue.gettext(entry.msgid)
        )
        != entry.translations[0]
    ]
    assert len(singular) > 300
    assert stale == []


@pytest.mark.parametrize("language", ALL_TRANSLATED)
def test_no_translation_calls_anyone_a_victim(language: str) -> None:
    words = {"cy": "dioddefwr", "ur": "متاثرہ", "pl": "ofiar", "pa": "ਪੀੜਤ"}[language]
    for entry in _catalogue(language):
        for text in entry.translations:
            assert "victim" not in text.lower(), entry.msgid
            assert words not in text.lower(), entry.msgid

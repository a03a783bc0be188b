# ruff: noqa: RUF001 - Welsh is written with the typographic apostrophe.
"""Every staff page reads wholly in Welsh once a member of staff chooses it (decision 0070).

Two checks. Each staff page (signed in with the role it needs, with records on it, and in
the states a form can be in) is rendered in English and in Welsh: any text left the same in
both is English nobody translated, unless it is the records' own data (names, addresses,
references). And every string the staff templates and their Python ask to be translated has
a Welsh translation in the compiled catalogue, so a string added later without Welsh fails
here even if no page above shows it.
"""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.translation.template import templatize

from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.accounts.tests.factories import MembershipFactory, OrganisationFactory
from bridgeway.casework.models import Referral
from bridgeway.casework.tests.factories import (
    DEFAULT_CONTACT,
    DEFAULT_DETAILS,
    CaseworkServiceFactory,
    make_referral,
    make_report,
)
from bridgeway.conftest import WEST_YORKSHIRE, sign_in
from bridgeway.directory.models import Service
from bridgeway.directory.tests.factories import ServiceFactory
from bridgeway.equality.vocabulary import languages
from bridgeway.places.models import LocalAuthorityDistrict, PoliceForceArea

pytestmark = pytest.mark.django_db

BRIDGEWAY = Path(settings.BASE_DIR) / "bridgeway"
LEEDS = "E08000035"
# Attributes whose words people read or hear.
READ_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "data-label"}
# Words that are the same in Welsh: names of things, formats and codes.
SAME_IN_WELSH = {
    "Bridgeway",
    "English",  # the switcher names each language in itself
    "Cymraeg",
    "BSL",
    "QR",
    "MP3",
    "Microsoft Authenticator",
    "Google Authenticator",
    "FreeOTP",
}


class _VisibleText(HTMLParser):
    """The text of a page as people meet it: text between tags and the attributes read out."""

    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.pieces.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.pieces.extend(part.strip() for part in data.split("\n") if part.strip())


def visible_text(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return [" ".join(piece.split()) for piece in parser.pieces]


@dataclass
class World:
    """One organisation's staff, service, listing, referral and report."""

    organisation: Organisation
    admin: User
    practitioner: User
    service: Service
    referral: Referral
    report: Referral
    other_service: Service

    def data(self) -> set[str]:
        """The records' own words, which stay as they were written in any language."""
        words: set[str] = {DEFAULT_CONTACT.times, DEFAULT_CONTACT.name_to_use}
        words |= {DEFAULT_CONTACT.safe_word, DEFAULT_DETAILS.postcode}
        words |= {DEFAULT_DETAILS.name, DEFAULT_DETAILS.email, "Nia Pritchard"}
        for organisation in Organisation.objects.all():
            words.add(organisation.name)
        for user in User.objects.all():
            words |= {user.full_name, user.email}
        for service in Service.objects.all():
            words |= {service.name, service.description, service.email, service.url, service.phone}
        for referral in (self.referral, self.report):
            words.add(referral.reference)
        # Place names are the reference data's (ONS), and languages are named in themselves.
        words |= set(LocalAuthorityDistrict.objects.values_list("name", flat=True))
        words |= set(PoliceForceArea.objects.values_list("name", flat=True))
        words |= {language.endonym for language in languages().values()}
        return {word for word in words if word}

    def narratives(self) -> set[str]:
        return {
            str(value)
            for referral in (self.referral, self.report)
            for value in (referral.narrative,)
            if value
        }


@pytest.fixture
def world(organisation: Organisation, organisation_admin: User, practitioner: User) -> World:
    # The administrator also works cases at a reporting centre, so one person sees every page.
    centre = OrganisationFactory(
        name="Leeds Reporting Centre",
        slug="leeds-reporting",
        kind=Organisation.Kind.REPORTING_CENTRE,
        area_codes=[WEST_YORKSHIRE],
    )
    MembershipFactory(
        organisation=centre, user=organisation_admin, role=Membership.Role.PRACTITIONER
    )
    service = CaseworkServiceFactory(organisation=organisation, name="Leeds Hate Crime Support")
    other = ServiceFactory(
        organisation=OrganisationFactory(name="Leeds Advice", slug="leeds-advice"),
        name="Leeds Advice Line",
        district_codes=[LEEDS],
        harm_type_codes=["hate_crime"],
    )
    report, _code = make_report(organisation=centre)
    return World(
        organisation=organisation,
        admin=organisation_admin,
        practitioner=practitioner,
        service=service,
        referral=make_referral(service=service),
        report=report,
        other_service=other,
    )


@dataclass(frozen=True)
class Page:
    """How to reach one staff page in a language: who asks, and how."""

    name: str
    visit: Callable[[World, Client], Any]
    # Welsh the page must show, so a page that went wrong is not read as translated.
    expect: str = ""


def _get(route: str, query: str = "", **kwargs: Callable[[World], Any]) -> Callable[..., Any]:
    def visit(world: World, client: Client) -> Any:
        arguments = {name: make(world) for name, make in kwargs.items()}
        return client.get(reverse(route, kwargs=arguments) + query)

    return visit


def _post(route: str, data: dict[str, str], **kwargs: Callable[[World], Any]) -> Callable[..., Any]:
    def visit(world: World, client: Client) -> Any:
        arguments = {name: make(world) for name, make in kwargs.items()}
        return client.post(reverse(route, kwargs=arguments), data)

    return visit


def _referral(world: World) -> str:
    return world.referral.reference


def _report(world: World) -> str:
    return world.report.reference


def _service(world: World) -> Any:
    return world.service.id


def _member(world: World) -> Any:
    return world.practitioner.pk


def _slug(world: World) -> str:
    return world.organisation.slug


def _without_an_app(client: Client) -> Any:
    # Someone who has chosen a password but has no authenticator app and no enrolment link.
    client.force_login(MembershipFactory().user)
    return client.get(reverse("accounts:enrol"))


# Signed out, or past the password step only.
BEFORE_SIGN_IN = [
    Page("sign-in", _get("accounts:sign-in"), "Mewngofnodi i Bridgeway"),
    Page("sign-in with errors", _post("accounts:sign-in", {}), "Rhowch eich cyfeiriad e-bost."),
    Page(
        "sign-in, wrong password", _post("accounts:sign-in", {"email": "a@b.org", "password": "x"})
    ),
    Page(
        "set-up link that no longer works",
        _get("accounts:set-password", uidb64=lambda w: "AA", token=lambda w: "x"),
    ),
    Page("enrolment link that does not work", _get("accounts:enrol-link", token=lambda w: "x")),
    Page("not-found page", lambda world, client: client.get("/staff/no-such-page/")),
]
HALF_SIGNED_IN = [
    Page("code step", _get("accounts:verify")),
    Page("code step with errors", _post("accounts:verify", {"code": "12"})),
    Page("recovery code", _get("accounts:recovery")),
    Page("recovery code with errors", _post("accounts:recovery", {})),
    Page("set up an app without a link", lambda world, client: _without_an_app(client)),
]
SIGNED_IN = [
    Page("inbox", _get("casework:inbox"), "Mewnflwch"),
    Page("inbox filtered", _get("casework:inbox", "?stage=new&kind=report&age=older_than_3d")),
    Page("inbox, bad filters", _get("casework:inbox", "?stage=nonsense&page=x")),
    Page("referral", _get("casework:referral-detail", reference=_referral), "Caniatâd a rhannu"),
    Page("report", _get("casework:referral-detail", reference=_report)),
    Page("refer on", _get("casework:refer-on", reference=_referral)),
    Page("refer on, services", _get("casework:refer-on", "?postcode=LS1", reference=_referral)),
    Page("refer on, bad postcode", _get("casework:refer-on", "?postcode=XX", reference=_referral)),
    Page("refer on with errors", _post("casework:refer-on", {}, reference=_referral)),
    Page(
        "consent with errors",
        _post("casework:consent-record", {}, reference=_referral),
    ),
    Page(
        "contact attempt with errors",
        _post("casework:contact-attempt", {}, reference=_referral),
    ),
    Page("record a referral", _get("casework:intake"), "Cofnodi atgyfeiriad"),
    Page("record a referral with errors", _post("casework:intake", {})),
    Page("people", _get("casework:people-search")),
    Page("people, searched", _get("casework:people-search", "?q=Sam")),
    Page("person's details", _get("casework:person-edit", reference=_referral)),
    Page("person's details with errors", _post("casework:person-edit", {}, reference=_referral)),
    Page("tasks", _get("casework:tasks", reference=_referral), "Tasgau"),
    Page("tasks with errors", _post("casework:tasks", {}, reference=_referral)),
    Page("inbox, due filter", _get("casework:inbox", "?due=overdue")),
    Page("caseload", _get("casework:caseload"), "Llwyth achosion"),
    Page("emails", _get("casework:notifications"), "Negeseuon e-bost"),
    Page("emails with errors", _post("casework:notifications", {"emails": "x"})),
    Page("passkeys", _get("accounts:passkeys")),
    Page("staff", _get("accounts:staff")),
    Page("add staff", _get("accounts:staff-add")),
    Page("add staff with errors", _post("accounts:staff-add", {})),
    Page(
        "staff added",
        lambda world, client: client.post(
            reverse("accounts:staff-add"),
            {
                "organisation": world.organisation.slug,
                "full_name": "Nia Pritchard",
                "email": f"nia.{client.cookies[settings.LANGUAGE_COOKIE_NAME].value}@example.org",
                "role": "practitioner",
            },
        ),
        "Aelod o staff wedi’i ychwanegu",
    ),
    Page("remove staff", _get("accounts:staff-remove", slug=_slug, member_id=_member)),
    Page("listings", _get("directory:listings")),
    Page("listing editor", _get("directory:listing-edit", service_id=_service)),
    Page(
        "listing editor with errors",
        _post("directory:listing-edit", {}, service_id=_service),
        "Mae problem",
    ),
    Page("introductions", _get("directory:introductions", service_id=_service)),
    Page("introductions with errors", _post("directory:introductions", {}, service_id=_service)),
]


def _client(world: World, page: Page, language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if page in SIGNED_IN:
        world.admin.language = language
        world.admin.save(update_fields=["language"])
        return sign_in(client, world.admin)
    if page in HALF_SIGNED_IN:
        client.force_login(world.admin)
    return client


@cache
def welsh_catalogue() -> dict[Any, str]:
    """The compiled Welsh catalogue: msgid (or (msgid, form) for plurals) to translation."""
    with (BRIDGEWAY / "locale" / "cy" / "LC_MESSAGES" / "django.mo").open("rb") as compiled:
        return gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]


def _untranslated(world: World, page: Page) -> tuple[list[str], str]:
    english = _render(world, page, "en")
    welsh = _render(world, page, "cy")
    assert '<html lang="cy"' in welsh, page.name
    same = set(visible_text(english)) & set(visible_text(welsh))
    # Longest first, so a name is taken out whole before a shorter name inside it.
    allowed = sorted(world.data() | world.narratives() | SAME_IN_WELSH, key=len, reverse=True)
    left = []
    for text in same:
        rest = text
        for word in allowed:
            rest = rest.replace(word, " ")
        # What is left with no words (numbers, dates in figures, punctuation) reads the same,
        # and so does a word the Welsh catalogue translates as itself ("Hindi", "Sikh").
        if re.search(r"[A-Za-z]{3,}", rest) and not welsh_catalogue().get(text):
            left.append(text)
    return sorted(left), welsh


def _render(world: World, page: Page, language: str) -> str:
    response = page.visit(world, _client(world, page, language))
    assert response.status_code in {200, 400, 403, 404}, (page.name, response.status_code)
    return str(response.content.decode())


@pytest.mark.parametrize("page", BEFORE_SIGN_IN + HALF_SIGNED_IN + SIGNED_IN, ids=lambda p: p.name)
def test_the_staff_page_has_no_english_left_in_welsh(world: World, page: Page) -> None:
    left, html = _untranslated(world, page)
    assert left == [], (page.name, left)
    assert page.expect in " ".join(visible_text(html)), page.name


def test_a_staff_page_in_welsh_speaks_welsh(world: World) -> None:
    """The check above would pass on a page that failed to change language at all."""
    page = SIGNED_IN[0]
    welsh = _render(world, page, "cy")
    text = " ".join(visible_text(welsh))
    assert "Mewnflwch" in text
    assert "Atgyfeiriadau ac adroddiadau" in text
    assert "Inbox" not in text


# Where staff pages' strings come from: their templates and the Python behind them (insight's
# too; commissioning has its own test). The API answers machines in English, and the
# commands speak to the operator.
STAFF_TEMPLATES = [
    *sorted((BRIDGEWAY / "accounts" / "templates").rglob("*.html")),
    *sorted((BRIDGEWAY / "casework" / "templates").rglob("*.html")),
    *sorted((BRIDGEWAY / "directory" / "templates").rglob("*.html")),
    *sorted((BRIDGEWAY / "insight" / "templates").rglob("*.html")),
    *sorted((BRIDGEWAY / "operations" / "templates").rglob("*.html")),
    *sorted((BRIDGEWAY / "site" / "templates").rglob("*.html")),
]
STAFF_PYTHON = [
    BRIDGEWAY / "equality" / "staff_labels.py",
    *(
        path
        for app in ("accounts", "casework", "directory", "insight", "operations", "site")
        for path in sorted((BRIDGEWAY / app).rglob("*.py"))
        if not {"tests", "migrations", "management", "openreferral"} & set(path.parts)
        and path.name != "api.py"
    ),
]
SINGULAR = {"gettext", "gettext_lazy", "_", "gettext_noop", "pgettext", "pgettext_lazy"}
PLURAL = {"ngettext", "ngettext_lazy", "npgettext", "npgettext_lazy"}


def _calls(source: str) -> Iterator[tuple[str | None, str, bool]]:
    """(context, msgid, is plural) of each gettext call with literal strings in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        if name not in SINGULAR | PLURAL:
            continue
        strings = [
            a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
        ]
        if not strings:
            continue
        has_context = name.startswith(("p", "np"))
        context = strings[0] if has_context else None
        msgid = strings[1] if has_context else strings[0]
        yield context, msgid, name in PLURAL


GETTEXT_CALL = re.compile(r"\b(?:n?p?gettext)\(")


def _template_calls(path: Path) -> Iterator[tuple[str | None, str, bool]]:
    """Django's own reading of a template for makemessages: its gettext calls, one by one.

    ``templatize`` writes each translated string as a Python call among placeholder letters;
    each call is cut out at the first closing bracket that ends a whole expression.
    """
    source = templatize(path.read_text("utf-8"), origin=str(path))
    for match in GETTEXT_CALL.finditer(source):
        rest = source[match.start() :]
        for end in (i for i, char in enumerate(rest) if char == ")"):
            try:
                yield from _calls(rest[: end + 1])
            except SyntaxError:
                continue
            break


def staff_msgids() -> set[tuple[str | None, str, bool]]:
    found: set[tuple[str | None, str, bool]] = set()
    for path in STAFF_TEMPLATES:
        found |= set(_template_calls(path))
    for path in STAFF_PYTHON:
        found |= set(_calls(path.read_text("utf-8")))
    return found


def test_every_staff_string_has_a_welsh_translation() -> None:
    catalogue = welsh_catalogue()
    msgids = staff_msgids()
    assert len(msgids) > 500
    missing = []
    for context, msgid, plural in sorted(msgids, key=lambda m: m[1]):
        key = f"{context}\x04{msgid}" if context else msgid
        translated = catalogue.get((key, 0) if plural else key)
        if not translated:
            missing.append(msgid)
    assert missing == []

"""Every route of the project is either marked public or closed to strangers.

Walks Django's URL resolver over the whole project (nested includes, every language prefix,
the API) and asks each route, as the people who must not get in:

- a view marked public (``bridgeway.accounts.middleware.public``) is a decision already made,
  and must only answer an anonymous visitor without a server error;
- any other route must send an anonymous visitor to the password step (or answer 404) and a
  password-only session to the code step (or 404);
- a route that names a record of one organisation in its address (a referral, a service, a
  member, a funding round ...) must answer 403 or 404 to a verified member of staff of another
  organisation (the outsider), and an answer other than 404 to someone of the record's own
  organisation, so the outsider's 404 is not merely "no such record";
- a route that names no record (an inbox, a dashboard, one's own downloads) shows each person
  their own things: the outsider may open it, but must see nothing of the other organisation.

No address is listed here: a new route is walked like the rest, and one whose address holds a
parameter this file has no sample value for fails until it gets one.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import LocalePrefixPattern, RoutePattern
from django.utils import timezone, translation

from bridgeway.accounts.middleware import is_public
from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.accounts.tests.factories import MembershipFactory
from bridgeway.casework.models import Consent, Referral
from bridgeway.casework.tests.factories import CaseworkServiceFactory, make_referral
from bridgeway.commissioning.models import Application, Attachment, FundingRound
from bridgeway.commissioning.tests.factories import ApplicationFactory, FundingRoundFactory
from bridgeway.commissioning.tests.test_applying import PDF
from bridgeway.conftest import sign_in
from bridgeway.directory.models import Service

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts:sign-in")
VERIFY = reverse("accounts:verify")
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Records:
    """One organisation's records, which the outsider must not reach."""

    organisation: Organisation
    service: Service
    referral: Referral
    consent: Consent
    colleague: Membership
    funding_round: FundingRound
    application: Application
    # A document of the application, where the walk keeps files (see ``records``).
    attachment: Attachment | None = None

    def secrets(self) -> list[str]:
        """Words that appear only on pages showing this organisation's records."""
        return [
            self.referral.reference,
            self.organisation.name,
            self.service.name,
            self.colleague.user.email,
            self.colleague.user.full_name,
        ]


@dataclass(frozen=True)
class Sample:
    """A value for one kind of URL parameter, and whether it names an organisation's record."""

    value: Callable[[Records], str]
    names_a_record: bool


# Sample values by parameter name. A parameter not here fails the test until it is added.
SAMPLES: dict[str, Sample] = {
    "reference": Sample(lambda r: r.referral.reference, names_a_record=True),
    "consent_id": Sample(lambda r: str(r.consent.pk), names_a_record=True),
    "service_id": Sample(lambda r: str(r.service.pk), names_a_record=True),
    "slug": Sample(lambda r: r.organisation.slug, names_a_record=True),
    "member_id": Sample(lambda r: str(r.colleague.user_id), names_a_record=True),
    "round_id": Sample(lambda r: str(r.funding_round.pk), names_a_record=True),
    "application_id": Sample(lambda r: str(r.application.pk), names_a_record=True),
    # Recordings are served to the public; any id will do to build the address.
    "introduction_id": Sample(lambda r: str(uuid.uuid4()), names_a_record=True),
    # A case's picture and its police pack: any id will do, the case is what is guarded.
    "evidence_id": Sample(lambda r: str(uuid.uuid4()), names_a_record=True),
    "share_id": Sample(lambda r: "1", names_a_record=True),
    # An application's document: any id will do, the application is what is guarded.
    "attachment_id": Sample(
        lambda r: str(r.attachment.pk if r.attachment else uuid.uuid4()), names_a_record=True
    ),
    # The set-up and enrolment links' own parts: the link is the credential, so the page is
    # public (an enrolment link is opened before signing in).
    "uidb64": Sample(lambda r: "not-a-user", names_a_record=False),
    "token": Sample(lambda r: "not-a-token", names_a_record=False),
    # Insight downloads are of the reader's own areas, chosen in the query string.
    "report": Sample(lambda r: "funnel", names_a_record=False),
    "file_format": Sample(lambda r: "xlsx", names_a_record=False),
    # The API's own identifiers (the whole API is public; see bridgeway/urls.py).
    "service_at_location_id": Sample(lambda r: str(uuid.uuid4()), names_a_record=False),
    "location_id": Sample(lambda r: str(uuid.uuid4()), names_a_record=False),
    "taxonomy_id": Sample(lambda r: "bridgeway-harm-types", names_a_record=False),
    "term_id": Sample(lambda r: "hate_crime", names_a_record=False),
}


@dataclass(frozen=True)
class Route:
    """One URL pattern of the project, as reached under one language prefix."""

    route: str
    language: str
    callback: Callable[..., Any]
    parameters: tuple[str, ...]
    buildable: bool


def _walk(patterns: Iterable[Any], prefix: str, language: str) -> Iterable[Route]:
    for pattern in patterns:
        own = pattern.pattern
        buildable = isinstance(own, RoutePattern | LocalePrefixPattern)
        route = prefix + str(own)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route, language)
        elif isinstance(pattern, URLPattern):
            names = tuple(match["name"] for match in PARAMETER.finditer(route))
            yield Route(route, language, pattern.callback, names, buildable)


def project_routes() -> list[Route]:
    """Every route, once for each language its prefix is served in."""
    found: dict[tuple[str, int], Route] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for route in _walk(get_resolver().url_patterns, "", language):
                found.setdefault((route.route, id(route.callback)), route)
    return list(found.values())


def _address(route: Route, records: Records) -> str:
    return "/" + PARAMETER.sub(lambda m: SAMPLES[m["name"]].value(records), route.route)


def _ask(client: Client, url: str) -> HttpResponse:
    """GET the page; for a POST-only route (405), POST it with nothing filled in."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    return response  # type: ignore[return-value]


def _redirects_to(response: HttpResponse, step: str) -> bool:
    return response.status_code == 302 and response["Location"].startswith(f"{step}?next=")


def _text(response: HttpResponse) -> str:
    if getattr(response, "streaming", False):
        return ""
    return response.content.decode(errors="replace")


def make_records(organisation: Organisation, commissioner_office: Organisation) -> Records:
    """One organisation's records of every kind a route can name (the browser walk uses them too)."""
    service = CaseworkServiceFactory(organisation=organisation, name="Leeds Hate Crime Support")
    referral = make_referral(service=service)
    consent = Consent.objects.create(
        person_id=referral.person_id,
        scope=Consent.Scope.POLICE,
        recipient_police_force_area_id="E23000010",
        given_at=timezone.now(),
        given_how=Consent.GivenHow.PHONE,
    )
    colleague = MembershipFactory(
        organisation=organisation,
        role=Membership.Role.PRACTITIONER,
        user__full_name="Colleague Whose Name Stays Inside",
        user__email="colleague.inside@example.org",
    )
    funding_round = FundingRoundFactory(commissioner=commissioner_office)
    application = ApplicationFactory(funding_round=funding_round, applicant=organisation)
    return Records(organisation, service, referral, consent, colleague, funding_round, application)


@pytest.fixture
def records(
    organisation: Organisation,
    commissioner_office: Organisation,
    practitioner: User,
    organisation_admin: User,
    settings: Any,
    tmp_path: Path,
) -> Records:
    made = make_records(organisation, commissioner_office)
    # The application's document is kept in a folder of this test's own.
    settings.MEDIA_ROOT = tmp_path / "media"
    attachment = Attachment(
        application=made.application,
        kind=Attachment.Kind.ACCOUNTS,
        content_type="application/pdf",
        size=len(PDF),
    )
    attachment.file.save("upload", ContentFile(PDF), save=True)
    return dataclasses.replace(made, attachment=attachment)


def test_every_route_is_public_or_closed_to_strangers(  # noqa: C901 - one walk, every rule
    records: Records,
    practitioner: User,
    organisation_admin: User,
    commissioner: User,
    outsider: User,
) -> None:
    anonymous = Client()
    password_only = Client()
    password_only.force_login(practitioner)
    stranger = sign_in(Client(), outsider)
    insiders = [
        sign_in(Client(), user) for user in (practitioner, organisation_admin, commissioner)
    ]

    routes = project_routes()
    by_address = {(route.route, id(route.callback)) for route in routes}
    failures: list[str] = []
    public: list[str] = []
    protected: list[str] = []
    record_routes: list[str] = []
    for route in routes:
        unknown = [name for name in route.parameters if name not in SAMPLES]
        if not route.buildable or unknown:
            failures.append(
                f"{route.route}: cannot build an address (parameters without a sample value: "
                f"{unknown or 'a regular expression route'}); add one to SAMPLES"
            )
            continue
        url = _address(route, records)
        with translation.override(route.language):
            reached = resolve(url).func
        if reached is not route.callback:
            if (route.route, id(reached)) not in by_address:
                failures.append(f"{route.route}: the sample address {url} reaches another view")
            # Otherwise an earlier route has the very same address and answers for both.
            continue
        if is_public(route.callback):
            public.append(url)
            answer = _ask(anonymous, url)
            if answer.status_code >= 500:
                failures.append(f"{url} (public) answered {answer.status_code} to a visitor")
            continue
        protected.append(url)
        answer = _ask(anonymous, url)
        if not (answer.status_code == 404 or _redirects_to(answer, SIGN_IN)):
            failures.append(f"{url} answered {answer.status_code} to someone not signed in")
        answer = _ask(password_only, url)
        if not (answer.status_code == 404 or _redirects_to(answer, VERIFY)):
            failures.append(f"{url} answered {answer.status_code} to a password alone")
        answer = _ask(stranger, url)
        if any(SAMPLES[name].names_a_record for name in route.parameters):
            record_routes.append(url)
            if answer.status_code not in (403, 404):
                failures.append(
                    f"{url} answered {answer.status_code} to another organisation's staff"
                )
        else:
            shown = [secret for secret in records.secrets() if secret in _text(answer)]
            if answer.status_code >= 500 or shown:
                failures.append(
                    f"{url} answered {answer.status_code} to another organisation's staff, "
                    f"showing {shown}"
                )

    # Last, as insiders may change a record by posting an empty form: the sample records are
    # real, so the outsider's 403 or 404 above was a refusal, not a missing record.
    for url in record_routes:
        statuses = [_ask(insider, url).status_code for insider in insiders]
        if all(status == 404 for status in statuses):
            failures.append(f"{url} is 404 even to its own organisation: fix its sample value")

    assert not failures, "\n".join(failures)
    # The walk cannot pass by visiting nothing: the project has dozens of routes of each kind,
    # the front door in every language, and the staff pages about one organisation's records.
    assert len(routes) > 80
    assert len(public) > 60
    assert len(protected) > 25
    assert len(record_routes) > 15
    assert any(url.startswith("/cy/") for url in public)
    assert any(url.startswith("/api/v1/") for url in public)
    assert any(url.startswith("/insight/") for url in protected)
    assert any(url.startswith("/staff/funding/") for url in protected)

"""Every form of the site, sent empty, shows errors a screen-reader user can reach.

Each case posts a form with nothing filled in (signed in with the role and both factors its page
needs) and checks that every error-summary link goes to an element on the page and that no
``aria-describedby`` names a missing id. The list is kept complete by walking the URL patterns:
every view that accepts POST is either a form here or excused with a reason, so a form added
later fails this test until someone decides.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.accounts.tests.factories import MembershipFactory, OrganisationFactory
from bridgeway.casework.models import Referral
from bridgeway.casework.tests.factories import CaseworkServiceFactory, make_referral, make_report
from bridgeway.commissioning.models import Application, FundingRound
from bridgeway.commissioning.services import application_decide
from bridgeway.commissioning.services.applying import DraftContent, application_draft_save
from bridgeway.commissioning.services.reviews import reviewer_assign
from bridgeway.commissioning.tests.factories import ApplicationFactory, FundingRoundFactory
from bridgeway.conftest import WEST_YORKSHIRE, sign_in
from bridgeway.directory.models import Service
from bridgeway.directory.tests.factories import ServiceFactory
from bridgeway.site.tests.error_links import error_summary_links, unreachable_errors

LEEDS = "E08000035"


@dataclass
class World:
    """The people and records the forms are about."""

    organisation: Organisation
    admin: User
    commissioner: User
    service: Service
    referral: Referral
    report: Referral
    report_code: str
    funding_round: FundingRound
    application: Application

    def client_of(self, user: User) -> Client:
        return sign_in(Client(), user)


@pytest.fixture
def world(organisation: Organisation, organisation_admin: User, commissioner: User) -> World:
    # The administrator is a practitioner too: one person reaches every staff form.
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
    report, code = make_report(organisation=centre)
    funding_round = FundingRoundFactory(
        commissioner=Organisation.objects.get(memberships__user=commissioner),
        title="Reaching communities",
        area_codes=[WEST_YORKSHIRE],
    )
    return World(
        organisation=organisation,
        admin=organisation_admin,
        commissioner=commissioner,
        service=service,
        referral=make_referral(service=service),
        report=report,
        report_code=code,
        funding_round=funding_round,
        application=ApplicationFactory(funding_round=funding_round, applicant=organisation),
    )


@dataclass(frozen=True)
class FormCase:
    """How to send one form empty: the route, and a function that sends it and returns the page."""

    route: str
    send: Callable[[World], Any]


def _staff_post(route: str, **kwargs: Callable[[World], Any]) -> Callable[[World], Any]:
    def send(world: World) -> Any:
        arguments = {name: make(world) for name, make in kwargs.items()}
        return world.client_of(world.admin).post(reverse(route, kwargs=arguments), {})

    return send


def _notifications(world: World) -> Any:
    # Choosing no emails at all is a fair answer, so the wrong answer is one off the list.
    url = reverse("casework:notifications")
    return world.client_of(world.admin).post(url, {"emails": "everything"})


def _reference(world: World) -> str:
    return world.referral.reference


def _public_post(
    route: str, data: dict[str, str] | None = None, **kwargs: Callable[[World], Any]
) -> Callable[[World], Any]:
    def send(world: World) -> Any:
        arguments = {name: make(world) for name, make in kwargs.items()}
        return Client().post(reverse(route, kwargs=arguments), data or {})

    return send


def _report_with_a_fake_picture(world: World) -> Any:
    # Everything else answered: the only error is on the file box, naming the file.
    fake = SimpleUploadedFile("screenshot.png", b"not a picture", content_type="image/png")
    answers = {"narrative": "Shouted at on the bus.", "identity": "anonymous", "pictures": fake}
    response = Client().post(reverse("frontdoor:report"), answers)
    assert 'href="#id_pictures">screenshot.png: ' in response.content.decode()
    return response


def _follow_up_message(world: World) -> Any:
    client = Client()
    url = reverse("frontdoor:follow-up")
    client.post(url, {"reference": world.report.reference, "code": world.report_code})
    return client.post(url, {"action": "send"})


def _refer_on(world: World) -> Any:
    # Another organisation's service in Leeds, so the search shows the services to choose from.
    ServiceFactory(
        organisation=OrganisationFactory(name="Leeds Advice", slug="leeds-advice"),
        name="Leeds Advice Line",
        district_codes=[LEEDS],
        harm_type_codes=["hate_crime"],
    )
    url = reverse("casework:refer-on", kwargs={"reference": world.referral.reference})
    return world.client_of(world.admin).post(f"{url}?postcode=LS1", {})


def _assign_to_a_stranger(world: World) -> Any:
    # Empty means "no one", which is a good answer: a person outside the organisation is not.
    url = reverse("casework:referral-assign", kwargs={"reference": world.referral.reference})
    return world.client_of(world.admin).post(url, {"assign-assignee": str(world.commissioner.pk)})


def _commissioner_post(route: str) -> Callable[[World], Any]:
    def send(world: World) -> Any:
        url = reverse(route, kwargs={"application_id": world.application.id})
        return world.client_of(world.commissioner).post(url, {})

    return send


def _round_post(route: str) -> Callable[[World], Any]:
    def send(world: World) -> Any:
        kwargs = {} if route == "commissioning:round_new" else {"round_id": world.funding_round.id}
        return world.client_of(world.commissioner).post(reverse(route, kwargs=kwargs), {})

    return send


def _score_before_declaring(world: World) -> Any:
    # An assigned reviewer who has not yet declared is asked about conflicts first.
    reviewer_assign(
        funding_round=world.funding_round, actor=world.commissioner, reviewer=world.commissioner
    )
    url = reverse("commissioning:score", kwargs={"application_id": world.application.id})
    return world.client_of(world.commissioner).post(url, {})


def _apply(world: World) -> Any:
    url = reverse("commissioning:apply", kwargs={"round_id": world.funding_round.id})
    return world.client_of(world.admin).post(url, {})


def _monitoring_return(world: World) -> Any:
    # The funded organisation's administrator sends an empty return for its award.
    application_decide(
        application=world.application, actor=world.commissioner, outcome="awarded", feedback=""
    )
    url = reverse(
        "commissioning:monitoring_return", kwargs={"application_id": world.application.id}
    )
    return world.client_of(world.admin).post(url, {})


def _a_draft(world: World) -> Application:
    later = FundingRoundFactory(
        commissioner=world.funding_round.commissioner,
        title="Reaching communities again",
        area_codes=[WEST_YORKSHIRE],
        questions="How will you reach people?",
    )
    return application_draft_save(
        funding_round=later,
        applicant=world.organisation,
        actor=world.admin,
        content=DraftContent(),
    )


def _send_an_empty_draft(world: World) -> Any:
    # Sending a draft with nothing in it names every missing field, checkboxes included.
    url = reverse("commissioning:draft", kwargs={"application_id": _a_draft(world).id})
    data = {"applicant": str(world.organisation.pk), "action": "submit"}
    return world.client_of(world.admin).post(url, data)


def _attach_nothing(world: World) -> Any:
    url = reverse("commissioning:attach", kwargs={"application_id": _a_draft(world).id})
    return world.client_of(world.admin).post(url, {})


def _listing_edit(world: World) -> Any:
    url = reverse("directory:listing-edit", kwargs={"service_id": world.service.id})
    return world.client_of(world.admin).post(url, {})


def _introductions(world: World) -> Any:
    url = reverse("directory:introductions", kwargs={"service_id": world.service.id})
    return world.client_of(world.admin).post(url, {})


def _sign_in(world: World) -> Any:
    return Client().post(reverse("accounts:sign-in"), {})


def _recovery_code(world: World) -> Any:
    # Past the password step only: the recovery code is the second one.
    client = Client()
    client.force_login(world.admin)
    return client.post(reverse("accounts:recovery"), {})


def _get_with_bad_filters(route: str, user: str, query: str) -> Callable[[World], Any]:
    def send(world: World) -> Any:
        return world.client_of(getattr(world, user)).get(f"{reverse(route)}?{query}")

    return send


# Every question after the first may be left empty (or skipped), so it gets a wrong answer.
_SUPPORT_STEPS = {
    "": {},
    "-what": {"what": "nonsense"},
    "-language": {"language": "nonsense"},
    "-how": {"formats": "nonsense"},
    "-age": {"age": "many"},
    "-matters": {"matters": "nonsense"},
}

FORMS = [
    FormCase("accounts:sign-in", _sign_in),
    FormCase("accounts:recovery", _recovery_code),
    FormCase("accounts:staff-add", _staff_post("accounts:staff-add")),
    *(
        FormCase(f"frontdoor:get-support{step}", _public_post(f"frontdoor:get-support{step}", data))
        for step, data in _SUPPORT_STEPS.items()
    ),
    FormCase("frontdoor:refer", _public_post("frontdoor:refer", service_id=lambda w: w.service.id)),
    FormCase("frontdoor:report", _public_post("frontdoor:report")),
    FormCase("frontdoor:report", _report_with_a_fake_picture),
    FormCase("frontdoor:follow-up", _public_post("frontdoor:follow-up")),
    FormCase("frontdoor:follow-up", _follow_up_message),
    FormCase(
        "casework:referral-advance", _staff_post("casework:referral-advance", reference=_reference)
    ),
    FormCase(
        "casework:referral-message",
        _staff_post("casework:referral-message", reference=lambda w: w.report.reference),
    ),
    FormCase("casework:referral-note", _staff_post("casework:referral-note", reference=_reference)),
    FormCase(
        "casework:consent-record", _staff_post("casework:consent-record", reference=_reference)
    ),
    FormCase("casework:referral-assign", _assign_to_a_stranger),
    FormCase(
        "casework:contact-attempt", _staff_post("casework:contact-attempt", reference=_reference)
    ),
    FormCase(
        "casework:police-share",
        _staff_post("casework:police-share", reference=lambda w: w.report.reference),
    ),
    FormCase("casework:refer-on", _refer_on),
    FormCase("casework:intake", _staff_post("casework:intake")),
    FormCase("casework:person-merge", _staff_post("casework:person-merge", reference=_reference)),
    FormCase("casework:person-edit", _staff_post("casework:person-edit", reference=_reference)),
    FormCase("casework:tasks", _staff_post("casework:tasks", reference=_reference)),
    FormCase("casework:notifications", _notifications),
    FormCase(
        "casework:people-search",
        _get_with_bad_filters("casework:people-search", "admin", "q=" + "x" * 201),
    ),
    FormCase("casework:inbox", _get_with_bad_filters("casework:inbox", "admin", "stage=nonsense")),
    FormCase("directory:listing-edit", _listing_edit),
    FormCase("directory:introductions", _introductions),
    FormCase("commissioning:apply", _apply),
    FormCase("commissioning:draft", _send_an_empty_draft),
    FormCase("commissioning:attach", _attach_nothing),
    FormCase("commissioning:decide", _commissioner_post("commissioning:decide")),
    FormCase("commissioning:message", _commissioner_post("commissioning:message")),
    FormCase("commissioning:ask", _commissioner_post("commissioning:ask")),
    FormCase("commissioning:answer", _commissioner_post("commissioning:answer")),
    FormCase("commissioning:round_new", _round_post("commissioning:round_new")),
    FormCase("commissioning:round_edit", _round_post("commissioning:round_edit")),
    FormCase("commissioning:partner_add", _round_post("commissioning:partner_add")),
    FormCase("commissioning:score", _score_before_declaring),
    FormCase("commissioning:monitoring_return", _monitoring_return),
    FormCase(
        "insight:dashboard",
        _get_with_bad_filters(
            "insight:dashboard", "commissioner", "date_from=nonsense&date_to=nonsense"
        ),
    ),
]

# Views that accept POST but are not a form of fields, or whose form needs a state this test
# cannot reach by posting (each says why, and where it is checked instead).
EXCUSED = {
    "casework:evidence": "a file upload; refusals named on it in casework/tests/test_evidence.py",
    "frontdoor:follow-up-pictures": (
        "a file upload with the report open; tested in frontdoor/tests/test_follow_up_pictures.py"
    ),
    "casework:task-done": "a button naming a task; tested in casework/tests/test_tasks.py",
    "casework:person-erase": "a confirmed button; tested in casework/tests/test_corrections.py",
    "casework:person-merge-undo": "a button with no fields; tested in casework/tests/test_people.py",
    "root": "a redirect to a language, no form",
    "accounts:home": "a redirect to the staff start page, no form",
    "directory:listings": "a list of links, no form",
    "accounts:verify": "needs a half-signed-in session; its page uses the same field templates",
    "accounts:enrol": "needs a half-signed-in session; its page uses the same field templates",
    "accounts:set-password": "needs a set-up link's token; its page uses the same field templates",
    "accounts:sign-out": "a button, no fields",
    "accounts:language": "the header's language buttons; a wrong one is refused with 400",
    "accounts:staff-remove": "a confirmation button; its one error has no field to link to",
    "accounts:staff-set-up-link": "a button, no fields",
    "accounts:staff-enrolment-link": "a button, no fields",
    # The passkey ceremonies answer django-otp-webauthn's script in JSON; their refusals are
    # checked in accounts/tests/test_enrolment_links.py.
    "otp_webauthn:credential-registration-begin": "JSON for the passkey script, no form",
    "otp_webauthn:credential-registration-complete": "JSON for the passkey script, no form",
    "otp_webauthn:credential-authentication-begin": "JSON for the passkey script, no form",
    "otp_webauthn:credential-authentication-complete": "JSON for the passkey script, no form",
    "otp_webauthn:js-i18n-catalog": "the passkey script's words, no form",
    "casework:consent-revoke": "a button, no fields",
    "commissioning:review": "a button, no fields",
    "commissioning:publish": "a button, no fields",
    "commissioning:withdraw": "a button, no fields; a refusal is a notice at the top",
    "commissioning:attachment_remove": "a button, no fields; a refusal is a notice at the top",
    "commissioning:assign": "one email box on the round page; a refusal is a notice at the top",
    "frontdoor:get-support-start-again": "a button, no fields",
    "frontdoor:leave": "the quick exit's request to forget the journey, no fields",
}


def _routes(
    resolver: URLResolver | None = None, namespace: str = ""
) -> Iterator[tuple[str, Callable[..., Any]]]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern.callback


def _accepts_post(view: Callable[..., Any]) -> bool:
    """False only when a ``require_http_methods`` around the view leaves POST out."""
    function: Any = view
    while function is not None:
        if inspect.isfunction(function):
            allowed = inspect.getclosurevars(function).nonlocals.get("request_method_list")
            if allowed is not None:
                return "POST" in allowed
        function = getattr(function, "__wrapped__", None)
    return True


def test_every_view_that_takes_a_post_is_a_form_here_or_excused() -> None:
    checked = {case.route for case in FORMS}
    undecided = {
        route
        for route, view in _routes()
        # The JSON API (django-ninja) has no HTML pages; its errors are checked by its own tests.
        if not route.startswith("api:") and _accepts_post(view)
        if route not in checked and route not in EXCUSED
    }
    assert not undecided, f"add these to FORMS or EXCUSED: {sorted(undecided)}"
    assert not checked & set(EXCUSED)


@pytest.mark.parametrize("case", FORMS, ids=lambda case: f"{case.route}:{case.send.__name__}")
def test_an_empty_form_links_every_error_to_its_field(case: FormCase, world: World) -> None:
    response = case.send(world)

    page = response.content.decode()
    assert response.status_code in {200, 400}, response.status_code
    assert 'class="govuk-error-summary"' in page, "the empty form was not refused"
    assert unreachable_errors(page) == []
    assert all(href != "#" for href in error_summary_links(page))

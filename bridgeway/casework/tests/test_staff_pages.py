"""The staff casework pages: inbox, a referral, moving it on — and who may see them."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridgeway.accounts.models import Membership
from bridgeway.accounts.tests.factories import MembershipFactory
from bridgeway.casework.models import (
    AuditEntry,
    CaseEvent,
    Consent,
    ContactAttempt,
    Referral,
    Share,
)
from bridgeway.casework.selectors import inbox_for_user, referral_get_for_user
from bridgeway.casework.services import ContactDetails
from bridgeway.casework.tests.factories import make_referral, make_report
from bridgeway.casework.urls import urlpatterns
from bridgeway.conftest import sign_in

# Every casework route about one referral: (route name, method, POST data).
REFERRAL_ROUTES: dict[str, tuple[str, str, dict[str, str]]] = {
    "detail": ("casework:referral-detail", "get", {}),
    "advance": ("casework:referral-advance", "post", {"stage": "contacted"}),
    "message": ("casework:referral-message", "post", {"message-text": "Hello"}),
    "note": ("casework:referral-note", "post", {"note-text": "A note"}),
    "consent-record": (
        "casework:consent-record",
        "post",
        {"consent-scope": "police", "consent-given_how": "phone"},
    ),
    "consent-revoke": ("casework:consent-revoke", "post", {}),
    "assign": ("casework:referral-assign", "post", {"assign-assignee": ""}),
    "contact-attempt": (
        "casework:contact-attempt",
        "post",
        {"contact-method": "call", "contact-outcome": "reached"},
    ),
    "police-share": ("casework:police-share", "post", {"police-police_force_area": "E23000010"}),
    "refer-on": ("casework:refer-on", "get", {}),
    "refer-on-post": ("casework:refer-on", "post", {"service": "1"}),
    "person-merge": ("casework:person-merge", "post", {"into": "BW-0000-0000"}),
    "person-merge-undo": ("casework:person-merge-undo", "post", {}),
    "person-edit": ("casework:person-edit", "get", {}),
    "person-erase": ("casework:person-erase", "post", {}),
    "tasks": ("casework:tasks", "get", {}),
    "task-done": ("casework:task-done", "post", {"task": "1"}),
    "evidence": ("casework:evidence", "get", {}),
    "evidence-post": ("casework:evidence", "post", {}),
    "evidence-image": ("casework:evidence-image", "get", {}),
    "police-pack": ("casework:police-pack", "get", {}),
}
CASEWORK_URL_NAMES = ["casework:inbox", *REFERRAL_ROUTES]
REFERRAL_URL_NAMES = list(REFERRAL_ROUTES)


def _consent_of(referral: Referral) -> Consent:
    consent = Consent.objects.filter(person_id=referral.person_id).first()
    if consent is None:
        consent = Consent.objects.create(
            person_id=referral.person_id,
            scope=Consent.Scope.POLICE,
            recipient_police_force_area_id="E23000010",
            given_at=timezone.now(),
            given_how=Consent.GivenHow.PHONE,
        )
    return consent


def _request(client: Client, name: str, referral: Referral):
    if name == "casework:inbox":
        return client.get(reverse(name))
    route, method, data = REFERRAL_ROUTES[name]
    args = [referral.reference]
    if route == "casework:consent-revoke":
        args.append(str(_consent_of(referral).pk) if referral.person_id else str(uuid.uuid4()))
    if route == "casework:evidence-image":
        args.append(str(uuid.uuid4()))
    if route == "casework:police-pack":
        args.append("1")
    url = reverse(route, args=args)
    if method == "post":
        return client.post(url, data)
    return client.get(url)


# --- who may see what -----------------------------------------------------------------------


def test_every_casework_route_about_a_referral_is_in_the_permission_tests():
    """A new referral URL cannot skip the outsider, anonymous and wrong-role tests below."""
    about_a_referral = {
        f"casework:{pattern.name}"
        for pattern in urlpatterns
        if "<str:reference>" in str(pattern.pattern)
    }
    tested = {route for route, _method, _data in REFERRAL_ROUTES.values()}
    assert about_a_referral
    assert about_a_referral <= tested, about_a_referral - tested


@pytest.mark.parametrize("name", CASEWORK_URL_NAMES)
def test_anonymous_visitor_is_sent_to_sign_in(client, referral, name):
    response = _request(client, name, referral)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))
    referral.refresh_from_db()
    assert referral.stage == "referred"


@pytest.mark.parametrize("name", CASEWORK_URL_NAMES)
def test_password_only_sign_in_is_sent_to_the_second_factor(referral, practitioner, name):
    client = Client()
    client.force_login(practitioner)

    response = _request(client, name, referral)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:verify"))


@pytest.mark.parametrize("name", CASEWORK_URL_NAMES)
def test_commissioner_gets_403(commissioner_client, referral, name):
    response = _request(commissioner_client, name, referral)

    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.stage == "referred"
    assert not AuditEntry.objects.filter(action="referral.read").exists()


@pytest.mark.parametrize("name", REFERRAL_URL_NAMES)
def test_outsider_organisation_gets_404_for_referral(outsider_client, referral, name):
    consent = _consent_of(referral)
    audit_before = AuditEntry.objects.count()
    events_before = CaseEvent.objects.count()

    response = _request(outsider_client, name, referral)

    assert response.status_code == 404
    assert "Amara" not in response.content.decode()
    referral.refresh_from_db()
    assert referral.stage == "referred"
    assert AuditEntry.objects.count() == audit_before
    assert CaseEvent.objects.count() == events_before
    assert Consent.objects.count() == 1
    consent.refresh_from_db()
    assert consent.revoked_at is None
    assert not Share.objects.exists()
    assert not ContactAttempt.objects.exists()


@pytest.mark.parametrize("name", REFERRAL_URL_NAMES)
def test_missing_referral_gets_404(practitioner_client, name):
    missing = Referral(reference="BW-0000-0000")

    assert _request(practitioner_client, name, missing).status_code == 404


def test_nonsense_reference_gets_404(practitioner_client):
    response = practitioner_client.get("/staff/referrals/%3Cscript%3E/")

    assert response.status_code == 404


def test_organisation_admin_can_read_a_referral(admin_client_of_organisation, referral):
    response = admin_client_of_organisation.get(
        reverse("casework:referral-detail", args=[referral.reference])
    )

    assert response.status_code == 200


def test_staff_pages_are_not_cached(practitioner_client, referral):
    response = practitioner_client.get(
        reverse("casework:referral-detail", args=[referral.reference])
    )

    assert "no-store" in response["Cache-Control"]


# --- inbox ----------------------------------------------------------------------------------


def test_inbox_shows_only_own_organisations_referrals(
    practitioner_client, referral, other_referral
):
    response = practitioner_client.get(reverse("casework:inbox"))

    page = response.content.decode()
    assert response.status_code == 200
    assert referral.reference in page
    assert other_referral.reference not in page


def test_outsiders_inbox_does_not_show_the_organisations_referrals(
    outsider_client, referral, other_referral
):
    page = outsider_client.get(reverse("casework:inbox")).content.decode()

    assert other_referral.reference in page
    assert referral.reference not in page


def test_inbox_shows_plain_labels_stage_and_waiting_time(practitioner_client, service):
    make_referral(service=service, received_at=timezone.now() - dt.timedelta(days=3, hours=2))

    page = practitioner_client.get(reverse("casework:inbox")).content.decode()

    assert "Hate crime" in page
    assert "Race or ethnicity" in page
    assert "Referred or reported, not contacted yet" in page
    assert "3\xa0days, 2\xa0hours" in page
    # Codes are the filters' option values; the list itself shows only labels.
    table = page[page.index('<table class="govuk-table bw-inbox">') :]
    assert "hate_crime" not in table


def test_inbox_shows_no_waiting_time_once_contacted(practitioner, practitioner_client, service):
    referral = make_referral(service=service, received_at=timezone.now() - dt.timedelta(days=3))
    from bridgeway.casework.services import referral_advance

    referral_advance(referral=referral, stage="contacted", actor=practitioner)

    page = practitioner_client.get(reverse("casework:inbox")).content.decode()
    assert "Contact made with the person" in page
    assert "3\xa0days" not in page


def test_inbox_does_not_show_names_or_narratives(practitioner_client, referral):
    page = practitioner_client.get(reverse("casework:inbox")).content.decode()

    assert "Amara" not in page
    assert "bus every morning" not in page


def test_inbox_lists_newest_first(practitioner, service):
    now = timezone.now()
    old = make_referral(service=service, received_at=now - dt.timedelta(days=2))
    new = make_referral(service=service, received_at=now - dt.timedelta(hours=1))

    page = inbox_for_user(practitioner)

    assert [r.reference for r in page.object_list] == [new.reference, old.reference]


def test_inbox_filters_by_stage_and_kind(practitioner, practitioner_client, service, organisation):
    from bridgeway.casework.services import referral_advance

    waiting = make_referral(service=service)
    contacted = make_referral(service=service)
    referral_advance(referral=contacted, stage="contacted", actor=practitioner)
    organisation.kind = organisation.Kind.HUB
    organisation.save()
    report, _code = make_report(organisation=organisation, is_anonymous=True)

    by_stage = practitioner_client.get(reverse("casework:inbox"), {"stage": "contacted"})
    by_kind = practitioner_client.get(reverse("casework:inbox"), {"kind": "report"})

    assert contacted.reference in by_stage.content.decode()
    assert waiting.reference not in by_stage.content.decode()
    assert report.reference in by_kind.content.decode()
    assert waiting.reference not in by_kind.content.decode()
    assert "anonymous" in by_kind.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"stage": "lost"}, "Choose a stage from the list."),
        ({"kind": "complaint"}, "Choose referrals, reports or both."),
        ({"page": "two"}, "The page must be a whole number."),
        ({"page": "0"}, "The page must be 1 or more."),
    ],
)
def test_inbox_with_bad_filters_says_what_is_wrong(practitioner_client, referral, query, message):
    response = practitioner_client.get(reverse("casework:inbox"), query)

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert referral.reference in page


def test_inbox_pages(practitioner, practitioner_client, service):
    for _ in range(3):
        make_referral(service=service)

    first = inbox_for_user(practitioner, per_page=2)
    second = inbox_for_user(practitioner, per_page=2, page=2)
    beyond = inbox_for_user(practitioner, per_page=2, page=99)

    assert len(first.object_list) == 2
    assert len(second.object_list) == 1
    assert beyond.number == 2
    assert first.count == 3


def test_inbox_page_links_keep_the_filters(practitioner_client, service):
    for _ in range(51):
        make_referral(service=service)

    page = practitioner_client.get(reverse("casework:inbox"), {"stage": "referred"}).content
    assert b"?stage=referred&amp;after=" in page
    assert b"Page 1 of 2" in page


def test_inbox_query_count_does_not_grow_with_rows(
    practitioner_client, service, organisation, django_assert_max_num_queries
):
    organisation.kind = organisation.Kind.HUB
    organisation.save()
    make_referral(service=service)
    make_report(organisation=organisation, is_anonymous=True)
    with django_assert_max_num_queries(12) as few:
        practitioner_client.get(reverse("casework:inbox"))
    for _ in range(5):
        make_referral(service=service)
        make_report(organisation=organisation, is_anonymous=False)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = practitioner_client.get(reverse("casework:inbox"))
    assert response.content.decode().count("/staff/referrals/BW-") == 12


def test_member_of_two_organisations_sees_both_inboxes(referral, other_referral, outsider):
    MembershipFactory(
        user=outsider, organisation=referral.organisation, role=Membership.Role.PRACTITIONER
    )

    references = {r.reference for r in inbox_for_user(outsider).object_list}

    assert references == {referral.reference, other_referral.reference}


# --- referral page --------------------------------------------------------------------------


def test_referral_page_shows_the_person_contact_rules_narrative_and_timeline(
    practitioner_client, referral
):
    response = practitioner_client.get(
        reverse("casework:referral-detail", args=[referral.reference])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Amara Okafor" in page
    assert "07700 900982" in page
    assert "Do not leave a message" in page
    assert "Others may see messages: no" in page
    assert "Mara" in page
    assert "bluebell" in page
    assert "Weekday evenings" in page
    assert "Phone call" in page
    assert "Someone shouted at me on the bus every morning for a week." in page
    assert "African" in page
    assert "18 to 24" in page
    assert "Leeds Hate Crime Support" in page
    assert "Referred or reported, not contacted yet" in page


def test_referral_page_for_an_anonymous_report_says_so(practitioner, reporting_centre):
    MembershipFactory(
        user=practitioner, organisation=reporting_centre, role=Membership.Role.PRACTITIONER
    )
    report, _code = make_report(
        organisation=reporting_centre, is_anonymous=True, incident_place="Outside the mosque"
    )

    page = (
        sign_in(Client(), practitioner)
        .get(reverse("casework:referral-detail", args=[report.reference]))
        .content.decode()
    )

    assert "This report is anonymous" in page
    assert "Outside the mosque" in page
    assert "Amara" not in page
    assert "bluebell" not in page


def test_referral_page_for_someone_who_must_not_be_contacted_says_so(practitioner_client, service):
    referral = make_referral(service=service, contact=ContactDetails(channels=("none",)))

    page = practitioner_client.get(
        reverse("casework:referral-detail", args=[referral.reference])
    ).content.decode()

    assert "Do not contact this person." in page


def test_every_read_of_a_referral_writes_an_audit_entry(
    practitioner, practitioner_client, referral
):
    url = reverse("casework:referral-detail", args=[referral.reference])

    practitioner_client.get(url)
    practitioner_client.get(url)

    reads = AuditEntry.objects.filter(action="referral.read", object_id=str(referral.id))
    assert reads.count() == 2
    assert {entry.actor_id for entry in reads} == {practitioner.id}
    assert {entry.organisation_id for entry in reads} == {referral.organisation_id}


def test_referral_get_for_user_audits_and_refuses_outsiders(referral, practitioner, outsider):
    from django.http import Http404

    assert referral_get_for_user(practitioner, referral.reference.lower()).pk == referral.pk
    with pytest.raises(Http404):
        referral_get_for_user(outsider, referral.reference)

    assert AuditEntry.objects.filter(action="referral.read").count() == 1


# --- moving a referral on -------------------------------------------------------------------


def test_practitioner_moves_a_referral_to_the_next_stage(
    practitioner, practitioner_client, referral
):
    response = practitioner_client.post(
        reverse("casework:referral-advance", args=[referral.reference]),
        {"stage": "contacted"},
        follow=True,
    )

    referral.refresh_from_db()
    assert referral.stage == "contacted"
    assert "moved to “Contact made with the person”" in response.content.decode()
    event = CaseEvent.objects.filter(referral=referral).last()
    assert event is not None
    assert (event.stage, event.actor_id) == ("contacted", practitioner.id)


def test_invalid_stage_move_shows_the_reason_and_changes_nothing(
    practitioner, practitioner_client, referral
):
    from bridgeway.casework.services import referral_advance

    referral_advance(referral=referral, stage="assessed", actor=practitioner)
    events_before = CaseEvent.objects.count()
    advances_before = AuditEntry.objects.filter(action="referral.advance").count()

    response = practitioner_client.post(
        reverse("casework:referral-advance", args=[referral.reference]), {"stage": "contacted"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot move to “Contact made with the person”" in page
    assert "Nothing was changed." in page
    referral.refresh_from_db()
    assert referral.stage == "assessed"
    assert CaseEvent.objects.count() == events_before
    assert AuditEntry.objects.filter(action="referral.advance").count() == advances_before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose the stage to move this referral to."),
        ({"stage": "teleported"}, "Choose a stage from the list."),
        ({"stage": "closed"}, "Say whether the person feels better able to cope"),
        ({"stage": "closed", "coped_better": "maybe"}, "Choose yes, no or not asked."),
    ],
)
def test_bad_stage_form_says_what_is_wrong(practitioner_client, referral, data, message):
    response = practitioner_client.post(
        reverse("casework:referral-advance", args=[referral.reference]), data
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    referral.refresh_from_db()
    assert referral.stage == "referred"


@pytest.mark.parametrize(("answer", "stored"), [("yes", True), ("no", False), ("not_asked", None)])
def test_closing_asks_whether_the_person_copes_better(
    practitioner_client, referral, answer, stored
):
    practitioner_client.post(
        reverse("casework:referral-advance", args=[referral.reference]),
        {"stage": "closed", "coped_better": answer},
    )

    referral.refresh_from_db()
    assert (referral.stage, referral.coped_better) == ("closed", stored)


def test_closed_referral_offers_no_more_moves(practitioner, practitioner_client, referral):
    from bridgeway.casework.services import referral_advance

    referral_advance(referral=referral, stage="closed", actor=practitioner)

    page = practitioner_client.get(
        reverse("casework:referral-detail", args=[referral.reference])
    ).content.decode()

    assert "This case is closed." in page
    assert 'name="stage"' not in page


def test_stage_move_without_csrf_token_is_refused(practitioner, referral):
    client = sign_in(Client(enforce_csrf_checks=True), practitioner)

    response = client.post(
        reverse("casework:referral-advance", args=[referral.reference]), {"stage": "contacted"}
    )

    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    referral.refresh_from_db()
    assert referral.stage == "referred"


def test_stage_move_by_get_is_not_allowed(practitioner_client, referral):
    response = practitioner_client.get(
        reverse("casework:referral-advance", args=[referral.reference])
    )

    assert response.status_code == 405

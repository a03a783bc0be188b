"""The person who reported sees who their report was shared with, and can stop it themselves.

Issue 6, item 3: "what was already shared is listed for the person and the practitioner".
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.accounts.tests.factories import MembershipFactory
from bridgeway.casework.models import AuditEntry, CaseEvent, Consent, Referral
from bridgeway.casework.services import (
    PersonDetails,
    consent_record,
    consent_revoke,
    report_create,
    share_with_police,
    share_with_worker,
)
from bridgeway.conftest import WEST_YORKSHIRE
from bridgeway.frontdoor.views import FOLLOW_UP_GRANT_KEY
from bridgeway.places.models import PoliceForceArea

FOLLOW_UP = "/en/report/follow-up/"


@pytest.fixture
def made_report(reporting_centre: Organisation) -> tuple[Referral, str]:
    return report_create(
        organisation=reporting_centre,
        details=PersonDetails(),
        contact=None,
        is_anonymous=True,
        narrative="They shouted at me at the bus stop.",
        hate_strands=["race"],
    )


@pytest.fixture
def other_report(reporting_centre: Organisation) -> tuple[Referral, str]:
    return report_create(
        organisation=reporting_centre,
        details=PersonDetails(),
        contact=None,
        is_anonymous=True,
        narrative="Someone else's report.",
        hate_strands=["religion"],
    )


@pytest.fixture
def centre_worker(practitioner: User, reporting_centre: Organisation) -> User:
    MembershipFactory(
        user=practitioner, organisation=reporting_centre, role=Membership.Role.PRACTITIONER
    )
    return practitioner


@pytest.fixture
def police(db: Any) -> PoliceForceArea:
    return PoliceForceArea.objects.get(code=WEST_YORKSHIRE)


def _police_consent(referral: Referral, actor: User, police: PoliceForceArea, **kw: Any) -> Consent:
    return consent_record(
        person=referral.person,
        scope=Consent.Scope.POLICE,
        actor=actor,
        given_how=Consent.GivenHow.PHONE,
        recipient_police_force_area=police,
        **kw,
    )


def _open(client: Client, referral: Referral, code: str) -> str:
    response = client.post(FOLLOW_UP, {"reference": referral.reference, "code": code}, follow=True)
    assert response.redirect_chain == [(FOLLOW_UP, 302)]
    return response.content.decode()


def _stop(client: Client, consent: Consent | str, **extra: Any) -> Any:
    consent_id = consent if isinstance(consent, str) else str(consent.pk)
    return client.post(FOLLOW_UP, {"action": "stop-sharing", "consent": consent_id, **extra})


def test_a_report_with_no_consents_says_nothing_is_shared(
    client: Client, made_report: tuple[Referral, str]
) -> None:
    html = _open(client, *made_report)
    assert "Who we share your report with" in html
    assert "You have not said yes to us sharing your report with anyone else." in html
    assert "Stop sharing" not in html


def test_the_person_sees_each_consent_and_every_share_in_plain_words(
    client: Client,
    made_report: tuple[Referral, str],
    centre_worker: User,
    police: PoliceForceArea,
    other_organisation: Organisation,
) -> None:
    referral, code = made_report
    _police_consent(referral, centre_worker, police, includes=[Consent.Item.NARRATIVE])
    share_with_police(referral=referral, actor=centre_worker, police_force_area=police)
    consent_record(
        person=referral.person,
        scope=Consent.Scope.NAMED_WORKER,
        actor=centre_worker,
        given_how=Consent.GivenHow.ONLINE,
        recipient_organisation=other_organisation,
        recipient_worker="Ms Khan, youth worker",
        expires=timezone.now() + dt.timedelta(days=30),
    )
    today = timezone.localdate()
    html = _open(client, referral, code)

    assert "Sharing with the police (West Yorkshire)" in html
    assert "Sharing with Ms Khan, youth worker at Birmingham Outreach" in html
    assert f"On {today:%-d %B %Y} we shared:" in html
    assert "What happened, in your own words" in html
    assert "What kind of thing happened" in html
    # Not shared with the worker yet, and their consent ends in 30 days.
    assert "Nothing yet." in html
    in_30 = timezone.localdate() + dt.timedelta(days=30)
    assert f"Yes, until {in_30:%-d %B %Y}, or until you say stop." in html
    assert "Yes, until you say stop." in html
    assert "Stop sharing with the police (West Yorkshire)" in html
    # No staff words, and never who at the centre did it.
    section = re.sub(r"<[^>]+>", " ", html.split('id="sharing"')[1].split("When you have")[0])
    for word in ("scope", "recipient", "consent", centre_worker.get_username()):
        assert word not in section.casefold()


def test_the_read_of_the_persons_consents_is_audited(
    client: Client, made_report: tuple[Referral, str], centre_worker: User, police: PoliceForceArea
) -> None:
    referral, code = made_report
    _police_consent(referral, centre_worker, police)
    _open(client, referral, code)
    entry = AuditEntry.objects.filter(action="consent.read_by_reporter").get()
    assert entry.object_id == str(referral.pk)
    assert entry.actor is None
    assert entry.detail == {"consents": 1, "shares": 0}


def test_a_withdrawn_and_an_ended_consent_say_so_without_a_stop_button(
    client: Client,
    made_report: tuple[Referral, str],
    centre_worker: User,
    police: PoliceForceArea,
    other_organisation: Organisation,
) -> None:
    referral, code = made_report
    withdrawn = _police_consent(referral, centre_worker, police)
    consent_revoke(consent=withdrawn, actor=centre_worker)
    ended = consent_record(
        person=referral.person,
        scope=Consent.Scope.ONWARD_REFERRAL,
        actor=centre_worker,
        given_how=Consent.GivenHow.PHONE,
        recipient_organisation=other_organisation,
        expires=timezone.now() + dt.timedelta(days=1),
    )
    # Given two days ago, ended yesterday (the database refuses an end before the giving).
    Consent.objects.filter(pk=ended.pk).update(
        given_at=timezone.now() - dt.timedelta(days=2),
        expires=timezone.now() - dt.timedelta(days=1),
    )
    html = _open(client, referral, code)
    today, yesterday = timezone.localdate(), timezone.localdate() - dt.timedelta(days=1)
    assert f"Stopped on {today:%-d %B %Y}. We will not share anything more." in html
    assert f"Ended on {yesterday:%-d %B %Y}. We will not share anything more." in html
    assert "The area you live in (not your address)" in html
    assert "Stop sharing with" not in html


def test_the_person_stops_sharing_and_the_next_share_is_refused(
    client: Client, made_report: tuple[Referral, str], centre_worker: User, police: PoliceForceArea
) -> None:
    referral, code = made_report
    consent = _police_consent(referral, centre_worker, police)
    share_with_police(referral=referral, actor=centre_worker, police_force_area=police)
    _open(client, referral, code)

    response = _stop(client, consent)
    assert response.status_code == 302
    assert response["Location"] == FOLLOW_UP
    html = client.get(FOLLOW_UP).content.decode()
    assert (
        "You stopped sharing with the police (West Yorkshire). "
        "We will not share anything more with them." in html
    )
    assert "Stopped on" in html
    # What was shared before stays listed.
    assert "we shared:" in html

    consent.refresh_from_db()
    assert consent.revoked_at is not None
    entry = AuditEntry.objects.filter(action="consent.revoke").get()
    assert entry.actor is None
    assert entry.detail["by"] == "reporter"
    assert entry.object_id == str(consent.pk)
    assert "Consent withdrawn by the person on the follow-up page: Pass to the police" in [
        event.text for event in CaseEvent.objects.filter(referral=referral, kind="consent")
    ]
    with pytest.raises(ValidationError, match="withdrew their consent"):
        share_with_police(referral=referral, actor=centre_worker, police_force_area=police)
    assert referral.shares.count() == 1


def test_stopping_twice_says_so_and_changes_nothing(
    client: Client, made_report: tuple[Referral, str], centre_worker: User, police: PoliceForceArea
) -> None:
    referral, code = made_report
    consent = _police_consent(referral, centre_worker, police)
    _open(client, referral, code)
    _stop(client, consent)
    consent.refresh_from_db()
    first = consent.revoked_at
    response = _stop(client, consent)
    assert response.status_code == 302
    assert "You already stopped this." in client.get(FOLLOW_UP).content.decode()
    consent.refresh_from_db()
    assert consent.revoked_at == first
    assert AuditEntry.objects.filter(action="consent.revoke").count() == 1


def test_an_ended_consent_cannot_be_stopped_again(
    client: Client, made_report: tuple[Referral, str], centre_worker: User, police: PoliceForceArea
) -> None:
    referral, code = made_report
    consent = _police_consent(referral, centre_worker, police)
    Consent.objects.filter(pk=consent.pk).update(
        given_at=timezone.now() - dt.timedelta(hours=2),
        expires=timezone.now() - dt.timedelta(hours=1),
    )
    _open(client, referral, code)
    _stop(client, consent)
    assert "This has already ended." in client.get(FOLLOW_UP).content.decode()
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_another_reporter_cannot_see_or_stop_these_consents(
    client: Client,
    made_report: tuple[Referral, str],
    other_report: tuple[Referral, str],
    centre_worker: User,
    police: PoliceForceArea,
    other_organisation: Organisation,
) -> None:
    referral, _code = made_report
    consent = consent_record(
        person=referral.person,
        scope=Consent.Scope.NAMED_WORKER,
        actor=centre_worker,
        given_how=Consent.GivenHow.ONLINE,
        recipient_organisation=other_organisation,
        recipient_worker="Mr Jones, teacher",
    )
    html = _open(client, *other_report)
    assert "Mr Jones" not in html
    assert str(consent.pk) not in html
    assert "You have not said yes to us sharing your report with anyone else." in html

    response = _stop(client, consent)
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.revoked_at is None
    assert not AuditEntry.objects.filter(action="consent.revoke").exists()
    # The first person's consent still covers a share.
    share_with_worker(
        referral=referral,
        actor=centre_worker,
        organisation=other_organisation,
        worker="Mr Jones, teacher",
    )


@pytest.mark.parametrize("consent_id", ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_a_missing_or_malformed_consent_is_a_404(
    client: Client, made_report: tuple[Referral, str], consent_id: str
) -> None:
    _open(client, *made_report)
    assert _stop(client, consent_id).status_code == 404


def test_stopping_without_an_open_report_changes_nothing(
    client: Client, made_report: tuple[Referral, str], centre_worker: User, police: PoliceForceArea
) -> None:
    referral, _code = made_report
    consent = _police_consent(referral, centre_worker, police)
    response = _stop(client, consent)
    assert response.status_code == 200
    assert "Your report was closed, so nothing was changed." in response.content.decode()
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_a_lapsed_grant_cannot_stop_sharing(
    client: Client, made_report: tuple[Referral, str], centre_worker: User, police: PoliceForceArea
) -> None:
    referral, code = made_report
    consent = _police_consent(referral, centre_worker, police)
    _open(client, referral, code)
    session = client.session
    grant = session[FOLLOW_UP_GRANT_KEY]
    grant["used_at"] = (timezone.now() - dt.timedelta(minutes=16)).isoformat()
    grant["opened_at"] = grant["used_at"]
    session[FOLLOW_UP_GRANT_KEY] = grant
    session.save()
    response = _stop(client, consent)
    assert "nothing was changed" in response.content.decode()
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_the_stop_form_is_posted_to_the_clean_address_and_the_page_is_not_stored(
    client: Client, made_report: tuple[Referral, str], centre_worker: User, police: PoliceForceArea
) -> None:
    referral, code = made_report
    consent = _police_consent(referral, centre_worker, police)
    _open(client, referral, code)
    response = client.get(FOLLOW_UP)
    html = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert f'action="{FOLLOW_UP}"' in html
    assert f'name="consent" value="{consent.pk}"' in html
    assert str(consent.pk) not in response.request["PATH_INFO"]
    stopped = _stop(client, consent)
    assert "no-store" in stopped["Cache-Control"]


def test_a_post_from_another_site_cannot_stop_sharing(
    client: Client, made_report: tuple[Referral, str], centre_worker: User, police: PoliceForceArea
) -> None:
    referral, code = made_report
    consent = _police_consent(referral, centre_worker, police)
    _open(client, referral, code)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    response = strict.post(
        FOLLOW_UP,
        {"action": "stop-sharing", "consent": str(consent.pk)},
        HTTP_ORIGIN="https://evil.example",
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert response.status_code == 403
    consent.refresh_from_db()
    assert consent.revoked_at is None

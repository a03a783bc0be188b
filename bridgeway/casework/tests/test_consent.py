"""Consent is data: every share needs a live consent whose scope and recipient cover it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from bridgeway.casework.models import AuditEntry, CaseEvent, Consent, Referral, Share
from bridgeway.casework.services import (
    consent_for_share,
    consent_is_live,
    consent_record,
    consent_revoke,
    message_from_reporter,
    note_add,
    onward_referral_create,
    share_with_police,
    share_with_worker,
)
from bridgeway.casework.tests.factories import make_referral
from bridgeway.conftest import WEST_MIDLANDS, WEST_YORKSHIRE
from bridgeway.places.models import PoliceForceArea

ALL_ITEMS = [item.value for item in Consent.Item]


def _received(share: Share) -> Referral:
    """The referral the receiving organisation got from an onward referral."""
    assert share.onward_referral is not None
    return share.onward_referral


@pytest.fixture
def west_yorkshire_police(db):
    return PoliceForceArea.objects.get(code=WEST_YORKSHIRE)


def _onward_consent(referral, actor, organisation, **kwargs):
    return consent_record(
        person=referral.person,
        scope=Consent.Scope.ONWARD_REFERRAL,
        actor=actor,
        given_how=Consent.GivenHow.PHONE,
        recipient_organisation=organisation,
        **kwargs,
    )


# --- recording and withdrawing --------------------------------------------------------------


def test_recorded_consent_is_live_until_withdrawn(referral, practitioner, other_organisation):
    consent = _onward_consent(referral, practitioner, other_organisation)

    assert consent_is_live(consent, at=timezone.now())
    consent_revoke(consent=consent, actor=practitioner)
    consent.refresh_from_db()

    assert consent.revoked_at is not None
    assert not consent_is_live(consent, at=timezone.now())


def test_consent_record_and_revoke_are_audited_and_on_the_timeline(
    referral, practitioner, other_organisation
):
    consent = _onward_consent(referral, practitioner, other_organisation)
    consent_revoke(consent=consent, actor=practitioner)

    actions = list(
        AuditEntry.objects.filter(object_type="consent", object_id=str(consent.pk)).values_list(
            "action", flat=True
        )
    )
    texts = [e.text for e in CaseEvent.objects.filter(referral=referral, kind="consent")]
    assert actions == ["consent.record", "consent.revoke"]
    assert texts == [
        "Consent recorded: Refer to another organisation",
        "Consent withdrawn: Refer to another organisation",
    ]


def test_withdrawing_twice_is_refused(referral, practitioner, other_organisation):
    consent = _onward_consent(referral, practitioner, other_organisation)
    consent_revoke(consent=consent, actor=practitioner)

    with pytest.raises(ValidationError, match="already withdrawn"):
        consent_revoke(consent=consent, actor=practitioner)


def test_named_worker_is_sealed_at_rest(referral, practitioner, other_organisation):
    consent_record(
        person=referral.person,
        scope=Consent.Scope.NAMED_WORKER,
        actor=practitioner,
        given_how=Consent.GivenHow.IN_PERSON,
        recipient_organisation=other_organisation,
        recipient_worker="Ms Khan, safeguarding lead",
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient_worker FROM casework_consent")
        raw = str(cursor.fetchall())
    assert "Khan" not in raw


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"scope": "everything"}, "scope", "Choose what the person agreed to"),
        ({"given_how": "telepathy"}, "given_how", "Choose how the person gave"),
        ({"includes": ["bank_details"]}, "includes", "Choose what may be shared"),
        ({"includes": "narrative"}, "includes", "Choose what may be shared"),
        ({"recipient_organisation": None}, "recipient_organisation", "Choose the organisation"),
        ({"scope": "police"}, "recipient_police_force_area", "Choose the police force"),
        ({"scope": "named_worker"}, "recipient_worker", "Write the name and role"),
        (
            {"given_at": timezone.now() + dt.timedelta(days=1)},
            "given_at",
            "cannot be given in the future",
        ),
        ({"expires": timezone.now() - dt.timedelta(days=1)}, "expires", "must be in the future"),
    ],
)
def test_bad_consent_is_refused_naming_the_field_and_records_nothing(
    referral, practitioner, other_organisation, kwargs, field, message
):
    arguments = {
        "person": referral.person,
        "scope": Consent.Scope.ONWARD_REFERRAL,
        "actor": practitioner,
        "given_how": Consent.GivenHow.PHONE,
        "recipient_organisation": other_organisation,
        **kwargs,
    }

    with pytest.raises(ValidationError) as error:
        consent_record(**arguments)

    assert message in " ".join(error.value.message_dict[field])
    assert not Consent.objects.exists()


def test_consent_to_share_with_own_organisation_is_refused(referral, practitioner, organisation):
    with pytest.raises(ValidationError, match="not needed inside your own"):
        _onward_consent(referral, practitioner, organisation)


def test_outsider_cannot_record_or_withdraw_consent(
    referral, practitioner, outsider, other_organisation
):
    with pytest.raises(PermissionDenied):
        _onward_consent(referral, outsider, other_organisation)
    consent = _onward_consent(referral, practitioner, other_organisation)
    with pytest.raises(PermissionDenied):
        consent_revoke(consent=consent, actor=outsider)

    consent.refresh_from_db()
    assert consent.revoked_at is None


# --- shares need a live consent -------------------------------------------------------------


def test_share_without_consent_is_refused(referral, practitioner, west_yorkshire_police):
    with pytest.raises(ValidationError) as error:
        share_with_police(
            referral=referral, actor=practitioner, police_force_area=west_yorkshire_police
        )

    assert "has not agreed to this (Pass to the police)" in error.value.message_dict["consent"][0]
    assert not Share.objects.exists()


def test_police_share_with_consent_is_recorded_and_listed(
    referral, practitioner, west_yorkshire_police
):
    consent_record(
        person=referral.person,
        scope=Consent.Scope.POLICE,
        actor=practitioner,
        given_how=Consent.GivenHow.WRITTEN,
        recipient_police_force_area=west_yorkshire_police,
        includes=["narrative"],
    )

    share = share_with_police(
        referral=referral, actor=practitioner, police_force_area=west_yorkshire_police
    )

    assert list(referral.shares.all()) == [share]
    assert share.items == ["narrative"]
    assert AuditEntry.objects.filter(action="share.create", object_id=str(share.pk)).exists()
    assert CaseEvent.objects.filter(referral=referral, kind="share", text__isnull=False).exists()


def test_consent_for_one_force_does_not_cover_another(
    referral, practitioner, west_yorkshire_police
):
    consent_record(
        person=referral.person,
        scope=Consent.Scope.POLICE,
        actor=practitioner,
        given_how=Consent.GivenHow.WRITTEN,
        recipient_police_force_area=west_yorkshire_police,
    )

    with pytest.raises(ValidationError, match="has not agreed"):
        share_with_police(
            referral=referral,
            actor=practitioner,
            police_force_area=PoliceForceArea.objects.get(code=WEST_MIDLANDS),
        )


def test_consent_for_the_wrong_scope_does_not_cover_a_share(
    referral, practitioner, other_organisation
):
    _onward_consent(referral, practitioner, other_organisation)

    with pytest.raises(ValidationError, match="has not agreed"):
        share_with_worker(
            referral=referral,
            actor=practitioner,
            organisation=other_organisation,
            worker="Ms Khan",
        )


def test_named_worker_share_needs_the_same_worker(referral, practitioner, other_organisation):
    consent_record(
        person=referral.person,
        scope=Consent.Scope.NAMED_WORKER,
        actor=practitioner,
        given_how=Consent.GivenHow.IN_PERSON,
        recipient_organisation=other_organisation,
        recipient_worker="Ms Khan",
    )

    with pytest.raises(ValidationError, match="has not agreed"):
        share_with_worker(
            referral=referral, actor=practitioner, organisation=other_organisation, worker="Mr Lee"
        )
    share = share_with_worker(
        referral=referral, actor=practitioner, organisation=other_organisation, worker="ms khan"
    )
    assert share.recipient_worker == "Ms Khan"


def test_expired_consent_is_refused_with_its_own_message(
    referral, practitioner, west_yorkshire_police
):
    consent = consent_record(
        person=referral.person,
        scope=Consent.Scope.POLICE,
        actor=practitioner,
        given_how=Consent.GivenHow.WRITTEN,
        recipient_police_force_area=west_yorkshire_police,
        expires=timezone.now() + dt.timedelta(days=30),
    )

    with pytest.raises(ValidationError, match="has ended"):
        consent_for_share(
            person=referral.person,
            scope=Consent.Scope.POLICE,
            recipient_police_force_area=west_yorkshire_police,
            at=consent.expires,
        )


def test_revoked_consent_blocks_the_next_onward_referral(
    referral, practitioner, other_organisation, other_service
):
    consent = _onward_consent(referral, practitioner, other_organisation)
    first = onward_referral_create(referral=referral, service=other_service, actor=practitioner)
    consent_revoke(consent=consent, actor=practitioner)

    with pytest.raises(ValidationError) as error:
        onward_referral_create(referral=referral, service=other_service, actor=practitioner)

    assert "withdrew their consent" in error.value.message_dict["consent"][0]
    # What was shared before the withdrawal is still listed.
    assert list(Share.objects.filter(referral=referral)) == [first]
    assert Referral.objects.filter(organisation=other_organisation).count() == 1


# --- onward referral ------------------------------------------------------------------------


def test_onward_referral_without_consent_is_refused_and_creates_nothing(
    referral, practitioner, other_service
):
    with pytest.raises(ValidationError, match="Record their consent first"):
        onward_referral_create(referral=referral, service=other_service, actor=practitioner)

    assert not Referral.objects.filter(organisation=other_service.organisation).exists()


def test_receiving_organisation_sees_only_what_the_consent_covers(
    referral, practitioner, other_organisation, other_service
):
    _onward_consent(referral, practitioner, other_organisation)  # nothing beyond the minimum

    share = onward_referral_create(referral=referral, service=other_service, actor=practitioner)
    received = _received(share)
    received.refresh_from_db()

    assert received.organisation == other_organisation
    assert received.harm_types == referral.harm_types
    assert received.narrative == ""
    assert received.person.name == ""
    assert received.person.phone == ""
    assert received.person.ethnic_group == "not_recorded"
    assert received.person.district == referral.person.district
    assert received.person.contact_preference.channels == ["none"]
    assert received.stage == "referred"
    assert received.channel == "other_agency"


def test_consent_covering_narrative_and_contact_passes_them_on(
    referral, practitioner, other_organisation, other_service
):
    _onward_consent(
        referral,
        practitioner,
        other_organisation,
        includes=["narrative", "contact_details", "characteristics"],
    )

    received = _received(
        onward_referral_create(referral=referral, service=other_service, actor=practitioner)
    )
    received.refresh_from_db()

    assert received.narrative == referral.narrative
    assert received.person.name == "Amara Okafor"
    assert received.person.ethnic_group == "black_african"
    assert received.person.contact_preference.safe_word == "bluebell"
    assert received.person.contact_preference.may_leave_message is False


def test_both_organisations_see_the_onward_referrals_status(
    referral, practitioner, outsider, other_organisation, other_service
):
    from bridgeway.casework.services import referral_advance

    _onward_consent(referral, practitioner, other_organisation)
    share = onward_referral_create(referral=referral, service=other_service, actor=practitioner)

    referral_advance(referral=_received(share), stage="contacted", actor=outsider)

    sent = Share.objects.select_related("onward_referral").get(referral=referral)
    assert _received(sent).stage == "contacted"
    assert _received(share).arrived_by.referral == referral


def test_onward_referral_to_own_organisation_is_refused(referral, practitioner, service):
    with pytest.raises(ValidationError, match="this one is your own"):
        onward_referral_create(referral=referral, service=service, actor=practitioner)


def test_transfer_carries_notes_and_messages_but_not_stage_moves(
    service, practitioner, other_organisation, other_service
):
    referral = make_referral(service=service)
    note_add(referral=referral, actor=practitioner, text="Moved to a foster placement.")
    _onward_consent(referral, practitioner, other_organisation, includes=["history"])

    received = _received(
        onward_referral_create(
            referral=referral, service=other_service, actor=practitioner, transfer=True
        )
    )

    # In time order: the history keeps its dates, before the new case's first stage.
    events = list(CaseEvent.objects.filter(referral=received).values_list("kind", "text"))
    assert events == [("note", "Moved to a foster placement."), ("stage", "")]


def test_transfer_without_history_in_the_consent_is_refused(
    referral, practitioner, other_organisation, other_service
):
    _onward_consent(referral, practitioner, other_organisation, includes=["narrative"])

    with pytest.raises(ValidationError, match="does not cover their case history"):
        onward_referral_create(
            referral=referral, service=other_service, actor=practitioner, transfer=True
        )

    assert not Referral.objects.filter(organisation=other_organisation).exists()


def test_messages_on_a_report_stay_behind_without_history(
    reporting_centre, practitioner, other_organisation, other_service
):
    from bridgeway.accounts.models import Membership
    from bridgeway.accounts.tests.factories import MembershipFactory
    from bridgeway.casework.tests.factories import make_report

    MembershipFactory(
        user=practitioner, organisation=reporting_centre, role=Membership.Role.PRACTITIONER
    )
    report, _code = make_report(organisation=reporting_centre)
    message_from_reporter(referral=report, text="Please keep this private.")
    _onward_consent(report, practitioner, other_organisation, includes=["narrative"])

    received = _received(
        onward_referral_create(referral=report, service=other_service, actor=practitioner)
    )

    assert not CaseEvent.objects.filter(referral=received, kind="message_in").exists()


# --- withdrawn by the person who reported ---------------------------------------------------


def _report_with_police_consent(reporting_centre, practitioner, police):
    from bridgeway.accounts.models import Membership
    from bridgeway.accounts.tests.factories import MembershipFactory
    from bridgeway.casework.services import PersonDetails, report_create

    MembershipFactory(
        user=practitioner, organisation=reporting_centre, role=Membership.Role.PRACTITIONER
    )
    report, _code = report_create(
        organisation=reporting_centre,
        details=PersonDetails(),
        contact=None,
        is_anonymous=True,
        narrative="Shouted at in the street.",
    )
    consent = consent_record(
        person=report.person,
        scope=Consent.Scope.POLICE,
        actor=practitioner,
        given_how=Consent.GivenHow.ONLINE,
        recipient_police_force_area=police,
    )
    return report, consent


def test_the_reporter_withdraws_their_own_consent_and_the_next_share_is_refused(
    reporting_centre, practitioner, west_yorkshire_police
):
    from bridgeway.casework.services import consent_revoke_by_reporter

    report, consent = _report_with_police_consent(
        reporting_centre, practitioner, west_yorkshire_police
    )
    consent_revoke_by_reporter(referral=report, consent=consent)

    assert Consent.objects.get(pk=consent.pk).revoked_at is not None
    with pytest.raises(ValidationError, match="withdrew their consent"):
        share_with_police(
            referral=report, actor=practitioner, police_force_area=west_yorkshire_police
        )
    assert not Share.objects.exists()


def test_a_reporter_cannot_withdraw_someone_elses_consent(
    reporting_centre, practitioner, west_yorkshire_police, referral, other_organisation
):
    from bridgeway.casework.services import consent_revoke_by_reporter

    report, _consent = _report_with_police_consent(
        reporting_centre, practitioner, west_yorkshire_police
    )
    theirs = _onward_consent(referral, practitioner, other_organisation)
    with pytest.raises(PermissionDenied):
        consent_revoke_by_reporter(referral=report, consent=theirs)
    # A referral that is not a report has no follow-up page to withdraw it from.
    with pytest.raises(PermissionDenied):
        consent_revoke_by_reporter(referral=referral, consent=theirs)
    assert Consent.objects.get(pk=theirs.pk).revoked_at is None

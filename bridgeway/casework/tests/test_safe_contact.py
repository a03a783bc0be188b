"""Safe contact: an attempt that breaks the person's contact preferences is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.casework.models import AuditEntry, CaseEvent, ContactAttempt, ContactPreference
from bridgeway.casework.safe_contact import (
    CHANNEL_FOR_METHOD,
    Refusal,
    allowed_methods,
    contact_refusal,
)
from bridgeway.casework.services import ContactDetails, contact_attempt_record
from bridgeway.casework.tests.factories import make_referral, make_report

CHANNELS = ["phone", "text", "email", "none"]


# --- the rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "channels", "may_leave_message", "refusal"),
    [
        ("voicemail", ["phone"], False, Refusal.NO_MESSAGES),
        ("voicemail", ["phone"], True, None),
        ("voicemail", ["text"], True, Refusal.CHANNEL_NOT_CHOSEN),
        ("email", ["phone", "text"], True, Refusal.CHANNEL_NOT_CHOSEN),
        ("email", ["email"], False, None),
        ("call", ["phone"], False, None),
        ("text", ["phone"], False, Refusal.CHANNEL_NOT_CHOSEN),
        ("call", ["none"], True, Refusal.DO_NOT_CONTACT),
        ("call", None, True, Refusal.NO_PREFERENCES),
        ("carrier pigeon", ["phone"], True, Refusal.UNKNOWN_METHOD),
    ],
)
def test_contact_rules(method, channels, may_leave_message, refusal):
    assert (
        contact_refusal(method, channels=channels, may_leave_message=may_leave_message) == refusal
    )


@given(
    method=st.sampled_from([*CHANNEL_FOR_METHOD, "fax"]),
    channels=st.none() | st.lists(st.sampled_from(CHANNELS), unique=True),
    may_leave_message=st.booleans(),
)
def test_an_allowed_method_always_uses_a_chosen_channel(method, channels, may_leave_message):
    allowed = contact_refusal(method, channels=channels, may_leave_message=may_leave_message)

    if allowed is None:
        assert channels is not None
        assert "none" not in channels
        assert CHANNEL_FOR_METHOD[method] in channels
        assert method != "voicemail" or may_leave_message
    assert (allowed is None) == (
        method in allowed_methods(channels, may_leave_message=may_leave_message)
    )


# --- the service ----------------------------------------------------------------------------


def test_voicemail_is_refused_when_no_message_may_be_left(referral, practitioner):
    with pytest.raises(ValidationError) as error:
        contact_attempt_record(
            referral=referral, actor=practitioner, method="voicemail", outcome="sent"
        )

    assert "no message may be left" in error.value.message_dict["method"][0]
    assert not ContactAttempt.objects.exists()
    assert not CaseEvent.objects.filter(kind="contact").exists()


def test_email_is_refused_when_email_was_not_chosen(referral, practitioner):
    with pytest.raises(ValidationError, match=r"did not choose to be contacted this way \(Email\)"):
        contact_attempt_record(
            referral=referral, actor=practitioner, method="email", outcome="sent"
        )


def test_anonymous_reporter_cannot_be_contacted(reporting_centre, practitioner):
    from bridgeway.accounts.models import Membership
    from bridgeway.accounts.tests.factories import MembershipFactory

    MembershipFactory(
        user=practitioner, organisation=reporting_centre, role=Membership.Role.PRACTITIONER
    )
    report, _code = make_report(organisation=reporting_centre, is_anonymous=True)

    with pytest.raises(ValidationError, match="asked not to be contacted"):
        contact_attempt_record(
            referral=report, actor=practitioner, method="call", outcome="reached"
        )


def test_no_recorded_preferences_means_no_contact(referral, practitioner):
    ContactPreference.objects.filter(person=referral.person).delete()

    with pytest.raises(ValidationError, match="No contact preferences were recorded"):
        contact_attempt_record(
            referral=referral, actor=practitioner, method="call", outcome="reached"
        )


@pytest.mark.usefixtures("weekday_evening")
def test_allowed_call_is_recorded_on_the_timeline_and_audited(referral, practitioner):
    attempt = contact_attempt_record(
        referral=referral,
        actor=practitioner,
        method="call",
        outcome="not_reached",
        note="No answer; will try after 6pm as asked.",
    )

    event = CaseEvent.objects.get(referral=referral, kind="contact")
    assert attempt.note == "No answer; will try after 6pm as asked."
    assert event.text.startswith("Phone call: Did not reach them")
    assert AuditEntry.objects.filter(action="contact.attempt", object_id=str(referral.pk)).exists()


def test_voicemail_allowed_when_the_person_said_so(service, practitioner):
    referral = make_referral(
        service=service, contact=ContactDetails(channels=("phone",), may_leave_message=True)
    )

    attempt = contact_attempt_record(
        referral=referral, actor=practitioner, method="voicemail", outcome="sent"
    )

    assert attempt.method == "voicemail"


@pytest.mark.usefixtures("weekday_evening")
def test_bad_outcome_is_refused(referral, practitioner):
    with pytest.raises(ValidationError) as error:
        contact_attempt_record(referral=referral, actor=practitioner, method="call", outcome="meh")

    assert "Choose what happened" in error.value.message_dict["outcome"][0]


def test_outsider_cannot_record_a_contact_attempt(referral, outsider):
    with pytest.raises(PermissionDenied):
        contact_attempt_record(referral=referral, actor=outsider, method="call", outcome="reached")


# --- the page -------------------------------------------------------------------------------


@pytest.mark.usefixtures("weekday_evening")
def test_referral_page_offers_only_the_allowed_methods_beside_the_preferences(
    practitioner_client, referral
):
    page = practitioner_client.get(
        reverse("casework:referral-detail", args=[referral.reference])
    ).content.decode()

    assert 'value="call"' in page
    assert 'value="voicemail"' not in page
    assert 'value="email"' not in page
    assert "Do not leave a message" in page


def test_page_refuses_a_voicemail_posted_anyway(practitioner_client, referral):
    response = practitioner_client.post(
        reverse("casework:contact-attempt", args=[referral.reference]),
        {"contact-method": "voicemail", "contact-outcome": "sent"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "The person said no message may be left." in page
    assert "Nothing was recorded." in page
    assert "Do not leave a message" in page
    assert not ContactAttempt.objects.exists()


@pytest.mark.usefixtures("weekday_evening")
def test_page_records_an_allowed_call(practitioner_client, referral):
    response = practitioner_client.post(
        reverse("casework:contact-attempt", args=[referral.reference]),
        {"contact-method": "call", "contact-outcome": "reached"},
        follow=True,
    )

    assert "The contact attempt was recorded." in response.content.decode()
    assert ContactAttempt.objects.filter(referral=referral, method="call").count() == 1


def test_page_for_someone_who_must_not_be_contacted_offers_no_method(practitioner_client, service):
    referral = make_referral(service=service, contact=ContactDetails(channels=("none",)))

    page = practitioner_client.get(
        reverse("casework:referral-detail", args=[referral.reference])
    ).content.decode()

    assert "There is no way you may contact this person." in page
    assert 'name="contact-method"' not in page

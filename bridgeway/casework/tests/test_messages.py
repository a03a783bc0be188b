"""Two-way messages on a report: staff reply from the referral page, the reporter writes back."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from bridgeway.accounts.models import Membership
from bridgeway.accounts.tests.factories import MembershipFactory
from bridgeway.casework.models import AuditEntry, CaseEvent
from bridgeway.casework.services import (
    MESSAGE_MAX_LENGTH,
    follow_up_code_check,
    message_from_reporter,
    message_to_reporter,
    messages_for_reporter,
    note_add,
)
from bridgeway.casework.tests.factories import make_report
from bridgeway.conftest import sign_in


@pytest.fixture
def centre_practitioner(practitioner, reporting_centre):
    MembershipFactory(
        user=practitioner, organisation=reporting_centre, role=Membership.Role.PRACTITIONER
    )
    return practitioner


@pytest.fixture
def report(reporting_centre):
    referral, _code = make_report(organisation=reporting_centre, is_anonymous=True)
    return referral


@pytest.fixture
def centre_client(centre_practitioner):
    return sign_in(Client(), centre_practitioner)


# --- services -------------------------------------------------------------------------------


def test_reporter_reads_replies_and_own_messages_but_never_notes(report, centre_practitioner):
    message_from_reporter(referral=report, text="Is anyone there?")
    message_to_reporter(referral=report, actor=centre_practitioner, text="Yes, we read it.")
    note_add(referral=report, actor=centre_practitioner, text="Possible repeat of BW-1234.")

    shown = messages_for_reporter(report)

    assert [(m.from_reporter, m.text) for m in shown] == [
        (True, "Is anyone there?"),
        (False, "Yes, we read it."),
    ]
    assert "Possible repeat" not in repr(shown)
    assert centre_practitioner.email not in repr(shown)


def test_a_reporter_opens_the_conversation_with_reference_and_code(reporting_centre):
    referral, code = make_report(organisation=reporting_centre)

    opened = follow_up_code_check(reference=referral.reference, code=code)
    message_from_reporter(referral=opened, text="Thank you")

    assert [m.text for m in messages_for_reporter(opened)] == ["Thank you"]


def test_messages_are_on_the_timeline_with_their_kinds(report, centre_practitioner):
    message_from_reporter(referral=report, text="Hello")
    message_to_reporter(referral=report, actor=centre_practitioner, text="Hello back")

    kinds = list(
        CaseEvent.objects.filter(referral=report)
        .exclude(kind=CaseEvent.Kind.STAGE)
        .values_list("kind", "actor")
    )
    assert kinds == [
        (CaseEvent.Kind.MESSAGE_IN, None),
        (CaseEvent.Kind.MESSAGE_OUT, centre_practitioner.pk),
    ]


def test_message_text_is_sealed_in_the_raw_table(report, centre_practitioner):
    message_from_reporter(referral=report, text="They came back last night")
    message_to_reporter(referral=report, actor=centre_practitioner, text="Call us on the helpline")

    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM casework_caseevent")
        raw = " ".join(str(row[0]) for row in cursor.fetchall())
    assert "They came back" not in raw
    assert "helpline" not in raw


def test_every_message_write_and_reporter_read_is_audited(report, centre_practitioner):
    message_from_reporter(referral=report, text="Hello")
    message_to_reporter(referral=report, actor=centre_practitioner, text="Hello back")
    messages_for_reporter(report)

    actions = list(
        AuditEntry.objects.filter(object_id=str(report.pk)).values_list("action", "actor")
    )
    assert actions[-3:] == [
        ("message.receive", None),
        ("message.send", centre_practitioner.pk),
        ("message.read_by_reporter", None),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write a message before sending it."),
        ("   \n ", "Write a message before sending it."),
        ("x" * (MESSAGE_MAX_LENGTH + 1), f"Message must be {MESSAGE_MAX_LENGTH} characters"),
        ("nul\x00byte", "cannot be stored"),
        (None, "Message must be text."),
    ],
)
def test_bad_message_from_reporter_is_refused_and_changes_nothing(report, text, message):
    events_before = CaseEvent.objects.count()
    audit_before = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as error:
        message_from_reporter(referral=report, text=text)

    assert message in " ".join(error.value.message_dict["text"])
    assert CaseEvent.objects.count() == events_before
    assert AuditEntry.objects.count() == audit_before


def test_messages_only_go_on_reports(referral, practitioner):
    with pytest.raises(ValidationError) as error:
        message_to_reporter(referral=referral, actor=practitioner, text="Hello")

    assert "only be sent on a report" in " ".join(error.value.message_dict["text"])
    assert not CaseEvent.objects.filter(referral=referral, kind="message_out").exists()


def test_someone_outside_the_organisation_cannot_send_or_note(report, outsider):
    with pytest.raises(PermissionDenied):
        message_to_reporter(referral=report, actor=outsider, text="Hello")
    with pytest.raises(PermissionDenied):
        note_add(referral=report, actor=outsider, text="Hello")

    assert not CaseEvent.objects.filter(referral=report).exclude(kind="stage").exists()


# --- staff pages ----------------------------------------------------------------------------


def test_practitioner_replies_from_the_referral_page(centre_client, report):
    response = centre_client.post(
        reverse("casework:referral-message", args=[report.reference]),
        {"message-text": "We have read your report and we can help."},
        follow=True,
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Your message was sent" in page
    assert "Message to the person" in page
    assert "We have read your report and we can help." in page
    assert [m.text for m in messages_for_reporter(report)] == [
        "We have read your report and we can help."
    ]


def test_reporters_message_shows_on_the_referral_page(centre_client, report):
    message_from_reporter(referral=report, text="It happened again today.")

    page = centre_client.get(
        reverse("casework:referral-detail", args=[report.reference])
    ).content.decode()

    assert "Message from the person" in page
    assert "It happened again today." in page
    assert "Reply to the person" in page


def test_practitioner_adds_a_note_the_reporter_never_sees(centre_client, report):
    response = centre_client.post(
        reverse("casework:referral-note", args=[report.reference]),
        {"note-text": "Checked with the housing officer."},
        follow=True,
    )

    assert "Checked with the housing officer." in response.content.decode()
    assert messages_for_reporter(report) == []


def test_empty_reply_says_what_is_wrong_and_sends_nothing(centre_client, report):
    response = centre_client.post(
        reverse("casework:referral-message", args=[report.reference]), {"message-text": ""}
    )

    assert response.status_code == 400
    assert "Write a message before sending it." in response.content.decode()
    assert messages_for_reporter(report) == []


def test_reply_on_a_referral_without_a_report_is_refused_with_a_reason(
    practitioner_client, referral
):
    response = practitioner_client.post(
        reverse("casework:referral-message", args=[referral.reference]),
        {"message-text": "Hello"},
    )

    assert response.status_code == 400
    assert "only be sent on a report" in response.content.decode()
    assert not CaseEvent.objects.filter(referral=referral, kind="message_out").exists()


def test_referral_page_offers_no_reply_box_without_a_report(practitioner_client, referral):
    page = practitioner_client.get(
        reverse("casework:referral-detail", args=[referral.reference])
    ).content.decode()

    assert "Reply to the person" not in page
    assert "Add an internal note" in page

"""Emails to staff, sent to a real SMTP server on 127.0.0.1 (aiosmtpd) and read back there."""

from __future__ import annotations

import datetime as dt
import email
import socket
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.accounts.tests.factories import MembershipFactory
from bridgeway.casework import jobs
from bridgeway.casework.models import CaseEvent, NotificationSetting, Referral, Task
from bridgeway.casework.services import message_from_reporter, referral_assign
from bridgeway.casework.services.notifications import SETTLE, RunResult
from bridgeway.casework.tests.factories import (
    DEFAULT_CONTACT,
    DEFAULT_DETAILS,
    make_referral,
    make_report,
)
from bridgeway.directory.models import Service

pytestmark = pytest.mark.django_db


class _Inbox:
    """What the SMTP server received: each message parsed, with its envelope recipients."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.refuse = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refuse:
            return "451 Requested action aborted: try again later"
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [message for rcpts, message in self.messages if address in rcpts]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[_Inbox]:
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "Bridgeway <no-reply@bridgeway.test>"
    settings.SITE_URL = "https://bridgeway.test"
    try:
        yield inbox
    finally:
        controller.stop()


def _run() -> RunResult:
    """The job, run once what the test just saved is ``SETTLE`` old (moved back by that)."""
    Referral.objects.update(created_at=F("created_at") - SETTLE)
    CaseEvent.objects.filter(kind=CaseEvent.Kind.MESSAGE_IN).update(
        occurred_at=F("occurred_at") - SETTLE
    )
    return jobs.send_pending_notifications()


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def _personal_words(referral: Referral) -> list[str]:
    person = referral.person
    words = [
        DEFAULT_DETAILS.name,
        DEFAULT_DETAILS.email,
        DEFAULT_DETAILS.phone,
        DEFAULT_DETAILS.postcode,
        DEFAULT_CONTACT.safe_word,
        DEFAULT_CONTACT.name_to_use,
        referral.reference,
        person.name,
        "bus",  # from what happened
        "shouted",
    ]
    return [word for word in words if word]


def _no_personal_data(message: Message, referral: Referral) -> None:
    text = f"{message['Subject']}\n{_body(message)}"
    for word in _personal_words(referral):
        assert word not in text, word


def test_a_new_referral_is_emailed_without_personal_data(
    smtp: _Inbox, service: Service, practitioner: User
) -> None:
    referral = make_referral(service=service)

    result = _run()

    assert result.sent >= 1
    received = smtp.to(practitioner.email)
    assert len(received) == 1
    body = _body(received[0])
    assert "1 new referral." in body
    assert "https://bridgeway.test/staff/inbox/" in body
    assert received[0]["From"] == "Bridgeway <no-reply@bridgeway.test>"
    _no_personal_data(received[0], referral)


def test_the_job_needs_no_arguments_and_waits_until_a_referral_has_settled(
    smtp: _Inbox, service: Service, practitioner: User
) -> None:
    settled = make_referral(service=service)
    Referral.objects.filter(pk=settled.pk).update(
        created_at=timezone.now() - SETTLE - dt.timedelta(minutes=1)
    )
    make_referral(service=service, name="Just Arrived")  # its transaction may not be seen yet

    jobs.send_pending_notifications()

    received = smtp.to(practitioner.email)
    assert len(received) == 1
    assert "1 new referral." in _body(received[0])


def test_the_same_news_is_not_sent_twice(
    smtp: _Inbox, service: Service, practitioner: User
) -> None:
    make_referral(service=service)
    _run()
    _run()

    assert len(smtp.to(practitioner.email)) == 1


def test_a_message_from_a_reporter_is_emailed(
    smtp: _Inbox, practitioner: User, reporting_centre: Organisation
) -> None:
    MembershipFactory(
        user=practitioner, organisation=reporting_centre, role=Membership.Role.PRACTITIONER
    )
    report, _code = make_report(organisation=reporting_centre)
    _run()
    message_from_reporter(referral=report, text="They came back to my shop today.")

    _run()

    bodies = [_body(m) for m in smtp.to(practitioner.email)]
    assert "1 new report." in bodies[0]
    assert "1 new message." in bodies[1]
    assert all("shop" not in body for body in bodies)


def test_someone_who_turned_emails_off_gets_none(
    smtp: _Inbox, service: Service, practitioner: User
) -> None:
    NotificationSetting.objects.create(user=practitioner, on_referral=False)
    make_referral(service=service)

    _run()

    assert smtp.to(practitioner.email) == []


def test_another_organisations_staff_are_not_told(
    smtp: _Inbox, service: Service, outsider: User
) -> None:
    make_referral(service=service)

    _run()

    assert smtp.to(outsider.email) == []


def test_a_failed_send_keeps_the_referral_and_is_tried_again(
    smtp: _Inbox, service: Service, practitioner: User
) -> None:
    referral = make_referral(service=service)
    smtp.refuse = True

    failed = _run()

    assert failed.failed >= 1
    assert smtp.to(practitioner.email) == []
    assert Referral.objects.filter(pk=referral.pk).exists()
    setting = NotificationSetting.objects.get(user=practitioner)
    assert setting.failures == 1
    assert "451" in setting.last_error
    assert DEFAULT_DETAILS.name not in setting.last_error

    smtp.refuse = False
    _run()

    received = smtp.to(practitioner.email)
    assert len(received) == 1
    assert "1 new referral." in _body(received[0])
    assert NotificationSetting.objects.get(user=practitioner).failures == 0


def test_the_server_being_down_loses_nothing(
    settings: Any, service: Service, practitioner: User
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _free_port()  # nothing listens there
    make_referral(service=service)

    result = _run()

    assert result.failed >= 1
    assert NotificationSetting.objects.get(user=practitioner).notified_until is None


def _task(referral: Referral, assignee: User, due: dt.date) -> Task:
    return Task.objects.create(
        referral=referral,
        kind=Task.Kind.CALL_BACK,
        due_on=due,
        assignee=assignee,
        created_at=timezone.now(),
        note="Ring Amara Okafor about the bus",
    )


def test_the_digest_lists_overdue_items_without_personal_data(
    smtp: _Inbox, service: Service, practitioner: User
) -> None:
    today = timezone.localdate()
    referral = make_referral(service=service, received_at=timezone.now() - dt.timedelta(days=14))
    referral_assign(referral=referral, actor=practitioner, assignee=practitioner)
    _task(referral, practitioner, today - dt.timedelta(days=2))
    _task(referral, practitioner, today + dt.timedelta(days=2))

    jobs.send_daily_digests()
    jobs.send_daily_digests()  # once a day only

    received = smtp.to(practitioner.email)
    assert len(received) == 1
    body = _body(received[0])
    assert received[0]["Subject"] == "What is overdue on Bridgeway"
    assert body.count("- Call back, due") == 1
    assert "- First contact, due" in body
    assert "https://bridgeway.test/staff/inbox/?due=overdue" in body
    assert "Ring" not in body
    _no_personal_data(received[0], referral)


def test_a_task_due_today_is_emailed_once(
    smtp: _Inbox, service: Service, practitioner: User
) -> None:
    referral = make_referral(service=service)
    _run()
    _task(referral, practitioner, timezone.localdate())

    _run()
    _run()

    bodies = [_body(m) for m in smtp.to(practitioner.email)]
    assert sum("1 task is due today." in body for body in bodies) == 1


def test_emails_speak_the_persons_staff_language(
    smtp: _Inbox, service: Service, practitioner: User
) -> None:
    practitioner.language = "cy"
    practitioner.save(update_fields=["language"])
    make_referral(service=service)

    _run()

    message = smtp.to(practitioner.email)[0]
    assert "1 atgyfeiriad newydd." in _body(message)


# --- the page where people choose -------------------------------------------------------------


def test_a_worker_turns_the_digest_off(practitioner_client: Client, practitioner: User) -> None:
    url = reverse("casework:notifications")
    page = practitioner_client.get(url).content.decode()
    assert "each morning, if anything of mine is overdue" in page

    response = practitioner_client.post(url, {"emails": ["on_referral", "on_message"]})

    assert response.status_code == 302
    setting = NotificationSetting.objects.get(user=practitioner)
    assert (setting.on_referral, setting.on_message, setting.on_task_due, setting.daily_digest) == (
        True,
        True,
        False,
        False,
    )


def test_a_choice_not_on_the_list_is_refused_and_changes_nothing(
    practitioner_client: Client, practitioner: User
) -> None:
    response = practitioner_client.post(
        reverse("casework:notifications"), {"emails": ["on_referral", "everything"]}
    )

    assert response.status_code == 400
    assert "Choose emails from the list." in response.content.decode()
    setting = NotificationSetting.objects.get(user=practitioner)
    assert setting.daily_digest is True

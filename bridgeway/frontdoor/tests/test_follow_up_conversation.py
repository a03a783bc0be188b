"""Anonymous two-way reporting: after the code, read the centre's replies and write back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.accounts.tests.factories import MembershipFactory
from bridgeway.casework.models import CaseEvent, Referral
from bridgeway.casework.services import (
    MESSAGE_MAX_LENGTH,
    PersonDetails,
    message_to_reporter,
    note_add,
    report_create,
)
from bridgeway.frontdoor.views import FOLLOW_UP_GRANT_KEY

FOLLOW_UP = "/en/report/follow-up/"


@pytest.fixture
def made_report(reporting_centre: Organisation) -> tuple[Referral, str]:
    return report_create(
        organisation=reporting_centre,
        details=PersonDetails(),
        contact=None,
        is_anonymous=True,
        narrative="Stones thrown at our window.",
        hate_strands=["race"],
    )


@pytest.fixture
def centre_worker(practitioner: Any, reporting_centre: Organisation) -> Any:
    MembershipFactory(
        user=practitioner, organisation=reporting_centre, role=Membership.Role.PRACTITIONER
    )
    return practitioner


def _open(client: Client, referral: Referral, code: str, language: str = "en") -> str:
    response = client.post(
        f"/{language}/report/follow-up/",
        {"reference": referral.reference, "code": code},
        follow=True,
    )
    assert response.redirect_chain == [(f"/{language}/report/follow-up/", 302)]
    return response.content.decode()


def _messages_in(referral: Referral) -> list[str]:
    return [
        event.text
        for event in CaseEvent.objects.filter(
            referral=referral, kind=CaseEvent.Kind.MESSAGE_IN
        ).order_by("occurred_at")
    ]


def test_an_opened_report_with_no_replies_says_so(
    client: Client, made_report: tuple[Referral, str]
) -> None:
    html = _open(client, *made_report)
    assert "There are no messages yet." in html
    assert "Write a message" in html
    assert "Close my report" in html


def test_the_person_reads_the_centres_reply_but_never_its_notes_or_staff_names(
    client: Client, made_report: tuple[Referral, str], centre_worker: User
) -> None:
    referral, code = made_report
    message_to_reporter(
        referral=referral, actor=centre_worker, text="Thank you for telling us. We can help."
    )
    note_add(referral=referral, actor=centre_worker, text="Internal: check CCTV request.")
    html = _open(client, referral, code)
    assert "West Yorkshire Hate Reporting Centre wrote" in html
    assert "Thank you for telling us. We can help." in html
    assert "Internal: check CCTV" not in html
    assert centre_worker.get_username() not in html


def test_the_person_writes_back_without_an_account_and_the_code_is_never_shown(
    client: Client, made_report: tuple[Referral, str]
) -> None:
    referral, code = made_report
    _open(client, referral, code)
    response = client.post(
        FOLLOW_UP,
        {"action": "send", "text": "  Thank you. It happened again today.  "},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain == [(FOLLOW_UP, 302)]
    assert "Your message has been sent." in html
    assert "You wrote" in html
    assert "Thank you. It happened again today." in html
    assert code not in html
    assert _messages_in(referral) == ["Thank you. It happened again today."]


def test_the_conversation_page_is_never_stored(
    client: Client, made_report: tuple[Referral, str]
) -> None:
    _open(client, *made_report)
    response = client.get(FOLLOW_UP)
    assert "no-store" in response["Cache-Control"]
    assert "Where it is now" in response.content.decode()


def test_an_empty_message_is_refused_and_nothing_is_saved(
    client: Client, made_report: tuple[Referral, str]
) -> None:
    referral, code = made_report
    _open(client, referral, code)
    response = client.post(FOLLOW_UP, {"action": "send", "text": "   "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'href="#id_text">Write a message before sending it.' in html
    assert _messages_in(referral) == []


def test_a_message_too_long_is_refused_with_the_numbers(
    client: Client, made_report: tuple[Referral, str]
) -> None:
    referral, code = made_report
    _open(client, referral, code)
    html = client.post(
        FOLLOW_UP, {"action": "send", "text": "x" * (MESSAGE_MAX_LENGTH + 1)}
    ).content.decode()
    assert f"Your message must be {MESSAGE_MAX_LENGTH} characters or fewer." in html
    assert _messages_in(referral) == []


def test_a_message_without_a_checked_code_is_not_sent(
    client: Client, made_report: tuple[Referral, str]
) -> None:
    referral, _code = made_report
    response = client.post(FOLLOW_UP, {"action": "send", "text": "Let me in."})
    html = response.content.decode()
    assert response.status_code == 200
    assert "your message was not sent" in html
    assert "Let me in." not in html
    assert _messages_in(referral) == []


def test_closing_the_report_ends_the_grant(
    client: Client, made_report: tuple[Referral, str]
) -> None:
    referral, code = made_report
    _open(client, referral, code)
    html = client.post(FOLLOW_UP, {"action": "finish"}, follow=True).content.decode()
    assert "You have closed your report." in html
    assert "Where it is now" not in html
    assert FOLLOW_UP_GRANT_KEY not in client.session
    client.post(FOLLOW_UP, {"action": "send", "text": "After closing."})
    assert _messages_in(referral) == []


def _age_grant(client: Client, *, opened: dt.timedelta, used: dt.timedelta) -> None:
    session = client.session
    grant = session[FOLLOW_UP_GRANT_KEY]
    now = timezone.now()
    grant["opened_at"] = (now - opened).isoformat()
    grant["used_at"] = (now - used).isoformat()
    session[FOLLOW_UP_GRANT_KEY] = grant
    session.save()


def test_the_grant_lapses_after_fifteen_minutes_without_use(
    client: Client, made_report: tuple[Referral, str]
) -> None:
    referral, code = made_report
    _open(client, referral, code)
    _age_grant(client, opened=dt.timedelta(minutes=16), used=dt.timedelta(minutes=15, seconds=1))
    html = client.get(FOLLOW_UP).content.decode()
    assert "Where it is now" not in html
    assert "Follow-up code" in html
    assert FOLLOW_UP_GRANT_KEY not in client.session


def test_use_keeps_the_grant_open_but_never_past_an_hour(
    client: Client, made_report: tuple[Referral, str]
) -> None:
    referral, code = made_report
    _open(client, referral, code)
    _age_grant(client, opened=dt.timedelta(minutes=50), used=dt.timedelta(minutes=10))
    assert "Where it is now" in client.get(FOLLOW_UP).content.decode()
    _age_grant(client, opened=dt.timedelta(minutes=61), used=dt.timedelta(minutes=1))
    assert "Where it is now" not in client.get(FOLLOW_UP).content.decode()


def test_a_grant_changed_to_point_at_another_report_opens_nothing(
    client: Client, made_report: tuple[Referral, str], reporting_centre: Organisation
) -> None:
    referral, code = made_report
    other, _other_code = report_create(
        organisation=reporting_centre,
        details=PersonDetails(),
        contact=None,
        is_anonymous=True,
        narrative="Someone else's report.",
        hate_strands=["religion"],
    )
    _open(client, referral, code)
    session = client.session
    session[FOLLOW_UP_GRANT_KEY] = {**session[FOLLOW_UP_GRANT_KEY], "referral": str(other.pk)}
    session.save()
    html = client.get(FOLLOW_UP).content.decode()
    assert other.reference not in html
    assert "Where it is now" not in html
    client.post(FOLLOW_UP, {"action": "send", "text": "Into the wrong report."})
    assert _messages_in(other) == []


def test_a_wrong_code_ends_the_grant_this_browser_had(
    client: Client, made_report: tuple[Referral, str]
) -> None:
    referral, code = made_report
    _open(client, referral, code)
    client.post(FOLLOW_UP, {"reference": referral.reference, "code": "WRONG-CODE"})
    assert FOLLOW_UP_GRANT_KEY not in client.session
    assert "Where it is now" not in client.get(FOLLOW_UP).content.decode()


def test_opening_a_report_starts_a_new_session(
    client: Client, made_report: tuple[Referral, str]
) -> None:
    client.get(FOLLOW_UP)
    session = client.session
    session["anything"] = "before"
    session.save()
    before = session.session_key
    _open(client, *made_report)
    assert client.session.session_key != before


def test_the_conversation_is_in_urdu_right_to_left(
    client: Client, made_report: tuple[Referral, str]
) -> None:
    html = _open(client, *made_report, language="ur")
    assert '<html lang="ur" dir="rtl"' in html
    assert "پیغامات" in html  # "Messages"
    assert "Messages" not in html


def test_the_report_form_says_an_anonymous_person_can_still_read_replies(
    client: Client, reporting_centre: Organisation
) -> None:
    html = client.get("/en/report/").content.decode()
    assert "The centre can still reply to you here" in html
    assert "cannot reply" not in html

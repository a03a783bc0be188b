"""Public forms are counted per client address; over the limit the form comes back calmly (429)."""

from __future__ import annotations

import gettext
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from bridgeway.accounts.models import Organisation
from bridgeway.casework.models import CaseEvent, Referral
from bridgeway.casework.services import PersonDetails, report_create
from bridgeway.directory.models import Service
from bridgeway.frontdoor.tests.test_referral import _answers as referral_answers
from bridgeway.frontdoor.tests.test_report import _answers as report_answers

PAUSED = "We have paused forms from this device for a short time"
KEPT = "Nothing has been sent yet. What you typed is still here."
ADDRESS = "203.0.113.9"
LOCALE = Path(django_settings.BASE_DIR) / "bridgeway" / "locale"


def refer(client: Client, service: Service, address: str = ADDRESS, **headers: Any) -> Any:
    return client.post(
        f"/en/services/{service.id}/refer/", referral_answers(), REMOTE_ADDR=address, **headers
    )


def test_self_referrals_pause_at_exactly_the_limit(client: Client, leeds_service: Service) -> None:
    for _ in range(django_settings.PUBLIC_SUBMISSION_LIMIT):
        assert refer(Client(), leeds_service).status_code == 302

    response = refer(client, leeds_service)

    assert response.status_code == 429
    assert Referral.objects.count() == django_settings.PUBLIC_SUBMISSION_LIMIT
    html = response.content.decode()
    assert PAUSED in html
    assert KEPT in html
    assert "You can send it after" in html
    assert "in about 60 minutes." in html
    # What the person typed is still in the form, and nothing reads as an error.
    assert "People shout at me on the way to work." in html
    assert "govuk-error-summary" not in html
    assert "Error:" not in html.split("</title>")[0]
    # Another address is not paused by this one.
    assert refer(Client(), leeds_service, "198.51.100.7").status_code == 302


def test_reports_referrals_and_messages_share_one_count(
    settings: Any, leeds_service: Service, reporting_centre: Organisation
) -> None:
    settings.PUBLIC_SUBMISSION_LIMIT = 2
    referral, code = report_create(
        organisation=reporting_centre,
        details=PersonDetails(),
        contact=None,
        is_anonymous=True,
        narrative="Stones thrown at our window.",
        hate_strands=["race"],
    )
    assert refer(Client(), leeds_service).status_code == 302
    assert Client().post("/en/report/", report_answers(), REMOTE_ADDR=ADDRESS).status_code == 302

    reporter = Client()
    opened = reporter.post(
        "/en/report/follow-up/",
        {"reference": referral.reference, "code": code},
        REMOTE_ADDR=ADDRESS,
    )
    assert opened.status_code == 302
    message = reporter.post(
        "/en/report/follow-up/",
        {"action": "send", "text": "It happened again today."},
        REMOTE_ADDR=ADDRESS,
    )
    report = Client().post("/en/report/", report_answers(), REMOTE_ADDR=ADDRESS)

    assert message.status_code == 429
    assert PAUSED in message.content.decode()
    assert "It happened again today." in message.content.decode()
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.MESSAGE_IN).exists()
    assert report.status_code == 429
    assert "A man shouted racist abuse" in report.content.decode()


def test_get_support_answers_pause_at_exactly_their_limit(settings: Any) -> None:
    settings.PUBLIC_ANSWER_LIMIT = 3
    client = Client()
    for _ in range(3):
        response = client.post("/en/get-support/", {"action": "skip"}, REMOTE_ADDR=ADDRESS)
        assert response.status_code == 302

    response = client.post("/en/get-support/", {"action": "skip"}, REMOTE_ADDR=ADDRESS)

    assert response.status_code == 429
    assert PAUSED in response.content.decode()


def test_a_forged_forwarded_header_does_not_escape_the_pause(
    settings: Any, leeds_service: Service
) -> None:
    settings.PUBLIC_SUBMISSION_LIMIT = 2
    for number in range(2):
        refer(Client(), leeds_service, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")

    assert refer(Client(), leeds_service, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_behind_a_trusted_proxy_clients_are_told_apart_by_forwarded_for(
    settings: Any, leeds_service: Service
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PUBLIC_SUBMISSION_LIMIT = 2
    for _ in range(2):
        refer(Client(), leeds_service, "10.0.0.2", HTTP_X_FORWARDED_FOR=ADDRESS)

    paused = refer(Client(), leeds_service, "10.0.0.2", HTTP_X_FORWARDED_FOR=ADDRESS)
    other = refer(Client(), leeds_service, "10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert paused.status_code == 429
    assert other.status_code == 302


@pytest.mark.parametrize("language", ["cy", "ur", "pl", "pa"])
def test_the_pause_is_told_in_the_pages_language(
    settings: Any, leeds_service: Service, language: str
) -> None:
    settings.PUBLIC_SUBMISSION_LIMIT = 1
    url = f"/{language}/services/{leeds_service.id}/refer/"
    Client().post(url, referral_answers(), REMOTE_ADDR=ADDRESS)

    response = Client().post(url, referral_answers(), REMOTE_ADDR=ADDRESS)

    assert response.status_code == 429
    html = response.content.decode()
    catalogue = gettext.translation("django", LOCALE, languages=[language])
    for english in (
        PAUSED
        + ", because a lot were sent. This can happen on a shared network, like at a library or college.",
        KEPT,
    ):
        translated = catalogue.gettext(english)
        assert translated != english
        assert translated in html

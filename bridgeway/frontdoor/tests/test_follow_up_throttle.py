"""The follow-up page locks out a client that fails too often, across references."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bridgeway.accounts.models import Organisation
from bridgeway.casework.models import FollowUpClientAttempts
from bridgeway.casework.services import (
    FOLLOW_UP_CLIENT_FAILURE_LIMIT,
    FOLLOW_UP_CLIENT_LOCK,
    PersonDetails,
    report_create,
)

pytestmark = pytest.mark.django_db

URL = "/en/report/follow-up/"
LOCKED = "too many tries"


def wrong_tries(client: Client, count: int, **headers: Any) -> None:
    for number in range(count):
        reference = f"BW-AAAA-{number:04d}".replace("0", "A").replace("1", "B")
        response = client.post(URL, {"reference": reference, "code": "WRONG"}, **headers)
        assert response.status_code == 200


def test_twenty_failures_on_different_references_lock_the_client_even_for_a_good_code(
    client: Client, reporting_centre: Organisation
) -> None:
    referral, code = report_create(
        organisation=reporting_centre,
        details=PersonDetails(),
        contact=None,
        is_anonymous=True,
        narrative="Shouted at on the bus.",
        hate_strands=["race"],
    )
    wrong_tries(client, FOLLOW_UP_CLIENT_FAILURE_LIMIT, REMOTE_ADDR="203.0.113.9")
    html = client.post(
        URL, {"reference": referral.reference, "code": code}, REMOTE_ADDR="203.0.113.9"
    ).content.decode()
    assert LOCKED in html
    assert "Shouted at" not in html
    # Another client is not locked out by this one.
    response = Client().post(
        URL, {"reference": referral.reference, "code": code}, REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 302


def test_nineteen_failures_do_not_lock_the_client(
    client: Client, reporting_centre: Organisation
) -> None:
    wrong_tries(client, FOLLOW_UP_CLIENT_FAILURE_LIMIT - 1, REMOTE_ADDR="203.0.113.9")
    html = client.post(
        URL, {"reference": "BW-ZZZZ-ZZZZ", "code": "WRONG"}, REMOTE_ADDR="203.0.113.8"
    ).content.decode()
    assert LOCKED not in html


def test_a_forged_forwarded_header_does_not_escape_the_lock_without_trusted_proxies(
    client: Client,
) -> None:
    for number in range(FOLLOW_UP_CLIENT_FAILURE_LIMIT):
        client.post(
            URL,
            {"reference": "BW-ZZZZ-ZZZZ", "code": "WRONG"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )
    html = client.post(
        URL, {"reference": "BW-ZZZZ-ZZZZ", "code": "WRONG"}, REMOTE_ADDR="203.0.113.9"
    ).content.decode()
    assert LOCKED in html


def test_behind_a_trusted_proxy_clients_are_told_apart_by_forwarded_for(
    client: Client, settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    wrong_tries(
        client,
        FOLLOW_UP_CLIENT_FAILURE_LIMIT,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    locked = client.post(
        URL,
        {"reference": "BW-ZZZZ-ZZZZ", "code": "WRONG"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    ).content.decode()
    other = client.post(
        URL,
        {"reference": "BW-ZZZZ-ZZZZ", "code": "WRONG"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    ).content.decode()
    assert LOCKED in locked
    assert LOCKED not in other


def test_a_locked_out_device_is_told_calmly_when_to_try_again_without_blame(
    client: Client,
) -> None:
    wrong_tries(client, FOLLOW_UP_CLIENT_FAILURE_LIMIT - 1, REMOTE_ADDR="203.0.113.9")
    before = timezone.localtime(timezone.now() + FOLLOW_UP_CLIENT_LOCK)
    html = client.post(
        URL, {"reference": "BW-ZZZZ-ZZZZ", "code": "WRONG"}, REMOTE_ADDR="203.0.113.9"
    ).content.decode()
    after = timezone.localtime(timezone.now() + FOLLOW_UP_CLIENT_LOCK)

    assert "Please wait a little, then try again" in html
    assert "We have paused checking reports on this device for a short time" in html
    assert "This can happen on a shared network, like at a library or college." in html
    assert "Your report is safe." in html
    assert any(
        f"You can try again after {moment:%H:%M}, in about 15 minutes." in html
        for moment in (before, after)
    )
    for blaming in ("you tried", "You have tried", "suspicious", "blocked", "There is a problem"):
        assert blaming not in html
    # A pause, not an error: no "Error:" in the title, no error box.
    assert "<title>Find support \u2013 Bridgeway</title>" in html
    assert "govuk-error-summary" not in html
    assert 'class="govuk-notification-banner" role="alert"' in html


def test_the_time_to_wait_counts_down_to_a_minute(client: Client) -> None:
    wrong_tries(client, FOLLOW_UP_CLIENT_FAILURE_LIMIT, REMOTE_ADDR="203.0.113.9")
    FollowUpClientAttempts.objects.update(locked_until=timezone.now() + dt.timedelta(seconds=20))
    html = client.post(
        URL, {"reference": "BW-ZZZZ-ZZZZ", "code": "WRONG"}, REMOTE_ADDR="203.0.113.9"
    ).content.decode()
    assert "in about 1 minute." in html


def test_a_wrong_code_before_any_pause_says_only_that_it_did_not_match(client: Client) -> None:
    html = client.post(
        URL, {"reference": "BW-ZZZZ-ZZZZ", "code": "WRONG"}, REMOTE_ADDR="203.0.113.9"
    ).content.decode()
    assert "We could not find a report with that reference and code." in html
    assert "paused" not in html

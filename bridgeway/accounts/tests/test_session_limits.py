"""Staff are signed out after 30 minutes idle and 8 hours after signing in; the public are not."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bridgeway.accounts.session_limits import (
    LAST_ACTIVITY_KEY,
    SIGNED_IN_AT_KEY,
    session_is_over,
)

pytestmark = pytest.mark.django_db

MINUTE = 60


def _inbox() -> str:
    return reverse("casework:inbox")


def _age(client: Client, *, idle: float, signed_in: float | None = None) -> None:
    """Make the session look idle for ``idle`` seconds, signed in ``signed_in`` seconds ago."""
    client.get(_inbox())  # the first request records sign-in and activity
    session = client.session
    now = time.time()
    session[LAST_ACTIVITY_KEY] = now - idle
    session[SIGNED_IN_AT_KEY] = now - (signed_in if signed_in is not None else idle)
    session.save()


def _is_signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:sign-in")
    )


def test_the_settings_say_30_minutes_idle_and_8_hours_in_all() -> None:
    assert settings.STAFF_IDLE_MINUTES == 30
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * MINUTE


def test_staff_idle_for_more_than_30_minutes_are_signed_out(
    practitioner_client: Client,
) -> None:
    _age(practitioner_client, idle=31 * MINUTE)
    assert _is_signed_out(practitioner_client.get(_inbox()))
    # Signed out for good, not just for one request.
    assert _is_signed_out(practitioner_client.get(_inbox()))
    assert "_auth_user_id" not in practitioner_client.session


def test_staff_idle_for_less_than_30_minutes_stay_signed_in_and_activity_is_recorded(
    practitioner_client: Client,
) -> None:
    _age(practitioner_client, idle=29 * MINUTE)
    assert practitioner_client.get(_inbox()).status_code == 200
    assert practitioner_client.session[LAST_ACTIVITY_KEY] > time.time() - MINUTE


def test_active_staff_are_signed_out_8_hours_after_signing_in(
    practitioner_client: Client,
) -> None:
    _age(practitioner_client, idle=MINUTE, signed_in=8 * 60 * MINUTE + 1)
    assert _is_signed_out(practitioner_client.get(_inbox()))


def test_the_idle_minutes_come_from_the_setting(practitioner_client: Client, settings) -> None:
    settings.STAFF_IDLE_MINUTES = 5
    _age(practitioner_client, idle=6 * MINUTE)
    assert _is_signed_out(practitioner_client.get(_inbox()))


def test_a_public_session_is_not_ended_by_being_idle(client: Client) -> None:
    client.post("/en/get-support/", {"action": "skip"})
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - 3 * 60 * MINUTE
    session.save()
    answers = dict(client.session)
    client.get("/en/get-support/what/")
    assert client.session.get("frontdoor.get_support") == answers.get("frontdoor.get_support")
    assert client.session.session_key is not None


@pytest.mark.parametrize(
    ("idle", "since_sign_in", "over"),
    [(0, 0, False), (30 * MINUTE, 60 * MINUTE, False), (30 * MINUTE + 1, 60 * MINUTE, True)],
)
def test_session_is_over_at_either_limit(idle: int, since_sign_in: int, over: bool) -> None:
    now = 1_000_000.0
    assert (
        session_is_over(
            signed_in_at=now - since_sign_in,
            last_activity=now - idle,
            now=now,
            idle_seconds=30 * MINUTE,
            absolute_seconds=8 * 60 * MINUTE,
        )
        is over
    )

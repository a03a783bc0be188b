"""Sign-in limits: strangers get a handful of guesses a day, the owner's own device still gets in.

The numbers are those of docs/decisions/0061-lock-outs-and-throttles.md: per client address
``SIGN_IN_CLIENT_LIMIT`` failures an hour across accounts, per account
``SIGN_IN_FAILURE_LIMIT`` a day from unknown devices, per recognised device
``SIGN_IN_DEVICE_LIMIT`` a day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.models import User
from bridgeway.accounts.tests.conftest import code_for
from bridgeway.accounts.tests.factories import TEST_PASSWORD
from bridgeway.throttles.models import Throttle

SIGN_IN = reverse("accounts:sign-in")
VERIFY = reverse("accounts:verify")
DEVICE_COOKIE = "bridgeway_device_sign_in"


def fail(client: Client, email: str, address: str = "203.0.113.9", **headers: Any) -> Any:
    return client.post(
        SIGN_IN, {"email": email, "password": "not the password"}, REMOTE_ADDR=address, **headers
    )


def right(client: Client, user: User, address: str = "192.0.2.99", **headers: Any) -> Any:
    """Post the right email and password from ``address``."""
    return client.post(
        SIGN_IN, {"email": user.email, "password": TEST_PASSWORD}, REMOTE_ADDR=address, **headers
    )


def own_device(user: User, address: str = "192.0.2.50") -> Client:
    """A browser the person has signed in on with both factors, then signed out of."""
    browser = Client()
    assert right(browser, user, address).status_code == 302
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    response = browser.post(VERIFY, {"code": code_for(device)}, REMOTE_ADDR=address)
    assert response.status_code == 302
    browser.post(reverse("accounts:sign-out"))
    return browser


def test_the_account_is_paused_at_exactly_the_limit_from_one_address(client, practitioner):
    limit = settings.SIGN_IN_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert fail(client, practitioner.email).status_code == 400

    assert fail(client, practitioner.email).status_code == 429
    assert right(client, practitioner, "203.0.113.9").status_code == 429
    assert SESSION_KEY not in client.session


def test_the_account_is_paused_at_exactly_the_limit_from_many_addresses(db, practitioner):
    limit = settings.SIGN_IN_FAILURE_LIMIT
    for number in range(limit - 1):
        assert fail(Client(), practitioner.email, f"198.51.100.{number}").status_code == 400

    assert fail(Client(), practitioner.email, "198.51.100.200").status_code == 429
    # A new address, and the right password, on a device the account does not know: paused.
    stranger = Client()
    response = right(stranger, practitioner, "192.0.2.99")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Signing in is paused" in page
    assert "signed in on before" in page


def test_the_pause_lasts_a_day_then_the_account_has_its_tries_again(db, practitioner):
    for number in range(settings.SIGN_IN_FAILURE_LIMIT):
        fail(Client(), practitioner.email, f"198.51.100.{number}")
    assert right(Client(), practitioner).status_code == 429

    Throttle.objects.update(window_started_at=timezone.now() - dt.timedelta(days=1, seconds=1))

    assert right(Client(), practitioner).status_code == 302


def test_the_owner_on_their_own_device_gets_in_while_strangers_pause_the_account(db, practitioner):
    browser = own_device(practitioner)
    for number in range(settings.SIGN_IN_FAILURE_LIMIT * 3):
        fail(Client(), practitioner.email, f"198.51.100.{number}")
    assert right(Client(), practitioner).status_code == 429

    response = right(browser, practitioner, "192.0.2.50")

    assert response.status_code == 302
    assert response["Location"] == VERIFY


def test_the_owners_device_gets_in_even_from_an_address_that_is_paused(db, practitioner):
    browser = own_device(practitioner, address="203.0.113.9")
    for number in range(settings.SIGN_IN_CLIENT_LIMIT):
        fail(Client(), f"made-up-{number}@example.org", "203.0.113.9")
    assert fail(Client(), "someone@example.org", "203.0.113.9").status_code == 429

    response = right(browser, practitioner, "203.0.113.9")

    assert response.status_code == 302


def test_a_recognised_device_has_its_own_few_tries_then_counts_as_a_stranger(db, practitioner):
    browser = own_device(practitioner)
    for number in range(settings.SIGN_IN_FAILURE_LIMIT):
        fail(Client(), practitioner.email, f"198.51.100.{number}")
    for _ in range(settings.SIGN_IN_DEVICE_LIMIT - 1):
        assert fail(browser, practitioner.email, "192.0.2.50").status_code == 400

    # The device's last try fails, and with the account paused too, nothing more gets in.
    assert fail(browser, practitioner.email, "192.0.2.50").status_code == 429
    assert right(browser, practitioner, "192.0.2.50").status_code == 429


def test_the_device_cookie_is_signed_long_lived_and_hidden_from_scripts(db, practitioner):
    browser = own_device(practitioner)
    cookie = browser.cookies[DEVICE_COOKIE]

    assert cookie["httponly"]
    assert int(cookie["max-age"]) >= 30 * 24 * 60 * 60
    assert cookie["samesite"] == "Lax"
    assert practitioner.email not in cookie.value


def test_a_device_known_to_one_account_is_a_stranger_to_another(
    db, practitioner, organisation_admin
):
    browser = own_device(practitioner)
    for number in range(settings.SIGN_IN_FAILURE_LIMIT):
        fail(Client(), organisation_admin.email, f"198.51.100.{number}")

    assert right(browser, organisation_admin).status_code == 429


def test_a_forged_device_cookie_is_no_use(db, practitioner):
    own_device(practitioner)
    for number in range(settings.SIGN_IN_FAILURE_LIMIT):
        fail(Client(), practitioner.email, f"198.51.100.{number}")
    forger = Client()
    forger.cookies[DEVICE_COOKIE] = "eyJkIjoiYWJjIiwicyI6W119:forged:signature"

    assert right(forger, practitioner).status_code == 429


def test_one_address_is_paused_across_accounts_before_any_password_is_hashed(db, practitioner):
    limit = settings.SIGN_IN_CLIENT_LIMIT
    for number in range(limit - 1):
        assert fail(Client(), f"made-up-{number}@example.org").status_code == 400
    assert fail(Client(), "made-up-last@example.org").status_code == 429

    with mock.patch("bridgeway.accounts.sign_in_limits.authenticate") as authenticate:
        flood = [fail(Client(), f"more-{number}@example.org") for number in range(5)]
        good = right(Client(), practitioner, "203.0.113.9")

    assert {response.status_code for response in flood} == {429}
    assert good.status_code == 429
    assert not authenticate.called
    page = good.content.decode()
    assert "wait 60 minutes before you try again" in page
    assert "signed in on before" not in page
    # Another address is not paused by this one.
    assert right(Client(), practitioner, "198.51.100.7").status_code == 302


def test_good_sign_ins_give_their_tries_back_to_a_shared_address(db, practitioner):
    for _ in range(settings.SIGN_IN_CLIENT_LIMIT * 2):
        assert right(Client(), practitioner, "203.0.113.9").status_code == 302


def test_a_forged_forwarded_header_does_not_escape_the_address_pause(db, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(settings.SIGN_IN_CLIENT_LIMIT):
        fail(
            Client(),
            f"made-up-{number}@example.org",
            "203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )

    response = fail(Client(), "x@example.org", "203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.250")

    assert response.status_code == 429


def test_behind_a_trusted_proxy_clients_are_told_apart_by_forwarded_for(db, settings, practitioner):
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(settings.SIGN_IN_CLIENT_LIMIT):
        fail(
            Client(),
            f"made-up-{number}@example.org",
            "10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )

    paused = fail(Client(), "x@example.org", "10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    other = right(Client(), practitioner, "10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert paused.status_code == 429
    assert other.status_code == 302


@pytest.mark.parametrize("limit", [1, 3])
def test_the_account_limit_is_a_setting(db, settings, practitioner, limit):
    settings.SIGN_IN_FAILURE_LIMIT = limit
    for number in range(limit - 1):
        assert fail(Client(), practitioner.email, f"198.51.100.{number}").status_code == 400

    assert fail(Client(), practitioner.email, "198.51.100.250").status_code == 429


def test_no_email_or_address_is_stored_in_the_counts(db, practitioner):
    fail(Client(), practitioner.email)

    stored = " ".join(f"{row.scope} {row.key}" for row in Throttle.objects.all())
    assert practitioner.email not in stored
    assert "203.0.113.9" not in stored

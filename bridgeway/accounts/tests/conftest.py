"""Fixtures for the accounts tests: real authenticator codes and half-signed-in clients."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.models import User
from bridgeway.accounts.tests.factories import TEST_PASSWORD


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the person's authenticator app shows now (or ``steps_ahead`` steps on)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():06d}"


def password_step(client: Client, user: User, **extra: Any) -> Any:
    """Post the right email and password, as the first step of signing in."""
    return client.post(
        reverse("accounts:sign-in") + extra.pop("query", ""),
        {"email": user.email, "password": TEST_PASSWORD, **extra},
    )


@pytest.fixture(autouse=True)
def quick_argon2(settings: Any) -> None:
    """Argon2 with tiny parameters, so the many password checks here stay fast."""
    settings.PASSWORD_HASHERS = ["bridgeway.accounts.tests.hashers.QuickArgon2PasswordHasher"]


@pytest.fixture
def half_signed_in_client(practitioner: User) -> Client:
    """A client past the password step but not the code step."""
    client = Client()
    response = password_step(client, practitioner)
    assert response.status_code == 302
    return client

"""Fixtures for casework tests: a service of the personas' organisation, and a reporting centre."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from bridgeway.accounts.models import Organisation
from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.casework import views
from bridgeway.casework.models import Referral
from bridgeway.casework.services import contact_attempts
from bridgeway.casework.tests.factories import CaseworkServiceFactory, make_referral
from bridgeway.directory.models import Service


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; follow-up codes behave the same with a quick hasher, and
    # Argon2 stays listed so hashes made before the switch still check.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


# A Wednesday at seven in the evening, UK time: within the factories' "Weekday evenings".
WEDNESDAY_EVENING = dt.datetime(2026, 6, 17, 18, 0, tzinfo=dt.UTC)


@pytest.fixture
def weekday_evening(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """Contact attempts are made, and the referral page shown, at a time the factories' person
    said is safe.

    Only the clocks of the contact attempt service and the casework pages are set: the rest of
    the test (sign-in, retention, the audit log) keeps real time.
    """
    clock = SimpleNamespace(now=lambda: WEDNESDAY_EVENING)
    monkeypatch.setattr(contact_attempts, "timezone", clock)
    monkeypatch.setattr(views, "timezone", clock)
    return WEDNESDAY_EVENING


@pytest.fixture
def service(organisation: Organisation) -> Service:
    return CaseworkServiceFactory(organisation=organisation, name="Leeds Hate Crime Support")


@pytest.fixture
def other_service(other_organisation: Organisation) -> Service:
    return CaseworkServiceFactory(organisation=other_organisation, name="Birmingham Outreach Team")


@pytest.fixture
def reporting_centre(db: None) -> Organisation:
    return OrganisationFactory(
        name="Leeds Third-Party Reporting Centre",
        slug="leeds-reporting",
        kind=Organisation.Kind.REPORTING_CENTRE,
    )


@pytest.fixture
def referral(service: Service) -> Referral:
    return make_referral(service=service)


@pytest.fixture
def other_referral(other_service: Service) -> Referral:
    return make_referral(service=other_service, name="Someone Elsewhere")

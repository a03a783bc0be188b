"""Fixtures for casework tests: a service of the personas' organisation, and a reporting centre."""

from __future__ import annotations

from typing import Any

import pytest

from bridgeway.accounts.models import Organisation
from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.casework.models import Referral
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

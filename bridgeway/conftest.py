"""Fixtures every app's tests share: reference data and the personas.

The personas follow healthchecks' test base: a practitioner and an administrator of one
organisation, a practitioner of another organisation (the outsider), and a commissioner
whose office covers West Yorkshire.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.accounts.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    totp_device_for,
)

WEST_YORKSHIRE = "E23000010"
WEST_MIDLANDS = "E23000014"


def load_reference_data() -> None:
    call_command("load_reference_data", verbosity=0, stdout=open("/dev/null", "w"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The vocabulary and geography, loaded once per test database."""
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def live_reference_data(transactional_db: Any) -> None:
    """Reference data for transactional tests (live server, browser), which flush tables."""
    load_reference_data()


def sign_in(client: Client, user: User) -> Client:
    """A client signed in with both factors, as after the real two-step sign-in."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or totp_device_for(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def organisation(db: Any) -> Organisation:
    return OrganisationFactory(
        name="Leeds Community Support", slug="leeds-community", area_codes=[WEST_YORKSHIRE]
    )


@pytest.fixture
def other_organisation(db: Any) -> Organisation:
    return OrganisationFactory(
        name="Birmingham Outreach", slug="birmingham-outreach", area_codes=[WEST_MIDLANDS]
    )


@pytest.fixture
def commissioner_office(db: Any) -> Organisation:
    return OrganisationFactory(
        name="West Yorkshire Mayor's Office for Policing and Crime",
        slug="west-yorkshire-pcc",
        kind=Organisation.Kind.COMMISSIONER,
        independence="police_linked",
        area_codes=[WEST_YORKSHIRE],
    )


def _member(organisation: Organisation, role: str) -> User:
    membership = MembershipFactory(organisation=organisation, role=role)
    totp_device_for(membership.user)
    return membership.user


@pytest.fixture
def practitioner(organisation: Organisation) -> User:
    return _member(organisation, Membership.Role.PRACTITIONER)


@pytest.fixture
def organisation_admin(organisation: Organisation) -> User:
    return _member(organisation, Membership.Role.ORGANISATION_ADMIN)


@pytest.fixture
def outsider(other_organisation: Organisation) -> User:
    return _member(other_organisation, Membership.Role.PRACTITIONER)


@pytest.fixture
def commissioner(commissioner_office: Organisation) -> User:
    return _member(commissioner_office, Membership.Role.COMMISSIONER)


@pytest.fixture
def practitioner_client(practitioner: User) -> Client:
    return sign_in(Client(), practitioner)


@pytest.fixture
def admin_client_of_organisation(organisation_admin: User) -> Client:
    return sign_in(Client(), organisation_admin)


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    return sign_in(Client(), outsider)


@pytest.fixture
def commissioner_client(commissioner: User) -> Client:
    return sign_in(Client(), commissioner)

"""Fixtures for commissioning: a West Yorkshire round and the people around it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.accounts.tests.factories import MembershipFactory, totp_device_for
from bridgeway.commissioning.models import Application, FundingRound
from bridgeway.commissioning.tests.factories import ApplicationFactory, FundingRoundFactory
from bridgeway.conftest import WEST_YORKSHIRE, sign_in


def member(organisation: Organisation, role: str) -> User:
    user = MembershipFactory(organisation=organisation, role=role).user
    totp_device_for(user)
    return user


@pytest.fixture
def funding_round(commissioner_office: Organisation) -> FundingRound:
    return FundingRoundFactory(
        commissioner=commissioner_office,
        title="Reaching communities: small grants",
        area_codes=[WEST_YORKSHIRE],
    )


@pytest.fixture
def application(funding_round: FundingRound, organisation: Organisation) -> Application:
    return ApplicationFactory(funding_round=funding_round, applicant=organisation)


@pytest.fixture
def analyst(commissioner_office: Organisation) -> User:
    return member(commissioner_office, Membership.Role.ANALYST)


@pytest.fixture
def analyst_client(analyst: User) -> Client:
    return sign_in(Client(), analyst)


@pytest.fixture
def other_commissioner(db: Any) -> User:
    from bridgeway.commissioning.tests.factories import CommissionerOfficeFactory

    office = CommissionerOfficeFactory(name="West Midlands office", area_codes=["E23000014"])
    return member(office, Membership.Role.COMMISSIONER)


@pytest.fixture
def other_commissioner_client(other_commissioner: User) -> Client:
    return sign_in(Client(), other_commissioner)

"""Fixtures for the front door: services to find and reporting centres to report to."""

from __future__ import annotations

from typing import Any

import pytest

from bridgeway.accounts.models import Organisation
from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.conftest import WEST_MIDLANDS, WEST_YORKSHIRE
from bridgeway.directory.models import Service
from bridgeway.directory.services import service_create

LEEDS = "E08000035"


@pytest.fixture
def leeds_service(organisation: Organisation) -> Service:
    """A specialist service in Leeds that speaks Urdu and helps after hate crime."""
    return service_create(
        organisation=organisation,
        name="Leeds Hate Crime Support",
        description="Support after hate, from people who understand.",
        district_codes=[LEEDS],
        language_codes=["urd", "eng"],
        harm_type_codes=["hate_crime", "hate_incident"],
        is_specialist=True,
        lived_experience=True,
        phone="0113 496 0000",
        url="https://leeds-support.example.org",
    )


@pytest.fixture
def birmingham_service(other_organisation: Organisation) -> Service:
    """A service far from Leeds, which a Leeds search must not list as a match."""
    return service_create(
        organisation=other_organisation,
        name="Birmingham Advice Line",
        pfa_codes=[WEST_MIDLANDS],
    )


@pytest.fixture
def reporting_centre(db: Any) -> Organisation:
    return OrganisationFactory(
        name="West Yorkshire Hate Reporting Centre",
        slug="wy-hate-reporting",
        kind=Organisation.Kind.REPORTING_CENTRE,
        area_codes=[WEST_YORKSHIRE],
    )


@pytest.fixture
def national_centre(db: Any) -> Organisation:
    return OrganisationFactory(
        name="Aardvark National Reporting Line",
        slug="national-reporting",
        kind=Organisation.Kind.REPORTING_CENTRE,
    )


@pytest.fixture(autouse=True)
def _database(db: Any) -> None:
    """Every public page reads the database (services, centres, the demo-data banner)."""

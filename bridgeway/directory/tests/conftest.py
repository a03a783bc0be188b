"""A small West Yorkshire directory for the directory app's database tests."""

from __future__ import annotations

from typing import Any

import pytest

from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.directory.models import Service
from bridgeway.directory.tests.factories import InactiveServiceFactory, ServiceFactory

BRADFORD, LEEDS, BIRMINGHAM = "E08000032", "E08000035", "E08000025"
WEST_YORKSHIRE = "E23000010"


@pytest.fixture
def directory(organisation: Any, other_organisation: Any) -> dict[str, Service]:
    """Services around Leeds and Bradford, one far away, one closed."""
    police = OrganisationFactory(name="West Yorkshire Police", independence="police_linked")
    return {
        "urdu": ServiceFactory(
            organisation=organisation,
            name="Bradford Urdu Hate Support",
            district_codes=[BRADFORD],
            accepts_out_of_area=True,
            language_codes=["urd", "eng"],
            harm_type_codes=["hate_incident", "hate_crime"],
            religion_codes=["muslim"],
            is_specialist=True,
        ),
        "panjabi": ServiceFactory(
            organisation=organisation,
            name="Leeds Panjabi Helpline",
            district_codes=[LEEDS],
            language_codes=["pan"],
            harm_type_codes=["hate_incident"],
            waiting_weeks=6,
        ),
        "police": ServiceFactory(
            organisation=police,
            name="Hate Crime Unit",
            pfa_codes=[WEST_YORKSHIRE],
            independence="police_linked",
            harm_type_codes=["hate_incident", "hate_crime"],
            language_codes=["pan", "urd"],
        ),
        "far": ServiceFactory(
            organisation=other_organisation,
            name="Birmingham Advice",
            district_codes=[BIRMINGHAM],
            harm_type_codes=["hate_incident"],
        ),
        "closed": InactiveServiceFactory(
            organisation=organisation,
            name="Closed Leeds Service",
            district_codes=[LEEDS],
            harm_type_codes=["hate_incident"],
            language_codes=["pan"],
        ),
    }

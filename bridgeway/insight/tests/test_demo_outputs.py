"""The demo's data through every insight page and file, with the counts protected (issue 14).

``bridgeway seed-demo`` makes referrals in six police force areas; every area's dashboard and
every report file must answer and say how the counts were protected, for every
characteristic, with the cell key perturbation on.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from bridgeway.accounts.models import Membership, Organisation
from bridgeway.accounts.tests.factories import MembershipFactory, OrganisationFactory
from bridgeway.conftest import sign_in
from bridgeway.demo.catalogue import DEMO_AREAS
from bridgeway.insight.services import snapshot_write

pytestmark = pytest.mark.django_db

NOTE = "Counts are protected by the cell key method"
REPORTS = ("funnel", "intersections", "providers", "data-quality", "coverage-gaps")


@pytest.fixture
def demo_reader(snapshot_dir):
    call_command(
        "seed_demo", "--referrals-per-area", "20", stdout=io.StringIO(), stderr=io.StringIO()
    )
    snapshot_write(out_dir=snapshot_dir)
    # An analyst for every demo area, added after the demo (which will not mix with others).
    office = OrganisationFactory(kind=Organisation.Kind.COMMISSIONER, area_codes=list(DEMO_AREAS))
    analyst = MembershipFactory(organisation=office, role=Membership.Role.ANALYST).user
    return sign_in(Client(), analyst)


def test_every_demo_area_answers_on_every_page_and_file(demo_reader):
    for area in DEMO_AREAS:
        query = {"area": area, "characteristic": "sex", "roll_up": "on"}
        page = demo_reader.get(reverse("insight:dashboard"), query)
        assert page.status_code == 200, area
        assert NOTE in page.content.decode()
        for report in REPORTS:
            response = demo_reader.get(reverse("insight:report-file", args=[report, "csv"]), query)
            assert response.status_code == 200, (area, report)
            assert NOTE in response.content.decode()
        contract = demo_reader.get(reverse("insight:needs-assessment-csv"), {"area": area})
        assert contract.status_code == 200, area
    # The spreadsheets are the same tables: one area is enough to show they are made.
    for report in REPORTS:
        response = demo_reader.get(
            reverse("insight:report-file", args=[report, "xlsx"]),
            {"area": DEMO_AREAS[0], "characteristic": "age_band"},
        )
        assert response.status_code == 200, report

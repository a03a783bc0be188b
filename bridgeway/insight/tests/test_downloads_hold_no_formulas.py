"""Every insight download keeps a hostile name as inert text (issue 11, item 2).

A provider or area named like a spreadsheet formula must come out of the CSV quoted as OWASP
advises and out of the XLSX as a string cell, never a formula, on the dashboard's downloads
and from ``bridgeway insight``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from bridgeway.accounts.models import Organisation
from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.insight.services import snapshot_write
from bridgeway.insight.tests.factories import LEEDS, ServiceFactory, referral_through
from bridgeway.places.models import PoliceForceArea
from bridgeway.spreadsheet_cells import FORMULA_STARTS, starts_like_formula

pytestmark = pytest.mark.django_db

AT = dt.datetime(2025, 5, 10, 9, 30, tzinfo=dt.UTC)
WEST_YORKSHIRE = "E23000010"
HOSTILE = '=HYPERLINK("http://x","y")'


@pytest.fixture
def hostile_provider(snapshot_dir):
    """A service of an organisation, both named as a formula, with people referred to it."""
    office = OrganisationFactory(name=HOSTILE, kind=Organisation.Kind.UNIVERSAL)
    service = ServiceFactory(organisation=office, name=HOSTILE, district_codes=[LEEDS])
    for _number in range(8):
        referral_through(service, ["offered", "accepted"], at=AT, ethnic_group="white_british")
    snapshot_write(out_dir=snapshot_dir)
    return service


@pytest.fixture
def hostile_area(hostile_provider):
    """West Yorkshire renamed as a formula, as a feed of areas could name it."""
    PoliceForceArea.objects.filter(code=WEST_YORKSHIRE).update(name=HOSTILE)


def _assert_csv_inert(text):
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    # A provider is named "organisation: service", so the cell starts with the hostile name.
    assert any(cell.startswith("'" + HOSTILE) for cell in cells)
    live = [cell for cell in cells if starts_like_formula(cell)]
    assert not live, live


def _assert_xlsx_inert(content):
    workbook = load_workbook(io.BytesIO(content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    hostile = [cell for cell in cells if str(cell.value).startswith(HOSTILE)]
    assert hostile, "the hostile name is in the workbook, as it was given"
    for cell in cells:
        assert cell.data_type != "f", f"{cell.coordinate} of {cell.parent.title} is a formula"
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            assert cell.data_type == "s"
            assert cell.quotePrefix


def test_providers_csv_download_quotes_a_formula_name(commissioner_client, hostile_provider):
    response = commissioner_client.get(
        reverse("insight:report-file", args=["providers", "csv"]), {"area": WEST_YORKSHIRE}
    )
    assert response.status_code == 200
    _assert_csv_inert(response.content.decode())


def test_providers_xlsx_download_holds_a_formula_name_as_text(
    commissioner_client, hostile_provider
):
    response = commissioner_client.get(
        reverse("insight:report-file", args=["providers", "xlsx"]), {"area": WEST_YORKSHIRE}
    )
    assert response.status_code == 200
    _assert_xlsx_inert(response.content)


def test_needs_assessment_csv_download_quotes_a_formula_area_name(
    commissioner_client, hostile_area
):
    response = commissioner_client.get(
        reverse("insight:needs-assessment-csv"), {"area": WEST_YORKSHIRE}
    )
    assert response.status_code == 200
    _assert_csv_inert(response.content.decode())


def test_needs_assessment_xlsx_download_holds_a_formula_area_name_as_text(
    commissioner_client, hostile_area
):
    response = commissioner_client.get(
        reverse("insight:needs-assessment-file", args=["xlsx"]), {"area": WEST_YORKSHIRE}
    )
    assert response.status_code == 200
    _assert_xlsx_inert(response.content)


@pytest.mark.parametrize(
    "report", ["needs-assessment", "providers", "funnel", "data-quality", "coverage-gaps"]
)
def test_the_insight_command_writes_formula_names_inert(hostile_area, snapshot_dir, report):
    out = io.StringIO()
    call_command(
        "insight", report, "--area", WEST_YORKSHIRE, "--snapshot", str(snapshot_dir),
        "--format", "csv", stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    cells = [cell for row in csv.reader(io.StringIO(out.getvalue())) for cell in row]
    assert not [cell for cell in cells if starts_like_formula(cell)]
    assert any(cell.startswith("'" + HOSTILE) for cell in cells)


def test_the_insight_command_writes_an_xlsx_without_formulas(hostile_area, snapshot_dir, tmp_path):
    target = tmp_path / "providers.xlsx"
    call_command(
        "insight", "providers", "--area", WEST_YORKSHIRE, "--snapshot", str(snapshot_dir),
        "--format", "xlsx", "--out", str(target), stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    _assert_xlsx_inert(target.read_bytes())

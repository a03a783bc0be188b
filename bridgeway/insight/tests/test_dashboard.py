"""The /insight/ page and its CSV: who may see which area, and what they see."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from bridgeway.accounts.models import Membership, Organisation
from bridgeway.accounts.tests.factories import MembershipFactory, OrganisationFactory
from bridgeway.conftest import WEST_MIDLANDS, WEST_YORKSHIRE, sign_in
from bridgeway.insight.needs_assessment import HEADER
from bridgeway.insight.services import snapshot_write
from bridgeway.insight.tests.factories import LEEDS, ServiceFactory, referral_through

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("raw_counts")]

AT = dt.datetime(2025, 5, 10, 9, 30, tzinfo=dt.UTC)
DASHBOARD = reverse("insight:dashboard")
CSV = reverse("insight:needs-assessment-csv")
XLSX = reverse("insight:needs-assessment-file", args=["xlsx"])
PDF = reverse("insight:needs-assessment-file", args=["pdf"])


@pytest.fixture
def snapshot(organisation, snapshot_dir):
    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    for _number in range(6):
        referral_through(service, ["offered", "accepted"], at=AT, ethnic_group="asian_indian")
    for _number in range(5):
        referral_through(service, ["offered"], at=AT, ethnic_group="white_british")
    referral_through(service, [], at=AT, ethnic_group="black_other")
    snapshot_write(out_dir=snapshot_dir)
    return snapshot_dir


def _commissioner_of(area_code, role=Membership.Role.COMMISSIONER):
    office = OrganisationFactory(kind=Organisation.Kind.COMMISSIONER, area_codes=[area_code])
    return MembershipFactory(organisation=office, role=role).user


@pytest.mark.parametrize("url", [DASHBOARD, CSV, XLSX, PDF])
def test_anonymous_visitor_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize("url", [DASHBOARD, CSV, XLSX, PDF])
def test_password_alone_is_sent_to_the_second_factor(client, commissioner, url):
    client.force_login(commissioner)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:verify"))


@pytest.mark.parametrize("url", [DASHBOARD, CSV, XLSX, PDF])
def test_practitioner_gets_403(practitioner_client, url):
    assert practitioner_client.get(url).status_code == 403


@pytest.mark.parametrize("url", [DASHBOARD, CSV, XLSX, PDF])
def test_outsider_practitioner_gets_403(outsider_client, url):
    assert outsider_client.get(url, {"area": WEST_YORKSHIRE}).status_code == 403


@pytest.mark.parametrize("url", [DASHBOARD, CSV, XLSX, PDF])
def test_commissioner_of_another_area_gets_404_for_this_area(snapshot, url):
    client = sign_in(Client(), _commissioner_of(WEST_MIDLANDS))
    assert client.get(url, {"area": WEST_YORKSHIRE}).status_code == 404
    assert client.get(url, {"area": "E99999999"}).status_code == 404


def test_commissioner_sees_their_own_area(commissioner_client, snapshot):
    response = commissioner_client.get(DASHBOARD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Needs assessment: West Yorkshire" in page
    assert "Indian" in page
    assert "[c]" in page  # 1 Other Black person, and the next smallest count, are hidden
    assert "Census 2021" in page
    assert "Every event in the snapshot" in page
    assert "events in this area from 10 May 2025 to 12 May 2025" in page
    assert f"{CSV}?area={WEST_YORKSHIRE}" in page
    assert "<svg" in page
    assert "style=" not in page  # the content security policy blocks inline styles
    assert (
        response["Cache-Control"].startswith("no-cache") or "no-store" in response["Cache-Control"]
    )


def test_analyst_sees_the_area_too(snapshot):
    client = sign_in(Client(), _commissioner_of(WEST_YORKSHIRE, Membership.Role.ANALYST))
    response = client.get(DASHBOARD, {"area": WEST_YORKSHIRE})
    assert response.status_code == 200
    assert "West Yorkshire" in response.content.decode()


def test_commissioner_with_two_areas_can_switch(snapshot):
    user = _commissioner_of(WEST_YORKSHIRE)
    user.memberships.get().organisation.areas.add(WEST_MIDLANDS)
    client = sign_in(Client(), user)
    page = client.get(DASHBOARD, {"area": WEST_MIDLANDS}).content.decode()
    assert "Needs assessment: West Midlands" in page


@pytest.mark.usefixtures("no_table_withheld")  # the arithmetic, not decision 0160
def test_csv_download_is_the_contract_table(commissioner_client, snapshot):
    response = commissioner_client.get(CSV, {"area": WEST_YORKSHIRE, "date_from": "2025-01-01"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "needs-assessment-E23000010-2025-01-01.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert tuple(rows[0]) == HEADER
    by_group = {row["ethnic_group"]: row for row in rows}
    assert by_group["asian_indian"]["accepted"] == "6"
    assert by_group["black_other"]["referred"] == "[c]"
    assert by_group["total"]["referred"] == "12"


def test_no_snapshot_says_how_to_make_one(commissioner_client, snapshot_dir):
    response = commissioner_client.get(DASHBOARD)
    assert response.status_code == 200
    assert "There is no snapshot yet" in response.content.decode()
    assert "bridgeway snapshot" in response.content.decode()
    assert commissioner_client.get(CSV).status_code == 404


def test_bad_dates_are_explained_not_500(commissioner_client, snapshot):
    response = commissioner_client.get(DASHBOARD, {"date_from": "2025-02-31"})
    assert response.status_code == 400
    assert "Enter the start date as a real date" in response.content.decode()
    response = commissioner_client.get(
        DASHBOARD, {"date_from": "2025-06-01", "date_to": "2025-01-01"}
    )
    assert response.status_code == 400
    assert "The end date must be the same as or after the start date" in response.content.decode()
    response = commissioner_client.get(CSV, {"date_to": "soon"})
    assert response.status_code == 400
    assert "Enter the end date" in response.content.decode()


def test_synthetic_snapshot_is_labelled_synthetic(commissioner_client, organisation, snapshot_dir):
    from bridgeway.casework.services import ContactDetails, PersonDetails, referral_create

    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    referral_create(
        service=service, details=PersonDetails(), contact=ContactDetails(), is_synthetic=True
    )
    snapshot_write(out_dir=snapshot_dir)
    page = commissioner_client.get(DASHBOARD).content.decode()
    assert "Synthetic" in page
    assert "made-up demonstration data" in page


def test_period_filter_narrows_the_table(commissioner_client, snapshot):
    page = commissioner_client.get(
        DASHBOARD, {"date_from": "2026-01-01", "date_to": "2026-12-31"}
    ).content.decode()
    assert "no events in this area and period" in page


@pytest.mark.usefixtures("no_table_withheld")  # the arithmetic, not decision 0160
def test_dashboard_shows_the_funnel_by_ethnic_group(commissioner_client, snapshot):
    page = commissioner_client.get(DASHBOARD).content.decode()
    assert "Where people drop out, by ethnic group" in page
    assert "Accepted support" in page
    # 6 Indian people referred, offered and accepted: 100% of those referred accepted.
    assert "100.0%" in page
    assert "Ethnic group and" not in page  # the intersection is for other characteristics


def test_dashboard_crosses_ethnic_group_with_the_chosen_characteristic(
    commissioner_client, snapshot
):
    response = commissioner_client.get(DASHBOARD, {"characteristic": "sex"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Where people drop out, by sex" in page
    assert "Ethnic group and sex together" in page
    assert "style=" not in page


def test_dashboard_rolls_up_only_when_asked(commissioner_client, snapshot):
    page = commissioner_client.get(DASHBOARD, {"roll_up": "on"}).content.decode()
    assert "Asian, Asian British or Asian Welsh" in page
    assert "bame" not in page.lower()
    detailed = commissioner_client.get(DASHBOARD).content.decode()
    funnel = detailed[detailed.index('id="funnel"') :]
    assert "Asian, Asian British or Asian Welsh" not in funnel


def test_unknown_characteristic_is_explained_not_500(commissioner_client, snapshot):
    response = commissioner_client.get(DASHBOARD, {"characteristic": "height"})
    assert response.status_code == 400
    assert "Choose a characteristic from the list." in response.content.decode()


def test_empty_period_shows_no_funnel(commissioner_client, snapshot):
    response = commissioner_client.get(DASHBOARD, {"date_from": "2030-01-01"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "no events in this area and period" in page
    assert 'id="funnel"' not in page


def test_empty_period_rolled_up_answers_with_no_one_in_it(commissioner_client, snapshot):
    # The five groups' own cells are empty too: a roll-up needs them (issue 14), not a sum.
    query = {"date_from": "2030-01-01", "roll_up": "on"}
    response = commissioner_client.get(DASHBOARD, query)
    assert response.status_code == 200
    assert "no events in this area and period" in response.content.decode()
    rows = list(csv.DictReader(io.StringIO(commissioner_client.get(CSV, query).content.decode())))
    assert rows[0]["ethnic_group"] == "asian"
    assert {row["referred"] for row in rows} == {"0"}


@pytest.mark.usefixtures("no_table_withheld")  # the arithmetic, not decision 0160
def test_xlsx_download_is_the_page_table_as_a_spreadsheet(commissioner_client, snapshot):
    page = commissioner_client.get(DASHBOARD).content.decode()
    assert f"{XLSX}?area={WEST_YORKSHIRE}" in page
    response = commissioner_client.get(XLSX, {"area": WEST_YORKSHIRE})
    assert response.status_code == 200
    assert "needs-assessment-E23000010.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Cover", "Notes", "Table_1"]
    rows = {r[2]: r for r in workbook["Table_1"].iter_rows(min_row=4, values_only=True)}
    assert rows["asian_indian"][HEADER.index("referred")] == 6


def test_pdf_download_reads_back(commissioner_client, snapshot):
    response = commissioner_client.get(PDF, {"area": WEST_YORKSHIRE})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "West Yorkshire" in text
    assert "Census 2021" in text


def test_unknown_file_format_is_404(commissioner_client, snapshot):
    url = reverse("insight:needs-assessment-file", args=["docx"])
    assert commissioner_client.get(url).status_code == 404

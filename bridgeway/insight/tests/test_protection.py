"""What the pages and files publish under the cell key method (issue 14, decisions 0072-0073).

No ``raw_counts`` here: these are the figures a reader gets. Every output says how its counts
were protected, the same people get the same figure in every output, and every share on the
page carries the interval the files carry, widened for the perturbation.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from bridgeway.conftest import WEST_YORKSHIRE
from bridgeway.disclosure.statistics import wilson_interval, wilson_interval_within
from bridgeway.insight import perturbation
from bridgeway.insight.needs_assessment import HEADER
from bridgeway.insight.services import snapshot_write
from bridgeway.insight.tests.factories import LEEDS, ServiceFactory, referral_through

pytestmark = pytest.mark.django_db

AT = dt.datetime(2025, 5, 10, 9, 30, tzinfo=dt.UTC)
DASHBOARD = reverse("insight:dashboard")
# The opening words of the note every output carries.
NOTE = "Counts are protected by the cell key method"
REPORTS = ("funnel", "intersections", "providers", "data-quality", "coverage-gaps")


@pytest.fixture
def snapshot(organisation, snapshot_dir):
    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    for _number in range(30):
        referral_through(service, ["offered", "accepted"], at=AT, ethnic_group="asian_indian")
    for _number in range(20):
        referral_through(service, ["offered"], at=AT, ethnic_group="white_british")
    for _number in range(3):
        referral_through(service, [], at=AT, ethnic_group="black_other")
    snapshot_write(out_dir=snapshot_dir)
    return snapshot_dir


def _csv_rows(text):
    return list(csv.reader(io.StringIO(text)))


def test_the_dashboard_says_how_counts_were_protected(commissioner_client, snapshot):
    page = commissioner_client.get(DASHBOARD, {"area": WEST_YORKSHIRE}).content.decode()
    assert 'id="protection-note"' in page
    assert NOTE in page
    assert f"moved by up to {perturbation.MAX_PERTURBATION} either way" in page
    assert "allow for the protection as well as for chance" in page


@pytest.mark.parametrize("report", REPORTS)
def test_every_report_file_carries_the_protection_note(commissioner_client, snapshot, report):
    query = {"area": WEST_YORKSHIRE, "characteristic": "sex"}
    text = commissioner_client.get(
        reverse("insight:report-file", args=[report, "csv"]), query
    ).content.decode()
    assert perturbation.protection_note(5) in text
    workbook = load_workbook(
        io.BytesIO(
            commissioner_client.get(
                reverse("insight:report-file", args=[report, "xlsx"]), query
            ).content
        )
    )
    notes = [row[1] for row in workbook["Notes"].iter_rows(min_row=4, values_only=True)]
    assert perturbation.protection_note(5) in notes
    cover = [row[0] for row in workbook["Cover"].iter_rows(values_only=True)]
    assert perturbation.protection_note(5) in cover


@pytest.mark.parametrize("file_format", ["xlsx", "html", "pdf"])
def test_the_needs_assessment_files_carry_the_protection_note(
    commissioner_client, snapshot, file_format
):
    response = commissioner_client.get(
        reverse("insight:needs-assessment-file", args=[file_format]), {"area": WEST_YORKSHIRE}
    )
    assert response.status_code == 200
    if file_format == "xlsx":
        workbook = load_workbook(io.BytesIO(response.content))
        text = " ".join(
            str(row[1]) for row in workbook["Notes"].iter_rows(min_row=4, values_only=True)
        )
    elif file_format == "pdf":
        text = " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
        text = " ".join(text.split())
    else:
        text = response.content.decode()
    assert NOTE in text


@pytest.mark.usefixtures("no_table_withheld")  # the same counts, not decision 0155
def test_the_same_people_get_the_same_count_in_every_output(commissioner_client, snapshot):
    """The CSV contract, the spreadsheet and the funnel file publish one figure for the 30
    Indian people referred, within the perturbation of the truth."""
    contract = _csv_rows(
        commissioner_client.get(
            reverse("insight:needs-assessment-csv"), {"area": WEST_YORKSHIRE}
        ).content.decode()
    )
    header, *rows = contract
    assert tuple(header) == HEADER
    by_group = {row[header.index("ethnic_group")]: row for row in rows}
    referred = int(by_group["asian_indian"][header.index("referred")])
    assert abs(referred - 30) <= perturbation.MAX_PERTURBATION
    workbook = load_workbook(
        io.BytesIO(
            commissioner_client.get(
                reverse("insight:needs-assessment-file", args=["xlsx"]), {"area": WEST_YORKSHIRE}
            ).content
        )
    )
    sheet = {r[2]: r for r in workbook["Table_1"].iter_rows(min_row=4, values_only=True)}
    assert sheet["asian_indian"][HEADER.index("referred")] == referred
    funnel = _csv_rows(
        commissioner_client.get(
            reverse("insight:report-file", args=["funnel", "csv"]), {"area": WEST_YORKSHIRE}
        ).content.decode()
    )
    start = next(n for n, row in enumerate(funnel) if "group" in row)
    names = funnel[start]
    for row in funnel[start + 1 :]:
        if len(row) == len(names) and row[names.index("group")] == "asian_indian":
            assert int(row[names.index("referred")]) == referred
            break
    else:
        pytest.fail("the funnel file has no row for asian_indian")


@pytest.mark.usefixtures("no_table_withheld")  # the intervals, not decision 0155
def test_the_funnel_on_the_page_shows_each_share_with_the_files_interval(
    commissioner_client, snapshot
):
    funnel = _csv_rows(
        commissioner_client.get(
            reverse("insight:report-file", args=["funnel", "csv"]), {"area": WEST_YORKSHIRE}
        ).content.decode()
    )
    start = next(n for n, row in enumerate(funnel) if "group" in row)
    names = funnel[start]
    row = next(
        row
        for row in funnel[start + 1 :]
        if len(row) == len(names) and row[names.index("group")] == "asian_indian"
    )
    low = float(row[names.index("accepted_low")])
    high = float(row[names.index("accepted_high")])
    referred = int(row[names.index("referred")])
    accepted = int(row[names.index("accepted")])
    # The file's interval is the widened one, wider than Wilson's at the published counts.
    widened = wilson_interval_within(accepted, referred, perturbation.MAX_PERTURBATION)
    assert low == pytest.approx(widened.low, abs=1e-4)
    assert high == pytest.approx(widened.high, abs=1e-4)
    plain = wilson_interval(min(accepted, referred), referred)
    assert low < plain.low
    page = commissioner_client.get(DASHBOARD, {"area": WEST_YORKSHIRE}).content.decode()
    section = page[page.index('id="funnel"') :]
    assert f"{low * 100:.1f}% to {high * 100:.1f}%" in section

"""The /insight/ page's providers, data quality and coverage gaps, and the files behind them."""

# ruff: noqa: F811 (the providers fixture is imported from test_scrutiny and used by name)

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from bridgeway.accounts.models import Membership, Organisation
from bridgeway.accounts.tests.factories import MembershipFactory, OrganisationFactory
from bridgeway.conftest import WEST_MIDLANDS, WEST_YORKSHIRE, sign_in
from bridgeway.insight import breakdown
from bridgeway.insight.scrutiny import GAPS_HEADER, PROVIDER_HEADER, QUALITY_HEADER
from bridgeway.insight.services import snapshot_write
from bridgeway.insight.snapshot import Pseudonymiser
from bridgeway.insight.tests.factories import LEEDS, ServiceFactory, referral_through
from bridgeway.insight.tests.test_scrutiny import providers  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("raw_counts")]

AT = dt.datetime(2025, 5, 10, 9, 30, tzinfo=dt.UTC)
DASHBOARD = reverse("insight:dashboard")
REPORTS = ("funnel", "intersections", "providers", "data-quality", "coverage-gaps")


def _url(report, file_format="csv"):
    return reverse("insight:report-file", args=[report, file_format])


@pytest.fixture
def with_two_indian(providers, snapshot_dir):
    """The providers fixture, plus 2 Indian people at the universal service: a small count."""
    universal, specialist = providers
    for _number in range(2):
        referral_through(universal, ["offered"], at=AT, ethnic_group="asian_indian")
    snapshot_write(out_dir=snapshot_dir)
    return universal, specialist


def _page(client, **query):
    response = client.get(DASHBOARD, {"area": WEST_YORKSHIRE, **query})
    return response, response.content.decode()


def _text(page):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _provider_cells(page, name):
    """The provider table's cells for ``name``: kind, people, people in the group."""
    section = page[page.index('id="providers"') : page.index('id="data-quality"')]
    match = re.search(
        r'<th scope="row" class="govuk-table__header">'
        + re.escape(html.escape(name))
        + r"</th>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>",
        section,
    )
    assert match, f"{name} is not in the providers table"
    return match.groups()


def _csv_download(client, report, **query):
    response = client.get(_url(report), {"area": WEST_YORKSHIRE, **query})
    assert response.status_code == 200, response.content
    lines = response.content.decode().split("\n")
    blank = lines.index("")
    notes = [row[0] for row in csv.reader(lines[:blank])]
    # After the notes: the table's title, then the table under its header.
    table = list(csv.DictReader(io.StringIO("\n".join(lines[blank + 2 :]))))
    title = next(csv.reader([lines[blank + 1]]))[0]
    return response, notes, title, table


@pytest.mark.usefixtures("no_table_withheld")  # the arithmetic, not decision 0157
def test_universal_and_specialist_providers_are_side_by_side_for_the_chosen_group(
    commissioner_client, providers
):
    response, page = _page(commissioner_client, group="asian_pakistani")
    assert response.status_code == 200
    text = _text(page)
    assert "Who each provider reaches" in text
    assert "who are Pakistani" in text
    universal = "Victim Care West Yorkshire: Victim Care"
    assert text.index(universal) < text.index("Pakistani Women's Support")
    assert _provider_cells(page, universal) == ("Universal", "14", "6")
    specialist_name = next(
        name for name in re.findall(r">([^<>]*Pakistani Women&#x27;s Support)</th>", page)
    )
    assert _provider_cells(page, html.unescape(specialist_name)) == ("Specialist", "7", "7")
    assert "style=" not in page


def test_provider_cells_are_hidden_exactly_as_in_the_providers_csv(
    commissioner_client, with_two_indian
):
    _response, _notes, _title, rows = _csv_download(commissioner_client, "providers")
    universal = "Victim Care West Yorkshire: Victim Care"
    for group in ("asian_indian", "asian_pakistani", "white_british"):
        _response, page = _page(commissioner_client, group=group)
        published = next(
            row
            for row in rows
            if row["provider_name"] == universal and row["ethnic_group"] == group
        )
        assert _provider_cells(page, universal)[2] == published["referred"]
    # 2 Indian people are hidden, and so is the next smallest count (6 Pakistani people),
    # so the 2 cannot be worked out from the 16 referred.
    _response, page = _page(commissioner_client, group="asian_indian")
    assert _provider_cells(page, universal) == ("Universal", "16", "[c]")
    _response, page = _page(commissioner_client, group="asian_pakistani")
    assert _provider_cells(page, universal) == ("Universal", "16", "[c]")


def test_one_provider_is_shown_in_detail_when_chosen(commissioner_client, providers):
    _universal, specialist = providers
    key = Pseudonymiser(settings.PSEUDONYM_KEY).key("service", specialist.id)
    response, page = _page(commissioner_client, provider=key)
    assert response.status_code == 200
    text = _text(page)
    assert "Pakistani Women's Support (Specialist): people referred and taking support up" in text
    detail = page[page.index('id="provider-detail"') : page.index('id="data-quality"')]
    assert "Pakistani" in detail
    assert "100.0%" in _text(detail)  # all 7 offered support accepted it


def test_data_quality_shows_each_providers_missing_answers(commissioner_client, providers):
    _response, page = _page(commissioner_client, characteristic="religion")
    quality = _text(page[page.index('id="data-quality"') : page.index('id="coverage-gaps"')])
    assert "How well each provider records religion" in quality
    # The universal service: 14 people, 12 with a religion recorded, 2 not asked, hidden
    # (and with them the next smallest count).
    assert "Victim Care West Yorkshire: Victim Care Universal 14 [c] ([c]) [c] [c]" in quality


@pytest.mark.usefixtures("no_table_withheld")  # the arithmetic, not decision 0157
def test_coverage_gaps_show_which_communities_have_no_specialist(commissioner_client, providers):
    _response, page = _page(commissioner_client)
    gaps = _text(page[page.index('id="coverage-gaps"') :])
    assert "Communities with no specialist service" in gaps
    assert re.search(r"Pakistani [\d.]+% [\d]+ 1 Covered 7 None", gaps)
    assert re.search(r"Indian [\d.]+% [\d]+ 0 No specialist service 0 None", gaps)
    assert "White and Black Caribbean" in gaps


@pytest.mark.parametrize(
    ("report", "header"),
    [
        ("funnel", breakdown.funnel_header()),
        ("intersections", breakdown.intersections_header()),
        ("providers", PROVIDER_HEADER),
        ("data-quality", QUALITY_HEADER),
        ("coverage-gaps", GAPS_HEADER),
    ],
)
def test_each_csv_download_carries_period_sources_and_suppression_then_the_table(
    commissioner_client, providers, report, header
):
    _response, page = _page(commissioner_client, characteristic="sex", date_from="2025-01-01")
    assert html.escape(_url(report)) + "?area=E23000010&amp;date_from=2025-01-01" in page
    response, notes, title, rows = _csv_download(
        commissioner_client, report, characteristic="sex", date_from="2025-01-01"
    )
    assert f"{report}-E23000010-2025-01-01.csv" in response["Content-Disposition"]
    assert "From 2025-01-01 to the latest event" in notes
    assert any("Census 2021" in note for note in notes)
    assert any("shown as [c]" in note for note in notes)
    assert not any("synthetic" in note for note in notes)
    assert title.endswith("West Yorkshire (E23000010)")
    assert tuple(rows[0]) == header


@pytest.mark.usefixtures("no_table_withheld")  # the same cells, not decision 0155
def test_csv_download_holds_the_same_cells_as_the_command(commissioner_client, with_two_indian):
    _response, _notes, _title, rows = _csv_download(commissioner_client, "funnel")
    indian = next(row for row in rows if row["group"] == "asian_indian")
    assert (indian["referred"], indian["offered"]) == ("[c]", "[c]")
    pakistani = next(row for row in rows if row["group"] == "asian_pakistani")
    assert pakistani["referred"] == "13"


@pytest.mark.parametrize("report", REPORTS)
def test_each_xlsx_download_has_a_cover_notes_and_the_table(commissioner_client, providers, report):
    response = commissioner_client.get(
        _url(report, "xlsx"), {"area": WEST_YORKSHIRE, "characteristic": "sex"}
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:2] == ["Cover", "Notes"]
    assert len(workbook.sheetnames) == 3
    cover = " ".join(
        str(value) for row in workbook["Cover"].iter_rows(values_only=True) for value in row
    )
    notes = " ".join(
        str(value) for row in workbook["Notes"].iter_rows(values_only=True) for value in row
    )
    assert "West Yorkshire" in cover + notes
    assert "Census 2021" in cover + notes
    assert "[c]" in cover + notes
    assert workbook["Table_1"]["A1"].value.endswith("West Yorkshire (E23000010)")


def test_downloads_from_synthetic_data_say_so(commissioner_client, organisation, snapshot_dir):
    from bridgeway.casework.services import ContactDetails, PersonDetails, referral_create

    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    referral_create(
        service=service, details=PersonDetails(), contact=ContactDetails(), is_synthetic=True
    )
    snapshot_write(out_dir=snapshot_dir)
    _response, notes, _title, _rows = _csv_download(commissioner_client, "providers")
    assert any("synthetic (made-up) demonstration data" in note for note in notes)
    response = commissioner_client.get(_url("coverage-gaps", "xlsx"), {"area": WEST_YORKSHIRE})
    workbook = load_workbook(io.BytesIO(response.content))
    everything = " ".join(
        str(value)
        for sheet in ("Cover", "Notes")
        for row in workbook[sheet].iter_rows(values_only=True)
        for value in row
    )
    assert "synthetic" in everything


def _commissioner_of(area_code, role=Membership.Role.COMMISSIONER):
    office = OrganisationFactory(kind=Organisation.Kind.COMMISSIONER, area_codes=[area_code])
    return MembershipFactory(organisation=office, role=role).user


@pytest.mark.parametrize("report", REPORTS)
def test_downloads_need_sign_in_and_an_insight_role_and_the_area(
    client, practitioner_client, outsider_client, providers, report
):
    url = _url(report)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))
    assert practitioner_client.get(url, {"area": WEST_YORKSHIRE}).status_code == 403
    assert outsider_client.get(url, {"area": WEST_YORKSHIRE}).status_code == 403
    elsewhere = sign_in(Client(), _commissioner_of(WEST_MIDLANDS))
    assert elsewhere.get(url, {"area": WEST_YORKSHIRE}).status_code == 404
    assert elsewhere.get(url, {"area": "E99999999"}).status_code == 404
    analyst = sign_in(Client(), _commissioner_of(WEST_YORKSHIRE, Membership.Role.ANALYST))
    assert analyst.get(url, {"area": WEST_YORKSHIRE, "characteristic": "sex"}).status_code == 200


def test_another_areas_commissioner_sees_none_of_these_providers(providers):
    client = sign_in(Client(), _commissioner_of(WEST_MIDLANDS))
    page = client.get(DASHBOARD).content.decode()
    assert "West Midlands" in page
    assert "Victim Care" not in page
    assert "Pakistani Women" not in page


def test_unknown_report_or_format_is_404(commissioner_client, providers):
    assert commissioner_client.get(_url("everything")).status_code == 404
    assert commissioner_client.get(_url("funnel", "docx")).status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"group": "bame"}, "Compare providers for: Choose an ethnic group from the list."),
        ({"provider": "victim-care"}, "Provider: Choose a provider from the list."),
        ({"provider": "a" * 64}, "Provider: choose a provider from the list"),
        ({"date_from": "2025-13-01"}, "From: Enter the start date as a real date"),
        ({"characteristic": "height"}, "Characteristic: Choose a characteristic from the list."),
    ],
)
def test_bad_filter_values_on_the_page_name_the_filter(
    commissioner_client, providers, query, message
):
    response, page = _page(commissioner_client, **query)
    assert response.status_code == 400
    assert message in _text(page)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_to": "soon"}, "To: Enter the end date as a real date"),
        ({"characteristic": "height"}, "Characteristic: Choose a characteristic from the list."),
        ({"date_from": "2025-06-01", "date_to": "2025-01-01"}, "To: The end date must be"),
    ],
)
@pytest.mark.parametrize("report", ["funnel", "coverage-gaps"])
def test_bad_filter_values_on_a_download_name_the_filter(
    commissioner_client, providers, report, query, message
):
    response = commissioner_client.get(_url(report), {"area": WEST_YORKSHIRE, **query})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_intersections_of_ethnic_group_with_itself_are_explained(commissioner_client, providers):
    response = commissioner_client.get(_url("intersections"), {"area": WEST_YORKSHIRE})
    assert response.status_code == 400
    assert "Characteristic: choose one other than ethnic group" in response.content.decode()


def test_a_download_for_an_empty_period_says_so(commissioner_client, providers):
    response = commissioner_client.get(
        _url("providers"), {"area": WEST_YORKSHIRE, "date_from": "2030-01-01"}
    )
    assert response.status_code == 404
    assert "No one had an event in this area and period" in response.content.decode()
    _response, page = _page(commissioner_client, date_from="2030-01-01")
    assert "No provider had anyone referred in this area and period." in _text(page)


def test_an_area_without_census_figures_still_shows_its_providers(commissioner_client, providers):
    from bridgeway.places.models import CensusPopulation

    CensusPopulation.objects.filter(district__police_force_area_id=WEST_YORKSHIRE).delete()
    response, page = _page(commissioner_client)
    assert response.status_code == 200
    text = _text(page)
    assert "Who each provider reaches" in text
    assert "There is no census population for this area" in text
    assert _provider_cells(page, "Victim Care West Yorkshire: Victim Care")[:2] == (
        "Universal",
        "14",
    )


def test_coverage_gaps_list_only_communities_above_the_chosen_share(commissioner_client, providers):
    _response, page = _page(commissioner_client, min_share="5")
    gaps = _text(page[page.index('id="coverage-gaps"') :])
    assert "at least 5% of the area's residents" in gaps
    assert "Pakistani" in gaps
    assert "Indian" not in gaps  # 2.6% of West Yorkshire's residents
    assert html.escape(_url("coverage-gaps")) + "?area=E23000010&amp;" in page
    assert "min_share=5" in page
    _response, _notes, _title, rows = _csv_download(
        commissioner_client, "coverage-gaps", min_share="5"
    )
    assert [row["ethnic_group"] for row in rows] == ["asian_pakistani"]
    _response, _notes, _title, rows = _csv_download(commissioner_client, "coverage-gaps")
    assert "asian_indian" in [row["ethnic_group"] for row in rows]


@pytest.mark.parametrize("value", ["lots", "0", "75", "1.25"])
def test_a_bad_smallest_community_share_names_the_filter(commissioner_client, providers, value):
    response, page = _page(commissioner_client, min_share=value)
    assert response.status_code == 400
    assert "Smallest community to list (% of residents): Enter a percentage" in _text(page)
    response = commissioner_client.get(
        _url("coverage-gaps"), {"area": WEST_YORKSHIRE, "min_share": value}
    )
    assert response.status_code == 400
    assert "Smallest community to list (% of residents): Enter a percentage" in (
        response.content.decode()
    )


def test_the_page_counts_the_providers_once_for_both_tables(
    commissioner_client, providers, monkeypatch
):
    # Provider scrutiny and data quality are built from the same counts (decision 0069):
    # counting twice read the snapshot twice and kept the page over 500 ms on the demo.
    from bridgeway.insight import scrutiny

    calls = []
    count_providers = scrutiny.count_providers

    def counted(*args, **kwargs):
        calls.append(kwargs["area_code"])
        return count_providers(*args, **kwargs)

    monkeypatch.setattr(scrutiny, "count_providers", counted)
    response = commissioner_client.get(DASHBOARD)
    assert calls == [WEST_YORKSHIRE]
    # Both tables are still there, each with the providers in it.
    assert response.context["providers"]
    assert response.context["quality_rows"]


@pytest.mark.usefixtures("no_table_withheld")  # the arithmetic, not decision 0157
def test_provider_and_data_quality_shares_show_their_interval_as_the_files_do(
    commissioner_client, providers
):
    """Issue 14: the page shows each provider's referred share and each data-quality share
    with the interval the files carry (Wilson; no perturbation to allow for here)."""
    from statsmodels.stats.proportion import proportion_confint

    def interval(count, trials):
        low, high = proportion_confint(count, trials, alpha=0.05, method="wilson")
        return f"{round(low, 4) * 100:.1f}% to {round(high, 4) * 100:.1f}%"

    _response, page = _page(commissioner_client, group="asian_pakistani", characteristic="religion")
    section = _text(page[page.index('id="providers"') : page.index('id="data-quality"')])
    assert f"42.9% {interval(6, 14)}" in _text(section)  # 6 of the universal service's 14
    quality = _text(page[page.index('id="data-quality"') : page.index('id="coverage-gaps"')])
    # The specialist service: 7 people, all with a religion recorded, none missing.
    assert f"7 (100.0%) {interval(7, 7)} 0 0.0% {interval(0, 7)}" in quality

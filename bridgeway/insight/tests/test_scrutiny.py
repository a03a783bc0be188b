"""Provider scrutiny, data quality and coverage gaps, end to end through the snapshot."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bridgeway.accounts.models import Organisation
from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.equality.models import Term
from bridgeway.insight.scrutiny import PROVIDER_HEADER, QUALITY_HEADER
from bridgeway.insight.services import snapshot_write
from bridgeway.insight.tests.factories import LEEDS, ServiceFactory, referral_through
from bridgeway.places.models import CensusPopulation, DistrictNeighbour, LocalAuthorityDistrict

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("raw_counts")]

AT = dt.datetime(2025, 5, 10, 9, 30, tzinfo=dt.UTC)
WEST_YORKSHIRE = "E23000010"


def _run(*arguments):
    out, err = io.StringIO(), io.StringIO()
    call_command("insight", *arguments, stdout=out, stderr=err)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def _serving(service, *codes):
    service.ethnic_groups.set(Term.objects.filter(vocabulary="ethnic_groups", code__in=codes))


@pytest.fixture
def providers(organisation, snapshot_dir):
    """A universal service with 8 White British and 6 Pakistani people (2 not asked their
    religion), a specialist Pakistani service with 7 Pakistani people."""
    universal_office = OrganisationFactory(
        name="Victim Care West Yorkshire", kind=Organisation.Kind.UNIVERSAL
    )
    universal = ServiceFactory(
        organisation=universal_office, name="Victim Care", district_codes=[LEEDS]
    )
    specialist = ServiceFactory(
        organisation=organisation,
        name="Pakistani Women's Support",
        district_codes=[LEEDS],
        is_specialist=True,
    )
    _serving(specialist, "asian_pakistani")
    for _number in range(8):
        referral_through(
            universal,
            ["offered", "accepted"],
            at=AT,
            ethnic_group="white_british",
            religion="christian",
        )
    for _number in range(4):
        referral_through(
            universal, ["offered"], at=AT, ethnic_group="asian_pakistani", religion="muslim"
        )
    for _number in range(2):
        referral_through(universal, ["offered"], at=AT, ethnic_group="asian_pakistani")
    for _number in range(7):
        referral_through(
            specialist,
            ["offered", "accepted"],
            at=AT,
            ethnic_group="asian_pakistani",
            religion="muslim",
        )
    snapshot_write(out_dir=snapshot_dir)
    return universal, specialist


@pytest.mark.usefixtures("no_table_withheld")  # the arithmetic, not decision 0157
def test_providers_show_each_service_beside_the_area_population(providers, snapshot_dir):
    rows = _run("providers", "--area", WEST_YORKSHIRE, "--snapshot", str(snapshot_dir))
    assert tuple(rows[0]) == PROVIDER_HEADER
    names = list(dict.fromkeys(row["provider_name"] for row in rows))
    # Universal first, then specialist: side by side.
    assert names == [
        "Victim Care West Yorkshire: Victim Care",
        "Leeds Community Support: Pakistani Women's Support",
    ]
    universal = {r["ethnic_group"]: r for r in rows if r["service_specialist"] == "false"}
    specialist = {r["ethnic_group"]: r for r in rows if r["service_specialist"] == "true"}
    assert universal["white_british"]["organisation_kind"] == "universal"
    assert universal["white_british"]["referred"] == "8"
    assert universal["asian_pakistani"]["referred"] == "6"
    assert universal["asian_pakistani"]["referred_share"] == f"{6 / 14:.4f}"
    assert specialist["asian_pakistani"]["referred"] == "7"
    assert specialist["asian_pakistani"]["take_up_rate"] == "1.0000"
    census = sum(
        CensusPopulation.objects.filter(
            district__police_force_area_id=WEST_YORKSHIRE, ethnic_group="asian_pakistani"
        ).values_list("count", flat=True)
    )
    assert specialist["asian_pakistani"]["population"] == str(census)
    assert "person" not in " ".join(rows[0])  # no person keys leave the snapshot here


@pytest.mark.usefixtures("no_table_withheld")  # the arithmetic, not decision 0157
def test_data_quality_counts_recorded_and_missing_answers_per_provider(providers, snapshot_dir):
    rows = _run("data-quality", "--area", WEST_YORKSHIRE, "--snapshot", str(snapshot_dir))
    assert tuple(rows[0]) == QUALITY_HEADER
    religion = {row["provider_name"]: row for row in rows if row["characteristic"] == "religion"}
    universal = religion["Victim Care West Yorkshire: Victim Care"]
    assert universal["people"] == "14"
    # 2 not asked is hidden, and so is the recorded 12 that would give it away.
    assert universal["not_asked"] == "[c]"
    assert universal["recorded"] == "[c]"
    assert universal["prefer_not_to_say"] == "0"
    specialist = religion["Leeds Community Support: Pakistani Women's Support"]
    assert (specialist["people"], specialist["recorded"], specialist["recorded_share"]) == (
        "7",
        "7",
        "1.0000",
    )
    ethnicity = [row for row in rows if row["characteristic"] == "ethnic_group"]
    assert {row["recorded_share"] for row in ethnicity} == {"1.0000"}


@pytest.mark.usefixtures("no_table_withheld")  # the arithmetic, not decision 0157
def test_coverage_gaps_list_sizeable_groups_without_a_specialist(providers, snapshot_dir):
    rows = _run("coverage-gaps", "--area", WEST_YORKSHIRE, "--snapshot", str(snapshot_dir))
    by_group = {row["ethnic_group"]: row for row in rows}
    assert "white_british" not in by_group
    pakistani = by_group["asian_pakistani"]
    assert (pakistani["specialist_services"], pakistani["gap"]) == ("1", "false")
    assert pakistani["referred_to_specialist"] == "7"
    gaps = [row for row in rows if row["gap"] == "true"]
    assert gaps, "West Yorkshire has sizeable groups with no specialist service in this test"
    assert all(float(row["population_share"]) >= 0.01 for row in rows)
    assert all(row["specialist_services"] == "0" for row in gaps)


def test_coverage_gaps_name_nearby_services_that_take_people_from_outside(providers, snapshot_dir):
    west_yorkshire = LocalAuthorityDistrict.objects.filter(police_force_area_id=WEST_YORKSHIRE)
    link = (
        DistrictNeighbour.objects.filter(district__in=west_yorkshire)
        .exclude(neighbour__in=west_yorkshire)
        .first()
    )
    assert link is not None
    nearby = ServiceFactory(
        name="Roots Indian Community Support",
        district_codes=[link.neighbour_id],
        is_specialist=True,
        accepts_out_of_area=True,
    )
    _serving(nearby, "asian_indian")
    closed_door = ServiceFactory(
        name="Local Only", district_codes=[link.neighbour_id], is_specialist=True
    )
    _serving(closed_door, "asian_indian")
    rows = _run("coverage-gaps", "--area", WEST_YORKSHIRE, "--snapshot", str(snapshot_dir))
    indian = next(row for row in rows if row["ethnic_group"] == "asian_indian")
    assert indian["gap"] == "true"
    assert indian["nearby_services"] == "Roots Indian Community Support"


def test_min_share_must_be_a_share(providers, snapshot_dir):
    with pytest.raises(CommandError, match="not a share between 0 and 1"):
        _run(
            "coverage-gaps", "--area", WEST_YORKSHIRE, "--min-share", "5",
            "--snapshot", str(snapshot_dir),
        )  # fmt: skip


def test_providers_with_an_empty_period_is_a_clear_error(providers, snapshot_dir):
    with pytest.raises(CommandError, match="no one had an event in West Yorkshire"):
        _run(
            "providers", "--area", WEST_YORKSHIRE, "--from", "2030-01-01",
            "--snapshot", str(snapshot_dir),
        )  # fmt: skip


def _wilson(count, trials):
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(count, trials, alpha=0.05, method="wilson")
    return f"{low:.4f}", f"{high:.4f}"


@pytest.mark.usefixtures("no_table_withheld")  # the arithmetic, not decision 0157
def test_provider_and_data_quality_shares_carry_their_wilson_interval_in_every_format(
    providers, snapshot_dir, tmp_path
):
    """Issue 14: the provider table's referred share and each data-quality share carry the
    Wilson interval the other shares carry (here with no perturbation to allow for, so
    exactly statsmodels'), in the CSV, the spreadsheet and the HTML report (the PDF is drawn
    from the same HTML)."""
    from openpyxl import load_workbook

    providers_rows = _run("providers", "--area", WEST_YORKSHIRE, "--snapshot", str(snapshot_dir))
    universal = next(
        row
        for row in providers_rows
        if row["provider_name"] == "Victim Care West Yorkshire: Victim Care"
        and row["ethnic_group"] == "asian_pakistani"
    )
    assert universal["referred_share"] == "0.4286"  # 6 of 14
    assert (universal["referred_share_low"], universal["referred_share_high"]) == _wilson(6, 14)

    rows = _run("data-quality", "--area", WEST_YORKSHIRE, "--snapshot", str(snapshot_dir))
    specialist = next(
        row
        for row in rows
        if row["characteristic"] == "religion"
        and row["provider_name"] == "Leeds Community Support: Pakistani Women's Support"
    )
    expected = ("1.0000", *_wilson(7, 7))
    assert (
        specialist["recorded_share"],
        specialist["recorded_share_low"],
        specialist["recorded_share_high"],
    ) == expected
    assert (specialist["not_asked_share_low"], specialist["not_asked_share_high"]) == _wilson(0, 7)
    # The universal service's hidden not-asked count hides its share and interval too.
    hidden = next(
        row
        for row in rows
        if row["characteristic"] == "religion" and row["provider_name"].startswith("Victim Care")
    )
    assert {hidden[f"not_asked{suffix}"] for suffix in ("", "_share", "_share_low")} == {"[c]"}

    workbook_path = tmp_path / "quality.xlsx"
    call_command(
        "insight", "data-quality", "--area", WEST_YORKSHIRE, "--snapshot", str(snapshot_dir),
        "--format", "xlsx", "--out", str(workbook_path), stderr=io.StringIO(),
    )  # fmt: skip
    sheet = load_workbook(workbook_path)["Table_1"]
    cells = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    header_at = next(n for n, row in enumerate(cells) if row and row[0] == "area_code")
    header = list(cells[header_at])
    assert "recorded_share_low" in header
    sheet_row = next(
        dict(zip(header, row, strict=False))
        for row in cells[header_at + 1 :]
        if row[header.index("characteristic")] == "religion"
        and row[header.index("provider_name")] == specialist["provider_name"]
    )
    assert f"{sheet_row['recorded_share_low']:.4f}" == expected[1]

    html_out = io.StringIO()
    call_command(
        "insight", "data-quality", "--area", WEST_YORKSHIRE, "--snapshot", str(snapshot_dir),
        "--format", "html", stdout=html_out, stderr=io.StringIO(),
    )  # fmt: skip
    page = html_out.getvalue()
    assert "recorded_share_low" in page
    assert expected[1] in page

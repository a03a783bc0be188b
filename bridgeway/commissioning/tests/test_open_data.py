"""The 360Giving export: valid against the official package schema, awards only."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.commissioning.models import FundingRound
from bridgeway.commissioning.open_data import (
    grants,
    package,
    package_errors,
    package_errors_whole,
)
from bridgeway.commissioning.services import application_decide
from bridgeway.commissioning.tests.factories import ApplicationFactory, FundingRoundFactory
from bridgeway.conftest import WEST_YORKSHIRE


@pytest.fixture
def decided_round(commissioner_office, commissioner):
    funding_round = FundingRoundFactory(
        commissioner=commissioner_office, title="Hate crime grants", area_codes=[WEST_YORKSHIRE]
    )
    charity = ApplicationFactory(
        funding_round=funding_round,
        applicant=OrganisationFactory(name="Roshni Leeds"),
        charity_number="1123456",
        amount_requested=Decimal("30000"),
    )
    company = ApplicationFactory(
        funding_round=funding_round,
        applicant=OrganisationFactory(name="Polish Community Link CIC"),
        company_number="09876543",
    )
    declined = ApplicationFactory(funding_round=funding_round, applicant=OrganisationFactory())
    application_decide(
        application=charity,
        actor=commissioner,
        outcome="awarded",
        feedback="",
        amount_awarded="25000",
    )
    decision = application_decide(
        application=company, actor=commissioner, outcome="awarded", feedback=""
    )
    decision.planned_start = dt.date(2026, 4, 1)
    decision.planned_end = dt.date(2027, 3, 31)
    decision.save()
    application_decide(
        application=declined, actor=commissioner, outcome="declined", feedback="Show the costs."
    )
    return funding_round


def test_export_validates_against_the_official_schema(decided_round):
    document = package(
        grants(FundingRound.objects.filter(pk=decided_round.pk), prefix="360G-test"),
        publisher="West Yorkshire office",
    )
    assert package_errors(document) == []
    assert package_errors_whole(document) == []
    by_name = {g["recipientOrganization"][0]["name"]: g for g in document["grants"]}
    assert set(by_name) == {"Roshni Leeds", "Polish Community Link CIC"}
    charity = by_name["Roshni Leeds"]
    assert charity["id"].startswith("360G-test-")
    assert charity["recipientOrganization"][0]["id"] == "GB-CHC-1123456"
    assert charity["amountAwarded"] == 25000.0
    assert charity["amountAppliedFor"] == 30000.0
    assert charity["fromOpenCall"] == "Yes"
    assert charity["fundingOrganization"][0]["name"] == decided_round.commissioner.name
    assert charity["grantProgramme"][0]["title"] == "Hate crime grants"
    assert charity["beneficiaryLocation"] == [
        {
            "name": "West Yorkshire",
            "geoCode": WEST_YORKSHIRE,
            "countryCode": "GB",
            "geoCodeType": "PFA",
        }
    ]
    company = by_name["Polish Community Link CIC"]
    assert company["recipientOrganization"][0]["id"] == "GB-COH-09876543"
    assert company["plannedDates"] == [{"startDate": "2026-04-01", "endDate": "2027-03-31"}]


def test_the_schema_check_can_fail(decided_round):
    document = package(grants(FundingRound.objects.all(), prefix="360G-test"), publisher="X")
    document["grants"][0]["amountAwarded"] = "lots"
    del document["grants"][1]["fundingOrganization"]
    document["grants"].append(document["grants"][0])
    document["version"] = "one"
    errors = package_errors(document)
    assert any(e.startswith("grants/0/amountAwarded") for e in errors)
    assert any(e.startswith("grants/1") for e in errors)
    assert "grants/2: the same grant as grants/0" in errors
    assert any(e.startswith("version") for e in errors)
    whole = package_errors_whole(document)
    assert any(e.startswith("grants/0/amountAwarded") for e in whole)
    assert any(e.startswith("grants/1") for e in whole)
    assert any("non-unique" in e for e in whole)
    assert any(e.startswith("version") for e in whole)


def test_command_writes_a_valid_json_package(decided_round, tmp_path):
    out = tmp_path / "grants.json"
    call_command("export_360giving", "--round", str(decided_round.pk), "--out", str(out))
    document = json.loads(out.read_text())
    assert len(document["grants"]) == 2
    assert package_errors_whole(document) == []
    assert [p.name for p in tmp_path.iterdir()] == ["grants.json"]


def test_command_writes_360giving_spreadsheet(decided_round, tmp_path):
    out = tmp_path / "grants.xlsx"
    call_command("export_360giving", "--all", "--out", str(out))
    book = load_workbook(out, read_only=True)
    sheet = book["grants"]
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert "Identifier" in header
    assert "Amount Awarded" in header
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--round", "not-an-id"], "--round"),
        (["--round", "3f1f6a1e-1111-4111-8111-111111111111"], "no funding round"),
        (["--all", "--prefix", "GB-X"], "--prefix"),
        (["--all", "--format-typo"], None),
    ],
)
def test_command_refuses_bad_arguments(decided_round, tmp_path, arguments, message):
    out = tmp_path / "grants.json"
    with pytest.raises((CommandError, SystemExit)) as raised:
        call_command("export_360giving", *arguments, "--out", str(out))
    if message:
        assert message in str(raised.value)
    assert not out.exists()


def test_command_refuses_a_round_with_no_awards(commissioner_office, tmp_path):
    funding_round = FundingRoundFactory(commissioner=commissioner_office)
    out = tmp_path / "grants.json"
    with pytest.raises(CommandError, match="No awards"):
        call_command("export_360giving", "--round", str(funding_round.pk), "--out", str(out))
    assert not out.exists()

"""A round started from insight's coverage gaps carries them and their figures (decision 0088)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bridgeway.accounts.models import Organisation
from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.casework.models import AuditEntry
from bridgeway.commissioning.models import FundingRound, RoundGap
from bridgeway.conftest import WEST_MIDLANDS, WEST_YORKSHIRE
from bridgeway.equality.models import Term
from bridgeway.insight.services import snapshot_write
from bridgeway.insight.tests.factories import LEEDS, ServiceFactory, referral_through

AT = dt.datetime(2025, 5, 10, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def snapshot(organisation: Organisation, tmp_path: Path, settings: Any) -> Path:
    """Leeds: a specialist service for Pakistani people, who also took 3 Indian people (a
    count small enough for insight to hide), and a universal service."""
    settings.SNAPSHOT_DIR = tmp_path / "snapshot"
    universal = ServiceFactory(
        organisation=OrganisationFactory(name="Victim Care", kind=Organisation.Kind.UNIVERSAL),
        name="Victim Care",
        district_codes=[LEEDS],
    )
    specialist = ServiceFactory(
        organisation=organisation,
        name="Pakistani Women's Support",
        district_codes=[LEEDS],
        is_specialist=True,
    )
    specialist.ethnic_groups.set(
        Term.objects.filter(vocabulary="ethnic_groups", code="asian_pakistani")
    )
    for _number in range(6):
        referral_through(universal, ["offered"], at=AT, ethnic_group="white_british")
    for _number in range(3):
        referral_through(specialist, ["offered"], at=AT, ethnic_group="asian_indian")
    snapshot_write(out_dir=settings.SNAPSHOT_DIR)
    return settings.SNAPSHOT_DIR


def _form(**changes: object) -> dict[str, object]:
    today = timezone.localdate()
    data: dict[str, object] = {
        "title": "Support for Indian communities in West Yorkshire",
        "description": "A service led by and for the community.",
        "kind": "grant",
        "amount_available": "60000",
        "areas": [WEST_YORKSHIRE],
        "opens_on": today.strftime("%d/%m/%Y"),
        "closes_on": (today + dt.timedelta(days=30)).strftime("%d/%m/%Y"),
        "score_max": "5",
        "gaps_area": WEST_YORKSHIRE,
        "gaps": ["asian_indian"],
    }
    data.update(changes)
    return data


def test_a_round_is_started_from_the_gaps_with_their_figures(
    commissioner_client, snapshot, raw_counts
):
    page = commissioner_client.get(f"/staff/funding/new/?gaps={WEST_YORKSHIRE}").content.decode()
    assert "Indian" in page
    assert 'value="asian_pakistani"' not in page  # a specialist service covers them
    assert 'value="asian_indian"' in page

    response = commissioner_client.post("/staff/funding/new/", _form())
    assert response.status_code == 302
    funding_round = FundingRound.objects.get()
    gap = RoundGap.objects.get(funding_round=funding_round)
    assert (gap.area_code, gap.ethnic_group) == (WEST_YORKSHIRE, "asian_indian")
    assert gap.residents > 10_000
    assert 0 < gap.resident_share < 1
    # Three people is a count insight hides, so the round keeps it hidden too.
    assert gap.referred_to_specialist is None
    assert AuditEntry.objects.filter(action="commissioning.gaps_targeted").count() == 1

    round_page = commissioner_client.get(response["Location"]).content.decode()
    assert "The gaps this round is meant to close" in round_page
    assert "Indian" in round_page
    assert f"{gap.residents:,}" in round_page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"gaps": ["asian_pakistani"]}, "gaps", "Choose from the gaps insight shows"),
        ({"gaps": []}, "gaps", "Choose the gaps this round is meant to close."),
        ({"areas": []}, "areas", "Choose at least one area the round covers."),
    ],
)
def test_bad_gap_choices_are_refused(commissioner_client, snapshot, changes, field, message):
    response = commissioner_client.post("/staff/funding/new/", _form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FundingRound.objects.exists()
    assert not RoundGap.objects.exists()


def test_gaps_of_another_office_s_area_are_not_found(commissioner_client, snapshot):
    assert commissioner_client.get(f"/staff/funding/new/?gaps={WEST_MIDLANDS}").status_code == 404
    response = commissioner_client.post("/staff/funding/new/", _form(gaps_area=WEST_MIDLANDS))
    assert response.status_code == 404
    assert not FundingRound.objects.exists()


def test_without_a_snapshot_the_page_says_so_and_a_round_opens_without_gaps(
    commissioner_client, tmp_path, settings
):
    settings.SNAPSHOT_DIR = tmp_path / "nothing-here"
    page = commissioner_client.get(f"/staff/funding/new/?gaps={WEST_YORKSHIRE}")
    assert page.status_code == 200
    assert "Insight has no figures for this area yet" in page.content.decode()
    response = commissioner_client.post(
        "/staff/funding/new/", _form(gaps=[], gaps_area=WEST_YORKSHIRE)
    )
    assert response.status_code == 302
    assert FundingRound.objects.count() == 1
    assert not RoundGap.objects.exists()


def test_insight_links_a_commissioner_not_an_analyst_to_a_round_for_the_gaps(
    commissioner_client, analyst_client, snapshot
):
    link = f"/staff/funding/new/?gaps={WEST_YORKSHIRE}"
    page = commissioner_client.get(
        reverse("insight:dashboard"), {"area": WEST_YORKSHIRE}
    ).content.decode()
    assert link in page
    page = analyst_client.get(
        reverse("insight:dashboard"), {"area": WEST_YORKSHIRE}
    ).content.decode()
    assert "Sizeable communities" in page
    assert link not in page

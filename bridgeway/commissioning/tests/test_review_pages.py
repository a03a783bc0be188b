"""The pages for opening a round, reviewing, moderating, and the public funding page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from bridgeway.accounts.models import Membership
from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.commissioning.models import ConflictDeclaration, FundingRound, Score
from bridgeway.commissioning.services import application_decide
from bridgeway.commissioning.services.reviews import reviewer_assign
from bridgeway.commissioning.tests.conftest import member
from bridgeway.commissioning.tests.factories import (
    ApplicationFactory,
    ClosedFundingRoundFactory,
    FundingRoundFactory,
)
from bridgeway.conftest import WEST_YORKSHIRE, sign_in


def _form(**changes):
    today = timezone.localdate()
    data = {
        "title": "Small grants for groups led by the communities they serve",
        "description": "Up to £20,000 for a year.",
        "kind": "grant",
        "amount_available": "120000",
        "areas": [WEST_YORKSHIRE],
        "opens_on": today.strftime("%d/%m/%Y"),
        "closes_on": (today + dt.timedelta(days=28)).strftime("%d/%m/%Y"),
        "decision_by": (today + dt.timedelta(days=56)).strftime("%d/%m/%Y"),
        "eligibility": "Income under £250,000.",
        "questions": "Who will you reach?",
        "criteria": "Reaches people others miss | 3 | Evidence of who they work with\nValue | 1",
        "score_max": "5",
        "reviewer_guidance": "Read the whole application.",
    }
    data.update(changes)
    return data


def test_commissioner_opens_a_round_in_the_site(commissioner_client):
    response = commissioner_client.post("/staff/funding/new/", _form())
    funding_round = FundingRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/funding/{funding_round.pk}/"
    assert [c.weight for c in funding_round.criteria.all()] == [3, 1]
    page = commissioner_client.get(response["Location"]).content.decode()
    assert "Decision times" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closes_on": "1/1/2020"}, "The closing date must be on or after the opening date."),
        ({"decision_by": "1/1/2020"}, "The decision date must be on or after the closing date."),
        ({"opens_on": "31/2/2027"}, "Enter a real date, like 31/3/2027."),
        ({"criteria": "Need | heavy"}, "Line 1: write the title, a bar, then a weight"),
        ({"areas": ["E23000014"]}, "Choose areas your office covers."),
    ],
)
def test_bad_round_is_refused_on_the_page(commissioner_client, changes, message):
    response = commissioner_client.post("/staff/funding/new/", _form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FundingRound.objects.exists()


def test_practitioner_cannot_open_a_round(practitioner_client):
    assert practitioner_client.post("/staff/funding/new/", _form()).status_code == 403


def test_reviewer_declares_then_scores_and_conflict_hides(commissioner_office, commissioner):
    funding_round = FundingRoundFactory(
        commissioner=commissioner_office, area_codes=[WEST_YORKSHIRE]
    )
    criterion = funding_round.criteria.create(title="Need", weight=1)
    reviewer = member(commissioner_office, Membership.Role.ANALYST)
    reviewer_assign(funding_round=funding_round, actor=commissioner, reviewer=reviewer)
    mine = ApplicationFactory(funding_round=funding_round, applicant=OrganisationFactory(name="A"))
    theirs = ApplicationFactory(
        funding_round=funding_round, applicant=OrganisationFactory(name="Trustee's group")
    )
    client = sign_in(Client(), reviewer)
    page = client.get(f"/staff/funding/applications/{mine.pk}/score/").content.decode()
    assert mine.summary not in page  # not shown before the declaration
    response = client.post(
        f"/staff/funding/applications/{theirs.pk}/score/", {"has_conflict": "yes", "note": ""}
    )
    assert response.status_code == 400
    assert "Say in a few words what the conflict is." in response.content.decode()
    client.post(
        f"/staff/funding/applications/{theirs.pk}/score/",
        {"has_conflict": "yes", "note": "I am a trustee."},
    )
    assert client.get(f"/staff/funding/applications/{theirs.pk}/score/").status_code == 403
    assert "Trustee" not in client.get("/staff/funding/review/").content.decode()
    client.post(f"/staff/funding/applications/{mine.pk}/score/", {"has_conflict": "no"})
    assert ConflictDeclaration.objects.count() == 2
    response = client.post(
        f"/staff/funding/applications/{mine.pk}/score/",
        {f"criterion_{criterion.pk}": "9", f"criterion_{criterion.pk}_comment": ""},
    )
    assert response.status_code == 400
    assert "Score Need from 0 to 5." in response.content.decode()
    client.post(
        f"/staff/funding/applications/{mine.pk}/score/",
        {f"criterion_{criterion.pk}": "4", f"criterion_{criterion.pk}_comment": "Clear need."},
    )
    assert Score.objects.get().score == 4
    moderation = sign_in(Client(), commissioner).get(
        f"/staff/funding/{funding_round.pk}/moderation/"
    )
    assert "80.0%" in moderation.content.decode()
    # Each score with its reviewer and comment as its title, side by side.
    assert ': Clear need.">4</span>' in moderation.content.decode()


def test_outsider_cannot_see_moderation_or_score(funding_round, application, outsider_client):
    assert outsider_client.get(f"/staff/funding/{funding_round.pk}/moderation/").status_code == 404
    url = f"/staff/funding/applications/{application.pk}/score/"
    assert outsider_client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("en", "Funding for community organisations"),
        ("cy", "Arian i sefydliadau cymunedol"),
        ("ur", "کمیونٹی تنظیموں کے لیے فنڈنگ"),
        ("pa", "ਭਾਈਚਾਰਕ ਸੰਸਥਾਵਾਂ ਲਈ ਫੰਡਿੰਗ"),
        ("pl", "Dofinansowanie dla organizacji społecznych"),
    ],
)
def test_public_funding_page_needs_no_sign_in(commissioner_office, commissioner, language, heading):
    FundingRoundFactory(
        commissioner=commissioner_office,
        title="Open small grants",
        eligibility="Groups with income under £250,000.",
        area_codes=[WEST_YORKSHIRE],
    )
    past = ClosedFundingRoundFactory(commissioner=commissioner_office, title="Last year's grants")
    bid = ApplicationFactory(funding_round=past, amount_requested=Decimal("1000"))
    application_decide(
        application=bid,
        actor=commissioner,
        outcome="awarded",
        feedback="",
        at=timezone.now(),
    )
    page = Client().get(f"/{language}/funding/").content.decode()
    assert heading in page
    assert "Open small grants" in page
    assert "Groups with income under £250,000." in page
    assert "Last year&#x27;s grants" in page
    assert bid.applicant.name in page  # among the recent awards, with its days to decide
    if language != "en":
        assert f'<html lang="{language}"' in page
        assert "How quickly offices decide" not in page
        assert "Who can apply" not in page

"""Draft and published rounds, and joint rounds shared by neighbouring offices (decision 0087)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.casework.models import AuditEntry
from bridgeway.commissioning.models import Application, FundingRound, RoundPartner
from bridgeway.commissioning.services import (
    application_decide,
    application_submit,
    funding_round_update,
)
from bridgeway.commissioning.services.partners import (
    funding_round_publish,
    round_contributions,
    round_partner_add,
)
from bridgeway.commissioning.tests.conftest import member
from bridgeway.commissioning.tests.factories import (
    ApplicationFactory,
    CommissionerOfficeFactory,
    FundingRoundFactory,
)
from bridgeway.conftest import WEST_MIDLANDS, WEST_YORKSHIRE, sign_in


def _draft(office: Organisation, **changes: object) -> FundingRound:
    return FundingRoundFactory(
        commissioner=office, published_at=None, area_codes=[WEST_YORKSHIRE], **changes
    )


def test_a_round_opened_in_the_site_is_a_draft_until_published(
    commissioner_client, commissioner, organisation, organisation_admin
):
    today = timezone.localdate()
    response = commissioner_client.post(
        "/staff/funding/new/",
        {
            "title": "Draft grants",
            "description": "For groups.",
            "kind": "grant",
            "amount_available": "50000",
            "areas": [WEST_YORKSHIRE],
            "opens_on": today.strftime("%d/%m/%Y"),
            "closes_on": (today + dt.timedelta(days=10)).strftime("%d/%m/%Y"),
            "criteria": "Need | 1",
            "score_max": "5",
        },
    )
    funding_round = FundingRound.objects.get()
    assert funding_round.published_at is None
    assert "Draft grants" not in Client().get("/en/funding/").content.decode()
    with pytest.raises(ValidationError, match="not open"):
        application_submit(
            funding_round=funding_round,
            applicant=organisation,
            actor=organisation_admin,
            summary="A caseworker.",
            amount_requested="1000",
        )
    page = commissioner_client.get(response["Location"]).content.decode()
    assert "Publish the round" in page

    published = commissioner_client.post(f"/staff/funding/{funding_round.pk}/publish/")
    assert published.status_code == 302
    funding_round.refresh_from_db()
    assert funding_round.published_at is not None
    assert "Draft grants" in Client().get("/en/funding/").content.decode()
    assert AuditEntry.objects.filter(action="commissioning.round_published").count() == 1
    again = commissioner_client.post(f"/staff/funding/{funding_round.pk}/publish/", follow=True)
    assert "This round is already published." in again.content.decode()


def test_a_round_past_its_closing_date_cannot_be_published(commissioner_office, commissioner):
    funding_round = _draft(
        commissioner_office,
        opens_on=timezone.localdate() - dt.timedelta(days=30),
        closes_on=timezone.localdate() - dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as refused:
        funding_round_publish(funding_round=funding_round, actor=commissioner)
    assert "closes_on" in refused.value.message_dict
    funding_round.refresh_from_db()
    assert funding_round.published_at is None


def test_only_the_leading_commissioners_publish(
    commissioner_office, analyst_client, outsider_client
):
    funding_round = _draft(commissioner_office)
    assert analyst_client.post(f"/staff/funding/{funding_round.pk}/publish/").status_code == 403
    assert outsider_client.post(f"/staff/funding/{funding_round.pk}/publish/").status_code == 404
    funding_round.refresh_from_db()
    assert funding_round.published_at is None


@pytest.fixture
def west_midlands() -> Organisation:
    return CommissionerOfficeFactory(
        name="West Midlands Police and Crime Commissioner", area_codes=[WEST_MIDLANDS]
    )


@pytest.fixture
def partner_commissioner(west_midlands: Organisation) -> User:
    return member(west_midlands, Membership.Role.COMMISSIONER)


def test_lead_adds_a_partner_who_then_sees_and_decides(
    commissioner_office, commissioner, commissioner_client, west_midlands, partner_commissioner
):
    funding_round = FundingRoundFactory(
        commissioner=commissioner_office,
        amount_available=Decimal("100000"),
        area_codes=[WEST_YORKSHIRE],
        title="Shared hate crime support",
    )
    bid = ApplicationFactory(funding_round=funding_round, amount_requested=Decimal("30000"))
    partner_client = sign_in(Client(), partner_commissioner)
    assert partner_client.get(f"/staff/funding/{funding_round.pk}/").status_code == 404

    response = commissioner_client.post(
        f"/staff/funding/{funding_round.pk}/partners/",
        {"office": str(west_midlands.pk), "contribution": "40000"},
    )
    assert response.status_code == 302
    assert round_contributions(funding_round) == [
        (commissioner_office, Decimal("60000.00")),
        (west_midlands, Decimal("40000.00")),
    ]
    page = partner_client.get(f"/staff/funding/{funding_round.pk}/").content.decode()
    assert bid.applicant.name in page
    assert "£40,000.00" in page
    assert "Joint round" in partner_client.get("/staff/funding/").content.decode()
    assert west_midlands.name in Client().get("/en/funding/").content.decode()

    decided = partner_client.post(
        f"/staff/funding/applications/{bid.pk}/decide/",
        {f"{bid.pk}-outcome": "awarded", f"{bid.pk}-amount_awarded": "", f"{bid.pk}-feedback": ""},
    )
    assert decided.status_code == 302
    assert Application.objects.get(pk=bid.pk).status == "awarded"
    # Partners decide; the lead alone changes the round and its partners.
    assert partner_client.get(f"/staff/funding/{funding_round.pk}/edit/").status_code == 403
    assert partner_client.post(f"/staff/funding/{funding_round.pk}/publish/").status_code == 403


def test_partner_areas_may_be_added_to_the_round(commissioner_office, commissioner, west_midlands):
    funding_round = FundingRoundFactory(
        commissioner=commissioner_office, area_codes=[WEST_YORKSHIRE]
    )
    terms = {
        "title": funding_round.title,
        "description": funding_round.description,
        "kind": funding_round.kind,
        "opens_on": funding_round.opens_on,
        "closes_on": funding_round.closes_on,
        "amount_available": "100000",
        "area_codes": [WEST_YORKSHIRE, WEST_MIDLANDS],
    }
    with pytest.raises(ValidationError, match="does not cover E23000014"):
        funding_round_update(funding_round=funding_round, actor=commissioner, **terms)
    round_partner_add(
        funding_round=funding_round, actor=commissioner, office=west_midlands, contribution="500"
    )
    funding_round_update(funding_round=funding_round, actor=commissioner, **terms)
    assert {a.code for a in funding_round.areas.all()} == {WEST_YORKSHIRE, WEST_MIDLANDS}
    with pytest.raises(ValidationError) as refused:
        funding_round_update(
            funding_round=funding_round, actor=commissioner, **{**terms, "amount_available": "400"}
        )
    assert "Partner offices give £500.00" in str(refused.value.message_dict["amount_available"])


@pytest.mark.parametrize(
    ("contribution", "field", "message"),
    [
        ("100000.01", "contribution", "a contribution can be £100,000.00 at most"),
        ("0", "contribution", "The amount must be more than £0."),
        ("lots", "contribution", "Enter an amount in pounds, like 12500."),
    ],
)
def test_bad_partner_contributions_are_refused_on_the_page(
    commissioner_office, commissioner_client, west_midlands, contribution, field, message
):
    funding_round = FundingRoundFactory(commissioner=commissioner_office)
    response = commissioner_client.post(
        f"/staff/funding/{funding_round.pk}/partners/",
        {"office": str(west_midlands.pk), "contribution": contribution},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'href="#id_{field}"' in page
    assert not RoundPartner.objects.exists()


def test_a_partner_is_another_commissioners_office_added_once(
    commissioner_office, commissioner, organisation, west_midlands
):
    funding_round = FundingRoundFactory(commissioner=commissioner_office)
    for office in (organisation, commissioner_office):
        with pytest.raises(ValidationError, match="another commissioner"):
            round_partner_add(
                funding_round=funding_round, actor=commissioner, office=office, contribution="10"
            )
    round_partner_add(
        funding_round=funding_round, actor=commissioner, office=west_midlands, contribution="10"
    )
    with pytest.raises(ValidationError, match="already a partner"):
        round_partner_add(
            funding_round=funding_round, actor=commissioner, office=west_midlands, contribution="10"
        )
    assert AuditEntry.objects.filter(action="commissioning.partner_added").count() == 1


def test_only_the_lead_adds_partners(
    commissioner_office, analyst, west_midlands, partner_commissioner, outsider_client
):
    funding_round = FundingRoundFactory(commissioner=commissioner_office)
    for actor in (analyst, partner_commissioner):
        with pytest.raises(PermissionDenied):
            round_partner_add(
                funding_round=funding_round, actor=actor, office=west_midlands, contribution="10"
            )
    url = f"/staff/funding/{funding_round.pk}/partners/"
    data = {"office": str(west_midlands.pk), "contribution": "10"}
    assert outsider_client.post(url, data).status_code == 404
    assert not RoundPartner.objects.exists()


def test_a_third_office_still_cannot_see_a_joint_round(
    commissioner_office, commissioner, west_midlands, other_commissioner_client
):
    funding_round = FundingRoundFactory(commissioner=commissioner_office)
    bid = ApplicationFactory(funding_round=funding_round)
    round_partner_add(
        funding_round=funding_round, actor=commissioner, office=west_midlands, contribution="10"
    )
    assert other_commissioner_client.get(f"/staff/funding/{funding_round.pk}/").status_code == 404
    decide = f"/staff/funding/applications/{bid.pk}/decide/"
    assert other_commissioner_client.post(decide, {}).status_code == 404


def test_joint_awards_stay_within_the_shared_budget(
    commissioner_office, commissioner, west_midlands, partner_commissioner
):
    funding_round = FundingRoundFactory(
        commissioner=commissioner_office, amount_available=Decimal("50000")
    )
    round_partner_add(
        funding_round=funding_round, actor=commissioner, office=west_midlands, contribution="20000"
    )
    first = ApplicationFactory(funding_round=funding_round, amount_requested=Decimal("30000"))
    second = ApplicationFactory(funding_round=funding_round, amount_requested=Decimal("30000"))
    application_decide(application=first, actor=commissioner, outcome="awarded", feedback="")
    with pytest.raises(ValidationError, match=r"£20,000\.00 left"):
        application_decide(
            application=second, actor=partner_commissioner, outcome="awarded", feedback=""
        )

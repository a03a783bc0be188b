"""The rules of funding rounds, applications and decisions, through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.commissioning.models import Application, Decision, FundingRound
from bridgeway.commissioning.services import (
    application_decide,
    application_review_start,
    application_submit,
    funding_round_create,
)
from bridgeway.commissioning.tests.conftest import member
from bridgeway.commissioning.tests.factories import (
    ApplicationFactory,
    ClosedFundingRoundFactory,
    DecisionFactory,
)
from bridgeway.conftest import WEST_MIDLANDS, WEST_YORKSHIRE

TODAY = dt.date(2026, 6, 1)


def _round(
    commissioner_office: Organisation, commissioner: User, **overrides: object
) -> FundingRound:
    arguments: dict[str, object] = {
        "commissioner": commissioner_office,
        "actor": commissioner,
        "title": "Small grants",
        "description": "For community organisations.",
        "kind": "grant",
        "opens_on": TODAY,
        "closes_on": TODAY + dt.timedelta(days=30),
        "amount_available": "50000",
        "area_codes": [WEST_YORKSHIRE],
        "published_at": timezone.now(),
    }
    arguments.update(overrides)
    return funding_round_create(**arguments)  # type: ignore[arg-type]


def test_commissioner_opens_a_round_in_their_area(commissioner_office, commissioner):
    funding_round = _round(commissioner_office, commissioner)

    assert funding_round.amount_available == Decimal("50000.00")
    assert [area.code for area in funding_round.areas.all()] == [WEST_YORKSHIRE]
    assert funding_round.created_by == commissioner


def test_analyst_cannot_open_a_round(commissioner_office):
    analyst = member(commissioner_office, Membership.Role.ANALYST)

    with pytest.raises(PermissionDenied):
        _round(commissioner_office, analyst)
    assert not FundingRound.objects.exists()


def test_support_organisation_cannot_run_a_round(organisation, organisation_admin):
    with pytest.raises(ValidationError) as caught:
        _round(organisation, organisation_admin)
    assert "commissioner" in caught.value.message_dict


def test_round_outside_the_office_areas_is_refused(commissioner_office, commissioner):
    with pytest.raises(ValidationError) as caught:
        _round(commissioner_office, commissioner, area_codes=[WEST_MIDLANDS])
    assert WEST_MIDLANDS in caught.value.message_dict["areas"][0]
    assert not FundingRound.objects.exists()


def test_round_closing_before_it_opens_is_refused(commissioner_office, commissioner):
    with pytest.raises(ValidationError) as caught:
        _round(commissioner_office, commissioner, closes_on=TODAY - dt.timedelta(days=1))
    assert "closes_on" in caught.value.message_dict


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1e20"])
def test_round_with_a_bad_amount_is_refused(commissioner_office, commissioner, amount):
    with pytest.raises(ValidationError) as caught:
        _round(commissioner_office, commissioner, amount_available=amount)
    assert "amount_available" in caught.value.message_dict


def test_organisation_admin_applies_to_an_open_round(
    funding_round, organisation, organisation_admin
):
    application = application_submit(
        funding_round=funding_round,
        applicant=organisation,
        actor=organisation_admin,
        summary="  A Panjabi-speaking caseworker.  ",
        amount_requested="12500",
    )

    assert application.status == Application.Status.SUBMITTED
    assert application.summary == "A Panjabi-speaking caseworker."
    assert application.amount_requested == Decimal("12500.00")


def test_practitioner_cannot_apply(funding_round, organisation, practitioner):
    with pytest.raises(PermissionDenied):
        application_submit(
            funding_round=funding_round,
            applicant=organisation,
            actor=practitioner,
            summary="A caseworker.",
            amount_requested="1000",
        )
    assert not Application.objects.exists()


def test_admin_cannot_apply_for_another_organisation(
    funding_round, other_organisation, organisation_admin
):
    with pytest.raises(PermissionDenied):
        application_submit(
            funding_round=funding_round,
            applicant=other_organisation,
            actor=organisation_admin,
            summary="A caseworker.",
            amount_requested="1000",
        )


def test_commissioners_office_cannot_apply(funding_round, commissioner_office, commissioner):
    with pytest.raises(ValidationError) as caught:
        application_submit(
            funding_round=funding_round,
            applicant=commissioner_office,
            actor=commissioner,
            summary="Ourselves.",
            amount_requested="1000",
        )
    assert "applicant" in caught.value.message_dict


def test_closed_round_refuses_applications(commissioner_office, organisation, organisation_admin):
    closed = ClosedFundingRoundFactory(commissioner=commissioner_office)

    with pytest.raises(ValidationError) as caught:
        application_submit(
            funding_round=closed,
            applicant=organisation,
            actor=organisation_admin,
            summary="A caseworker.",
            amount_requested="1000",
        )
    assert "not open" in caught.value.message_dict["funding_round"][0]


def test_round_not_yet_open_refuses_applications(funding_round, organisation, organisation_admin):
    with pytest.raises(ValidationError):
        application_submit(
            funding_round=funding_round,
            applicant=organisation,
            actor=organisation_admin,
            summary="A caseworker.",
            amount_requested="1000",
            at=timezone.now() - dt.timedelta(days=30),
        )


def test_second_application_from_one_organisation_is_refused(application, organisation_admin):
    with pytest.raises(ValidationError) as caught:
        application_submit(
            funding_round=application.funding_round,
            applicant=application.applicant,
            actor=organisation_admin,
            summary="Again.",
            amount_requested="1000",
        )
    assert "already applied" in caught.value.message_dict["applicant"][0]
    assert Application.objects.count() == 1


def test_asking_for_more_than_the_round_holds_is_refused(
    funding_round, organisation, organisation_admin
):
    with pytest.raises(ValidationError) as caught:
        application_submit(
            funding_round=funding_round,
            applicant=organisation,
            actor=organisation_admin,
            summary="Everything.",
            amount_requested="100000.01",
        )
    assert "£100,000.00" in caught.value.message_dict["amount_requested"][0]


def test_empty_summary_is_refused(funding_round, organisation, organisation_admin):
    with pytest.raises(ValidationError) as caught:
        application_submit(
            funding_round=funding_round,
            applicant=organisation,
            actor=organisation_admin,
            summary="   ",
            amount_requested="100",
        )
    assert "summary" in caught.value.message_dict


def test_declining_without_feedback_is_refused(application, commissioner):
    with pytest.raises(ValidationError) as caught:
        application_decide(
            application=application, actor=commissioner, outcome="declined", feedback="  "
        )

    assert "feedback" in caught.value.message_dict
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not Decision.objects.exists()


def test_declining_with_feedback_records_it(application, commissioner):
    decision = application_decide(
        application=application,
        actor=commissioner,
        outcome="declined",
        feedback="Show how the post continues after the grant.",
    )

    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED
    assert decision.feedback == "Show how the post continues after the grant."
    assert decision.amount_awarded is None
    assert decision.decided_by == commissioner


def test_award_defaults_to_the_amount_requested(application, commissioner):
    decision = application_decide(
        application=application, actor=commissioner, outcome="awarded", feedback=""
    )

    assert decision.amount_awarded == application.amount_requested
    application.refresh_from_db()
    assert application.status == Application.Status.AWARDED


def test_award_above_the_request_is_refused(application, commissioner):
    with pytest.raises(ValidationError) as caught:
        application_decide(
            application=application,
            actor=commissioner,
            outcome="awarded",
            feedback="",
            amount_awarded=application.amount_requested + 1,
        )
    assert "amount_awarded" in caught.value.message_dict


def test_application_is_decided_only_once(application, commissioner):
    application_decide(application=application, actor=commissioner, outcome="awarded", feedback="")

    with pytest.raises(ValidationError):
        application_decide(
            application=application, actor=commissioner, outcome="declined", feedback="No."
        )
    assert Decision.objects.get().outcome == "awarded"


def test_unknown_outcome_is_refused(application, commissioner):
    with pytest.raises(ValidationError) as caught:
        application_decide(
            application=application, actor=commissioner, outcome="maybe", feedback="x"
        )
    assert "outcome" in caught.value.message_dict


def test_analyst_cannot_decide(application, commissioner_office):
    analyst = member(commissioner_office, Membership.Role.ANALYST)

    with pytest.raises(PermissionDenied):
        application_decide(application=application, actor=analyst, outcome="awarded", feedback="")


def test_commissioner_of_another_office_cannot_decide(application, other_commissioner):
    with pytest.raises(PermissionDenied):
        application_decide(
            application=application, actor=other_commissioner, outcome="awarded", feedback=""
        )
    assert not Decision.objects.exists()


def test_applicant_cannot_decide_their_own_application(application, organisation_admin):
    with pytest.raises(PermissionDenied):
        application_decide(
            application=application, actor=organisation_admin, outcome="awarded", feedback=""
        )


def test_review_start_moves_a_submitted_application_under_review(application, commissioner):
    application_review_start(application=application, actor=commissioner)

    application.refresh_from_db()
    assert application.status == Application.Status.UNDER_REVIEW
    with pytest.raises(ValidationError):
        application_review_start(application=application, actor=commissioner)


def test_database_refuses_a_declined_decision_without_feedback(db):
    application = ApplicationFactory()

    with pytest.raises(IntegrityError):
        DecisionFactory(
            application=application, outcome="declined", feedback="", amount_awarded=None
        )

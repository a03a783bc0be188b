"""Issue 16, items 6 and 8: feedback per criterion on every decline, the organisation's
conversation with the office, earlier feedback shown again, support offered, and questions
that stop the decision clock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from bridgeway.accounts.models import Membership
from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.casework.models import AuditEntry
from bridgeway.commissioning.figures import paused_days
from bridgeway.commissioning.models import (
    Application,
    ApplicationMessage,
    Criterion,
    CriterionFeedback,
    Decision,
    InformationRequest,
)
from bridgeway.commissioning.selectors import round_times
from bridgeway.commissioning.services import application_decide
from bridgeway.commissioning.services.feedback import (
    information_answer,
    information_request,
    message_post,
)
from bridgeway.commissioning.tests.conftest import member
from bridgeway.commissioning.tests.factories import (
    ApplicationFactory,
    ClosedFundingRoundFactory,
    FundingRoundFactory,
)
from bridgeway.conftest import WEST_YORKSHIRE, sign_in

UTC = dt.UTC


@pytest.fixture
def criteria(funding_round):
    return [
        Criterion.objects.create(funding_round=funding_round, title="Reach", weight=3, position=0),
        Criterion.objects.create(funding_round=funding_round, title="Plan", weight=1, position=1),
    ]


@pytest.fixture
def org_admin(organisation):
    return member(organisation, Membership.Role.ORGANISATION_ADMIN)


def _both(criteria, strong="Strong links.", better="Show the costs."):
    return {c.pk: (strong, better) for c in criteria}


# Pure arithmetic of the stopped clock.


def test_paused_days_count_overlaps_once_and_only_inside():
    start, end = dt.date(2025, 3, 1), dt.date(2025, 3, 31)
    assert paused_days(start, end, []) == 0
    assert paused_days(start, end, [(dt.date(2025, 3, 5), dt.date(2025, 3, 9))]) == 4
    # Two overlapping questions: 5th to 12th, counted once.
    overlapping = [
        (dt.date(2025, 3, 5), dt.date(2025, 3, 9)),
        (dt.date(2025, 3, 7), dt.date(2025, 3, 12)),
    ]
    assert paused_days(start, end, overlapping) == 7
    # Asked before the start, still open: from start to end.
    assert paused_days(start, end, [(dt.date(2025, 2, 20), None)]) == 30


# Item 8: a decline carries feedback per criterion.


def test_decline_without_feedback_per_criterion_is_refused_naming_the_field(
    application, commissioner, criteria
):
    with pytest.raises(ValidationError) as refused:
        application_decide(
            application=application,
            actor=commissioner,
            outcome="declined",
            feedback="Not this time.",
            criterion_feedback={criteria[0].pk: ("Strong links.", "  ")},
        )
    fields = refused.value.message_dict
    assert f"criterion_{criteria[0].pk}_to_improve" in fields
    assert "Reach" in fields[f"criterion_{criteria[0].pk}_to_improve"][0]
    assert f"criterion_{criteria[1].pk}_strengths" in fields
    assert f"criterion_{criteria[0].pk}_strengths" not in fields
    # Nothing changed.
    assert not Decision.objects.exists()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_decline_keeps_feedback_per_criterion_and_support_offered(
    application, commissioner, criteria
):
    decision = application_decide(
        application=application,
        actor=commissioner,
        outcome="declined",
        feedback="Not this time.",
        criterion_feedback=_both(criteria),
        support_offered=True,
    )
    kept = list(CriterionFeedback.objects.filter(decision=decision))
    assert [(k.criterion.title, k.strengths, k.to_improve) for k in kept] == [
        ("Reach", "Strong links.", "Show the costs."),
        ("Plan", "Strong links.", "Show the costs."),
    ]
    assert decision.support_offered is True
    entry = AuditEntry.objects.get(action="commissioning.application_declined")
    assert entry.detail["criteria_with_feedback"] == 2
    assert entry.detail["support_offered"] is True


def test_an_award_never_says_support_offered(application, commissioner, criteria):
    decision = application_decide(
        application=application,
        actor=commissioner,
        outcome="awarded",
        feedback="",
        support_offered=True,
    )
    assert decision.support_offered is False
    assert not CriterionFeedback.objects.exists()


def test_decline_form_refuses_missing_criterion_feedback_naming_it(
    commissioner_client, application, criteria
):
    prefix = str(application.id)
    response = commissioner_client.post(
        reverse("commissioning:decide", args=[application.id]),
        {
            f"{prefix}-outcome": "declined",
            f"{prefix}-feedback": "Not this time.",
            f"{prefix}-criterion_{criteria[0].pk}_strengths": "Strong links.",
        },
        secure=True,
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Reach: say what would make a future application succeed." in page
    assert "Plan: say what was strong." in page
    assert not Decision.objects.exists()


def test_decline_form_records_feedback_and_the_round_lists_support(
    commissioner_client, application, criteria
):
    prefix = str(application.id)
    fields = {f"{prefix}-outcome": "declined", f"{prefix}-feedback": "Not this time."}
    for c in criteria:
        fields[f"{prefix}-criterion_{c.pk}_strengths"] = f"{c.title} was strong."
        fields[f"{prefix}-criterion_{c.pk}_to_improve"] = f"{c.title} needs numbers."
    fields[f"{prefix}-support_offered"] = "on"
    response = commissioner_client.post(
        reverse("commissioning:decide", args=[application.id]), fields, secure=True
    )
    assert response.status_code == 302
    assert application.decision.support_offered
    page = commissioner_client.get(
        reverse("commissioning:round", args=[application.funding_round_id]), secure=True
    ).content.decode()
    assert 'id="declined-support"' in page
    assert "Reach needs numbers." in page
    table = page[page.index('id="declined-support"') :]
    assert application.applicant.name in table[: table.index("</table>")]
    assert "Yes" in table[: table.index("</table>")]


# Item 8: the organisation sees its feedback, asks for a conversation, sees it again later.


def test_organisation_asks_for_a_conversation_and_the_office_answers(
    application, commissioner, criteria, org_admin
):
    application_decide(
        application=application,
        actor=commissioner,
        outcome="declined",
        feedback="Not this time.",
        criterion_feedback=_both(criteria),
    )
    client = sign_in(Client(), org_admin)
    url = reverse("commissioning:application", args=[application.id])
    page = client.get(url, secure=True).content.decode()
    assert "Show the costs." in page
    assert "What would make it succeed" in page
    response = client.post(
        reverse("commissioning:message", args=[application.id]),
        {"body": "Could we talk about the budget?"},
        secure=True,
    )
    assert response.status_code == 302
    office = sign_in(Client(), commissioner)
    page = office.get(url, secure=True).content.decode()
    assert "Could we talk about the budget?" in page
    office.post(
        reverse("commissioning:message", args=[application.id]),
        {"body": "Yes: Tuesday at ten?"},
        secure=True,
    )
    thread = list(ApplicationMessage.objects.values_list("from_applicant", "body"))
    assert thread == [(True, "Could we talk about the budget?"), (False, "Yes: Tuesday at ten?")]
    assert AuditEntry.objects.filter(action="commissioning.message_posted").count() == 2


def test_empty_message_is_refused_naming_the_field(application, org_admin):
    client = sign_in(Client(), org_admin)
    response = client.post(
        reverse("commissioning:message", args=[application.id]), {"body": "   "}, secure=True
    )
    assert response.status_code == 400
    assert "Write your message." in response.content.decode()
    assert not ApplicationMessage.objects.exists()


def test_outsiders_get_404_for_the_application_page_and_cannot_write(
    application, other_commissioner, other_commissioner_client
):
    url = reverse("commissioning:application", args=[application.id])
    assert other_commissioner_client.get(url, secure=True).status_code == 404
    response = other_commissioner_client.post(
        reverse("commissioning:message", args=[application.id]), {"body": "Hello"}, secure=True
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        message_post(application=application, actor=other_commissioner, body="Hello")
    # Another organisation's administrator too.
    stranger = member(OrganisationFactory(), Membership.Role.ORGANISATION_ADMIN)
    assert sign_in(Client(), stranger).get(url, secure=True).status_code == 404
    assert not ApplicationMessage.objects.exists()


def test_earlier_feedback_is_shown_when_the_organisation_applies_again(
    commissioner_office, commissioner, organisation, org_admin
):
    past = ClosedFundingRoundFactory(commissioner=commissioner_office, area_codes=[WEST_YORKSHIRE])
    reach = Criterion.objects.create(funding_round=past, title="Reach", weight=1)
    declined = ApplicationFactory(funding_round=past, applicant=organisation)
    application_decide(
        application=declined,
        actor=commissioner,
        outcome="declined",
        feedback="Not this time.",
        criterion_feedback={reach.pk: ("Good links.", "Count who you reach each month.")},
    )
    later = FundingRoundFactory(commissioner=commissioner_office, area_codes=[WEST_YORKSHIRE])
    client = sign_in(Client(), org_admin)
    page = client.get(reverse("commissioning:apply", args=[later.id]), secure=True)
    text = page.content.decode()
    assert 'id="earlier-feedback"' in text
    assert "Count who you reach each month." in text
    # Another organisation's administrator does not see it.
    stranger = member(OrganisationFactory(), Membership.Role.ORGANISATION_ADMIN)
    other = sign_in(Client(), stranger).get(
        reverse("commissioning:apply", args=[later.id]), secure=True
    )
    assert "Count who you reach each month." not in other.content.decode()


# Item 6: "more information needed" stops the clock until the applicant answers.


def test_question_stops_the_clock_until_the_answer(
    commissioner_office, commissioner, organisation, org_admin
):
    funding_round = ClosedFundingRoundFactory(
        commissioner=commissioner_office,
        opens_on=dt.date(2025, 1, 1),
        closes_on=dt.date(2025, 1, 31),
        decision_by=dt.date(2025, 3, 31),
    )
    bid = ApplicationFactory(
        funding_round=funding_round,
        applicant=organisation,
        submitted_at=dt.datetime(2025, 1, 21, 12, tzinfo=UTC),
    )
    asked = information_request(
        application=bid,
        actor=commissioner,
        question="How many people did you reach last year?",
        at=dt.datetime(2025, 2, 3, 12, tzinfo=UTC),
    )
    bid.refresh_from_db()
    assert bid.status == Application.Status.MORE_INFORMATION
    with pytest.raises(ValidationError) as twice:
        information_request(application=bid, actor=commissioner, question="And this year?")
    assert "question" in twice.value.message_dict
    with pytest.raises(PermissionDenied):
        information_answer(request=asked, actor=commissioner, answer="Forty.")
    information_answer(
        request=asked, actor=org_admin, answer="Forty.", at=dt.datetime(2025, 2, 13, 12, tzinfo=UTC)
    )
    bid.refresh_from_db()
    assert bid.status == Application.Status.UNDER_REVIEW
    application_decide(
        application=bid,
        actor=commissioner,
        outcome="awarded",
        feedback="",
        at=dt.datetime(2025, 2, 20, 12, tzinfo=UTC),
    )
    times = round_times(funding_round)
    # 20 days after closing, less the 10 days waiting for the answer.
    assert times.from_close.longest == 10
    # 30 days after submission, less the same 10.
    assert times.from_submission.longest == 20
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"commissioning.information_requested", "commissioning.information_given"} <= actions


def test_question_and_answer_through_the_pages(application, commissioner_client, org_admin):
    ask = reverse("commissioning:ask", args=[application.id])
    empty = commissioner_client.post(ask, {"question": ""}, secure=True)
    assert empty.status_code == 400
    assert "Say what information you need." in empty.content.decode()
    assert not InformationRequest.objects.exists()
    assert (
        commissioner_client.post(
            ask, {"question": "Send last year's accounts summary."}, secure=True
        ).status_code
        == 302
    )
    client = sign_in(Client(), org_admin)
    rounds_page = client.get(reverse("commissioning:rounds"), secure=True).content.decode()
    assert (
        "Answer the round&#x27;s question" in rounds_page
        or "Answer the round's question" in rounds_page
    )
    page = client.get(
        reverse("commissioning:application", args=[application.id]), secure=True
    ).content.decode()
    assert (
        "Send last year&#x27;s accounts summary." in page
        or "Send last year's accounts summary." in page
    )
    answer = reverse("commissioning:answer", args=[application.id])
    assert client.post(answer, {"answer": ""}, secure=True).status_code == 400
    assert client.post(answer, {"answer": "Income £80,000."}, secure=True).status_code == 302
    assert InformationRequest.objects.get().answer == "Income £80,000."
    # Nothing left to answer: refused naming the field, not a 500.
    again = client.post(answer, {"answer": "More."}, secure=True)
    assert again.status_code == 400
    assert "There is no question waiting for an answer." in again.content.decode()


def test_a_decided_application_takes_no_question(application, commissioner):
    application_decide(application=application, actor=commissioner, outcome="awarded", feedback="")
    with pytest.raises(ValidationError) as refused:
        information_request(application=application, actor=commissioner, question="Accounts?")
    assert "question" in refused.value.message_dict
    assert not InformationRequest.objects.exists()

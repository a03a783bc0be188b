# ruff: noqa: RUF001 - Welsh is written with the typographic apostrophe.
"""Issue 16, item 7's public part: each office's record on the public funding page, read from the
page in English and Welsh, and days the clock was stopped left out of the recent awards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils.html import escape

from bridgeway.accounts.models import Membership
from bridgeway.commissioning.selectors import recent_awards
from bridgeway.commissioning.services import application_decide
from bridgeway.commissioning.services.feedback import information_answer, information_request
from bridgeway.commissioning.tests.conftest import member
from bridgeway.commissioning.tests.factories import ApplicationFactory, ClosedFundingRoundFactory

UTC = dt.UTC


@pytest.fixture
def decided_round(commissioner_office, commissioner, organisation):
    """A closed round (closed 31 January, decisions promised by 10 February) with two awards:
    one decided 14 days after closing, one 30 days after, with 10 days waiting for an answer."""
    funding_round = ClosedFundingRoundFactory(
        commissioner=commissioner_office,
        title="Winter small grants",
        opens_on=dt.date(2025, 1, 1),
        closes_on=dt.date(2025, 1, 31),
        decision_by=dt.date(2025, 2, 10),
    )
    quick = ApplicationFactory(
        funding_round=funding_round,
        amount_requested=Decimal("1000"),
        submitted_at=dt.datetime(2025, 1, 11, 12, tzinfo=UTC),
    )
    application_decide(
        application=quick,
        actor=commissioner,
        outcome="awarded",
        feedback="",
        at=dt.datetime(2025, 2, 14, 12, tzinfo=UTC),
    )
    paused = ApplicationFactory(
        funding_round=funding_round,
        applicant=organisation,
        amount_requested=Decimal("2000"),
        submitted_at=dt.datetime(2025, 1, 21, 12, tzinfo=UTC),
    )
    question = information_request(
        application=paused,
        actor=commissioner,
        question="How many people did you reach last year?",
        at=dt.datetime(2025, 2, 3, 12, tzinfo=UTC),
    )
    information_answer(
        request=question,
        actor=member(organisation, Membership.Role.ORGANISATION_ADMIN),
        answer="Forty.",
        at=dt.datetime(2025, 2, 13, 12, tzinfo=UTC),
    )
    application_decide(
        application=paused,
        actor=commissioner,
        outcome="awarded",
        feedback="",
        at=dt.datetime(2025, 3, 2, 12, tzinfo=UTC),
    )
    return funding_round, quick, paused


def test_recent_awards_leave_out_days_waiting_for_an_answer(decided_round):
    _round, quick, paused = decided_round
    days = {award.decision.application_id: award.days_to_decide for award in recent_awards()}
    # 34 days from application to decision, no question asked.
    assert days[quick.pk] == 34
    # 40 days from application to decision, less the 10 waiting for the answer.
    assert days[paused.pk] == 30


def _row_of(page: str, title: str) -> str:
    start = page.index(title)
    return page[start : page.index("</tr>", start)]


@pytest.mark.parametrize(
    ("language", "heading", "missed"),
    [
        ("en", "How quickly offices decide", "No"),
        ("cy", "Pa mor gyflym y mae swyddfeydd yn penderfynu", "Na"),
    ],
)
def test_public_page_shows_each_office_record(decided_round, language, heading, missed):
    funding_round, _quick, _paused = decided_round
    page = Client().get(f"/{language}/funding/").content.decode()
    assert heading in page
    assert escape(funding_round.commissioner.name) in page
    row = _row_of(page, "Winter small grants</th>")
    # From closing: 14 and 30 - 10 = 20 days; middle 17, longest 20.
    assert ">17, 20<" in row
    # From application: 34 and 40 - 10 = 30 days; middle 32, longest 34.
    assert ">32, 34<" in row
    # The last decision (2 March) came after the promised 10 February.
    assert f">{missed}<" in row
    # Over all its rounds: 1 round, decided by the promised date in none.
    if language == "en":
        assert "Decided by the promised date in 0 of 1 round<" in page
        assert "Days from application to decision (middle, longest)" in page
    else:
        assert "Penderfynwyd erbyn y dyddiad a addawyd mewn 0 o 1 rownd" in page
        assert "Diwrnodau o’r cais i’r penderfyniad (canol, hiraf)" in page
        assert "Days from application to decision (middle, longest)" not in page
        assert "How quickly offices decide" not in page

"""Rounds with a timetable and criteria; reviewers declare conflicts, score; moderation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridgeway.accounts.models import Membership
from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.casework.models import AuditEntry
from bridgeway.commissioning.models import Criterion, FundingRound, Score
from bridgeway.commissioning.selectors import moderation_rows, round_times
from bridgeway.commissioning.services import (
    application_decide,
    funding_round_create,
    funding_round_update,
)
from bridgeway.commissioning.services.reviews import (
    conflict_declare,
    reviewer_assign,
    scores_record,
)
from bridgeway.commissioning.tests.conftest import member
from bridgeway.commissioning.tests.factories import ApplicationFactory
from bridgeway.conftest import WEST_YORKSHIRE

TODAY = dt.date(2026, 3, 2)


def _round(office, commissioner, **changes):
    opens = changes.get("opens_on", TODAY)
    values = {
        "commissioner": office,
        "actor": commissioner,
        "title": "Hate crime support grants",
        "description": "Grants for groups led by the communities they serve.",
        "kind": "grant",
        "opens_on": opens,
        "closes_on": opens + dt.timedelta(days=28),
        "decision_by": opens + dt.timedelta(days=56),
        "amount_available": "120000",
        "area_codes": [WEST_YORKSHIRE],
        "eligibility": "Groups with income under £250,000.",
        "questions": "Who will you reach?\nHow will you know it worked?",
        "score_max": 5,
        "criteria": [("Reaches people others miss", 3, "Look for evidence."), ("Value", 1, "")],
    }
    values.update(changes)
    return funding_round_create(**values)


def test_round_is_created_with_timetable_and_weighted_criteria(commissioner_office, commissioner):
    funding_round = _round(commissioner_office, commissioner)
    assert funding_round.decision_by == TODAY + dt.timedelta(days=56)
    assert [(c.title, c.weight) for c in funding_round.criteria.all()] == [
        ("Reaches people others miss", 3),
        ("Value", 1),
    ]
    assert AuditEntry.objects.filter(action="commissioning.round_created").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"closes_on": TODAY - dt.timedelta(days=1)}, "closes_on"),
        ({"decision_by": TODAY + dt.timedelta(days=27)}, "decision_by"),
        ({"score_max": 1}, "score_max"),
        ({"criteria": [("Need", 0, "")]}, "criteria"),
        ({"area_codes": []}, "areas"),
    ],
)
def test_bad_round_terms_are_refused_naming_the_field(
    commissioner_office, commissioner, changes, field
):
    with pytest.raises(ValidationError) as raised:
        _round(commissioner_office, commissioner, **changes)
    assert field in raised.value.message_dict
    assert not FundingRound.objects.exists()


def test_budget_cannot_be_cut_below_awards(commissioner_office, commissioner):
    funding_round = _round(commissioner_office, commissioner, opens_on=timezone.localdate())
    bid = ApplicationFactory(funding_round=funding_round, amount_requested=Decimal("50000"))
    application_decide(application=bid, actor=commissioner, outcome="awarded", feedback="")
    terms = {
        "title": funding_round.title,
        "description": funding_round.description,
        "kind": "grant",
        "opens_on": funding_round.opens_on,
        "closes_on": funding_round.closes_on,
        "area_codes": [WEST_YORKSHIRE],
    }
    with pytest.raises(ValidationError) as raised:
        funding_round_update(
            funding_round=funding_round, actor=commissioner, amount_available="40000", **terms
        )
    assert "amount_available" in raised.value.message_dict
    funding_round_update(
        funding_round=funding_round, actor=commissioner, amount_available="60000", **terms
    )
    funding_round.refresh_from_db()
    assert funding_round.amount_available == Decimal("60000.00")


@pytest.fixture
def reviewed(commissioner_office, commissioner):
    funding_round = _round(commissioner_office, commissioner, opens_on=timezone.localdate())
    reviewers = [member(commissioner_office, Membership.Role.ANALYST) for _ in range(2)]
    for reviewer in reviewers:
        reviewer_assign(funding_round=funding_round, actor=commissioner, reviewer=reviewer)
    bids = [
        ApplicationFactory(funding_round=funding_round, applicant=OrganisationFactory())
        for _ in range(2)
    ]
    return funding_round, reviewers, bids


def _all(funding_round, need, value):
    need_c, value_c = Criterion.objects.filter(funding_round=funding_round)
    return {need_c.pk: (need, "Strong local links."), value_c.pk: (value, "")}


def test_score_before_a_declaration_is_refused(reviewed):
    funding_round, reviewers, bids = reviewed
    with pytest.raises(ValidationError) as raised:
        scores_record(application=bids[0], reviewer=reviewers[0], scores=_all(funding_round, 4, 4))
    assert "scores" in raised.value.message_dict
    assert not Score.objects.exists()


def test_declared_conflict_blocks_scoring(reviewed):
    funding_round, reviewers, bids = reviewed
    conflict_declare(
        application=bids[0], reviewer=reviewers[0], has_conflict=True, note="I am a trustee."
    )
    with pytest.raises(PermissionDenied):
        scores_record(application=bids[0], reviewer=reviewers[0], scores=_all(funding_round, 4, 4))


def test_conflict_needs_a_note_and_is_declared_once(reviewed):
    _funding_round, reviewers, bids = reviewed
    with pytest.raises(ValidationError) as raised:
        conflict_declare(application=bids[0], reviewer=reviewers[0], has_conflict=True)
    assert "note" in raised.value.message_dict
    conflict_declare(application=bids[0], reviewer=reviewers[0], has_conflict=False)
    with pytest.raises(ValidationError):
        conflict_declare(application=bids[0], reviewer=reviewers[0], has_conflict=True, note="x")


def test_unassigned_reviewer_cannot_declare_or_score(reviewed, commissioner_office):
    funding_round, _reviewers, bids = reviewed
    stranger = member(commissioner_office, Membership.Role.ANALYST)
    with pytest.raises(PermissionDenied):
        conflict_declare(application=bids[0], reviewer=stranger, has_conflict=False)
    with pytest.raises(PermissionDenied):
        scores_record(application=bids[0], reviewer=stranger, scores=_all(funding_round, 1, 1))


def test_score_outside_the_scale_or_missing_is_refused(reviewed):
    funding_round, reviewers, bids = reviewed
    conflict_declare(application=bids[0], reviewer=reviewers[0], has_conflict=False)
    scores = _all(funding_round, 6, 3)
    with pytest.raises(ValidationError) as raised:
        scores_record(application=bids[0], reviewer=reviewers[0], scores=scores)
    assert any(key.startswith("criterion_") for key in raised.value.message_dict)
    first = next(iter(scores))
    with pytest.raises(ValidationError):
        scores_record(application=bids[0], reviewer=reviewers[0], scores={first: (3, "")})
    assert not Score.objects.exists()


def test_moderation_shows_weighted_totals_and_flags_wide_spreads(reviewed):
    funding_round, reviewers, bids = reviewed
    for reviewer in reviewers:
        for bid in bids:
            conflict_declare(application=bid, reviewer=reviewer, has_conflict=False)
    scores_record(application=bids[0], reviewer=reviewers[0], scores=_all(funding_round, 5, 1))
    scores_record(application=bids[0], reviewer=reviewers[1], scores=_all(funding_round, 5, 1))
    scores_record(application=bids[1], reviewer=reviewers[0], scores=_all(funding_round, 1, 5))
    scores_record(application=bids[1], reviewer=reviewers[1], scores=_all(funding_round, 5, 5))
    criteria, rows = moderation_rows(funding_round)
    by_bid = {row.application.pk: row for row in rows}
    # (5*3 + 1*1) / (4*5) = 80% from both reviewers.
    assert by_bid[bids[0].pk].weighted_total == pytest.approx(80.0)
    assert by_bid[bids[0].pk].wide == frozenset()
    # Reviewer 1: (1*3 + 5) / 20 = 40%; reviewer 2: 100%; mean 70%. Need spread 1 vs 5: wide.
    assert by_bid[bids[1].pk].weighted_total == pytest.approx(70.0)
    assert by_bid[bids[1].pk].wide == frozenset({criteria[0].pk})
    assert [row.application.pk for row in rows] == [bids[0].pk, bids[1].pk]
    assert AuditEntry.objects.filter(action="commissioning.scored").count() == 4


def test_moderation_query_count_is_flat(reviewed):
    funding_round, reviewers, _bids = reviewed

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            moderation_rows(funding_round)
        return len(queries)

    small = count()
    for _ in range(10):
        bid = ApplicationFactory(funding_round=funding_round, applicant=OrganisationFactory())
        conflict_declare(application=bid, reviewer=reviewers[0], has_conflict=False)
        scores_record(application=bid, reviewer=reviewers[0], scores=_all(funding_round, 3, 3))
    assert count() == small


def test_round_times_count_days_to_decision(commissioner_office, commissioner):
    funding_round = _round(
        commissioner_office,
        commissioner,
        opens_on=dt.date(2025, 1, 1),
        closes_on=dt.date(2025, 1, 31),
        decision_by=dt.date(2025, 2, 28),
    )
    london = dt.UTC  # noon UTC is the same London day in winter
    submitted = dt.datetime(2025, 1, 21, 12, tzinfo=london)
    decided = [
        dt.datetime(2025, 2, 10, 12, tzinfo=london),
        dt.datetime(2025, 3, 2, 12, tzinfo=london),
    ]
    for when in decided:
        bid = ApplicationFactory(
            funding_round=funding_round, applicant=OrganisationFactory(), submitted_at=submitted
        )
        application_decide(
            application=bid,
            actor=commissioner,
            outcome="declined",
            feedback="Show the costs.",
            criterion_feedback={
                c.pk: ("Clear need.", "Show the costs.") for c in funding_round.criteria.all()
            },
            at=when,
        )
    times = round_times(funding_round)
    assert times.from_close.median == 20.0  # 10 and 30 days after 31 January
    assert times.from_close.longest == 30
    assert times.from_submission.longest == 40
    assert times.decision_date_met is False

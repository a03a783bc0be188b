"""The moderation table's figures from the database, checked against plain Python (decision 0139).

The weighted totals and wide spreads are sums and ranges the database works out per application
and reviewer; here they are worked out again score by score, with no Django, and must agree
on every page, with the flags covering the whole round and not only the page shown.
"""

from __future__ import annotations

import math
import random
import statistics
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridgeway.accounts.models import Membership
from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.commissioning.models import Application, ConflictDeclaration, Criterion, Score
from bridgeway.commissioning.selectors import moderation_page
from bridgeway.commissioning.tests.conftest import member
from bridgeway.commissioning.tests.factories import ClosedFundingRoundFactory
from bridgeway.conftest import WEST_YORKSHIRE, sign_in

APPLICATIONS = 37
REVIEWERS = 4
WEIGHTS = (5, 2, 1)
SCALE = 7


@pytest.fixture
def scored_round(commissioner_office):
    """A round whose reviewers scored at random: some every criterion, some only part."""
    draw = random.Random(16)
    funding_round = ClosedFundingRoundFactory(
        commissioner=commissioner_office, score_max=SCALE, area_codes=[WEST_YORKSHIRE]
    )
    criteria = [
        Criterion.objects.create(funding_round=funding_round, title=f"C{n}", weight=w, position=n)
        for n, w in enumerate(WEIGHTS)
    ]
    reviewers = [member(commissioner_office, Membership.Role.ANALYST) for _ in range(REVIEWERS)]
    bids = Application.objects.bulk_create(
        Application(
            funding_round=funding_round,
            applicant=OrganisationFactory(),
            summary="Support in the languages people speak.",
            amount_requested=Decimal("1000"),
            submitted_at=timezone.now(),
        )
        for _ in range(APPLICATIONS)
    )
    scores = []
    for bid in bids:
        for reviewer in reviewers:
            chance = draw.random()
            if chance < 0.15:
                ConflictDeclaration.objects.create(
                    application=bid, reviewer=reviewer, has_conflict=True, note="Trustee"
                )
                continue
            # One in five reviewers stops part way: they do not count in the weighted total.
            scored = criteria if chance > 0.35 else criteria[: draw.randint(0, 2)]
            scores += [
                Score(
                    application=bid,
                    reviewer=reviewer,
                    criterion=criterion,
                    score=draw.randint(0, SCALE),
                    comment=f"Comment {draw.randint(0, 999)}",
                )
                for criterion in scored
            ]
    Score.objects.bulk_create(scores)
    return funding_round, criteria, bids


def _by_hand(bids, criteria):
    """Each application's weighted total, wide criteria and conflicts, score by score."""
    weights = {c.pk: c.weight for c in criteria}
    rows = list(
        Score.objects.filter(application__in=bids).values_list(
            "application_id", "reviewer_id", "criterion_id", "score"
        )
    )
    expected = {}
    for bid in bids:
        mine = [r for r in rows if r[0] == bid.pk]
        percents = []
        for reviewer in {r[1] for r in mine}:
            given = {c: s for _a, who, c, s in mine if who == reviewer}
            if set(given) == set(weights):
                earned = sum(given[c] * w for c, w in weights.items())
                percents.append(100 * earned / (sum(weights.values()) * SCALE))
        wide = set()
        for criterion in weights:
            values = [s for _a, _r, c, s in mine if c == criterion]
            if len(values) >= 2 and max(values) - min(values) >= math.ceil(SCALE / 2):
                wide.add(criterion)
        expected[bid.pk] = (
            statistics.mean(percents) if percents else None,
            len(percents),
            wide,
            ConflictDeclaration.objects.filter(application=bid, has_conflict=True).count(),
        )
    return expected


def test_aggregates_equal_a_computation_score_by_score(scored_round):
    funding_round, criteria, bids = scored_round
    expected = _by_hand(bids, criteria)
    seen = []
    first = moderation_page(funding_round, page=1, per_page=10)
    assert first.pages == 4
    assert first.applications == APPLICATIONS
    assert first.wide_applications == sum(1 for e in expected.values() if e[2])
    for page in range(1, first.pages + 1):
        moderation = moderation_page(funding_round, page=page, per_page=10)
        for row in moderation.rows:
            total, reviewers, wide, conflicts = expected[row.application.pk]
            if total is None:
                assert row.weighted_total is None
            else:
                assert row.weighted_total == pytest.approx(total)
            assert row.reviewers_scored == reviewers
            assert row.wide == frozenset(wide)
            assert row.conflicts == conflicts
            # The page's scores and comments are all there, side by side.
            assert (
                sum(len(cell) for cell, _w in row.cells)
                == Score.objects.filter(application=row.application).count()
            )
            seen.append(row.application.pk)
    assert sorted(seen) == sorted(b.pk for b in bids)
    totals = [expected[pk][0] if expected[pk][0] is not None else -1 for pk in seen]
    assert totals == sorted(totals, reverse=True)


def test_wide_filter_lists_every_wide_application_across_pages(scored_round):
    funding_round, criteria, bids = scored_round
    expected = _by_hand(bids, criteria)
    wide = {pk for pk, e in expected.items() if e[2]}
    assert wide  # the seed gives some
    listed = set()
    moderation = moderation_page(funding_round, per_page=5, wide_only=True)
    for page in range(1, moderation.pages + 1):
        listed |= {
            row.application.pk
            for row in moderation_page(funding_round, page=page, per_page=5, wide_only=True).rows
        }
    assert listed == wide


def test_the_page_reads_only_its_own_scores_and_a_flat_number_of_queries(scored_round):
    funding_round, _criteria, _bids = scored_round
    with CaptureQueriesContext(connection) as small:
        moderation_page(funding_round, per_page=10)
    score_reads = [
        q["sql"]
        for q in small.captured_queries
        if "comment" in q["sql"] and "commissioning_score" in q["sql"]
    ]
    assert len(score_reads) == 1
    assert " IN (" in score_reads[0]
    with CaptureQueriesContext(connection) as large:
        moderation_page(funding_round, per_page=1000)
    assert len(small) == len(large)


def test_moderation_page_paginates_and_survives_a_bad_page(scored_round, commissioner):
    funding_round, _criteria, _bids = scored_round
    client = sign_in(Client(), commissioner)
    url = f"/staff/funding/{funding_round.pk}/moderation/"
    assert client.get(url).status_code == 200
    for query in ("?page=abc", "?page=99", "?page=-3", "?wide=1&page=2"):
        response = client.get(url + query)
        assert response.status_code == 200, query
    page = client.get(url + "?wide=1").content.decode()
    assert "Show every application" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    welsh = client.get(url).content.decode()
    assert "Show only those with a wide spread" not in welsh

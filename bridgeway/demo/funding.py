"""The demo's funding: every part of commissioning, written through its services.

Four rounds of the West Yorkshire office: last year's small grants (decided, with awards,
declines with feedback and their decision times); a joint round with the West Midlands office
(shared budget, a reviewer's conflict, a decision date missed); this year's open round with
applications under review and scored; and a round started from insight's coverage gaps.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from bridgeway.accounts.models import Organisation, User
from bridgeway.commissioning.models import Application, FundingRound
from bridgeway.commissioning.selectors import coverage_gaps_now
from bridgeway.commissioning.services import (
    application_decide,
    application_review_start,
    application_submit,
    funding_round_create,
    funding_round_update,
)
from bridgeway.commissioning.services.feedback import (
    information_answer,
    information_request,
    message_post,
)
from bridgeway.commissioning.services.gaps import funding_round_create_for_gaps
from bridgeway.commissioning.services.partners import round_partner_add
from bridgeway.commissioning.services.reviews import (
    conflict_declare,
    reviewer_assign,
    scores_record,
)
from bridgeway.demo.catalogue import DEMO_ROUND_APPLICANTS, DEMO_ROUND_COMMISSIONER
from bridgeway.insight.services import snapshot_write

WEST_MIDLANDS_OFFICE = "demo-west-midlands-commissioner"
CRITERIA = [
    ("Reaches people other services miss", 3, "Look for evidence of who they work with now."),
    ("A realistic plan and budget", 2, "Can the work carry on after the grant?"),
    ("Led by the community it serves", 1, "Board, staff and volunteers from the community."),
]

# (applicant slug, amount requested, summary)
Bid = tuple[str, str, str]
# An applying organisation's administrator, and the organisation, by its slug.
AdminFor = Callable[[str], tuple[Organisation, User]]


def _per_criterion(
    funding_round: FundingRound, parts: list[tuple[str, str]]
) -> dict[int, tuple[str, str]]:
    """A decline's feedback on each of the round's criteria: (what was strong, what would
    make it succeed), in the criteria's order."""
    return {c.pk: part for c, part in zip(funding_round.criteria.all(), parts, strict=True)}


def _days(now: dt.datetime, days: int) -> dt.datetime:
    return now + dt.timedelta(days=days)


def _round(
    office: Organisation,
    commissioner: User,
    now: dt.datetime,
    *,
    opens: int,
    closes: int,
    decision_by: int,
    **terms: object,
) -> FundingRound:
    """A published round whose dates are days from ``now`` (negative: in the past)."""
    return funding_round_create(
        commissioner=office,
        actor=commissioner,
        opens_on=_days(now, opens).date(),
        closes_on=_days(now, closes).date(),
        decision_by=_days(now, decision_by).date(),
        area_codes=[office.areas.get().code],
        criteria=CRITERIA,
        is_synthetic=True,
        published_at=_days(now, opens - 7),
        **terms,  # type: ignore[arg-type]
    )


def _bids(
    funding_round: FundingRound, bids: list[Bid], admin_for: AdminFor, at: dt.datetime
) -> list[Application]:
    made = []
    for number, (slug, amount, summary) in enumerate(bids):
        organisation, admin = admin_for(slug)
        made.append(
            application_submit(
                funding_round=funding_round,
                applicant=organisation,
                actor=admin,
                summary=summary,
                amount_requested=Decimal(amount),
                at=at + dt.timedelta(hours=5 * number),
                is_synthetic=True,
            )
        )
    return made


def _score(
    funding_round: FundingRound, application: Application, reviewer: User, marks: list[int]
) -> None:
    criteria = list(funding_round.criteria.all())
    conflict_declare(application=application, reviewer=reviewer, has_conflict=False)
    scores_record(
        application=application,
        reviewer=reviewer,
        scores={c.pk: (mark, "") for c, mark in zip(criteria, marks, strict=True)},
    )


def _current(
    office: Organisation,
    commissioner: User,
    reviewer: User,
    now: dt.datetime,
    admin_for: AdminFor,
) -> FundingRound:
    """This year's open round: one application declined early, one under review and scored."""
    funding_round = _round(
        office,
        commissioner,
        now,
        opens=-21,
        closes=35,
        decision_by=77,
        title="Reaching communities we miss: small grants 2026/27",
        description=(
            "Grants of up to £40,000 for community organisations supporting people from "
            "Black, Asian and other minority ethnic communities after crime or hate, "
            "especially those who will not go to the police. Grants, not contracts: a short "
            "application and a decision within six weeks."
        ),
        kind=FundingRound.Kind.GRANT,
        amount_available=Decimal("120000"),
    )
    first, second = DEMO_ROUND_APPLICANTS
    (declined,) = _bids(
        funding_round,
        [
            (
                first,
                "38500",
                "A part-time Urdu- and Panjabi-speaking caseworker in Kirklees, and video "
                "guides made with women from the community.",
            )
        ],
        admin_for,
        _days(now, -14),
    )
    application_decide(
        application=declined,
        actor=commissioner,
        outcome="declined",
        feedback=(
            "A strong case for need. We could not fund it this time because the budget did not "
            "show how the post continues after the grant, and the outcomes had no measures. "
            "We would like to meet to help with both before the next round."
        ),
        criterion_feedback=_per_criterion(
            funding_round,
            [
                (
                    "Clear evidence of the women you reach that others do not.",
                    "Say how many women you expect to reach each quarter.",
                ),
                (
                    "Costs are realistic for the first year.",
                    "Show how the caseworker post continues after the grant.",
                ),
                (
                    "Staff and trustees from the communities you serve.",
                    "Nothing more needed here.",
                ),
            ],
        ),
        support_offered=True,
        at=_days(now, -3),
    )
    message_post(
        application=declined,
        actor=admin_for(first)[1],
        body="Thank you for the feedback. Could we talk about the budget before the next round?",
    )
    (under_review,) = _bids(
        funding_round,
        [
            (
                second,
                "27000",
                "Two lived-experience mentors for young people in Leeds and Bradford after "
                "violence.",
            )
        ],
        admin_for,
        _days(now, -9),
    )
    application_review_start(application=under_review, actor=commissioner)
    # A question stopped the clock for two days until the organisation answered.
    asked = information_request(
        application=under_review,
        actor=commissioner,
        question="How many young people did the mentors support last year?",
        at=_days(now, -6),
    )
    information_answer(
        request=asked,
        actor=admin_for(second)[1],
        answer="Forty-two, most of them referred by schools.",
        at=_days(now, -4),
    )
    reviewer_assign(funding_round=funding_round, actor=commissioner, reviewer=reviewer)
    _score(funding_round, under_review, reviewer, [4, 3, 5])
    return funding_round


def _last_year(
    office: Organisation, commissioner: User, now: dt.datetime, admin_for: AdminFor
) -> FundingRound:
    funding_round = _round(
        office,
        commissioner,
        now,
        opens=-230,
        closes=-200,
        decision_by=-165,
        title="Small grants 2025/26",
        description="Grants of up to £25,000 for small community organisations.",
        kind=FundingRound.Kind.GRANT,
        amount_available=Decimal("80000"),
        eligibility="Community organisations with an income under £500,000.",
    )
    first, second = DEMO_ROUND_APPLICANTS
    awarded, also_awarded, declined = _bids(
        funding_round,
        [
            (first, "24000", "Urdu- and Panjabi-speaking support for women after hate crime."),
            (second, "18500", "Mentoring for young people in Leeds after violence."),
            ("demo-five-towns-victim-care", "25000", "Extra evening opening hours."),
        ],
        admin_for,
        _days(now, -215),
    )
    application_decide(
        application=awarded,
        actor=commissioner,
        outcome="awarded",
        feedback="",
        at=_days(now, -180),
    )
    application_decide(
        application=also_awarded,
        actor=commissioner,
        outcome="awarded",
        feedback="",
        amount_awarded=Decimal("15000"),
        at=_days(now, -175),
    )
    application_decide(
        application=declined,
        actor=commissioner,
        outcome="declined",
        feedback=(
            "Strong: a clear account of demand in the evenings. To succeed next time: show "
            "which communities the extra hours would reach that you do not reach now, and "
            "how you would know. We can talk this through before the next round."
        ),
        criterion_feedback=_per_criterion(
            funding_round,
            [
                (
                    "A clear account of demand in the evenings.",
                    "Show which communities the extra hours would reach that you miss now.",
                ),
                (
                    "A modest, costed request.",
                    "Say how you would know the hours made a difference.",
                ),
                ("Volunteers from the towns you serve.", "Say who leads the organisation."),
            ],
        ),
        at=_days(now, -175),
    )
    return funding_round


def _joint(
    office: Organisation,
    commissioner: User,
    partner: Organisation,
    partner_reviewer: User,
    now: dt.datetime,
    admin_for: AdminFor,
) -> FundingRound:
    terms: dict[str, object] = {
        "title": "Hate crime casework across West Yorkshire and the West Midlands 2025/26",
        "description": (
            "One round, two offices: casework for people harmed by hate crime, for services "
            "that work across both areas."
        ),
        "kind": FundingRound.Kind.CONTRACT,
        "amount_available": Decimal("150000"),
    }
    funding_round = _round(
        office, commissioner, now, opens=-320, closes=-290, decision_by=-255, **terms
    )
    round_partner_add(
        funding_round=funding_round, actor=commissioner, office=partner, contribution="60000"
    )
    funding_round_update(
        funding_round=funding_round,
        actor=commissioner,
        opens_on=funding_round.opens_on,
        closes_on=funding_round.closes_on,
        decision_by=funding_round.decision_by,
        area_codes=[office.areas.get().code, partner.areas.get().code],
        **terms,  # type: ignore[arg-type]
    )
    reviewer_assign(funding_round=funding_round, actor=commissioner, reviewer=partner_reviewer)
    awarded, declined = _bids(
        funding_round,
        [
            (
                "demo-black-country-sikh-women",
                "70000",
                "Casework in Panjabi and English for Sikh women in both areas.",
            ),
            (
                "demo-balsall-somali-family-link",
                "90000",
                "Somali-speaking caseworkers for families after hate crime.",
            ),
        ],
        admin_for,
        _days(now, -300),
    )
    # The partner's reviewer knows one applicant well, and says so before reading it.
    conflict_declare(
        application=awarded,
        reviewer=partner_reviewer,
        has_conflict=True,
        note="I volunteered with this group until last year.",
    )
    _score(funding_round, declined, partner_reviewer, [3, 2, 5])
    application_decide(
        application=awarded,
        actor=commissioner,
        outcome="awarded",
        feedback="",
        amount_awarded=Decimal("65000"),
        at=_days(now, -248),
    )
    application_decide(
        application=declined,
        actor=commissioner,
        outcome="declined",
        feedback=(
            "Strong: deep links with Somali families in both areas. To succeed next time: a "
            "budget that fits the round (the request was most of it), and a plan for the "
            "first three months. We have offered a meeting with our grants officer."
        ),
        criterion_feedback=_per_criterion(
            funding_round,
            [
                (
                    "Deep links with Somali families in both areas.",
                    "Numbers for the families you would reach in each area.",
                ),
                (
                    "A clear team structure.",
                    "A budget that fits the round, and a plan for the first three months.",
                ),
                ("Led by Somali women from both areas.", "Nothing more needed here."),
            ],
        ),
        support_offered=True,
        at=_days(now, -246),
    )
    return funding_round


def _from_gaps(office: Organisation, commissioner: User, now: dt.datetime) -> FundingRound | None:
    """A round aimed at the West Yorkshire communities no specialist service covers, from a
    snapshot written for the purpose (insight's gaps need one); none if there are no gaps."""
    area = office.areas.get().code
    with tempfile.TemporaryDirectory() as directory:
        snapshot_write(out_dir=Path(directory))
        gaps = coverage_gaps_now(area, snapshot_dir=Path(directory))
    if not gaps:
        return None
    chosen = [gap.ethnic_group for gap in sorted(gaps, key=lambda g: -g.residents)[:2]]
    return funding_round_create_for_gaps(
        gaps=gaps,
        chosen=chosen,
        commissioner=office,
        actor=commissioner,
        title="Led by and for: communities with no specialist service 2027",
        description=(
            "For organisations led by and for the communities insight shows have no "
            "specialist service in West Yorkshire."
        ),
        kind=FundingRound.Kind.GRANT,
        opens_on=_days(now, 14).date(),
        closes_on=_days(now, 56).date(),
        decision_by=_days(now, 84).date(),
        amount_available=Decimal("90000"),
        area_codes=[area],
        criteria=CRITERIA,
        is_synthetic=True,
    )


def build_funding(
    organisations: dict[str, Organisation],
    users: dict[tuple[str, str], User],
    admin_for: AdminFor,
    *,
    now: dt.datetime,
) -> tuple[int, int]:
    """Every demo round and application; (rounds, applications) made."""
    office = organisations[DEMO_ROUND_COMMISSIONER]
    commissioner = users[(DEMO_ROUND_COMMISSIONER, "commissioner")]
    rounds = [
        _current(office, commissioner, users[(DEMO_ROUND_COMMISSIONER, "analyst")], now, admin_for),
        _last_year(office, commissioner, now, admin_for),
        _joint(
            office,
            commissioner,
            organisations[WEST_MIDLANDS_OFFICE],
            users[(WEST_MIDLANDS_OFFICE, "analyst")],
            now,
            admin_for,
        ),
    ]
    gap_round = _from_gaps(office, commissioner, now)
    if gap_round is not None:
        rounds.append(gap_round)
    return len(rounds), Application.objects.filter(funding_round__in=rounds).count()

"""Reads for commissioning: open rounds, a commissioner's rounds and an organisation's bids.

Applications are private between the applicant and the round's commissioner's office: a
round's applications are only read through ``funding_round_get_for_office``, which is a 404
for anyone outside that office.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import connections, router
from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from bridgeway.accounts.access import (
    CASEWORK_ROLES,
    INSIGHT_ROLES,
    LISTING_ROLES,
    organisations_for,
)
from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.commissioning.figures import (
    DaysFigure,
    days_between,
    days_figure,
    paused_days,
    weighted_share,
    wide_spread_at,
)
from bridgeway.commissioning.models import (
    Application,
    Attachment,
    ConflictDeclaration,
    Criterion,
    Decision,
    FundingRound,
    InformationRequest,
    ReviewerAssignment,
    RoundPartner,
    Score,
)
from bridgeway.equality.staff_labels import staff_label
from bridgeway.insight.reports import coverage_gaps_report

# A draft is the organisation's alone: no office or reviewer query returns one (decision 0137).
SENT = ~Q(status=Application.Status.DRAFT)
# Applications still in review: sent, not withdrawn.
IN_REVIEW = SENT & ~Q(status=Application.Status.WITHDRAWN)


def has_role_in_round(user: User, funding_round: FundingRound, roles: Iterable[str]) -> bool:
    """Whether ``user`` holds one of ``roles`` in the round's leading office or a partner's."""
    return Membership.objects.filter(
        user=user, organisation_id__in=funding_round.office_ids(), role__in=list(roles)
    ).exists()


def _in_offices(offices: Iterable[Organisation]) -> Q:
    """Rounds led by ``offices`` or joint rounds they are partners in."""
    ids = [office.pk for office in offices]
    return Q(commissioner__in=ids) | Q(
        pk__in=RoundPartner.objects.filter(office__in=ids).values("funding_round")
    )


def open_rounds(*, today: dt.date) -> QuerySet[FundingRound]:
    """Published rounds taking applications on ``today``: open calls anyone may read."""
    return (
        FundingRound.objects.filter(
            published_at__isnull=False, opens_on__lte=today, closes_on__gte=today
        )
        .select_related("commissioner")
        .prefetch_related("areas", "partners__office")
    )


def rounds_of_office(user: User) -> QuerySet[FundingRound]:
    """Every round (open or not) of the offices where ``user`` is a commissioner or analyst."""
    offices = [
        o
        for o in organisations_for(user, INSIGHT_ROLES)
        if o.kind == Organisation.Kind.COMMISSIONER
    ]
    return (
        FundingRound.objects.filter(_in_offices(offices))
        .select_related("commissioner")
        .prefetch_related("areas")
        .order_by("-closes_on", "title")
    )


def applying_organisations(user: User) -> list[Organisation]:
    """The organisations ``user`` may apply for: those they administer, except commissioners."""
    return [
        o
        for o in organisations_for(user, LISTING_ROLES)
        if o.kind != Organisation.Kind.COMMISSIONER
    ]


def applications_of_user(user: User) -> QuerySet[Application]:
    """Applications made by the organisations ``user`` works in, with any decision."""
    organisations = organisations_for(user, CASEWORK_ROLES)
    return (
        Application.objects.filter(applicant__in=organisations)
        .select_related("funding_round__commissioner", "applicant", "decision")
        .prefetch_related("decision__criterion_feedback__criterion")
        .order_by("-submitted_at")
    )


def funding_round_get_for_office(user: User, round_id: uuid.UUID) -> FundingRound:
    """The round, for a commissioner or analyst of its office or a partner's; else ``Http404``."""
    offices = organisations_for(user, INSIGHT_ROLES)
    funding_round = (
        FundingRound.objects.filter(_in_offices(offices), pk=round_id)
        .select_related("commissioner")
        .prefetch_related("areas", "partners__office")
        .first()
    )
    if funding_round is None:
        raise Http404("No such funding round.")
    return funding_round


def application_get_for_office(user: User, application_id: uuid.UUID) -> Application:
    """An application, for a commissioner or analyst of its round's offices; else ``Http404``."""
    offices = organisations_for(user, INSIGHT_ROLES)
    rounds = FundingRound.objects.filter(_in_offices(offices)).values("pk")
    application = (
        Application.objects.filter(SENT, pk=application_id, funding_round__in=rounds)
        .select_related("funding_round__commissioner", "applicant")
        .first()
    )
    if application is None:
        raise Http404("No such application.")
    return application


def open_round_get(round_id: uuid.UUID, *, today: dt.date) -> FundingRound:
    """A round open for applications on ``today``; ``Http404`` for any other."""
    funding_round = open_rounds(today=today).filter(pk=round_id).first()
    if funding_round is None:
        raise Http404("No such open funding round.")
    return funding_round


def round_applications(funding_round: FundingRound) -> QuerySet[Application]:
    """A round's applications with their decisions (callers have checked access)."""
    return (
        funding_round.applications.filter(SENT)
        .select_related("applicant", "decision", "submitted_by")
        .order_by("submitted_at", "id")
    )


@dataclass(frozen=True)
class ModerationRow:
    """One application's scores side by side, its weighted total and any wide spreads."""

    application: Application
    # {criterion id: [(reviewer's name, score, comment), ...]}
    scores: dict[int, list[tuple[str, int, str]]]
    wide: frozenset[int]
    weighted_total: float | None
    reviewers_scored: int
    conflicts: int
    # In the criteria's order, for the page: (the scores given, whether the spread is wide).
    cells: list[tuple[list[tuple[str, int, str]], bool]]


MODERATION_PAGE_SIZE = 50


@dataclass(frozen=True)
class Moderation:
    """One page of the moderation table, and what is true of the whole round beside it."""

    criteria: list[Criterion]
    rows: list[ModerationRow]
    page: int
    pages: int
    # Applications in the round (or, with ``wide_only``, those with a wide spread).
    shown_of: int
    applications: int
    # Applications with a wide spread on at least one criterion, over the whole round.
    wide_applications: int
    wide_only: bool


_MODERATION_SQL = """
SELECT a.id, t.earned, t.reviewers, COALESCE(c.conflicts, 0), COALESCE(w.wide, 0)
FROM {application} a
LEFT JOIN (
    SELECT application_id, AVG(earned) AS earned, COUNT(*) AS reviewers FROM (
        SELECT s.application_id, SUM(s.score * k.weight) AS earned, COUNT(*) AS scored
        FROM {score} s JOIN {criterion} k ON k.id = s.criterion_id
        WHERE k.funding_round_id = %(round)s
        GROUP BY s.application_id, s.reviewer_id
    ) by_reviewer WHERE scored = %(criteria)s GROUP BY application_id
) t ON t.application_id = a.id
LEFT JOIN (
    SELECT application_id, COUNT(*) AS wide FROM (
        SELECT s.application_id
        FROM {score} s JOIN {criterion} k ON k.id = s.criterion_id
        WHERE k.funding_round_id = %(round)s
        GROUP BY s.application_id, s.criterion_id
        HAVING COUNT(*) >= 2 AND MAX(s.score) - MIN(s.score) >= %(wide_at)s
    ) spreads GROUP BY application_id
) w ON w.application_id = a.id
LEFT JOIN (
    SELECT d.application_id, COUNT(*) AS conflicts
    FROM {declaration} d JOIN {application} b ON b.id = d.application_id
    WHERE b.funding_round_id = %(round)s AND d.has_conflict
    GROUP BY d.application_id
) c ON c.application_id = a.id
WHERE a.funding_round_id = %(round)s AND a.status <> %(draft)s AND a.status <> %(withdrawn)s
ORDER BY CASE WHEN t.earned IS NULL THEN 1 ELSE 0 END, t.earned DESC, a.submitted_at, a.id
"""


def _moderation_totals(
    funding_round: FundingRound, criteria: list[Criterion]
) -> list[tuple[object, float | None, int, int, int]]:
    """Every application of the round, highest weighted total first, as the database sums it:
    (id as stored, mean over complete reviewers of sum(score x weight), those reviewers,
    conflicts declared, criteria with a wide spread). Table names are the models' own."""
    database = router.db_for_read(Application)
    connection = connections[database]
    quote = connection.ops.quote_name
    sql = _MODERATION_SQL.format(
        application=quote(Application._meta.db_table),
        score=quote(Score._meta.db_table),
        criterion=quote(Criterion._meta.db_table),
        declaration=quote(ConflictDeclaration._meta.db_table),
    )
    parameters = {
        "round": FundingRound._meta.pk.get_db_prep_value(funding_round.pk, connection),
        "criteria": len(criteria),
        "wide_at": wide_spread_at(funding_round.score_max),
        # Drafts are the organisation's alone and a withdrawn application has left review
        # (decision 0137).
        "draft": Application.Status.DRAFT.value,
        "withdrawn": Application.Status.WITHDRAWN.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return [
            (pk, float(earned) if earned is not None else None, reviewers or 0, conflicts, wide)
            for pk, earned, reviewers, conflicts, wide in cursor.fetchall()
        ]


def moderation_page(
    funding_round: FundingRound,
    *,
    page: int = 1,
    per_page: int = MODERATION_PAGE_SIZE,
    wide_only: bool = False,
) -> Moderation:
    """A page of the round's applications, highest weighted total first (decision 0139).

    The weighted totals, conflicts and wide spreads of every application are worked out by
    the database in one query (sums per application and reviewer, highest and lowest score
    per application and criterion), so the order and the wide-spread flags cover the whole
    round; only the page's own scores and comments are read as rows. Five queries whatever
    the round's size; callers have checked access. A page past the last is the last.
    """
    criteria = list(Criterion.objects.filter(funding_round=funding_round))
    total_weight = sum(c.weight for c in criteria)
    scale = funding_round.score_max
    ordered = _moderation_totals(funding_round, criteria) if criteria else []
    if not criteria:
        ordered = [
            (pk, None, 0, 0, 0)
            for pk in funding_round.applications.filter(IN_REVIEW)
            .order_by("submitted_at", "id")
            .values_list("pk", flat=True)
        ]
    wide_count = sum(1 for row in ordered if row[4])
    chosen = [row for row in ordered if row[4]] if wide_only else ordered
    pages = max(1, -(-len(chosen) // per_page))
    page = min(max(1, page), pages)
    # Ids as stored (32 hexadecimal digits on SQLite) become UUIDs for the page's rows only.
    on_page: list[tuple[uuid.UUID, float | None, int, int]] = [
        (pk if isinstance(pk, uuid.UUID) else uuid.UUID(str(pk)), earned, reviewers, conflicts)
        for pk, earned, reviewers, conflicts, _wide in chosen[
            (page - 1) * per_page : page * per_page
        ]
    ]
    ids = [row[0] for row in on_page]
    applications = round_applications(funding_round).in_bulk(ids)
    wide: dict[object, set[int]] = defaultdict(set)
    for application_id, criterion_id in (
        Score.objects.filter(application_id__in=ids)
        .values("application_id", "criterion_id")
        .annotate(given=Count("id"), spread=Max("score") - Min("score"))
        .filter(given__gte=2, spread__gte=wide_spread_at(scale))
        .values_list("application_id", "criterion_id")
        .order_by()
    ):
        wide[application_id].add(criterion_id)
    side_by_side: dict[object, dict[int, list[tuple[str, int, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    # Plain rows, and only the page's: a large round has thousands of scores (decision 0139).
    for scored, on, mark, remark, name in (
        Score.objects.filter(application_id__in=ids)
        .order_by("reviewer__full_name", "reviewer_id")
        .values_list("application_id", "criterion_id", "score", "comment", "reviewer__full_name")
    ):
        side_by_side[scored][on].append((name, mark, remark))
    rows = []
    for pk, earned, reviewers, conflicts in on_page:
        given = side_by_side.get(pk, {})
        flagged = frozenset(wide.get(pk, ()))
        rows.append(
            ModerationRow(
                application=applications[pk],
                scores=dict(given),
                wide=flagged,
                cells=[(given.get(c.pk, []), c.pk in flagged) for c in criteria],
                weighted_total=(
                    weighted_share(earned, total_weight, scale) if earned is not None else None
                ),
                reviewers_scored=reviewers,
                conflicts=conflicts,
            )
        )
    return Moderation(
        criteria=criteria,
        rows=rows,
        page=page,
        pages=pages,
        shown_of=len(chosen),
        applications=len(ordered),
        wide_applications=wide_count,
        wide_only=wide_only,
    )


def moderation_rows(
    funding_round: FundingRound, *, page: int = 1
) -> tuple[list[Criterion], list[ModerationRow]]:
    """The criteria and one page of ``moderation_page``'s rows (the first by default)."""
    moderation = moderation_page(funding_round, page=page)
    return moderation.criteria, moderation.rows


@dataclass(frozen=True)
class RoundTimes:
    """How quickly a round decided: days from close and from submission to decision."""

    from_close: DaysFigure
    from_submission: DaysFigure
    decision_date_met: bool | None


def round_times(funding_round: FundingRound) -> RoundTimes:
    """The round's decision-time figures, counted in Europe/London days.

    Days an application waited for its organisation's answer to a question ("more
    information needed") are left out: the clock stops until the applicant answers.
    """
    pauses = information_pauses(funding_round)
    rows = [
        (application_id, timezone.localdate(submitted), timezone.localdate(decided))
        for application_id, submitted, decided in Decision.objects.filter(
            application__funding_round=funding_round
        ).values_list("application_id", "application__submitted_at", "decided_at")
    ]
    close = funding_round.closes_on
    met: bool | None = None
    if funding_round.decision_by and rows:
        met = max(decided for _a, _s, decided in rows) <= funding_round.decision_by
    return RoundTimes(
        from_close=days_figure(
            days_between(close, decided, paused=paused_days(close, decided, pauses.get(a, [])))
            for a, _s, decided in rows
        ),
        from_submission=days_figure(
            days_between(s, decided, paused=paused_days(s, decided, pauses.get(a, [])))
            for a, s, decided in rows
        ),
        decision_date_met=met,
    )


def office_records(*, today: dt.date) -> list[dict[str, object]]:
    """Each office's closed, published rounds with their decision times, for the public page.

    A joint round counts in the record of every office that paid into it. Beside the rounds,
    how many promised a decision date and how many of those met it.
    """
    rounds = (
        FundingRound.objects.filter(closes_on__lt=today, published_at__isnull=False)
        .select_related("commissioner")
        .prefetch_related("partners__office")
        .order_by("-closes_on", "title")
    )
    offices: dict[object, dict[str, object]] = {}
    for funding_round in rounds:
        times = round_times(funding_round)
        funders = [funding_round.commissioner, *(p.office for p in funding_round.partners.all())]
        for funder in funders:
            office = offices.setdefault(
                funder.pk, {"office": funder, "rounds": [], "promised": 0, "met": 0}
            )
            office["rounds"].append({"round": funding_round, "times": times})  # type: ignore[attr-defined]
            if times.decision_date_met is not None:
                office["promised"] += 1  # type: ignore[operator]
                office["met"] += int(times.decision_date_met)  # type: ignore[operator]
    return sorted(offices.values(), key=lambda record: record["office"].name)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class PublicAward:
    """An award as the public page shows it: who, how much, and how quickly."""

    decision: Decision
    days_to_decide: int


def recent_awards(*, limit: int = 20) -> list[PublicAward]:
    """The latest awards of published rounds, with days from application to decision.

    Days the application waited for its organisation's answer to a question are left out,
    as in the rounds' figures (decision 0120): the clock stops until the applicant answers.
    """
    decisions = list(
        Decision.objects.filter(
            outcome=Decision.Outcome.AWARDED,
            application__funding_round__published_at__isnull=False,
        )
        .select_related("application__applicant", "application__funding_round__commissioner")
        .order_by("-decided_at")[:limit]
    )
    pauses: dict[uuid.UUID, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for application_id, asked, answered in InformationRequest.objects.filter(
        application_id__in=[decision.application_id for decision in decisions]
    ).values_list("application_id", "asked_at", "answered_at"):
        pauses[application_id].append(
            (timezone.localdate(asked), timezone.localdate(answered) if answered else None)
        )
    awards = []
    for decision in decisions:
        submitted = timezone.localdate(decision.application.submitted_at)
        decided = timezone.localdate(decision.decided_at)
        stopped = paused_days(submitted, decided, pauses.get(decision.application_id, []))
        awards.append(
            PublicAward(
                decision=decision,
                days_to_decide=days_between(submitted, decided, paused=stopped),
            )
        )
    return awards


def offices_led_by(user: User) -> list[Organisation]:
    """The commissioners' offices where ``user`` may open and run rounds."""
    return [
        o
        for o in organisations_for(user, [Membership.Role.COMMISSIONER])
        if o.kind == Organisation.Kind.COMMISSIONER
    ]


def application_get_for_reviewer(user: User, application_id: uuid.UUID) -> Application:
    """An application of a round in the reader's office (``Http404`` otherwise).

    Whether the reader is an assigned reviewer without a conflict is for the caller to check:
    office members see a refusal (403), strangers a 404.
    """
    return application_get_for_office(user, application_id)


def reviewer_state(user: User, application: Application) -> tuple[bool, ConflictDeclaration | None]:
    """Whether ``user`` reviews the application's round, and their declaration for it."""
    assigned = ReviewerAssignment.objects.filter(
        funding_round_id=application.funding_round_id, reviewer=user
    ).exists()
    declaration = ConflictDeclaration.objects.filter(application=application, reviewer=user).first()
    return assigned, declaration


def applications_to_review(user: User) -> list[tuple[Application, ConflictDeclaration | None]]:
    """Undecided applications in rounds ``user`` reviews, without those they are conflicted on."""
    declarations = {d.application_id: d for d in ConflictDeclaration.objects.filter(reviewer=user)}
    applications = (
        Application.objects.filter(IN_REVIEW, funding_round__reviewer_assignments__reviewer=user)
        .exclude(status__in=[Application.Status.AWARDED, Application.Status.DECLINED])
        .select_related("funding_round", "applicant")
        .order_by("funding_round__closes_on", "submitted_at")
    )
    return [
        (a, declarations.get(a.pk))
        for a in applications
        if not (declarations.get(a.pk) and declarations[a.pk].has_conflict)
    ]


@dataclass(frozen=True)
class GapFigures:
    """A community in an area with no specialist service, with insight's figures for it."""

    area_code: str
    area_name: str
    ethnic_group: str
    residents: int
    resident_share: float
    # None where insight hides a small count.
    referred_to_specialist: int | None
    figures_from: dt.datetime | None

    @property
    def label(self) -> str:
        return staff_label("ethnic_groups", self.ethnic_group)

    @property
    def resident_percent(self) -> str:
        return f"{self.resident_share * 100:.1f}%"


def coverage_gaps_now(area_code: str, *, snapshot_dir: Path | None = None) -> list[GapFigures]:
    """The communities in ``area_code`` that no specialist service covers, from insight.

    Raises ``ValueError`` (insight's own errors) with its reason when there are no figures,
    for example before the first snapshot.
    """
    report = coverage_gaps_report(area_code=area_code, snapshot_dir=snapshot_dir)
    gaps = []
    for row in report.rows:
        if row["gap"] != "true":
            continue
        referred = row.figure("referred_to_specialist")
        gaps.append(
            GapFigures(
                area_code=str(row["area_code"]),
                area_name=str(row["area_name"]),
                ethnic_group=str(row["ethnic_group"]),
                residents=int(row.figure("population")),
                resident_share=float(row.figure("population_share").number or 0),
                referred_to_specialist=None if referred.is_symbol else int(referred),
                figures_from=report.snapshot_written_at,
            )
        )
    return gaps


def round_applications_in_full(funding_round: FundingRound) -> QuerySet[Application]:
    """A round's applications with decisions, per-criterion feedback, questions and messages."""
    return round_applications(funding_round).prefetch_related(
        "decision__criterion_feedback__criterion",
        "information_requests",
        "messages__author",
    )


def round_criteria(funding_round: FundingRound) -> list[Criterion]:
    return list(Criterion.objects.filter(funding_round=funding_round))


def application_get_for_party(user: User, application_id: uuid.UUID) -> tuple[Application, bool]:
    """An application for the organisation that made it (``True``) or its round's offices
    (``False``); ``Http404`` for anyone else, so an outsider's id reveals nothing."""
    own = organisations_for(user, CASEWORK_ROLES)
    offices = organisations_for(user, INSIGHT_ROLES)
    rounds = FundingRound.objects.filter(_in_offices(offices)).values("pk")
    application = (
        Application.objects.filter(Q(applicant__in=own) | (Q(funding_round__in=rounds) & SENT))
        .filter(pk=application_id)
        .select_related("funding_round__commissioner", "applicant", "decision")
        .prefetch_related(
            "decision__criterion_feedback__criterion",
            "information_requests",
            "messages__author",
            "attachments",
            "dei_answers",
            "areas_served",
        )
        .first()
    )
    if application is None:
        raise Http404("No such application.")
    return application, application.applicant_id in {o.pk for o in own}


def earlier_feedback(
    applicants: Iterable[Organisation], *, before: FundingRound | None = None
) -> list[Decision]:
    """Declines the organisations had in other rounds, newest first, with their feedback per
    criterion, so an organisation applying again sees what it was told last time."""
    decisions = Decision.objects.filter(
        outcome=Decision.Outcome.DECLINED,
        application__applicant__in=[o.pk for o in applicants],
    )
    if before is not None:
        decisions = decisions.exclude(application__funding_round=before)
    return list(
        decisions.select_related("application__funding_round", "application__applicant")
        .prefetch_related("criterion_feedback__criterion")
        .order_by("-decided_at")
    )


def information_pauses(
    funding_round: FundingRound,
) -> dict[uuid.UUID, list[tuple[dt.date, dt.date | None]]]:
    """Per application, the Europe/London days its questions stopped the decision clock."""
    pauses: dict[uuid.UUID, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for application_id, asked, answered in InformationRequest.objects.filter(
        application__funding_round=funding_round
    ).values_list("application_id", "asked_at", "answered_at"):
        pauses[application_id].append(
            (timezone.localdate(asked), timezone.localdate(answered) if answered else None)
        )
    return pauses


def attachment_get_for_user(
    user: User, application_id: uuid.UUID, attachment_id: uuid.UUID
) -> Attachment:
    """A document of an application, for the organisation that sent it, the round's offices
    and its assigned reviewers who declared no conflict with it; ``Http404`` for anyone else,
    and for anyone who declared a conflict with it, so an id reveals nothing."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id, application_id=application_id)
        .select_related("application__funding_round__commissioner", "application__applicant")
        .first()
    )
    if attachment is None:
        raise Http404("No such document.")
    application = attachment.application
    own = {o.pk for o in organisations_for(user, CASEWORK_ROLES)}
    if application.applicant_id in own:
        return attachment
    declarations = dict(
        ConflictDeclaration.objects.filter(application=application, reviewer=user).values_list(
            "reviewer_id", "has_conflict"
        )
    )
    if application.is_draft or declarations.get(user.pk) is True:
        raise Http404("No such document.")
    offices = {o.pk for o in organisations_for(user, INSIGHT_ROLES)}
    in_office = bool(offices & set(application.funding_round.office_ids()))
    assigned = ReviewerAssignment.objects.filter(
        funding_round_id=application.funding_round_id, reviewer=user
    ).exists()
    if in_office or (assigned and declarations.get(user.pk) is False):
        return attachment
    raise Http404("No such document.")


def own_application_get(user: User, application_id: uuid.UUID) -> Application:
    """An application of an organisation ``user`` administers (``Http404`` otherwise)."""
    administered = organisations_for(user, LISTING_ROLES)
    application = (
        Application.objects.filter(pk=application_id, applicant__in=administered)
        .select_related("funding_round__commissioner", "applicant")
        .prefetch_related("funding_round__areas", "attachments", "dei_answers", "areas_served")
        .first()
    )
    if application is None:
        raise Http404("No such application.")
    return application


def published_round_get(round_id: uuid.UUID) -> FundingRound:
    """A published round, open or not (the services refuse what its dates do not allow)."""
    funding_round = (
        FundingRound.objects.filter(published_at__isnull=False, pk=round_id)
        .select_related("commissioner")
        .prefetch_related("areas")
        .first()
    )
    if funding_round is None:
        raise Http404("No such funding round.")
    return funding_round

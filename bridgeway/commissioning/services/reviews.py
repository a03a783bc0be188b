"""Writes for fair review: assigning reviewers, declaring conflicts, scoring.

A reviewer declares, per application, whether they have a conflict of interest before they
can see or score it; a declared conflict hides the application from them for good. Every
declaration and score goes in the hash-chained audit log.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bridgeway.accounts.access import INSIGHT_ROLES, has_role_in
from bridgeway.accounts.models import Membership, User
from bridgeway.casework.services import audit_record
from bridgeway.commissioning.models import (
    Application,
    ConflictDeclaration,
    Criterion,
    FundingRound,
    ReviewerAssignment,
    Score,
)
from bridgeway.commissioning.selectors import has_role_in_round

COMMENT_MAX_LENGTH = 5_000


def _is_assigned(reviewer: User, funding_round_id: uuid.UUID) -> bool:
    return ReviewerAssignment.objects.filter(
        funding_round_id=funding_round_id, reviewer=reviewer
    ).exists()


@transaction.atomic
def reviewer_assign(
    *, funding_round: FundingRound, actor: User, reviewer: User
) -> ReviewerAssignment:
    """Ask ``reviewer`` (a commissioner or analyst of the round's office) to review the round."""
    if not has_role_in(actor, funding_round.commissioner_id, [Membership.Role.COMMISSIONER]):
        raise PermissionDenied("Only the round's commissioners assign reviewers.")
    if not has_role_in_round(reviewer, funding_round, INSIGHT_ROLES):
        raise ValidationError(
            {"reviewer": _("Reviewers must be commissioners or analysts of the office.")}
        )
    assignment, created = ReviewerAssignment.objects.get_or_create(
        funding_round=funding_round, reviewer=reviewer, defaults={"assigned_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            organisation=funding_round.commissioner,
            action="commissioning.reviewer_assigned",
            object_type="funding_round",
            object_id=str(funding_round.pk),
            detail={"reviewer": str(reviewer.pk)},
        )
    return assignment


@transaction.atomic
def conflict_declare(
    *, application: Application, reviewer: User, has_conflict: bool, note: str = ""
) -> ConflictDeclaration:
    """Record the reviewer's answer for one application; once given, it cannot be changed."""
    if not _is_assigned(reviewer, application.funding_round_id):
        raise PermissionDenied("Only the round's reviewers declare conflicts.")
    if ConflictDeclaration.objects.filter(application=application, reviewer=reviewer).exists():
        raise ValidationError(
            {"has_conflict": _("You have already declared for this application.")}
        )
    cleaned = note.strip()
    if has_conflict and not cleaned:
        raise ValidationError({"note": _("Say in a few words what the conflict is.")})
    if len(cleaned) > 500:
        raise ValidationError({"note": _("Keep this to 500 characters or fewer.")})
    declaration = ConflictDeclaration.objects.create(
        application=application, reviewer=reviewer, has_conflict=has_conflict, note=cleaned
    )
    audit_record(
        actor=reviewer,
        organisation=application.funding_round.commissioner,
        action="commissioning.conflict_declared",
        object_type="funding_application",
        object_id=str(application.pk),
        detail={"has_conflict": has_conflict},
    )
    return declaration


@transaction.atomic
def scores_record(
    *,
    application: Application,
    reviewer: User,
    scores: dict[int, tuple[int, str]],
) -> list[Score]:
    """Score ``application`` on every criterion of its round: {criterion id: (score, comment)}.

    Refused before a declaration of no conflict, after a declared conflict, once the
    application is decided, for a score outside the round's scale, or if a criterion is left
    out. Scoring again replaces the reviewer's earlier scores.
    """
    funding_round = application.funding_round
    if not _is_assigned(reviewer, funding_round.pk):
        raise PermissionDenied("Only the round's reviewers score its applications.")
    declaration = ConflictDeclaration.objects.filter(
        application=application, reviewer=reviewer
    ).first()
    if declaration is None:
        raise ValidationError(
            {"scores": _("Declare whether you have a conflict of interest before scoring.")}
        )
    if declaration.has_conflict:
        raise PermissionDenied("A reviewer with a declared conflict cannot score.")
    if application.is_decided:
        raise ValidationError({"scores": _("This application has already been decided.")})
    if application.status in {Application.Status.DRAFT, Application.Status.WITHDRAWN}:
        raise ValidationError({"scores": _("This application was withdrawn; it is not scored.")})
    criteria = list(Criterion.objects.filter(funding_round=funding_round))
    if not criteria:
        raise ValidationError({"scores": _("This round has no criteria to score against.")})
    errors: dict[str, str] = {}
    for criterion in criteria:
        given = scores.get(criterion.pk)
        field = f"criterion_{criterion.pk}"
        if given is None:
            errors[field] = _("Give a score for %(title)s.") % {"title": criterion.title}
        elif not 0 <= given[0] <= funding_round.score_max:
            errors[field] = _("Score %(title)s from 0 to %(max)d.") % {
                "title": criterion.title,
                "max": funding_round.score_max,
            }
        elif len(given[1]) > COMMENT_MAX_LENGTH:
            errors[f"{field}_comment"] = _("Keep comments to %(limit)d characters or fewer.") % {
                "limit": COMMENT_MAX_LENGTH
            }
    if errors:
        raise ValidationError(errors)
    Score.objects.filter(application=application, reviewer=reviewer).delete()
    saved = Score.objects.bulk_create(
        Score(
            application=application,
            reviewer=reviewer,
            criterion=criterion,
            score=scores[criterion.pk][0],
            comment=scores[criterion.pk][1].strip(),
        )
        for criterion in criteria
    )
    audit_record(
        actor=reviewer,
        organisation=funding_round.commissioner,
        action="commissioning.scored",
        object_type="funding_application",
        object_id=str(application.pk),
        detail={"scores": {str(s.criterion_id): s.score for s in saved}},
    )
    return saved

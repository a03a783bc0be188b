"""Writes for commissioning: opening funding rounds, applying, and deciding with feedback.

Staff pages, the demo seeder and tests all call these. Each checks who is acting, so a
caller cannot skip the rule by going around a view.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.access import has_role_in
from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.casework.services import audit_record
from bridgeway.commissioning.models import (
    Application,
    Criterion,
    CriterionFeedback,
    Decision,
    FundingRound,
)
from bridgeway.commissioning.selectors import has_role_in_round
from bridgeway.places.models import PoliceForceArea

TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 10_000
# Nothing a single PCC round gives out comes near this; bigger is a typing slip.
AMOUNT_MAX = Decimal("99999999.99")


def _amount(value: Decimal | int | str, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter an amount in pounds, like 12500.")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: _("The amount must be more than £0.")})
    if amount > AMOUNT_MAX:
        raise ValidationError({field: _("The amount is too large; check the figure.")})
    return amount


def _text(value: str, field: str, message: str, *, limit: int = TEXT_MAX_LENGTH) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise ValidationError({field: message})
    if len(cleaned) > limit:
        raise ValidationError(
            {field: _("This must be %(limit)d characters or fewer.") % {"limit": limit}}
        )
    return cleaned


CriterionSpec = tuple[str, int, str]
"""A criterion as (title, weight 1 to 100, guidance for reviewers)."""


def _round_checked(
    *,
    commissioner: Organisation,
    title: str,
    description: str,
    kind: str,
    opens_on: dt.date,
    closes_on: dt.date,
    decision_by: dt.date | None,
    amount_available: Decimal | int | str,
    area_codes: Sequence[str],
    score_max: int,
    partners: Sequence[Organisation] = (),
) -> tuple[dict[str, object], list[PoliceForceArea]]:
    """The round's fields, checked, and its areas; a ``ValidationError`` names each field."""
    errors: dict[str, str] = {}
    if kind not in FundingRound.Kind.values:
        errors["kind"] = _("Choose grant or contract.")
    if closes_on < opens_on:
        errors["closes_on"] = _("The closing date must be on or after the opening date.")
    if decision_by is not None and decision_by < closes_on:
        errors["decision_by"] = _("The decision date must be on or after the closing date.")
    if not 2 <= score_max <= 10:
        errors["score_max"] = _("The highest score must be between 2 and 10.")
    codes = list(dict.fromkeys(area_codes))
    covered = {area.code: area for area in commissioner.areas.all()}
    for partner in partners:
        covered.update({area.code: area for area in partner.areas.all()})
    outside = [code for code in codes if code not in covered]
    if not codes:
        errors["areas"] = _("Choose at least one area the round covers.")
    elif outside:
        errors["areas"] = _("Your office does not cover %(codes)s.") % {"codes": ", ".join(outside)}
    if errors:
        raise ValidationError(errors)
    fields: dict[str, object] = {
        "title": _text(title, "title", _("Enter a title."), limit=TITLE_MAX_LENGTH),
        "description": _text(description, "description", _("Describe what the round will fund.")),
        "kind": kind,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "decision_by": decision_by,
        "amount_available": _amount(amount_available, "amount_available"),
        "score_max": score_max,
    }
    return fields, [covered[code] for code in codes]


def _criteria_checked(criteria: Sequence[CriterionSpec]) -> list[CriterionSpec]:
    cleaned: list[CriterionSpec] = []
    for index, (title, weight, guidance) in enumerate(criteria, start=1):
        name = title.strip()
        if not name:
            continue
        if not 1 <= weight <= 100:
            raise ValidationError(
                {"criteria": _("Criterion %(n)d: the weight must be 1 to 100.") % {"n": index}}
            )
        cleaned.append((name[:TITLE_MAX_LENGTH], weight, guidance.strip()))
    return cleaned


def _dei_flags(areas: Sequence[str]) -> dict[str, bool]:
    """Which of the DEI Data Standard's questions a round asks (decision 0138)."""
    unknown = set(areas) - {"leadership", "mission", "project"}
    if unknown:
        raise ValidationError({"dei_questions": _("Choose from the questions listed.")})
    return {f"asks_dei_{area}": area in areas for area in ("leadership", "mission", "project")}


def _require_round_lead(actor: User, commissioner: Organisation | uuid.UUID) -> None:
    if not has_role_in(actor, commissioner, [Membership.Role.COMMISSIONER]):
        raise PermissionDenied("Only the office's commissioners may run a funding round.")


@transaction.atomic
def funding_round_create(
    *,
    commissioner: Organisation,
    actor: User,
    title: str,
    description: str,
    kind: str,
    opens_on: dt.date,
    closes_on: dt.date,
    amount_available: Decimal | int | str,
    area_codes: Sequence[str],
    decision_by: dt.date | None = None,
    eligibility: str = "",
    questions: str = "",
    reviewer_guidance: str = "",
    score_max: int = 5,
    criteria: Sequence[CriterionSpec] = (),
    is_synthetic: bool = False,
    published_at: dt.datetime | None = None,
    dei_areas: Sequence[str] = ("leadership", "mission"),
) -> FundingRound:
    """Open a funding round for ``commissioner``'s office, as a draft unless ``published_at``.

    ``actor`` must hold the commissioner role there; the round's areas must be areas the
    office covers; the dates must follow each other (opens, closes, decisions by).
    Raises ``PermissionDenied`` or ``ValidationError`` (by field).
    """
    if commissioner.kind != Organisation.Kind.COMMISSIONER:
        raise ValidationError(
            {"commissioner": _("Only a commissioner's office runs funding rounds.")}
        )
    _require_round_lead(actor, commissioner)
    fields, areas = _round_checked(
        commissioner=commissioner,
        title=title,
        description=description,
        kind=kind,
        opens_on=opens_on,
        closes_on=closes_on,
        decision_by=decision_by,
        amount_available=amount_available,
        area_codes=area_codes,
        score_max=score_max,
    )
    funding_round = FundingRound(
        commissioner=commissioner,
        eligibility=eligibility.strip()[:TEXT_MAX_LENGTH],
        questions=questions.strip()[:TEXT_MAX_LENGTH],
        reviewer_guidance=reviewer_guidance.strip()[:TEXT_MAX_LENGTH],
        created_by=actor,
        is_synthetic=is_synthetic,
        published_at=published_at,
        **fields,
        **_dei_flags(dei_areas),
    )
    cleaned_criteria = _criteria_checked(criteria)
    funding_round.full_clean()
    funding_round.save()
    funding_round.areas.set(areas)
    Criterion.objects.bulk_create(
        Criterion(funding_round=funding_round, title=t, weight=w, guidance=g, position=n)
        for n, (t, w, g) in enumerate(cleaned_criteria)
    )
    audit_record(
        actor=actor,
        organisation=commissioner,
        action="commissioning.round_created",
        object_type="funding_round",
        object_id=str(funding_round.pk),
        detail={"amount_available": str(funding_round.amount_available)},
    )
    return funding_round


@transaction.atomic
def funding_round_update(
    *,
    funding_round: FundingRound,
    actor: User,
    title: str,
    description: str,
    kind: str,
    opens_on: dt.date,
    closes_on: dt.date,
    amount_available: Decimal | int | str,
    area_codes: Sequence[str],
    decision_by: dt.date | None = None,
    eligibility: str = "",
    questions: str = "",
    reviewer_guidance: str = "",
    score_max: int = 5,
    dei_areas: Sequence[str] | None = None,
) -> FundingRound:
    """Change a round's terms. The budget cannot drop below what has already been awarded."""
    _require_round_lead(actor, funding_round.commissioner_id)
    locked = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
    partners = list(locked.partners.select_related("office"))
    fields, areas = _round_checked(
        partners=[partner.office for partner in partners],
        commissioner=locked.commissioner,
        title=title,
        description=description,
        kind=kind,
        opens_on=opens_on,
        closes_on=closes_on,
        decision_by=decision_by,
        amount_available=amount_available,
        area_codes=area_codes,
        score_max=score_max,
    )
    awarded = locked.amount_available - round_remaining_budget(locked)
    if fields["amount_available"] < awarded:  # type: ignore[operator]
        raise ValidationError(
            {
                "amount_available": _(
                    "£%(awarded)s has already been awarded; the budget cannot be less."
                )
                % {"awarded": f"{awarded:,.2f}"}
            }
        )
    pledged = sum((partner.contribution for partner in partners), Decimal("0"))
    if fields["amount_available"] < pledged:  # type: ignore[operator]
        raise ValidationError(
            {
                "amount_available": _(
                    "Partner offices give £%(pledged)s; the budget cannot be less."
                )
                % {"pledged": f"{pledged:,.2f}"}
            }
        )
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.eligibility = eligibility.strip()[:TEXT_MAX_LENGTH]
    locked.questions = questions.strip()[:TEXT_MAX_LENGTH]
    locked.reviewer_guidance = reviewer_guidance.strip()[:TEXT_MAX_LENGTH]
    if dei_areas is not None:
        for name, asked in _dei_flags(dei_areas).items():
            setattr(locked, name, asked)
    locked.full_clean()
    locked.save()
    locked.areas.set(areas)
    audit_record(
        actor=actor,
        organisation=locked.commissioner,
        action="commissioning.round_changed",
        object_type="funding_round",
        object_id=str(locked.pk),
        detail={"amount_available": str(locked.amount_available)},
    )
    return locked


@transaction.atomic
def application_submit(
    *,
    funding_round: FundingRound,
    applicant: Organisation,
    actor: User,
    summary: str,
    amount_requested: Decimal | int | str,
    at: dt.datetime | None = None,
    is_synthetic: bool = False,
) -> Application:
    """Apply to an open round on behalf of ``applicant``.

    Only an administrator of a support organisation (not a commissioner's office) may
    apply, once per round, while the round is open, for no more than it has available.
    """
    if applicant.kind == Organisation.Kind.COMMISSIONER:
        raise ValidationError({"applicant": _("Commissioners' offices cannot apply for funding.")})
    if not has_role_in(actor, applicant, [Membership.Role.ORGANISATION_ADMIN]):
        raise PermissionDenied("Only the organisation's administrators may apply for it.")
    moment = at or timezone.now()
    if not funding_round.is_open_at(moment):
        raise ValidationError(
            {"funding_round": _("This funding round is not open for applications.")}
        )
    amount = _amount(amount_requested, "amount_requested")
    if amount > funding_round.amount_available:
        raise ValidationError(
            {
                "amount_requested": _(
                    "The round has £%(available)s available; ask for that or less."
                )
                % {"available": f"{funding_round.amount_available:,.2f}"}
            }
        )
    # Lock the round so two administrators cannot both submit for one organisation.
    FundingRound.objects.select_for_update().filter(pk=funding_round.pk).first()
    if Application.objects.filter(funding_round=funding_round, applicant=applicant).exists():
        raise ValidationError(
            {
                "applicant": _("%(name)s has already applied to this round.")
                % {"name": applicant.name}
            }
        )
    application = Application(
        funding_round=funding_round,
        applicant=applicant,
        summary=_text(summary, "summary", _("Describe what the money would pay for.")),
        amount_requested=amount,
        submitted_by=actor,
        submitted_at=moment,
        is_synthetic=is_synthetic,
    )
    application.full_clean()
    application.save()
    return application


def _require_decider(actor: User, funding_round: FundingRound) -> None:
    # A joint round's partners decide together with the lead (decision 0087).
    if not has_role_in_round(actor, funding_round, [Membership.Role.COMMISSIONER]):
        raise PermissionDenied("Only the round's commissioners may decide applications.")


@transaction.atomic
def application_review_start(*, application: Application, actor: User) -> Application:
    """Mark a submitted application as under review, so the applicant can see it moving."""
    _require_decider(actor, application.funding_round)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != Application.Status.SUBMITTED:
        raise ValidationError(
            {"status": _("Only a newly submitted application can be put under review.")}
        )
    locked.status = Application.Status.UNDER_REVIEW
    locked.save(update_fields=["status", "updated_at"])
    application.status = locked.status
    return application


@transaction.atomic
def application_decide(
    *,
    application: Application,
    actor: User,
    outcome: str,
    feedback: str,
    amount_awarded: Decimal | int | str | None = None,
    at: dt.datetime | None = None,
    criterion_feedback: Mapping[int, tuple[str, str]] | None = None,
    support_offered: bool = False,
) -> Decision:
    """Award or decline an application, once.

    Only a commissioner of the round's office may decide. Declining needs feedback the
    organisation can learn from; an award is for the amount requested unless another,
    no larger, amount is given, and never more than the round has left: the round's row is
    locked first, so two awards decided at once are summed one after the other and the
    second is refused if the two together would pass the budget. Every decision is audited.

    A decline in a round with criteria also needs, for every criterion, what was strong and
    what would make a future application succeed (``criterion_feedback``: criterion id to
    (strengths, to improve)); a missing part is refused naming its field,
    ``criterion_<id>_strengths`` or ``criterion_<id>_to_improve`` (decision 0120).
    ``support_offered`` records that the office offered the declined organisation support.
    """
    _require_decider(actor, application.funding_round)
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": _("Choose award or decline.")})
    # Round first, then application: the same order as application_submit, so no deadlock.
    funding_round = FundingRound.objects.select_for_update().get(pk=application.funding_round_id)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.is_decided:
        raise ValidationError({"outcome": _("This application has already been decided.")})
    if locked.status in {Application.Status.DRAFT, Application.Status.WITHDRAWN}:
        # A withdrawn application leaves review; nothing is awarded or declined for it.
        raise ValidationError(
            {"outcome": _("This application was withdrawn or never sent; it cannot be decided.")}
        )
    cleaned_feedback = feedback.strip()
    if len(cleaned_feedback) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {
                "feedback": _("This must be %(limit)d characters or fewer.")
                % {"limit": TEXT_MAX_LENGTH}
            }
        )
    amount: Decimal | None = None
    if outcome == Decision.Outcome.DECLINED:
        if not cleaned_feedback:
            raise ValidationError(
                {
                    "feedback": _(
                        "Tell the organisation why it was declined and what would make a future "
                        "application succeed."
                    )
                }
            )
        per_criterion = _criterion_feedback_checked(funding_round, criterion_feedback or {})
    else:
        per_criterion = []
        # A sent application always has its amount (a database constraint); drafts are
        # refused above.
        requested = locked.amount_requested or Decimal("0")
        amount = (
            requested if amount_awarded in (None, "") else _amount(amount_awarded, "amount_awarded")
        )
        if amount > requested:
            raise ValidationError(
                {"amount_awarded": _("The award cannot be more than the amount requested.")}
            )
        remaining = round_remaining_budget(funding_round)
        if amount > remaining:
            raise ValidationError(
                {
                    "amount_awarded": _(
                        "The round has £%(remaining)s left to award; award that or less."
                    )
                    % {"remaining": f"{remaining:,.2f}"}
                }
            )
    decision = Decision(
        application=locked,
        outcome=outcome,
        feedback=cleaned_feedback,
        amount_awarded=amount,
        decided_at=at or timezone.now(),
        decided_by=actor,
        support_offered=bool(support_offered) and outcome == Decision.Outcome.DECLINED,
    )
    decision.full_clean()
    decision.save()
    CriterionFeedback.objects.bulk_create(
        CriterionFeedback(decision=decision, criterion=c, strengths=good, to_improve=better)
        for c, good, better in per_criterion
    )
    locked.status = outcome
    locked.save(update_fields=["status", "updated_at"])
    application.status = locked.status
    audit_record(
        actor=actor,
        organisation=funding_round.commissioner,
        action=f"commissioning.application_{outcome}",
        object_type="funding_application",
        object_id=str(locked.pk),
        detail={
            "round": str(funding_round.pk),
            "amount_awarded": str(amount) if amount is not None else None,
            "criteria_with_feedback": len(per_criterion),
            "support_offered": decision.support_offered,
        },
    )
    return decision


def _criterion_feedback_checked(
    funding_round: FundingRound, given: Mapping[int, tuple[str, str]]
) -> list[tuple[Criterion, str, str]]:
    """Both parts of a decline's feedback for every criterion of the round, or a
    ``ValidationError`` naming each missing field and its criterion."""
    errors: dict[str, str] = {}
    cleaned = []
    for criterion in Criterion.objects.filter(funding_round=funding_round):
        strengths, to_improve = (part.strip() for part in given.get(criterion.pk, ("", "")))
        if not strengths:
            errors[f"criterion_{criterion.pk}_strengths"] = _(
                "%(criterion)s: say what was strong."
            ) % {"criterion": criterion.title}
        if not to_improve:
            errors[f"criterion_{criterion.pk}_to_improve"] = _(
                "%(criterion)s: say what would make a future application succeed."
            ) % {"criterion": criterion.title}
        for name, part in (("strengths", strengths), ("to_improve", to_improve)):
            if len(part) > TEXT_MAX_LENGTH:
                errors[f"criterion_{criterion.pk}_{name}"] = _(
                    "This must be %(limit)d characters or fewer."
                ) % {"limit": TEXT_MAX_LENGTH}
        cleaned.append((criterion, strengths, to_improve))
    if errors:
        raise ValidationError(errors)
    return cleaned


def round_remaining_budget(funding_round: FundingRound) -> Decimal:
    """What the round can still award: its budget less every award made so far.

    Callers that award must hold the round's row lock (``select_for_update``) so the sum
    cannot change between this read and their write.
    """
    awarded = Decision.objects.filter(
        application__funding_round=funding_round, outcome=Decision.Outcome.AWARDED
    ).aggregate(total=Sum("amount_awarded"))["total"] or Decimal("0")
    return funding_round.amount_available - awarded

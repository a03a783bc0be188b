"""Publishing a round, and joint rounds: partner offices that share the budget (decision 0087).

A round is written as a draft its offices can check; publishing puts it on the public page and
opens it to applications. Neighbouring offices can run one round together: the leading office
adds each partner with what it contributes, and the partners' commissioners then see the
applications and decide alongside the lead.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.access import has_role_in
from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.casework.services import audit_record
from bridgeway.commissioning.models import FundingRound, RoundPartner
from bridgeway.commissioning.services import _amount


def _require_lead(actor: User, funding_round: FundingRound) -> None:
    if not has_role_in(actor, funding_round.commissioner_id, [Membership.Role.COMMISSIONER]):
        raise PermissionDenied("Only the leading office's commissioners may do this.")


@transaction.atomic
def funding_round_publish(
    *, funding_round: FundingRound, actor: User, at: dt.datetime | None = None
) -> FundingRound:
    """Publish a draft round: it goes on the public page and takes applications from its
    opening date. A round whose closing date has passed cannot be published."""
    _require_lead(actor, funding_round)
    locked = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
    moment = at or timezone.now()
    if locked.published_at is not None:
        raise ValidationError({"published_at": _("This round is already published.")})
    if locked.closes_on < timezone.localdate(moment):
        raise ValidationError(
            {"closes_on": _("The closing date has passed; change it before publishing.")}
        )
    locked.published_at = moment
    locked.save(update_fields=["published_at", "updated_at"])
    audit_record(
        actor=actor,
        organisation=locked.commissioner,
        action="commissioning.round_published",
        object_type="funding_round",
        object_id=str(locked.pk),
        detail={},
    )
    funding_round.published_at = locked.published_at
    return locked


@transaction.atomic
def round_partner_add(
    *,
    funding_round: FundingRound,
    actor: User,
    office: Organisation,
    contribution: Decimal | int | str,
) -> RoundPartner:
    """Make ``office`` a partner in the round, giving ``contribution`` of its budget.

    Only the leading office's commissioners add partners; a partner is another commissioner's
    office, added once; the partners' contributions together cannot pass the round's budget
    (the leading office gives what is left).
    """
    _require_lead(actor, funding_round)
    locked = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
    if office.kind != Organisation.Kind.COMMISSIONER or office.pk == locked.commissioner_id:
        raise ValidationError({"office": _("Choose another commissioner's office.")})
    if locked.partners.filter(office=office).exists():
        raise ValidationError(
            {"office": _("%(name)s is already a partner in this round.") % {"name": office.name}}
        )
    amount = _amount(contribution, "contribution")
    pledged = locked.partners.aggregate(total=Sum("contribution"))["total"] or Decimal("0")
    if pledged + amount > locked.amount_available:
        left = locked.amount_available - pledged
        raise ValidationError(
            {
                "contribution": _(
                    "The round's budget is £%(budget)s and partners already give £%(pledged)s; "
                    "a contribution can be £%(left)s at most. Raise the budget first."
                )
                % {
                    "budget": f"{locked.amount_available:,.2f}",
                    "pledged": f"{pledged:,.2f}",
                    "left": f"{left:,.2f}",
                }
            }
        )
    partner = RoundPartner.objects.create(
        funding_round=locked, office=office, contribution=amount, added_by=actor
    )
    audit_record(
        actor=actor,
        organisation=locked.commissioner,
        action="commissioning.partner_added",
        object_type="funding_round",
        object_id=str(locked.pk),
        detail={"office": str(office.pk), "contribution": str(amount)},
    )
    return partner


def round_contributions(funding_round: FundingRound) -> list[tuple[Organisation, Decimal]]:
    """Each office's share of the budget: the lead's (what partners leave) first."""
    partners = list(funding_round.partners.select_related("office"))
    pledged = sum((p.contribution for p in partners), Decimal("0"))
    lead = (funding_round.commissioner, funding_round.amount_available - pledged)
    return [lead, *((p.office, p.contribution) for p in partners)]

"""Monitoring returns: a funded organisation's short reports on what its award did
(decision 0140). Its administrators write them; the round's offices read them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.access import has_role_in
from bridgeway.accounts.models import Membership, User
from bridgeway.casework.services import audit_record
from bridgeway.commissioning.models import Application, Decision, MonitoringReturn


@transaction.atomic
def monitoring_return_submit(
    *,
    application: Application,
    actor: User,
    period_start: dt.date,
    period_end: dt.date,
    people_reached: int,
    what_changed: str,
    spend: Decimal,
    at: dt.datetime | None = None,
) -> MonitoringReturn:
    """Record a return for an award. Refused, naming the field and writing nothing, when the
    period is out of order or ends in the future, a figure is below 0, nothing is said about
    what changed, or the returns' spending would pass the amount awarded."""
    if not has_role_in(actor, application.applicant_id, [Membership.Role.ORGANISATION_ADMIN]):
        raise PermissionDenied("Only the organisation's administrators may send its returns.")
    decision = (
        Decision.objects.select_for_update()
        .filter(application=application, outcome=Decision.Outcome.AWARDED)
        .first()
    )
    if decision is None or decision.amount_awarded is None:
        raise ValidationError(_("Returns are for awards: this application was not awarded."))
    moment = at or timezone.now()
    errors: dict[str, str] = {}
    if period_end < period_start:
        errors["period_end"] = _("The end of the period must be on or after its start.")
    elif period_end > timezone.localdate(moment):
        errors["period_end"] = _("The period cannot end in the future.")
    if people_reached < 0:
        errors["people_reached"] = _("The number of people cannot be below 0.")
    what_changed = what_changed.strip()
    if not what_changed:
        errors["what_changed"] = _("Say in a few words what changed.")
    if spend < 0:
        errors["spend"] = _("The amount spent cannot be below 0.")
    else:
        spent = sum(
            (r.spend for r in MonitoringReturn.objects.filter(application=application)),
            Decimal("0"),
        )
        if spent + spend > decision.amount_awarded:
            errors["spend"] = _(
                "With your earlier returns this comes to more than the £%(awarded)s awarded."
            ) % {"awarded": f"{decision.amount_awarded:,.2f}"}
    if errors:
        raise ValidationError(errors)
    created = MonitoringReturn.objects.create(
        application=application,
        period_start=period_start,
        period_end=period_end,
        people_reached=people_reached,
        what_changed=what_changed,
        spend=spend,
        submitted_by=actor,
        submitted_at=moment,
    )
    audit_record(
        actor=actor,
        organisation=application.applicant,
        action="commissioning.monitoring_return",
        object_type="funding_application",
        object_id=str(application.pk),
        detail={"return": created.pk},
    )
    return created

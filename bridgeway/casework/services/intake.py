"""Referrals that arrive another way than the public forms, entered by staff.

Most referrals to support services come from the police (under the Victims' Code), by phone,
at a drop-in, from a school, a health service or another agency. A practitioner records
them here with the same checks, sealing and audit as the public journey.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.models import User
from bridgeway.casework.models import Referral
from bridgeway.casework.services.audit import audit_record
from bridgeway.casework.services.checks import _bounded_text, _require_caseworker_of
from bridgeway.casework.services.people import (
    NAME_MAX_LENGTH,
    SHORT_TEXT_MAX_LENGTH,
    ContactDetails,
    PersonDetails,
)
from bridgeway.casework.services.referrals import referral_create
from bridgeway.directory.models import Service

# The public forms' own channels: staff never enter a referral as one of these.
PUBLIC_CHANNELS = ("self", "third_party_report")


@dataclass(frozen=True)
class Arrival:
    """How a referral reached the organisation, as the practitioner records it."""

    channel: str
    received_at: dt.datetime
    referred_by: str = ""
    police_reference: str = ""
    police_passed_on: dt.date | None = None


def _checked_arrival(arrival: Arrival) -> Arrival:
    """``arrival`` tidied, or a ValidationError naming the field that is wrong."""
    if arrival.channel in PUBLIC_CHANNELS:
        raise ValidationError({"channel": _("Choose how the referral reached you from the list.")})
    if timezone.is_naive(arrival.received_at):
        raise ValueError("received_at must be timezone-aware")
    if arrival.received_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"received_at": _("The date it arrived cannot be in the future.")})
    referred_by = _bounded_text(
        arrival.referred_by,
        field_name="referred_by",
        limit=NAME_MAX_LENGTH,
        label=_("Who referred"),
    )
    reference = _bounded_text(
        arrival.police_reference,
        field_name="police_reference",
        limit=SHORT_TEXT_MAX_LENGTH,
        label=_("Police reference"),
    )
    passed_on = arrival.police_passed_on
    if arrival.channel == "police":
        if not reference:
            raise ValidationError(
                {"police_reference": _("Enter the police reference for a police referral.")}
            )
        if passed_on is None:
            raise ValidationError(
                {"police_passed_on": _("Enter the date the police passed the referral on.")}
            )
        if passed_on > timezone.localdate(arrival.received_at):
            raise ValidationError(
                {
                    "police_passed_on": _(
                        "The date the police passed it on cannot be after the date it arrived."
                    )
                }
            )
    elif reference or passed_on:
        # A police reference on a phone referral would be read as a police referral.
        raise ValidationError(
            {"police_reference": _("Only a police referral has a police reference and date.")}
        )
    return Arrival(arrival.channel, arrival.received_at, referred_by, reference, passed_on)


@transaction.atomic
def referral_intake(
    *,
    actor: User,
    service: Service,
    arrival: Arrival,
    details: PersonDetails,
    contact: ContactDetails,
    harm_types: list[str] | tuple[str, ...] = (),
    hate_strands: list[str] | tuple[str, ...] = (),
    narrative: str = "",
    is_synthetic: bool = False,
) -> Referral:
    """Record a referral that arrived by ``arrival.channel``, for ``service``'s organisation.

    ``actor`` must work cases there. Nothing is written when any part is refused.
    """
    _require_caseworker_of(actor, service.organisation_id)
    checked = _checked_arrival(arrival)
    referral = referral_create(
        service=service,
        details=details,
        contact=contact,
        harm_types=harm_types,
        hate_strands=hate_strands,
        narrative=narrative,
        channel=checked.channel,
        received_at=checked.received_at,
        actor=actor,
        is_synthetic=is_synthetic,
    )
    referral.referred_by = checked.referred_by
    referral.police_reference = checked.police_reference
    referral.police_passed_on = checked.police_passed_on
    referral.save(update_fields=["referred_by", "police_reference", "police_passed_on"])
    audit_record(
        actor=actor,
        organisation=service.organisation,
        action="referral.intake",
        object_type="referral",
        object_id=str(referral.pk),
        detail={"channel": checked.channel, "police": bool(checked.police_reference)},
    )
    return referral

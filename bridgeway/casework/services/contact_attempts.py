"""Tries at reaching a person, refused when they break the person's contact preferences."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.models import User
from bridgeway.casework.models import (
    CaseEvent,
    ContactAttempt,
    ContactPreference,
    Referral,
)
from bridgeway.casework.safe_contact import Refusal, contact_refusal
from bridgeway.casework.services.audit import audit_record
from bridgeway.casework.services.checks import (
    _bounded_text,
    _require_caseworker_of,
    _shown,
)

CONTACT_NOTE_MAX_LENGTH = 2_000


def _contact_refusal_message(refusal: Refusal, method_label: str, times: str = "") -> str:
    messages = {
        Refusal.NO_PREFERENCES: _(
            "No contact preferences were recorded. Do not contact this person until you "
            "know it is safe."
        ),
        Refusal.DO_NOT_CONTACT: _("This person asked not to be contacted."),
        Refusal.CHANNEL_NOT_CHOSEN: _(
            "The person did not choose to be contacted this way (%(method)s)."
        )
        % {"method": method_label},
        Refusal.NO_MESSAGES: _("The person said no message may be left. Do not leave a voicemail."),
        Refusal.UNKNOWN_METHOD: _("Choose how you contacted the person from the list."),
        Refusal.OUTSIDE_TIMES: _(
            "It is not a time the person said is safe (“%(times)s”). Try again within their times."
        )
        % {"times": times},
        Refusal.TIMES_UNCLEAR: _(
            "Check the times the person said are safe (“%(times)s”), and confirm that now is "
            "one of them."
        )
        % {"times": times},
    }
    return str(messages[refusal])


@transaction.atomic
def contact_attempt_record(
    *,
    referral: Referral,
    actor: User,
    method: str,
    outcome: str,
    note: str = "",
    times_checked: bool = False,
) -> ContactAttempt:
    """Record a try at reaching the person; refused when it breaks their contact preferences.

    Checked against the preferences they gave (``bridgeway.casework.safe_contact``): a
    voicemail when no message may be left, an email when email was not chosen, any contact
    when they asked for none or none were recorded, and any contact now (UK time) outside the
    times they said are safe. When their words about times cannot be read for certain, the
    worker must confirm they checked them (``times_checked``).
    """
    _require_caseworker_of(actor, referral.organisation_id)
    try:
        preference: ContactPreference | None = ContactPreference.objects.get(
            person_id=referral.person_id
        )
    except ContactPreference.DoesNotExist:
        preference = None
    now = timezone.now()
    times = preference.times if preference else ""
    refusal = contact_refusal(
        method,
        channels=preference.channels if preference else None,
        may_leave_message=bool(preference and preference.may_leave_message),
        times=times,
        at=now,
        times_checked=times_checked,
    )
    if refusal is not None:
        label = dict(ContactAttempt.Method.choices).get(method, _shown(method))
        # An unreadable time is answered by the box that confirms it, not by another method.
        field = "times_checked" if refusal is Refusal.TIMES_UNCLEAR else "method"
        raise ValidationError({field: _contact_refusal_message(refusal, str(label), times)})
    if outcome not in ContactAttempt.Outcome.values:
        raise ValidationError({"outcome": _("Choose what happened from the list.")})
    text = _bounded_text(note, field_name="note", limit=CONTACT_NOTE_MAX_LENGTH, label=_("Note"))
    attempt = ContactAttempt(
        referral_id=referral.pk,
        method=method,
        outcome=outcome,
        note=text,
        actor=actor,
        attempted_at=now,
    )
    attempt.full_clean()
    attempt.save()
    CaseEvent.objects.create(
        referral_id=referral.pk,
        kind=CaseEvent.Kind.CONTACT,
        text=f"{attempt.get_method_display()}: {attempt.get_outcome_display()}"
        + (f"\n{text}" if text else ""),
        actor=actor,
        occurred_at=now,
    )
    audit_record(
        actor=actor,
        organisation=referral.organisation,
        action="contact.attempt",
        object_type="referral",
        object_id=str(referral.pk),
        detail={"method": method, "outcome": outcome},
    )
    return attempt

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


def _contact_refusal_message(refusal: Refusal, method_label: str) -> str:
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
    }
    return str(messages[refusal])


@transaction.atomic
def contact_attempt_record(
    *, referral: Referral, actor: User, method: str, outcome: str, note: str = ""
) -> ContactAttempt:
    """Record a try at reaching the person; refused when it breaks their contact preferences.

    Checked against the preferences they gave (``bridgeway.casework.safe_contact``): a
    voicemail when no message may be left, an email when email was not chosen, any contact
    when they asked for none or none were recorded.
    """
    _require_caseworker_of(actor, referral.organisation_id)
    try:
        preference: ContactPreference | None = ContactPreference.objects.get(
            person_id=referral.person_id
        )
    except ContactPreference.DoesNotExist:
        preference = None
    refusal = contact_refusal(
        method,
        channels=preference.channels if preference else None,
        may_leave_message=bool(preference and preference.may_leave_message),
    )
    if refusal is not None:
        label = dict(ContactAttempt.Method.choices).get(method, _shown(method))
        raise ValidationError({"method": _contact_refusal_message(refusal, str(label))})
    if outcome not in ContactAttempt.Outcome.values:
        raise ValidationError({"outcome": _("Choose what happened from the list.")})
    text = _bounded_text(note, field_name="note", limit=CONTACT_NOTE_MAX_LENGTH, label=_("Note"))
    now = timezone.now()
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

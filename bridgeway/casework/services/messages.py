"""Two-way messages between the person who reported and the organisation, and internal notes.

Both directions and notes are one kind of write, ``_timeline_text_add``: a sealed text on
the timeline, audited. What differs is who writes it and whether the person reads it back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.models import User
from bridgeway.casework.models import (
    CaseEvent,
    Referral,
    Report,
)
from bridgeway.casework.services.audit import audit_record
from bridgeway.casework.services.checks import (
    _bounded_text,
    _require_caseworker_of,
)

# A message is a few paragraphs; a longer story belongs in the report itself.
MESSAGE_MAX_LENGTH = 5_000


@dataclass(frozen=True)
class ReporterMessage:
    """One message as the person who reported sees it: never who at the organisation wrote it."""

    from_reporter: bool
    text: str
    sent_at: dt.datetime


def _message_text(text: str, *, field_name: str = "text") -> str:
    body = _bounded_text(text, field_name=field_name, limit=MESSAGE_MAX_LENGTH, label=_("Message"))
    if not body:
        raise ValidationError({field_name: _("Write a message before sending it.")})
    return body


def _report_of(referral: Referral) -> Report:
    """The report behind ``referral``; messages go only where the person can read them back."""
    try:
        return Report.objects.get(referral_id=referral.pk)
    except Report.DoesNotExist:
        raise ValidationError(
            {
                "text": _(
                    "Messages can only be sent on a report: the person has no way to read them here."
                )
            }
        ) from None


# The audit action each kind of text written on the timeline is logged as.
_AUDIT_ACTIONS = {
    CaseEvent.Kind.MESSAGE_OUT: "message.send",
    CaseEvent.Kind.MESSAGE_IN: "message.receive",
    CaseEvent.Kind.NOTE: "note.add",
}


def _timeline_text_add(
    *, referral: Referral, kind: CaseEvent.Kind, actor: User | None, text: str
) -> CaseEvent:
    """Write one message or note on ``referral``'s timeline, sealed at rest, and audit it.

    A staff ``actor`` must work the referral's organisation's cases (the second line of
    defence behind the views); ``None`` is the person who reported, who has no account. A
    message either way goes only on a report, where the person can read it back.
    """
    if actor is not None:
        _require_caseworker_of(actor, referral.organisation_id)
    body = _message_text(text)
    if kind != CaseEvent.Kind.NOTE:
        _report_of(referral)
    event = CaseEvent(
        referral_id=referral.pk, kind=kind, text=body, actor=actor, occurred_at=timezone.now()
    )
    event.full_clean()
    event.save()
    audit_record(
        actor=actor,
        organisation=referral.organisation,
        action=_AUDIT_ACTIONS[kind],
        object_type="referral",
        object_id=str(referral.pk),
        detail={"event": event.pk},
    )
    return event


@transaction.atomic
def message_to_reporter(*, referral: Referral, actor: User, text: str) -> CaseEvent:
    """A reply from the organisation the person who reported reads on the follow-up page.

    Sealed at rest, on the timeline as ``MESSAGE_OUT``, and audited.
    """
    return _timeline_text_add(
        referral=referral, kind=CaseEvent.Kind.MESSAGE_OUT, actor=actor, text=text
    )


@transaction.atomic
def message_from_reporter(*, referral: Referral, text: str) -> CaseEvent:
    """A message the person who reported wrote on the follow-up page (after ``follow_up_open``).

    Sealed at rest, on the timeline as ``MESSAGE_IN``, and audited with no actor: the person
    has no account, and the audit log must not learn who they are.
    """
    return _timeline_text_add(
        referral=referral, kind=CaseEvent.Kind.MESSAGE_IN, actor=None, text=text
    )


@transaction.atomic
def messages_for_reporter(referral: Referral) -> list[ReporterMessage]:
    """What the person who reported may read, oldest first: replies and their own messages.

    Never internal notes, stage moves or the names of staff. The read is audited.
    """
    events = CaseEvent.objects.filter(
        referral_id=referral.pk,
        kind__in=[CaseEvent.Kind.MESSAGE_IN, CaseEvent.Kind.MESSAGE_OUT],
    ).order_by("occurred_at", "id")
    shown = [
        ReporterMessage(
            from_reporter=event.kind == CaseEvent.Kind.MESSAGE_IN,
            text=event.text,
            sent_at=event.occurred_at,
        )
        for event in events
    ]
    audit_record(
        actor=None,
        organisation=referral.organisation,
        action="message.read_by_reporter",
        object_type="referral",
        object_id=str(referral.pk),
        detail={"count": len(shown)},
    )
    return shown


@transaction.atomic
def note_add(*, referral: Referral, actor: User, text: str) -> CaseEvent:
    """An internal note on the timeline: seen by the organisation's staff, never the person."""
    return _timeline_text_add(referral=referral, kind=CaseEvent.Kind.NOTE, actor=actor, text=text)

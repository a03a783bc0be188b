"""Writes for the conversation around an application: questions that stop the decision
clock, their answers, and messages between the organisation and the round's commissioners
(decision 0120)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.access import CASEWORK_ROLES, has_role_in
from bridgeway.accounts.models import Membership, User
from bridgeway.casework.services import audit_record
from bridgeway.commissioning.models import Application, ApplicationMessage, InformationRequest
from bridgeway.commissioning.selectors import has_role_in_round

MESSAGE_MAX_LENGTH = 5_000


def _body(value: str, field: str, message: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise ValidationError({field: message})
    if len(cleaned) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                field: _("This must be %(limit)d characters or fewer.")
                % {"limit": MESSAGE_MAX_LENGTH}
            }
        )
    return cleaned


def _is_decider(actor: User, application: Application) -> bool:
    return has_role_in_round(actor, application.funding_round, [Membership.Role.COMMISSIONER])


def _is_applicant(actor: User, application: Application, roles: tuple[str, ...]) -> bool:
    return has_role_in(actor, application.applicant_id, list(roles))


@transaction.atomic
def information_request(
    *, application: Application, actor: User, question: str, at: dt.datetime | None = None
) -> InformationRequest:
    """Ask the applicant for more information; the decision clock stops until they answer.

    Only the round's commissioners ask, one open question at a time, before the decision.
    """
    if not _is_decider(actor, application):
        raise PermissionDenied("Only the round's commissioners may ask for more information.")
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.is_decided:
        raise ValidationError({"question": _("This application has already been decided.")})
    if locked.information_requests.filter(answered_at__isnull=True).exists():
        raise ValidationError(
            {"question": _("A question is already waiting for the organisation's answer.")}
        )
    asked = InformationRequest.objects.create(
        application=locked,
        question=_body(question, "question", _("Say what information you need.")),
        asked_at=at or timezone.now(),
        asked_by=actor,
    )
    locked.status = Application.Status.MORE_INFORMATION
    locked.save(update_fields=["status", "updated_at"])
    application.status = locked.status
    audit_record(
        actor=actor,
        organisation=locked.funding_round.commissioner,
        action="commissioning.information_requested",
        object_type="funding_application",
        object_id=str(locked.pk),
        detail={"request": asked.pk},
    )
    return asked


@transaction.atomic
def information_answer(
    *, request: InformationRequest, actor: User, answer: str, at: dt.datetime | None = None
) -> InformationRequest:
    """The applicant's answer: the clock starts again and the application is back under review."""
    application = request.application
    if not _is_applicant(actor, application, (Membership.Role.ORGANISATION_ADMIN,)):
        raise PermissionDenied("Only the organisation's administrators may answer for it.")
    locked = InformationRequest.objects.select_for_update().get(pk=request.pk)
    if not locked.is_open:
        raise ValidationError({"answer": _("This question has already been answered.")})
    moment = at or timezone.now()
    locked.answer = _body(answer, "answer", _("Enter your answer."))
    locked.answered_at = max(moment, locked.asked_at)
    locked.answered_by = actor
    locked.save(update_fields=["answer", "answered_at", "answered_by", "updated_at"])
    Application.objects.filter(
        pk=application.pk, status=Application.Status.MORE_INFORMATION
    ).update(status=Application.Status.UNDER_REVIEW, updated_at=moment)
    audit_record(
        actor=actor,
        organisation=application.applicant,
        action="commissioning.information_given",
        object_type="funding_application",
        object_id=str(application.pk),
        detail={"request": locked.pk},
    )
    return locked


@transaction.atomic
def message_post(*, application: Application, actor: User, body: str) -> ApplicationMessage:
    """A message in the application's conversation, from the organisation or the round's office.

    An organisation asks for a conversation about its feedback this way; the round's
    commissioners answer in the same thread.
    """
    from_applicant = _is_applicant(actor, application, CASEWORK_ROLES)
    if not from_applicant and not _is_decider(actor, application):
        raise PermissionDenied("Only the organisation and the round's commissioners may write.")
    message = ApplicationMessage.objects.create(
        application=application,
        author=actor,
        from_applicant=from_applicant,
        body=_body(body, "body", _("Write your message.")),
    )
    audit_record(
        actor=actor,
        organisation=application.applicant
        if from_applicant
        else application.funding_round.commissioner,
        action="commissioning.message_posted",
        object_type="funding_application",
        object_id=str(application.pk),
        detail={"message": message.pk},
    )
    return message

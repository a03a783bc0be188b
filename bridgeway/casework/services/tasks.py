"""Tasks on a case: something to do by a day, given to one member of staff."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.access import CASEWORK_ROLES, has_role_in
from bridgeway.accounts.models import User
from bridgeway.casework.models import Referral, Task
from bridgeway.casework.services.audit import audit_record
from bridgeway.casework.services.checks import _bounded_text, _require_caseworker_of
from bridgeway.casework.services.people import SHORT_TEXT_MAX_LENGTH


@transaction.atomic
def task_create(
    *,
    actor: User,
    referral: Referral,
    kind: str,
    due_on: dt.date,
    assignee: User,
    note: str = "",
) -> Task:
    """A task on ``referral`` for ``assignee`` (who must work cases for its organisation)."""
    _require_caseworker_of(actor, referral.organisation_id)
    if kind not in Task.Kind.values:
        raise ValidationError({"kind": _("Choose what the task is from the list.")})
    if not has_role_in(assignee, referral.organisation_id, CASEWORK_ROLES):
        raise ValidationError(
            {"assignee": _("Choose someone who works cases for this organisation.")}
        )
    if due_on < timezone.localdate() - dt.timedelta(days=1):
        raise ValidationError({"due_on": _("The date a task is due cannot be in the past.")})
    text = _bounded_text(note, field_name="note", limit=SHORT_TEXT_MAX_LENGTH, label=_("Note"))
    task = Task.objects.create(
        referral=referral,
        kind=kind,
        note=text,
        due_on=due_on,
        assignee=assignee,
        created_by=actor,
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        organisation=referral.organisation,
        action="task.create",
        object_type="referral",
        object_id=str(referral.pk),
        detail={"task": task.pk, "kind": kind, "due_on": due_on.isoformat()},
    )
    return task


@transaction.atomic
def task_complete(*, actor: User, task: Task) -> Task:
    """Mark ``task`` done (once)."""
    _require_caseworker_of(actor, task.referral.organisation_id)
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        audit_record(
            actor=actor,
            organisation=task.referral.organisation,
            action="task.complete",
            object_type="referral",
            object_id=str(task.referral_id),
            detail={"task": task.pk},
        )
    return task

"""When first contact is due for an organisation's referrals, and which are overdue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from bridgeway.casework.models import CaseworkSettings, Task
from bridgeway.casework.working_days import add_working_days, latest_start_due_by

DEFAULT_FIRST_CONTACT_DAYS = 2
# The inbox's "due" filter values.
DUE_FILTERS = ("overdue", "due_today", "task_overdue")


def first_contact_days(organisation_ids: Iterable[Any]) -> dict[Any, int]:
    """Each organisation's working days to first contact (the default where none is set)."""
    ids = list(organisation_ids)
    days = {organisation_id: DEFAULT_FIRST_CONTACT_DAYS for organisation_id in ids}
    days.update(
        CaseworkSettings.objects.filter(organisation_id__in=ids).values_list(
            "organisation_id", "first_contact_working_days"
        )
    )
    return days


def first_contact_due(received_at: dt.datetime, days: int) -> dt.date:
    """The day first contact is due for a referral that arrived at ``received_at``."""
    return add_working_days(timezone.localdate(received_at), days)


def _midnight_after(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def due_filter(due: str, organisation_ids: Iterable[Any], today: dt.date) -> Q:
    """The referrals ``due`` selects: first contact ``overdue`` or ``due_today`` (still at
    "referred"), or with an open ``task_overdue``. One range of arrival times per
    organisation, so the inbox's indexes answer it and its query count does not grow."""
    if due == "task_overdue":
        return Q(
            Exists(
                Task.objects.filter(
                    referral_id=OuterRef("pk"), done_at__isnull=True, due_on__lt=today
                )
            )
        )
    condition = Q(pk__in=[])
    yesterday = today - dt.timedelta(days=1)
    for organisation_id, days in first_contact_days(organisation_ids).items():
        overdue_until = _midnight_after(latest_start_due_by(yesterday, days))
        if due == "overdue":
            window = Q(received_at__lt=overdue_until)
        else:
            window = Q(
                received_at__gte=overdue_until,
                received_at__lt=_midnight_after(latest_start_due_by(today, days)),
            )
        condition |= Q(organisation_id=organisation_id, stage="referred") & window
    return condition

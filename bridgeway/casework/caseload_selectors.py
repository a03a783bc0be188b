"""Reads for an organisation's caseload page: its own cases only, counted in the database.

Every query is filtered by the one organisation the manager runs; nothing here reads a
person's details, only codes, stages, times and who is assigned.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from bridgeway.accounts.models import Organisation, User
from bridgeway.casework.caseload import Reach, Waiting, reach_by_group, waiting
from bridgeway.casework.models import FINISHING_STAGES, CaseEvent, Person, Referral, Task
from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, vocabulary
from bridgeway.places.models import CensusPopulation

# The window of arrivals the page's waiting times, channels and declines cover.
CASELOAD_WINDOW_DAYS = 90
_SECONDS_PER_DAY = 86_400
# Stages that do not mean the person was reached: arriving, and finishing without contact.
NOT_CONTACT = ("referred", *FINISHING_STAGES)


@dataclass(frozen=True)
class Caseload:
    """What the caseload page shows for one organisation."""

    organisation: Organisation
    since: dt.date
    # (stage, worker name or "", number of open cases)
    open_by_stage_and_worker: list[tuple[str, str, int]]
    open_total: int
    first_contact: Waiting
    still_waiting: int
    # (worker name, overdue tasks)
    overdue_tasks: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    by_decline_reason: list[tuple[str, int]]
    # People who arrived in the window, by ethnic group, against the areas' residents.
    reach: Reach
    area_names: list[str]


def _names(ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    return {
        user.pk: user.full_name or user.email
        for user in User.objects.filter(pk__in=ids).only("pk", "full_name", "email")
    }


def caseload_for(organisation: Organisation, *, now: dt.datetime | None = None) -> Caseload:
    """The organisation's open cases, waits, overdue tasks, channels and decline reasons."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=CASELOAD_WINDOW_DAYS)
    own = Referral.objects.filter(organisation=organisation)
    open_rows = list(
        own.exclude(stage__in=FINISHING_STAGES)
        .values("stage", "assigned_to")
        .annotate(cases=Count("id"))
        .order_by()
    )
    overdue_rows = list(
        Task.objects.filter(
            referral__organisation=organisation,
            done_at__isnull=True,
            due_on__lt=timezone.localdate(now),
        )
        .values("assignee")
        .annotate(tasks=Count("id"))
        .order_by()
    )
    names = _names(
        {row["assigned_to"] for row in open_rows if row["assigned_to"]}
        | {row["assignee"] for row in overdue_rows}
    )
    recent = own.filter(received_at__gte=since)
    contacted = (
        recent.annotate(
            first_contact=Min(
                "events__occurred_at",
                filter=Q(events__kind=CaseEvent.Kind.STAGE) & ~Q(events__stage__in=NOT_CONTACT),
            )
        )
        .filter(first_contact__isnull=False)
        .values_list("received_at", "first_contact")
    )
    waits = [
        max((reached - received).total_seconds(), 0) / _SECONDS_PER_DAY
        for received, reached in contacted
    ]
    channels = Counter(dict(recent.values_list("channel").annotate(n=Count("id")).order_by()))
    reasons = Counter(
        dict(
            recent.exclude(decline_reason="")
            .values_list("decline_reason")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    return Caseload(
        organisation=organisation,
        since=timezone.localdate(since),
        open_by_stage_and_worker=sorted(
            (row["stage"], names.get(row["assigned_to"], ""), row["cases"]) for row in open_rows
        ),
        open_total=sum(row["cases"] for row in open_rows),
        first_contact=waiting(waits),
        still_waiting=own.filter(stage="referred").count(),
        overdue_tasks=sorted((names[row["assignee"]], row["tasks"]) for row in overdue_rows),
        by_channel=channels.most_common(),
        by_decline_reason=reasons.most_common(),
        reach=reach_for(organisation, since=since),
        area_names=sorted(organisation.areas.values_list("name", flat=True)),
    )


def reach_for(organisation: Organisation, *, since: dt.datetime) -> Reach:
    """Distinct people with a referral to ``organisation`` since ``since``, by ethnic group,
    against the census residents of the police force areas it works in.

    A person merged into another is counted once, as the person kept.
    """
    people = dict(
        Person.objects.filter(
            organisation=organisation,
            merged_into__isnull=True,
            referrals__organisation=organisation,
            referrals__received_at__gte=since,
        )
        .values_list("ethnic_group")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    population = dict(
        CensusPopulation.objects.filter(district__police_force_area__in=organisation.areas.all())
        .values_list("ethnic_group")
        .annotate(n=Sum("count"))
        .order_by()
    )
    groups = [
        code for code in vocabulary("ethnic_groups").ordered_codes() if code not in NOT_KNOWN_CODES
    ]
    return reach_by_group(
        people,
        population,
        groups=groups,
        not_known=NOT_KNOWN_CODES,
        threshold=settings.SUPPRESSION_THRESHOLD,
    )

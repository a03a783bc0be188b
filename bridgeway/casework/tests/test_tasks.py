"""Timescales and tasks: first contact due in working days, tasks, the inbox's due filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bridgeway.accounts.models import Organisation, User
from bridgeway.casework.models import AuditEntry, CaseworkSettings, Referral, Task
from bridgeway.casework.selectors import inbox_for_user
from bridgeway.casework.services import referral_advance
from bridgeway.casework.services.tasks import task_create
from bridgeway.casework.tests.factories import make_referral
from bridgeway.directory.models import Service

pytestmark = pytest.mark.django_db

# Tuesday 8 December 2026, mid-morning in London (GMT).
TUESDAY = dt.datetime(2026, 12, 8, 10, 0, tzinfo=dt.UTC)


def _at(day: int) -> dt.datetime:
    return dt.datetime(2026, 12, day, 11, 0, tzinfo=dt.UTC)


@pytest.fixture
def cases(service: Service) -> dict[str, Referral]:
    return {
        "thursday": make_referral(service=service, received_at=_at(3)),  # due Mon 7: overdue
        "friday": make_referral(service=service, received_at=_at(4)),  # due Tue 8: today
        "monday": make_referral(service=service, received_at=_at(7)),  # due Wed 9
    }


def _shown(user: User, due: str, **kwargs: object) -> set[str]:
    page = inbox_for_user(user, due=due, now=TUESDAY, **kwargs)  # type: ignore[arg-type]
    return {r.reference for r in page.object_list}


def test_first_contact_is_due_in_two_working_days(
    practitioner: User, cases: dict[str, Referral]
) -> None:
    assert _shown(practitioner, "overdue") == {cases["thursday"].reference}
    assert _shown(practitioner, "due_today") == {cases["friday"].reference}


def test_a_contacted_referral_is_no_longer_due(
    practitioner: User, cases: dict[str, Referral]
) -> None:
    referral_advance(referral=cases["thursday"], stage="contacted", actor=practitioner)
    assert _shown(practitioner, "overdue") == set()


def test_the_organisation_sets_its_own_timescale(
    practitioner: User, organisation: Organisation, cases: dict[str, Referral]
) -> None:
    CaseworkSettings.objects.create(organisation=organisation, first_contact_working_days=1)
    # One working day: Thursday's was due Friday, Friday's due Monday: both overdue.
    assert _shown(practitioner, "overdue") == {
        cases["thursday"].reference,
        cases["friday"].reference,
    }


def test_a_task_overdue_shows_in_the_inbox_and_done_it_goes(
    practitioner: User, practitioner_client: Client, cases: dict[str, Referral]
) -> None:
    referral = cases["monday"]
    task = task_create(
        actor=practitioner,
        referral=referral,
        kind="call_back",
        due_on=dt.date(2026, 12, 7),
        assignee=practitioner,
    )
    assert _shown(practitioner, "task_overdue") == {referral.reference}
    response = practitioner_client.post(
        reverse("casework:task-done", args=[referral.reference]), {"task": str(task.pk)}
    )
    assert response.status_code == 302
    assert _shown(practitioner, "task_overdue") == set()


def test_the_inbox_query_count_does_not_grow_with_page_size(
    practitioner: User, service: Service
) -> None:
    for day in range(1, 30):
        make_referral(service=service, received_at=_at(1) - dt.timedelta(days=day))
    for due in ("overdue", "due_today", "task_overdue"):
        counts = []
        for size in (5, 25):
            with CaptureQueriesContext(connection) as queries:
                inbox_for_user(practitioner, due=due, now=TUESDAY, per_page=size)
            counts.append(len(queries))
        assert counts[0] == counts[1], due


def test_the_tasks_page_adds_a_task_and_shows_first_contact_due(
    practitioner_client: Client, practitioner: User, service: Service
) -> None:
    referral = make_referral(service=service)
    url = reverse("casework:tasks", args=[referral.reference])
    page = practitioner_client.get(url).content.decode()
    assert "First contact is due by" in page
    due = (timezone.localdate() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    response = practitioner_client.post(
        url,
        {"kind": "safety_review", "due_on": due, "assignee": str(practitioner.pk), "note": ""},
    )
    assert response.status_code == 302
    assert Task.objects.get().kind == "safety_review"
    assert AuditEntry.objects.filter(action="task.create").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "nap", "due_on": "01/01/2030"}, "kind"),
        ({"kind": "call_back", "due_on": "31/02/2030"}, "due_on"),
        ({"kind": "call_back", "due_on": "01/01/2001"}, "due_on"),
        ({"kind": "call_back", "due_on": "01/01/2030", "assignee": "nobody"}, "assignee"),
    ],
)
def test_bad_tasks_are_refused_by_field(
    practitioner_client: Client,
    practitioner: User,
    service: Service,
    data: dict[str, str],
    field: str,
) -> None:
    referral = make_referral(service=service)
    data = {"assignee": str(practitioner.pk), **data}
    response = practitioner_client.post(reverse("casework:tasks", args=[referral.reference]), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Task.objects.exists()


def test_a_task_for_a_case_one_cannot_see_is_404(
    outsider_client: Client, outsider: User, service: Service
) -> None:
    referral = make_referral(service=service)
    url = reverse("casework:tasks", args=[referral.reference])
    response = outsider_client.post(
        url, {"kind": "call_back", "due_on": "01/01/2030", "assignee": str(outsider.pk)}
    )
    assert response.status_code == 404
    assert not Task.objects.exists()


def test_the_inbox_filter_refuses_an_unknown_due(practitioner_client: Client) -> None:
    response = practitioner_client.get(reverse("casework:inbox"), {"due": "yesterday"})
    assert response.status_code == 400
    assert "Choose what is due from the list." in response.content.decode()

# ruff: noqa: RUF001 - Welsh is written with the typographic apostrophe, U+2019.
"""The jobs page: platform admins see recent runs with outcome and duration; others may not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridgeway.accounts.models import Membership
from bridgeway.accounts.tests.factories import MembershipFactory
from bridgeway.conftest import sign_in
from bridgeway.operations.models import JobRun

pytestmark = pytest.mark.django_db
PAGE = reverse("operations:job-runs")


def _run(job: str, outcome: str, seconds: float | None, error: str = "") -> JobRun:
    started = timezone.now() - timedelta(minutes=5)
    return JobRun.objects.create(
        job=job,
        outcome=outcome,
        worker="w",
        started_at=started,
        lease_until=started,
        finished_at=None if seconds is None else started + timedelta(seconds=seconds),
        error=error,
    )


def test_a_platform_admin_sees_each_run_with_outcome_and_duration(client: Client) -> None:
    _run("snapshot", JobRun.Outcome.SUCCEEDED, 2.5)
    _run("retention", JobRun.Outcome.FAILED, 0.25, error="OperationalError")
    admin = MembershipFactory(role=Membership.Role.PLATFORM_ADMIN).user
    page = sign_in(client, admin).get(PAGE).content.decode()
    for shown in ("snapshot", "Succeeded", "2.5 s", "retention", "Failed", "OperationalError"):
        assert shown in page


@pytest.mark.parametrize(
    "role",
    [Membership.Role.PRACTITIONER, Membership.Role.ORGANISATION_ADMIN, Membership.Role.ANALYST],
)
def test_nobody_else_may_open_it(client: Client, role: str) -> None:
    user = MembershipFactory(role=role).user
    assert sign_in(client, user).get(PAGE).status_code == 403


def test_a_platform_admin_who_chose_welsh_reads_it_in_welsh(client: Client) -> None:
    _run("snapshot", JobRun.Outcome.RETRYING, 1.0, error="OperationalError")
    admin = MembershipFactory(role=Membership.Role.PLATFORM_ADMIN).user
    admin.language = "cy"
    admin.save(update_fields=["language"])
    page = sign_in(client, admin).get(PAGE).content.decode()
    for shown in ("Swyddi wedi’u hamserlennu", "Rhediadau diweddar", "Methodd, bydd yn rhoi"):
        assert shown in page
    assert "Recent runs" not in page


def test_it_only_answers_get(client: Client) -> None:
    admin = MembershipFactory(role=Membership.Role.PLATFORM_ADMIN).user
    assert sign_in(client, admin).post(PAGE).status_code == 405

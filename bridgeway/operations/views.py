"""The jobs page: what the worker ran, how each try ended, how long it took (platform admins)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bridgeway.accounts.access import require_role
from bridgeway.accounts.models import Membership
from bridgeway.operations import selectors


def job_runs(request: HttpRequest) -> HttpResponse:
    """Recent runs with outcome and duration, and when each periodic job is next due."""
    require_role(request.user, [Membership.Role.PLATFORM_ADMIN])  # type: ignore[arg-type]
    return render(
        request,
        "operations/job_runs.html",
        {
            "runs": selectors.recent_runs(),
            "timetable": selectors.timetable(),
            "waiting": selectors.queue_depth(),
        },
    )

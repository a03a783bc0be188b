"""Operators' pages: the jobs page (platform admins), readiness and metrics (machines)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bridgeway.accounts.access import require_role
from bridgeway.accounts.middleware import public
from bridgeway.accounts.models import Membership
from bridgeway.operations import readiness, selectors
from bridgeway.operations.metrics import address_allowed, metrics_response


@require_GET
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


@public
@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready to serve: the database answers, storage takes a file, no migration is waiting.

    503 names each failing part, for the load balancer's log and the operator.
    """
    checks = {
        "database": readiness.database_problem(),
        "storage": readiness.storage_problem(),
        "migrations": readiness.migrations_problem(),
    }
    failing = {part: problem for part, problem in checks.items() if problem}
    if failing:
        return JsonResponse({"status": "error", "failing": failing}, status=503)
    return JsonResponse({"status": "ok", "checked": sorted(checks)})


@public
@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, only to METRICS_ALLOWED_ADDRESSES (404 to anyone else)."""
    if not address_allowed(request):
        raise Http404
    return metrics_response()

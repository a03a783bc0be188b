"""Reads for the jobs page and the metrics."""

from __future__ import annotations

from django.db.models import QuerySet

from bridgeway.operations.models import JobLease, JobRun


def recent_runs(limit: int = 100) -> QuerySet[JobRun]:
    """The newest tries of every job, newest first."""
    return JobRun.objects.order_by("-started_at", "-id")[:limit]


def timetable() -> QuerySet[JobLease]:
    """Each periodic job's next due time, soonest first."""
    return JobLease.objects.exclude(next_due=None).order_by("next_due", "job")


def queue_depth() -> int:
    """Tasks waiting for a worker (queued and due, or waiting for a retry)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status="READY").count()

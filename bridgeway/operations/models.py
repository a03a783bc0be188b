"""What the worker has run, and the leases and timetable that keep two workers apart."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """One try of one job: who ran it, when, and how it ended."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        RETRYING = "retrying", _("Failed, will try again")
        FAILED = "failed", _("Failed")
        INTERRUPTED = "interrupted", _("Interrupted, will try again")

    job = models.CharField(max_length=64, db_index=True)
    attempt = models.PositiveSmallIntegerField(default=1)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.RUNNING)
    worker = models.CharField(max_length=64)
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Renewed while the worker is alive; a running try past it was lost with its worker.
    lease_until = models.DateTimeField()
    # The exception's class only: messages can quote the data a job was handling.
    error = models.CharField(max_length=200, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["outcome", "lease_until"], name="jobrun_outcome_lease")]

    def __str__(self) -> str:
        return f"{self.job} #{self.attempt} {self.outcome}"

    @property
    def duration(self) -> timedelta | None:
        """How long it ran, once finished."""
        return None if self.finished_at is None else self.finished_at - self.started_at


class JobLease(models.Model):
    """A job's lock and timetable, one row per job.

    ``holder`` runs the job until ``until``; taking the lease is one conditional UPDATE, which
    PostgreSQL (row lock, re-checked condition) and SQLite (one writer) both make atomic.
    ``next_due`` is when a periodic job is next queued, moved on by the same kind of UPDATE.
    """

    job = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(max_length=64, blank=True)
    until = models.DateTimeField()
    next_due = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.job

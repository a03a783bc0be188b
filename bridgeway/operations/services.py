"""Running jobs: leases that keep two workers apart, the timetable, tries and retries.

Every write here is one conditional UPDATE or a short transaction, so two workers (or one
worker restarted after SIGKILL) never both believe they hold a job.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from bridgeway.operations import registry
from bridgeway.operations.models import JobLease, JobRun

logger = logging.getLogger("bridgeway.jobs")


def _lease() -> timedelta:
    return timedelta(seconds=settings.JOB_LEASE_SECONDS)


def ensure_lease_row(name: str, now: datetime) -> None:
    """The job's lease and timetable row, made once (a second worker's insert is ignored)."""
    if JobLease.objects.filter(job=name).exists():
        return
    job = registry.job_named(name)
    due = registry.first_due(job, timezone.localtime(now)) if job.every else None
    try:
        with transaction.atomic():
            JobLease.objects.create(job=name, until=now - timedelta(seconds=1), next_due=due)
    except IntegrityError:
        pass


def acquire(name: str, holder: str, now: datetime | None = None) -> bool:
    """Take the job's lease for ``holder``; False when another holder's lease still runs."""
    now = now or timezone.now()
    ensure_lease_row(name, now)
    taken = (
        JobLease.objects.filter(job=name)
        .filter(Q(until__lt=now) | Q(holder=holder))
        .update(holder=holder, until=now + _lease())
    )
    return taken == 1


def release(name: str, holder: str) -> None:
    """Give the lease back, if ``holder`` still has it."""
    JobLease.objects.filter(job=name, holder=holder).update(
        holder="", until=timezone.now() - timedelta(seconds=1)
    )


def renew(run_id: int, name: str, holder: str) -> bool:
    """Push the lease on while the job runs; False if it was lost meanwhile."""
    until = timezone.now() + _lease()
    JobRun.objects.filter(pk=run_id, outcome=JobRun.Outcome.RUNNING).update(lease_until=until)
    return JobLease.objects.filter(job=name, holder=holder).update(until=until) == 1


class _Heartbeat(threading.Thread):
    """Renews a running job's lease every third of its length, in its own connection."""

    def __init__(self, run_id: int, name: str, holder: str) -> None:
        super().__init__(daemon=True, name=f"lease-{name}")
        self.run_id, self.name, self.holder = run_id, name, holder
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.JOB_LEASE_SECONDS / 3):
                try:
                    renew(self.run_id, self.name, self.holder)
                except Exception:  # the database may be away for a while; try again
                    logger.warning("could not renew the lease of job %s", self.name)
                    close_old_connections()
        finally:
            connection.close()


def enqueue(name: str, attempt: int = 1, *, after: datetime | None = None) -> str:
    """Queue a try of job ``name``; the task's id."""
    from bridgeway.operations.tasks import run_job

    registry.job_named(name)  # a name no job has is refused before it reaches the queue
    task = run_job.using(run_after=after) if after else run_job
    return str(task.enqueue(name, attempt).id)


def run(name: str, attempt: int, holder: str, task_id: str = "") -> str:
    """Run one try of a job under its lease; re-raise its error after queueing the retry.

    Returns ``"ran"``, or ``"busy"`` when another worker holds the job's lease (the job is
    already running, so this try is not needed).
    """
    job = registry.job_named(name)
    if not acquire(name, holder):
        logger.info("job %s is running elsewhere; not starting it twice", name)
        return "busy"
    now = timezone.now()
    job_run = JobRun.objects.create(
        job=name,
        attempt=attempt,
        worker=holder,
        started_at=now,
        lease_until=now + _lease(),
        task_id=task_id,
    )
    heartbeat = _Heartbeat(job_run.pk, name, holder)
    heartbeat.start()
    logger.info("job %s started (try %d)", name, attempt)
    try:
        job.function()
    except Exception as error:
        heartbeat.stopped.set()
        heartbeat.join()
        _failed(job_run, job, error)
        release(name, holder)
        raise
    heartbeat.stopped.set()
    heartbeat.join()
    finished = timezone.now()
    JobRun.objects.filter(pk=job_run.pk).update(
        outcome=JobRun.Outcome.SUCCEEDED, finished_at=finished
    )
    release(name, holder)
    logger.info("job %s succeeded in %.1fs", name, (finished - now).total_seconds())
    return "ran"


def _failed(job_run: JobRun, job: registry.Job, error: BaseException) -> None:
    kind = type(error).__name__[:200]
    retry = job_run.attempt < job.attempts
    with transaction.atomic():
        JobRun.objects.filter(pk=job_run.pk).update(
            outcome=JobRun.Outcome.RETRYING if retry else JobRun.Outcome.FAILED,
            finished_at=timezone.now(),
            error=kind,
        )
        if retry:
            delay = registry.retry_delay(job_run.attempt, settings.JOB_RETRY_SECONDS)
            enqueue(job.name, job_run.attempt + 1, after=timezone.now() + delay)
    logger.error(
        "job %s failed on try %d of %d (%s)%s",
        job.name,
        job_run.attempt,
        job.attempts,
        kind,
        "; will try again" if retry else "",
    )


def recover_lost_runs(now: datetime | None = None) -> int:
    """Tries whose worker died (lease run out while running): marked, and queued again."""
    now = now or timezone.now()
    recovered = 0
    for lost in JobRun.objects.filter(outcome=JobRun.Outcome.RUNNING, lease_until__lt=now):
        jobs = registry.registered()
        with transaction.atomic():
            claimed = JobRun.objects.filter(pk=lost.pk, outcome=JobRun.Outcome.RUNNING).update(
                outcome=JobRun.Outcome.INTERRUPTED, finished_at=now, error="WorkerLost"
            )
            if not claimed:
                continue
            _task_lost(lost.task_id)
            job = jobs.get(lost.job)
            if job is not None and lost.attempt < job.attempts:
                enqueue(lost.job, lost.attempt + 1)
            elif job is not None:
                JobRun.objects.filter(pk=lost.pk).update(outcome=JobRun.Outcome.FAILED)
        logger.warning("job %s was interrupted (its worker stopped); queued again", lost.job)
        recovered += 1
    return recovered


def _task_lost(task_id: str) -> None:
    """The queue's own record of a task whose worker died says so, rather than 'running'."""
    if not task_id:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=task_id, status="RUNNING").update(
        status="FAILED", finished_at=timezone.now(), exception_class_path="WorkerLost"
    )


def enqueue_due_jobs(now: datetime | None = None) -> list[str]:
    """Queue each periodic job whose time has come, once, however many workers ask."""
    now = now or timezone.now()
    queued = []
    for name, job in registry.registered().items():
        if job.every is None:
            continue
        ensure_lease_row(name, now)
        row = JobLease.objects.filter(job=name).values_list("next_due", flat=True).first()
        if row is None or row > now:
            continue
        following = registry.next_due(job, row, now)
        with transaction.atomic():
            moved = JobLease.objects.filter(job=name, next_due=row).update(next_due=following)
            if moved:
                enqueue(name)
                queued.append(name)
    return queued


def run_now(name: str) -> str:
    """Queue a job to run as soon as a worker is free (``bridgeway worker --enqueue NAME``)."""
    return enqueue(name)

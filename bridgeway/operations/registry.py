"""The jobs a worker runs: a name, a function and how often. No Django here.

Any app adds a job with one line in its ``jobs.py`` (see ``bridgeway/operations/jobs.py``)::

    register("harvest-sources", harvest_all_sources, every=DAILY, at_hour=1)

A job must be idempotent: it may run twice after a fault (a worker killed mid-job, the
database lost), and its second run must leave things as one run would have.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

HOURLY = timedelta(hours=1)
DAILY = timedelta(days=1)


@dataclass(frozen=True)
class Job:
    """One job: ``function()`` run every ``every`` (or only when queued, if ``None``)."""

    name: str
    function: Callable[[], object]
    every: timedelta | None = None
    # For daily jobs: the local hour it runs at (None: as soon as a worker starts, then daily).
    at_hour: int | None = None
    # Tries in all before the run is shown as failed.
    attempts: int = 3


_JOBS: dict[str, Job] = {}


def register(
    name: str,
    function: Callable[[], object],
    *,
    every: timedelta | None = None,
    at_hour: int | None = None,
    attempts: int = 3,
) -> Job:
    """Add a job; registering the same name again replaces it (modules may be re-imported)."""
    if not name or len(name) > 64:
        raise ValueError(f"a job's name must have 1 to 64 characters, not {name!r}")
    if at_hour is not None and not 0 <= at_hour <= 23:
        raise ValueError(f"at_hour must be 0 to 23, not {at_hour}")
    if attempts < 1:
        raise ValueError("a job needs at least one attempt")
    job = Job(name=name, function=function, every=every, at_hour=at_hour, attempts=attempts)
    _JOBS[name] = job
    return job


def registered() -> dict[str, Job]:
    """Every registered job by name."""
    return dict(_JOBS)


def job_named(name: str) -> Job:
    """The job called ``name``; ``KeyError`` naming it when there is none."""
    try:
        return _JOBS[name]
    except KeyError:
        raise KeyError(f"no job is registered as {name!r}") from None


def retry_delay(attempt: int, base_seconds: float) -> timedelta:
    """The wait before try ``attempt + 1``: doubling from ``base_seconds``, at most a day."""
    return timedelta(seconds=min(base_seconds * 2 ** (attempt - 1), 86400))


def first_due(job: Job, now: datetime) -> datetime:
    """When a job nobody has run yet is first due: its hour today or tomorrow, else now."""
    if job.at_hour is None:
        return now
    due = now.replace(hour=job.at_hour, minute=0, second=0, microsecond=0)
    return due if due > now else due + DAILY


def next_due(job: Job, due: datetime, now: datetime) -> datetime:
    """The next time after ``now`` on ``due``'s cadence (missed runs are not made up)."""
    if job.every is None:
        raise ValueError(f"{job.name} has no cadence")
    later = due + job.every
    if later <= now:
        skipped = (now - due) // job.every
        later = due + job.every * (skipped + 1)
    return later

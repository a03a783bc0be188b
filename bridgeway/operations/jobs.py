"""Bridgeway's scheduled jobs. To add one, add a line to ``JOBS`` below; nothing else.

Each entry names a function by its dotted path, so this app imports none of the apps whose
work it schedules; an entry whose function does not exist (yet) is left out, with a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.utils.module_loading import import_string

from bridgeway.operations.registry import DAILY, HOURLY, register

logger = logging.getLogger("bridgeway.jobs")


def snapshot() -> None:
    """Rebuild the insight snapshot (it replaces the last one whole, so it may run twice)."""
    call_command("snapshot", verbosity=0)


def retention() -> None:
    """Anonymise finished cases past retention when the operator allows it; else report."""
    call_command("retention", "--apply" if settings.RETENTION_APPLY_NIGHTLY else "--dry-run")


def clear_sessions() -> None:
    """Delete expired sessions."""
    call_command("clear_sessions", verbosity=0)


def forget_throttles() -> None:
    """Delete counts of tries that no longer limit anyone."""
    call_command("forget_throttles", "--apply", verbosity=0)


def audit_anchor() -> None:
    """Append a signed checkpoint of the audit chain's newest entry to the anchor file."""
    call_command("audit", "anchor", "--out", str(settings.AUDIT_ANCHOR_FILE), verbosity=0)


def backup() -> None:
    """Back up into BRIDGEWAY_BACKUP_DIR (and upload), keeping the newest BACKUP_KEEP there."""
    if not settings.BACKUP_DIR:
        logger.warning("backup skipped: BRIDGEWAY_BACKUP_DIR is not set")
        return
    from bridgeway.operations.backup import backups_prune

    upload = ["--upload", settings.BACKUP_UPLOAD] if settings.BACKUP_UPLOAD else []
    call_command("backup", "--out", settings.BACKUP_DIR, *upload, verbosity=0)
    backups_prune(Path(settings.BACKUP_DIR), keep=settings.BACKUP_KEEP)


# name, function (callable or dotted path), every, local hour for daily jobs.
JOBS: list[tuple[str, Callable[[], object] | str, timedelta, int | None]] = [
    ("snapshot", snapshot, HOURLY, None),
    ("audit-anchor", audit_anchor, HOURLY, None),
    ("forget-throttles", forget_throttles, HOURLY, None),
    ("forget-submission-keys", "bridgeway.frontdoor.jobs.forget_submission_keys", HOURLY, None),
    ("clear-sessions", clear_sessions, DAILY, 3),
    ("retention", retention, DAILY, 2),
    ("backup", backup, DAILY, 0),
    ("harvest-sources", "bridgeway.directory.jobs.harvest_all_sources", DAILY, 1),
    ("daily-digests", "bridgeway.casework.jobs.send_daily_digests", DAILY, 7),
    (
        "pending-notifications",
        "bridgeway.casework.jobs.send_pending_notifications",
        timedelta(minutes=5),
        None,
    ),
]


def register_all() -> None:
    """Register every job in ``JOBS`` whose function can be found."""
    for name, function, every, at_hour in JOBS:
        if isinstance(function, str):
            try:
                function = import_string(function)
            except ImportError:
                logger.debug("job %s left out: %s does not exist", name, function)
                continue
        register(name, function, every=every, at_hour=at_hour)

"""Casework's scheduled jobs, called by dotted path by the job runner (no arguments needed).

``bridgeway.casework.jobs.send_pending_notifications``: run every few minutes; emails each
caseworker what is new since their last email, and tries again any that failed.
``bridgeway.casework.jobs.send_daily_digests``: run each morning; emails each caseworker a
list of what is overdue. Both are safe to run again at any time: nobody gets the same news
or the same day's digest twice.
"""

from __future__ import annotations

from bridgeway.casework.services.notifications import RunResult, send_digests, send_notifications


def send_pending_notifications() -> RunResult:
    """Email what arrived or fell due since each person's last email (see the services)."""
    return send_notifications()


def send_daily_digests() -> RunResult:
    """Email each caseworker who wants one today's list of what is overdue."""
    return send_digests()

"""Counting tries against a rule ("20 per hour"), in the database every app server shares.

A rule allows ``limit`` tries per ``window``; the window opens at the first try counted and
closes ``window`` later, when the count starts again. ``throttle_take`` counts a try before the
work it guards (a password check, a report written), so tries sent at the same moment cannot
all slip under the limit; a try that turns out good may be given back (``throttle_give_back``).

Each step is one UPDATE or INSERT, never a read followed by a write in one transaction: on
SQLite a transaction that reads and then writes can fail at once with "database is locked"
when another writes first, which is how a flood of sign-ins gave 500s. A subject already
paused is refused on a plain read, so a flood costs no writes at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from bridgeway.throttles.models import Throttle


@dataclass(frozen=True)
class Rule:
    """At most ``limit`` tries per ``window`` for each subject, counted under ``scope``."""

    scope: str
    limit: int
    window: dt.timedelta


class Throttled(Exception):
    """The subject has used its tries for this window; ``until`` is when the window closes."""

    def __init__(self, rule: Rule, until: dt.datetime) -> None:
        super().__init__(f"{rule.scope} paused until {until.isoformat()}")
        self.rule = rule
        self.until = until


def subject_key(scope: str, subject: str) -> str:
    """The stored form of a subject: an HMAC under the secret key, never the address itself."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"throttle:{scope}:{subject}".encode(), hashlib.sha256
    ).hexdigest()


def throttle_paused_until(*, rule: Rule, subject: str) -> dt.datetime | None:
    """When the subject may try again, if it has used every try of its window; else None."""
    now = timezone.now()
    row = (
        Throttle.objects.filter(
            scope=rule.scope,
            key=subject_key(rule.scope, subject),
            window_started_at__gt=now - rule.window,
            count__gte=rule.limit,
        )
        .values_list("window_started_at", flat=True)
        .first()
    )
    return None if row is None else row + rule.window


def throttle_check(*, rule: Rule, subject: str) -> None:
    """Raise ``Throttled`` if the subject has no tries left; count nothing."""
    until = throttle_paused_until(rule=rule, subject=subject)
    if until is not None:
        raise Throttled(rule, until)


def throttle_take(*, rule: Rule, subject: str) -> None:
    """Count one try by the subject, or raise ``Throttled`` when it has none left."""
    throttle_check(rule=rule, subject=subject)
    key = subject_key(rule.scope, subject)
    rows = Throttle.objects.filter(scope=rule.scope, key=key)
    # Twice at most: a first try racing another subject's first try finds the row made.
    for _attempt in range(2):
        now = timezone.now()
        opened = now - rule.window
        if rows.filter(window_started_at__gt=opened, count__lt=rule.limit).update(
            count=F("count") + 1
        ):
            return
        if rows.filter(window_started_at__lte=opened).update(count=1, window_started_at=now):
            return
        try:
            with transaction.atomic():
                Throttle.objects.create(scope=rule.scope, key=key, count=1, window_started_at=now)
        except IntegrityError:
            continue
        return
    # Every try of the window was taken by requests sent at the same moment as this one.
    raise Throttled(rule, throttle_paused_until(rule=rule, subject=subject) or timezone.now())


def throttle_give_back(*, rule: Rule, subject: str) -> None:
    """Return a try taken by ``throttle_take`` that turned out good (the right password)."""
    Throttle.objects.filter(
        scope=rule.scope, key=subject_key(rule.scope, subject), count__gt=0
    ).update(count=F("count") - 1)


def throttle_forget(*, older_than: dt.timedelta) -> int:
    """Delete counts whose window opened longer ago than ``older_than``; how many went."""
    deleted, _by_model = Throttle.objects.filter(
        window_started_at__lt=timezone.now() - older_than
    ).delete()
    return deleted

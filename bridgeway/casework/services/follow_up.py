"""Follow-up: a person who reported opens their report again with its reference and code.

Three guards in one service, ``follow_up_open``: the code is checked against its Argon2
hash, failed tries pause the reference for a day (``FOLLOW_UP_FAILURE_LIMIT``) and the client
that made them (``FOLLOW_UP_CLIENT_FAILURE_LIMIT``, across every reference), and a good pair
grants a short time to read and reply (``follow_up_grant``).

A stranger who knows a reference must not be able to keep its reporter out, so a device the
report was made or opened on (a signed cookie, ``throttles.devices``) is not stopped by either
pause: its wrong codes count against that device alone (``FOLLOW_UP_DEVICE_LIMIT`` a day).
See docs/decisions/0061-lock-outs-and-throttles.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from bridgeway.casework.follow_up_grant import FollowUpGrant, grant_open
from bridgeway.casework.models import (
    FollowUpClientAttempts,
    Referral,
    Report,
)
from bridgeway.casework.references import (
    new_follow_up_code,
    normalise_code,
    normalise_reference,
)
from bridgeway.casework.services.audit import audit_record
from bridgeway.throttles.services import (
    Rule,
    Throttled,
    throttle_give_back,
    throttle_paused_until,
    throttle_take,
)

# A follow-up code may be tried this many times for one reference before a day's pause on
# every device the report was not made or opened on (``BRIDGEWAY_FOLLOW_UP_FAILURE_LIMIT``).
FOLLOW_UP_FAILURE_LIMIT: int = settings.FOLLOW_UP_FAILURE_LIMIT
FOLLOW_UP_LOCK = dt.timedelta(days=1)
# A device the report was made or opened on: its own wrong codes per day, and how long it
# stays recognised after it last opened the report.
FOLLOW_UP_DEVICE_WINDOW = dt.timedelta(days=1)
FOLLOW_UP_DEVICE_REMEMBERED_FOR = dt.timedelta(days=365)
FOLLOW_UP_DEVICE_PURPOSE = "follow-up"


def follow_up_device_rule() -> Rule:
    """Wrong codes one recognised device may try in a day."""
    return Rule("follow-up-device", settings.FOLLOW_UP_DEVICE_LIMIT, FOLLOW_UP_DEVICE_WINDOW)


class FollowUpRefused(Exception):
    """The reference and code do not open a report (deliberately vague to the person).

    ``locked`` when tries are paused; ``until`` then says when they may start again.
    ``client_locked`` when the pause is the client's (too many failures from its address,
    across references) rather than the reference's: the page says which.
    """

    def __init__(
        self, locked: bool = False, until: dt.datetime | None = None, client_locked: bool = False
    ) -> None:
        super().__init__("locked" if locked else "no match")
        self.locked = locked
        self.until = until
        self.client_locked = client_locked


@cache
def _decoy_hash() -> str:
    # Made once: hashing it afresh on every unknown reference would take twice a real check.
    return make_password(new_follow_up_code())


def follow_up_open(
    *, reference: str, code: str, client_key: str, device: str | None = None
) -> FollowUpGrant:
    """A grant to read and reply on the report a reference and code open, or ``FollowUpRefused``.

    The one way a person who reported gets back in. While the client (``client_key``, from
    ``follow_up_client_key``) is locked out nothing is checked, and the refusal says the
    pause is the client's. Otherwise the code is checked (``follow_up_code_check``); a
    failure also counts against the client, and the refusal names the client's pause when
    that failure starts one, as it comes before any pause of the reference. A good code
    does not clear the client's count.

    ``device`` is the id of a device recognised for this reference (the report was made or
    opened on it). Until it has used its own tries for the day, neither pause stops it and
    its wrong codes count against it alone, so strangers cannot lock the reporter out.
    """
    rule = follow_up_device_rule()
    if device is not None and throttle_paused_until(rule=rule, subject=device) is None:
        return _follow_up_open_on_device(reference=reference, code=code, device=device)
    client_until = follow_up_client_locked_until(client_key=client_key)
    if client_until is not None:
        raise FollowUpRefused(locked=True, until=client_until, client_locked=True)
    # Not one transaction: each count of a failure must be committed even though a
    # refusal is raised after it.
    try:
        referral = follow_up_code_check(reference=reference, code=code)
    except FollowUpRefused as refusal:
        if follow_up_client_failure(client_key=client_key):
            client_until = follow_up_client_locked_until(client_key=client_key)
            if client_until is not None:
                raise FollowUpRefused(
                    locked=True, until=client_until, client_locked=True
                ) from refusal
        raise
    return grant_open(
        reference=referral.reference, referral_id=str(referral.pk), now=timezone.now()
    )


def _follow_up_open_on_device(*, reference: str, code: str, device: str) -> FollowUpGrant:
    rule = follow_up_device_rule()
    # Counted before the check, so codes sent at the same moment cannot all slip through;
    # given back when the code is right. Once the device's tries are used up, it is treated
    # as any other device (``follow_up_open``), with the reference's and client's pauses.
    try:
        throttle_take(rule=rule, subject=device)
    except Throttled as paused:
        raise FollowUpRefused() from paused
    referral = follow_up_code_check(reference=reference, code=code, recognised=True)
    throttle_give_back(rule=rule, subject=device)
    return grant_open(
        reference=referral.reference, referral_id=str(referral.pk), now=timezone.now()
    )


def follow_up_code_check(*, reference: str, code: str, recognised: bool = False) -> Referral:
    """The report a reference and follow-up code open, or ``FollowUpRefused``.

    The code check alone, without the client's count or a grant: ``follow_up_open`` is
    what the follow-up page calls.

    Failed tries are counted per reference; after ``FOLLOW_UP_FAILURE_LIMIT`` the reference
    is locked for ``FOLLOW_UP_LOCK`` even for the right code, so codes cannot be guessed.
    From a ``recognised`` device (the caller counts its tries) the lock is passed by and
    nothing is counted against the reference. Every try on a real reference, opened or
    refused, is in the audit log.
    """
    normalised_reference = normalise_reference(reference) if isinstance(reference, str) else ""
    typed = normalise_code(code)[:64] if isinstance(code, str) else ""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update()
            .select_related("referral__organisation")
            .filter(referral__reference=normalised_reference)
            .first()
            if normalised_reference
            else None
        )
        if report is None:
            # Spend the same time as a real check so a reference's existence does not show.
            check_password(typed, _decoy_hash())
            refused: FollowUpRefused | None = FollowUpRefused()
        else:
            refused = _follow_up_check(report, typed, recognised=recognised)
    # Raised only after the transaction commits: raising inside it would roll back the
    # count of failed tries, and the lock would never come.
    if refused is not None or report is None:
        raise refused or FollowUpRefused()
    return report.referral


def _follow_up_check(report: Report, typed: str, *, recognised: bool) -> FollowUpRefused | None:
    """Check ``typed`` against a locked row; count failures. ``None`` when it opens."""
    now = timezone.now()
    detail: dict[str, Any]
    if recognised:
        opens = bool(typed) and check_password(typed, report.follow_up_code_hash)
        refusal: FollowUpRefused | None = None if opens else FollowUpRefused()
        detail = {"recognised_device": True}
    elif report.follow_up_locked_until and report.follow_up_locked_until > now:
        refusal = FollowUpRefused(locked=True, until=report.follow_up_locked_until)
        detail = {"locked": True}
    elif typed and check_password(typed, report.follow_up_code_hash):
        refusal = None
        detail = {}
        if report.failed_follow_ups:
            report.failed_follow_ups = 0
            report.save(update_fields=["failed_follow_ups"])
    else:
        report.failed_follow_ups += 1
        fields = ["failed_follow_ups"]
        locks = report.failed_follow_ups >= settings.FOLLOW_UP_FAILURE_LIMIT
        if locks:
            report.failed_follow_ups = 0
            report.follow_up_locked_until = now + FOLLOW_UP_LOCK
            fields.append("follow_up_locked_until")
        report.save(update_fields=fields)
        refusal = FollowUpRefused(
            locked=locks, until=report.follow_up_locked_until if locks else None
        )
        detail = {"locked": locks}
    audit_record(
        actor=None,
        organisation=report.referral.organisation,
        action="report.follow_up" if refusal is None else "report.follow_up_refused",
        object_type="referral",
        object_id=str(report.referral_id),
        detail=detail,
    )
    return refusal


# Failed follow-up tries one client may make, across every reference, before it is locked
# out for FOLLOW_UP_CLIENT_LOCK: per-reference locks alone let one machine try codes on many
# references; this caps it. Failures older than FOLLOW_UP_CLIENT_WINDOW are forgotten.
FOLLOW_UP_CLIENT_FAILURE_LIMIT: int = settings.FOLLOW_UP_CLIENT_FAILURE_LIMIT
FOLLOW_UP_CLIENT_LOCK = dt.timedelta(minutes=15)
FOLLOW_UP_CLIENT_WINDOW = dt.timedelta(hours=1)


def follow_up_client_key(address: str) -> str:
    """An HMAC of the client's address under the secret key: the stored form of a client."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"follow-up-client:{address}".encode(), hashlib.sha256
    ).hexdigest()


def follow_up_client_locked(*, client_key: str) -> bool:
    """True while the client is locked out of follow-up after too many failures."""
    return follow_up_client_locked_until(client_key=client_key) is not None


def follow_up_client_locked_until(*, client_key: str) -> dt.datetime | None:
    """When the client's lock-out ends, or None if it is not locked out."""
    return (
        FollowUpClientAttempts.objects.filter(
            client_key=client_key, locked_until__gt=timezone.now()
        )
        .values_list("locked_until", flat=True)
        .first()
    )


@transaction.atomic
def follow_up_client_failure(*, client_key: str) -> bool:
    """Count one failed follow-up try by the client; True when it has just been locked.

    A good code does not clear the count: anyone can hold one report of their own, and
    opening it must not buy more guesses at other people's.
    """
    now = timezone.now()
    attempts, _created = FollowUpClientAttempts.objects.select_for_update().get_or_create(
        client_key=client_key, defaults={"first_failed_at": now}
    )
    if now - attempts.first_failed_at > FOLLOW_UP_CLIENT_WINDOW:
        attempts.failures = 0
        attempts.first_failed_at = now
    attempts.failures += 1
    locks = attempts.failures >= settings.FOLLOW_UP_CLIENT_FAILURE_LIMIT
    if locks:
        attempts.failures = 0
        attempts.first_failed_at = now
        attempts.locked_until = now + FOLLOW_UP_CLIENT_LOCK
    attempts.full_clean()
    attempts.save()
    return locks

"""Follow-up: a person who reported opens their report again with its reference and code.

Three guards in one service, ``follow_up_open``: the code is checked against its Argon2
hash, failed tries pause the reference (``FOLLOW_UP_FAILURE_LIMIT``) and the client that
made them (``FOLLOW_UP_CLIENT_FAILURE_LIMIT``, across every reference), and a good pair
grants a short time to read and reply (``follow_up_grant``).
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

# A follow-up code may be tried this many times for one reference before a pause.
FOLLOW_UP_FAILURE_LIMIT = 5
FOLLOW_UP_LOCK = dt.timedelta(minutes=15)


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


def follow_up_open(*, reference: str, code: str, client_key: str) -> FollowUpGrant:
    """A grant to read and reply on the report a reference and code open, or ``FollowUpRefused``.

    The one way a person who reported gets back in. While the client (``client_key``, from
    ``follow_up_client_key``) is locked out nothing is checked, and the refusal says the
    pause is the client's. Otherwise the code is checked (``follow_up_code_check``); a
    failure also counts against the client, and the refusal names the client's pause when
    that failure starts one, as it comes before any pause of the reference. A good code
    does not clear the client's count.
    """
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


def follow_up_code_check(*, reference: str, code: str) -> Referral:
    """The report a reference and follow-up code open, or ``FollowUpRefused``.

    The code check alone, without the client's count or a grant: ``follow_up_open`` is
    what the follow-up page calls.

    Failed tries are counted per reference; after ``FOLLOW_UP_FAILURE_LIMIT`` the reference
    is locked for ``FOLLOW_UP_LOCK`` even for the right code, so codes cannot be guessed.
    Every try on a real reference, opened or refused, is in the audit log.
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
            refused = _follow_up_check(report, typed)
    # Raised only after the transaction commits: raising inside it would roll back the
    # count of failed tries, and the lock would never come.
    if refused is not None or report is None:
        raise refused or FollowUpRefused()
    return report.referral


def _follow_up_check(report: Report, typed: str) -> FollowUpRefused | None:
    """Check ``typed`` against a locked row; count failures. ``None`` when it opens."""
    now = timezone.now()
    detail: dict[str, Any]
    if report.follow_up_locked_until and report.follow_up_locked_until > now:
        refusal: FollowUpRefused | None = FollowUpRefused(
            locked=True, until=report.follow_up_locked_until
        )
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
        locks = report.failed_follow_ups >= FOLLOW_UP_FAILURE_LIMIT
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
FOLLOW_UP_CLIENT_FAILURE_LIMIT = 20
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
    locks = attempts.failures >= FOLLOW_UP_CLIENT_FAILURE_LIMIT
    if locks:
        attempts.failures = 0
        attempts.first_failed_at = now
        attempts.locked_until = now + FOLLOW_UP_CLIENT_LOCK
    attempts.full_clean()
    attempts.save()
    return locks

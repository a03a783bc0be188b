"""Recognised devices: a signed cookie a browser earns by getting in once with the right secret.

OWASP's "device cookie" design (Slow Down Online Guessing Attacks with Device Cookies): a
browser that has signed in to an account (or opened a report) gets a long-lived, signed,
HttpOnly cookie naming it. Later, tries from that browser are counted against the device,
not against the account or report, so a stranger who uses up the account's tries for the
day does not keep its owner out. A cookie cannot be forged without the secret key, and each
device has its own small allowance of tries, so a stolen cookie buys few guesses.

The cookie holds a random device id and keyed digests of the accounts or reports it knows,
never an email address or a reference: someone looking through the browser learns nothing
from it but that Bridgeway was used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

# How many accounts (or reports) one device remembers; the most recent are kept.
REMEMBERED_PER_DEVICE = 5


def _cookie_name(purpose: str) -> str:
    return f"bridgeway_device_{purpose.replace('-', '_')}"


def _salt(purpose: str) -> str:
    return f"bridgeway.throttles.device.{purpose}"


def _digest(purpose: str, subject: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"device:{purpose}:{subject}".encode(), hashlib.sha256
    ).hexdigest()[:32]


def _read(request: HttpRequest, purpose: str, max_age: dt.timedelta) -> dict[str, Any] | None:
    raw = request.COOKIES.get(_cookie_name(purpose))
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=_salt(purpose), max_age=max_age)
    except signing.BadSignature:
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("d"), str)
        or not isinstance(value.get("s"), list)
    ):
        return None
    return value


def device_recognised(
    request: HttpRequest, *, purpose: str, subject: str, max_age: dt.timedelta
) -> str | None:
    """The id of this browser's device if it has got in for ``subject`` before; else None.

    ``purpose`` keeps the kinds apart ("sign-in" for accounts, "follow-up" for reports):
    a cookie earned for one is no use for the other.
    """
    value = _read(request, purpose, max_age)
    if value is None or _digest(purpose, subject) not in value["s"]:
        return None
    device_id: str = value["d"]
    return device_id


def device_recognise(
    request: HttpRequest,
    response: HttpResponse,
    *,
    purpose: str,
    subject: str,
    max_age: dt.timedelta,
) -> None:
    """Set (or renew) the cookie that lets this browser be recognised for ``subject``."""
    value = _read(request, purpose, max_age) or {"d": secrets.token_urlsafe(16), "s": []}
    digest = _digest(purpose, subject)
    remembered = [digest, *(known for known in value["s"] if known != digest)]
    response.set_cookie(
        _cookie_name(purpose),
        signing.dumps(
            {"d": value["d"], "s": remembered[:REMEMBERED_PER_DEVICE]}, salt=_salt(purpose)
        ),
        max_age=int(max_age.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )

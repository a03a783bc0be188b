"""Staff sessions end after a spell without activity, and at an absolute limit.

A staff session opens case records, so one left open on an unattended screen is someone's
case file open to whoever walks past. Two limits (ASVS 5.0, 7.3.1 and 7.3.2):

- idle: signed out after ``STAFF_IDLE_MINUTES`` (30) without a request;
- absolute: signed out ``SESSION_COOKIE_AGE`` (8 hours, a working day) after signing in,
  however active. Django's own expiry moves forward whenever the session is written, and
  recording activity writes it, so the absolute limit is kept here from the sign-in time.

Public sessions are not touched: the front door's session holds a person's answers on the
way to support and has no sign-in to end.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest
from django.http.response import HttpResponseBase

LAST_ACTIVITY_KEY = "accounts.last_activity"
SIGNED_IN_AT_KEY = "accounts.signed_in_at"
# Activity is written back at most this often, so a page that fetches several resources does
# not write the session row on every one; the idle limit is exact to within this.
RECORD_EVERY_SECONDS = 60


def session_is_over(
    *,
    signed_in_at: float,
    last_activity: float,
    now: float,
    idle_seconds: float,
    absolute_seconds: float,
) -> bool:
    """Whether a session idle since ``last_activity`` or begun at ``signed_in_at`` has ended."""
    return now - last_activity > idle_seconds or now - signed_in_at > absolute_seconds


def _moment(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


class StaffSessionLimitsMiddleware:
    """Sign a signed-in person out when idle too long or signed in too long.

    Must come after ``AuthenticationMiddleware`` (it needs ``request.user``) and before
    ``SignedInByDefaultMiddleware``, which then sends the signed-out request to sign in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            self._check(request, time.time())
        return self.get_response(request)

    def _check(self, request: HttpRequest, now: float) -> None:
        session = request.session
        signed_in_at = _moment(session.get(SIGNED_IN_AT_KEY))
        last_activity = _moment(session.get(LAST_ACTIVITY_KEY))
        if signed_in_at is None or last_activity is None:
            # The first request of a sign-in (``login`` gave the session a new key).
            session[SIGNED_IN_AT_KEY] = signed_in_at or now
            session[LAST_ACTIVITY_KEY] = now
            return
        if session_is_over(
            signed_in_at=signed_in_at,
            last_activity=last_activity,
            now=now,
            idle_seconds=settings.STAFF_IDLE_MINUTES * 60,
            absolute_seconds=settings.SESSION_COOKIE_AGE,
        ):
            # ``logout`` flushes the session: a new key, nothing carried over.
            logout(request)
        elif now - last_activity >= RECORD_EVERY_SECONDS:
            session[LAST_ACTIVITY_KEY] = now


def session_limits_start(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """Start both clocks as someone signs in (``user_logged_in``), within the sign-in's own
    session write, so the next page does not have to write the session to start them."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT_KEY] = now
        request.session[LAST_ACTIVITY_KEY] = now

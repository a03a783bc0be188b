"""Leaving without a trace: the quick exit forgets the journey, and the cover-your-tracks page.

Back after a quick exit must not show anything the person entered. The browser keeps no copy
(every page is ``no-store``), so what Back shows is what the server still holds in the
session: the answers of the journey to support, a reference just given, an open follow-up
grant. The quick-exit script posts here as the page goes (and again on ``pagehide``, in case
the first is lost), and ``ForgetIdleJourneyMiddleware`` forgets a journey left alone for a
while, so nothing depends on one request arriving.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from bridgeway.accounts.middleware import public
from bridgeway.frontdoor.csrf import same_origin_posts
from bridgeway.frontdoor.journey import journey_is_idle

# Everything the front door keeps in a session sits under keys starting with this.
JOURNEY_KEY_PREFIX = "frontdoor."
# When the person last did anything on the front door, as an ISO 8601 time.
LAST_SEEN_KEY = "frontdoor.last_seen"
# The last-seen time is written at most this often, so reading pages is not a write each time.
LAST_SEEN_GRAIN = dt.timedelta(seconds=30)


def journey_forget(session: SessionBase, *, signed_in: bool) -> None:
    """Forget all the front door holds for this browser: answers, references, follow-up grant.

    Someone not signed in has nothing else in the session, so it is deleted outright (the
    row on the server and the cookie); a signed-in member of staff keeps their sign-in.
    """
    for key in [key for key in session.keys() if key.startswith(JOURNEY_KEY_PREFIX)]:
        del session[key]
    if not signed_in or not session.keys():
        session.flush()


def idle_limit() -> dt.timedelta:
    """How long a journey left alone is kept (``BRIDGEWAY_FRONTDOOR_IDLE_MINUTES``)."""
    return dt.timedelta(minutes=settings.FRONTDOOR_IDLE_MINUTES)


@public
@same_origin_posts
@never_cache
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """Forget the journey as the person leaves quickly (sent by the quick-exit script)."""
    journey_forget(request.session, signed_in=request.user.is_authenticated)
    return HttpResponse(status=204)


@public
@require_GET
def cover_your_tracks(request: HttpRequest) -> HttpResponse:
    """Plain advice on clearing history and browsing privately, as refuges' sites give."""
    return render(
        request,
        "frontdoor/cover_your_tracks.html",
        {"idle_minutes": settings.FRONTDOOR_IDLE_MINUTES},
    )


class ForgetIdleJourneyMiddleware:
    """Forgets a front-door journey nobody has touched for ``idle_limit()``.

    A phone put down half way through a report, or a quick exit whose request never
    arrived, then holds nothing for the next person: the server forgets, not the browser.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if _holds_journey(session):
            now = timezone.now()
            last_seen = session.get(LAST_SEEN_KEY)
            if journey_is_idle(last_seen, now=now, limit=idle_limit()):
                journey_forget(session, signed_in=request.user.is_authenticated)
            elif last_seen is None or journey_is_idle(last_seen, now=now, limit=LAST_SEEN_GRAIN):
                session[LAST_SEEN_KEY] = now.isoformat()
        response: HttpResponse = self.get_response(request)
        # A journey begun by this request starts its idle time now.
        if _holds_journey(session) and LAST_SEEN_KEY not in session:
            session[LAST_SEEN_KEY] = timezone.now().isoformat()
        return response


def _holds_journey(session: SessionBase) -> bool:
    return any(key.startswith(JOURNEY_KEY_PREFIX) for key in session.keys())

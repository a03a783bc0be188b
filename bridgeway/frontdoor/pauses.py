"""How many public forms one client address may send before a short, calm pause.

Self-referrals, reports and follow-up messages write records; the get-support questions
write the session. Both are counted per client address (honouring the trusted proxy count)
in the database every app server shares, and a client over its limit sees its own form again,
as typed, with a notice of when it may send it (status 429). See
docs/decisions/0061-lock-outs-and-throttles.md.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from bridgeway.throttles.clients import client_of
from bridgeway.throttles.services import Rule, Throttled, throttle_take

WINDOW = dt.timedelta(hours=1)


def submission_rule() -> Rule:
    """Self-referrals, reports and follow-up messages from one client address, together."""
    return Rule("public-submission", settings.PUBLIC_SUBMISSION_LIMIT, WINDOW)


def answer_rule() -> Rule:
    """Answers to the get-support questions from one client address."""
    return Rule("public-answer", settings.PUBLIC_ANSWER_LIMIT, WINDOW)


def submission_paused(request: HttpRequest, rule: Rule) -> dict[str, Any] | None:
    """Count this form against the client; None when it may go ahead, else what to tell them."""
    try:
        throttle_take(rule=rule, subject=client_of(request))
    except Throttled as pause:
        seconds = (pause.until - timezone.now()).total_seconds()
        return {
            "until": timezone.localtime(pause.until),
            "minutes": max(1, math.ceil(seconds / 60)),
        }
    return None

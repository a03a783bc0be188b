"""The follow-up grant: after a reference and code are checked, a short time to read and reply.

The code is checked once, then forgotten: it is never written back into a page, an address
or the session. What the session keeps instead is a grant bound to that one report, which
lapses after a quarter of an hour without use (so a browser left open, or picked up by
someone else, soon shows nothing), and after an hour in any case. Plain data, no Django.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

# Idle time before the grant lapses; each page seen or message sent starts it again.
GRANT_IDLE = dt.timedelta(minutes=15)
# The longest a grant lasts however busy it is; then the code is needed again.
GRANT_LONGEST = dt.timedelta(hours=1)


@dataclass(frozen=True)
class FollowUpGrant:
    """Leave to read and write on one report, from ``opened_at`` until it lapses."""

    reference: str
    referral_id: str
    opened_at: dt.datetime
    used_at: dt.datetime

    def lapses_at(self) -> dt.datetime:
        """When the grant stops working unless it is used again first."""
        return min(self.used_at + GRANT_IDLE, self.opened_at + GRANT_LONGEST)

    def is_live(self, now: dt.datetime) -> bool:
        """Whether the grant still works at ``now`` (a clock gone backwards ends it too)."""
        return self.opened_at <= now < self.lapses_at()

    def used(self, now: dt.datetime) -> FollowUpGrant:
        """The grant, used again at ``now``: its quarter hour starts again."""
        return FollowUpGrant(self.reference, self.referral_id, self.opened_at, now)

    def seconds_left(self, now: dt.datetime) -> int:
        """Whole seconds until the grant lapses (0 if it has)."""
        return max(0, int((self.lapses_at() - now).total_seconds()))

    def to_session(self) -> dict[str, str]:
        """The grant as JSON-safe data for the session."""
        return {
            "reference": self.reference,
            "referral": self.referral_id,
            "opened_at": self.opened_at.isoformat(),
            "used_at": self.used_at.isoformat(),
        }


def grant_open(*, reference: str, referral_id: str, now: dt.datetime) -> FollowUpGrant:
    """A new grant for the report just opened with its reference and code."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return FollowUpGrant(reference, referral_id, now, now)


def grant_from_session(data: Any) -> FollowUpGrant | None:
    """The grant kept in the session, or None if there is none or it is not well formed."""
    if not isinstance(data, dict):
        return None
    reference, referral = data.get("reference"), data.get("referral")
    if not isinstance(reference, str) or not isinstance(referral, str):
        return None
    if not reference or not referral:
        return None
    try:
        opened_at = dt.datetime.fromisoformat(data["opened_at"])
        used_at = dt.datetime.fromisoformat(data["used_at"])
    except (KeyError, TypeError, ValueError):
        return None
    if opened_at.tzinfo is None or used_at.tzinfo is None or used_at < opened_at:
        return None
    return FollowUpGrant(reference, referral, opened_at, used_at)

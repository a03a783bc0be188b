"""When a consent is live: from the moment it was given until it ends or is withdrawn.

Plain data, no Django: anything with the three moments will do, a ``Consent`` row included.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class ConsentTimes(Protocol):
    """The three moments that bound a consent's life (``Consent`` has them)."""

    @property
    def given_at(self) -> dt.datetime: ...

    @property
    def expires(self) -> dt.datetime | None: ...

    @property
    def revoked_at(self) -> dt.datetime | None: ...


def consent_is_live(consent: ConsentTimes, *, at: dt.datetime) -> bool:
    """Given by ``at``, and neither expired nor withdrawn by then."""
    if consent.given_at > at:
        return False
    if consent.revoked_at is not None and consent.revoked_at <= at:
        return False
    return not (consent.expires is not None and consent.expires <= at)

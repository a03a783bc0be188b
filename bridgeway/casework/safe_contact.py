"""Whether a way of contacting someone keeps to what they told us. Plain Python, no Django.

The person chose the channels (``phone``, ``text``, ``email`` or ``none``), whether a
message may be left, and when it is safe to contact them. A worker's attempt that breaks
those choices is refused before it is recorded, not merely warned about: a voicemail heard by
the wrong person, or a text arriving while the person who hurt them is at home, can put
someone in danger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from enum import Enum

from bridgeway.casework.contact_times import contact_times_read

# The channel each method needs the person to have chosen.
CHANNEL_FOR_METHOD = {
    "call": "phone",
    "voicemail": "phone",
    "text": "text",
    "email": "email",
}
# Methods that leave something behind for anyone with the phone or inbox to find.
LEAVES_A_MESSAGE = frozenset({"voicemail"})


class Refusal(Enum):
    """Why an attempt may not be made."""

    NO_PREFERENCES = "no_preferences"
    DO_NOT_CONTACT = "do_not_contact"
    CHANNEL_NOT_CHOSEN = "channel_not_chosen"
    NO_MESSAGES = "no_messages"
    UNKNOWN_METHOD = "unknown_method"
    OUTSIDE_TIMES = "outside_times"
    TIMES_UNCLEAR = "times_unclear"


def contact_refusal(
    method: str,
    *,
    channels: Collection[str] | None,
    may_leave_message: bool,
    times: str = "",
    at: dt.datetime | None = None,
    times_checked: bool = False,
) -> Refusal | None:
    """``None`` when ``method`` keeps to the person's choices; otherwise the reason it does not.

    ``channels`` is ``None`` when no preferences were recorded: then nobody may be contacted
    until it is known to be safe. ``times`` are the person's own words about when it is safe
    and ``at`` the moment of the attempt (checked only when given): outside times that can be
    read, the attempt is refused; when the words cannot be read for certain
    (``bridgeway.casework.contact_times``), the worker must say they checked them
    (``times_checked``).
    """
    if method not in CHANNEL_FOR_METHOD:
        return Refusal.UNKNOWN_METHOD
    if channels is None:
        return Refusal.NO_PREFERENCES
    if "none" in channels:
        return Refusal.DO_NOT_CONTACT
    if CHANNEL_FOR_METHOD[method] not in channels:
        return Refusal.CHANNEL_NOT_CHOSEN
    if method in LEAVES_A_MESSAGE and not may_leave_message:
        return Refusal.NO_MESSAGES
    if at is not None:
        return times_refusal(times, at=at, times_checked=times_checked)
    return None


def times_refusal(times: str, *, at: dt.datetime, times_checked: bool = False) -> Refusal | None:
    """``None`` when ``at`` is within the times the person gave (or the worker checked them)."""
    chosen = contact_times_read(times)
    if chosen is None:
        return None if times_checked else Refusal.TIMES_UNCLEAR
    return None if chosen.allow(at) else Refusal.OUTSIDE_TIMES


def allowed_methods(channels: Collection[str] | None, *, may_leave_message: bool) -> list[str]:
    """The methods a worker may use, in a fixed order, for offering on a page."""
    return [
        method
        for method in CHANNEL_FOR_METHOD
        if contact_refusal(method, channels=channels, may_leave_message=may_leave_message) is None
    ]

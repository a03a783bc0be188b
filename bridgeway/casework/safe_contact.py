"""Whether a way of contacting someone keeps to what they told us. Plain Python, no Django.

The person chose the channels (``phone``, ``text``, ``email`` or ``none``) and whether a
message may be left. A worker's attempt that breaks those choices is refused before it is
recorded, not merely warned about: a voicemail heard by the wrong person can put someone in
danger.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import Enum

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


def contact_refusal(
    method: str, *, channels: Collection[str] | None, may_leave_message: bool
) -> Refusal | None:
    """``None`` when ``method`` keeps to the person's choices; otherwise the reason it does not.

    ``channels`` is ``None`` when no preferences were recorded: then nobody may be contacted
    until it is known to be safe.
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
    return None


def allowed_methods(channels: Collection[str] | None, *, may_leave_message: bool) -> list[str]:
    """The methods a worker may use, in a fixed order, for offering on a page."""
    return [
        method
        for method in CHANNEL_FOR_METHOD
        if contact_refusal(method, channels=channels, may_leave_message=may_leave_message) is None
    ]

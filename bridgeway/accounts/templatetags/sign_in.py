"""Template filters for the sign-in pages."""

from __future__ import annotations

import math
from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def whole_minutes(duration: timedelta) -> int:
    """A wait in minutes, rounded up so no one comes back too early."""
    return max(1, math.ceil(duration.total_seconds() / 60))

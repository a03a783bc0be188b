"""Template filters for the staff casework pages.

Vocabulary codes are shown with the vocabulary's staff labels, in the active language
(``bridgeway.equality.staff_labels``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from bridgeway.casework.models import Consent, Referral
from bridgeway.casework.selectors import referral_waited
from bridgeway.equality.staff_labels import staff_label

register = template.Library()


@register.filter
def vocabulary_label(code: object, name: str) -> str:
    """The label of ``code`` in the vocabulary ``name``; a not-known code's label; else the code."""
    if not isinstance(code, str) or not code:
        return ""
    # A code retired from the vocabulary still shows, as itself, rather than vanishing.
    return staff_label(name, code)


@register.filter
def vocabulary_labels(codes: object, name: str) -> list[str]:
    """The labels of a list of codes, in order."""
    if not isinstance(codes, Iterable) or isinstance(codes, str):
        return []
    return [vocabulary_label(code, name) for code in codes]


@register.filter
def waited(referral: Referral, now: dt.datetime | None = None) -> str:
    """'3 days, 4 hours' while the person waits for first contact; '' once contacted."""
    moment = now or timezone.now()
    waiting = referral_waited(referral, now=moment)
    if waiting is None:
        return ""
    return timesince(moment - waiting, moment, depth=2)


@register.filter
def consent_item_labels(items: object) -> list[str]:
    """The labels of what a consent or share covers (``Consent.Item`` codes), in order."""
    if not isinstance(items, Iterable) or isinstance(items, str):
        return []
    labels = dict(Consent.Item.choices)
    return [str(labels.get(item, item)) for item in items]

"""Labels of the codes an application holds, in the reader's language."""

from __future__ import annotations

from django import template

from bridgeway.commissioning.dei import POPULATION_GROUPS
from bridgeway.equality.staff_labels import staff_label
from bridgeway.equality.vocabulary import UnknownCode

register = template.Library()


@register.filter
def ethnic_group_label(code: str) -> str:
    try:
        return str(staff_label("ethnic_groups", code))
    except (UnknownCode, KeyError):
        return code


@register.filter
def dei_group_label(code: str) -> str:
    return str(POPULATION_GROUPS.get(code, code))

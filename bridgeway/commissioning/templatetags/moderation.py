"""The moderation table's score cells, built in Python: a large round has thousands of them,
and a template loop per score was most of the page's time (decision 0086)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def score_spans(given: list[tuple[str, int, str]]) -> SafeString | str:
    """Each reviewer's score, with their name and comment as its title; a dash for none."""
    if not given:
        return "\u2013"  # an en dash
    return format_html_join(
        ", ",
        '<span title="{}">{}</span>',
        ((f"{name}: {comment}" if comment else name, value) for name, value, comment in given),
    )

"""The moderation table's score cells, built in Python: a page has over a thousand of them,
and a template loop (or ``format_html``) per score was most of the page's time (decisions
0086 and 0139)."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def score_spans(given: list[tuple[str, int, str]]) -> SafeString | str:
    """Each reviewer's score, with their name and comment as its title; a dash for none.

    Names and comments are escaped here (the standard library's ``html.escape``, quotes
    included), so the joined text is safe to mark as such.
    """
    if not given:
        return "\u2013"  # an en dash
    return mark_safe(  # noqa: S308 - every value is escaped just above
        ", ".join(
            f'<span title="{escape(f"{name}: {comment}" if comment else name)}">{int(value)}</span>'
            for name, value, comment in given
        )
    )

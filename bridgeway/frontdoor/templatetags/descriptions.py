"""Template filters showing a service's description on public pages (see directory.descriptions)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from bridgeway.directory.descriptions import description_html, description_text

register = template.Library()


@register.filter(name="description_html")
def description_html_filter(text: str) -> SafeString:
    """The description with its safe formatting, cleaned again as it is shown."""
    return description_html(str(text or ""))


@register.filter(name="description_text")
def description_text_filter(text: str) -> str:
    """The description's words alone (the template escapes them)."""
    return description_text(str(text or ""))

"""The staff pages' language switcher: English or Cymraeg, kept by the person's choice."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from bridgeway.accounts.models import STAFF_LANGUAGES
from bridgeway.equality.vocabulary import language_by_tag

register = template.Library()


@register.inclusion_tag("site/staff_language_switcher.html", takes_context=True)
def staff_language_switcher(context: Any) -> dict[str, Any]:
    """Each staff language named in itself; the one in use marked current, the others buttons.

    Buttons in a form, not links: choosing a language is saved on the person's account.
    """
    request = context["request"]
    current = get_language()
    languages = []
    for code in STAFF_LANGUAGES:
        language = language_by_tag().get(code)
        endonym = language.endonym if language else code
        languages.append({"code": code, "endonym": endonym, "current": code == current})
    return {
        "languages": languages,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }

"""What every template needs: the language switcher and whether demo data is on show."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language, get_language_bidi

from bridgeway.equality.vocabulary import language_by_tag

_SYNTHETIC_CACHE: dict[str, tuple[float, bool]] = {}
_SYNTHETIC_TTL_SECONDS = 30.0


def synthetic_data_present() -> bool:
    """Whether the database holds made-up demo organisations (checked at most every 30 s)."""
    from bridgeway.accounts.models import Organisation

    alias = settings.DATABASES["default"]["NAME"]
    now = time.monotonic()
    cached = _SYNTHETIC_CACHE.get(str(alias))
    if cached and now - cached[0] < _SYNTHETIC_TTL_SECONDS:
        return cached[1]
    present = Organisation.objects.filter(is_synthetic=True).exists()
    _SYNTHETIC_CACHE[str(alias)] = (now, present)
    return present


def forget_synthetic_flag() -> None:
    """Drop the cached answer (after demo data is created or removed)."""
    _SYNTHETIC_CACHE.clear()


def site(request: HttpRequest) -> dict[str, Any]:
    current = get_language() or settings.LANGUAGE_CODE
    links = []
    for code, _name in settings.LANGUAGES:
        language = language_by_tag().get(code.lower())
        links.append(
            {
                "code": code,
                "endonym": language.endonym if language else code,
                "direction": language.direction if language else "ltr",
                "url": translate_url(request.get_full_path(), code),
                "current": code == current,
            }
        )
    return {
        "language_links": links,
        "text_direction": "rtl" if get_language_bidi() else "ltr",
        "synthetic_data": synthetic_data_present(),
    }

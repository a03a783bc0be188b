"""Bench-only URLs (see ``inbox_plain_settings.py``): the project's, and the unrendered inbox."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bridgeway import urls as project_urls
from bridgeway.casework import views


def _plain(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> Any:
    """What the inbox would render, as the page's references: no template."""
    rows = context["page"].object_list
    return HttpResponse(
        "\n".join(referral.reference for referral in rows) or "Nothing matches",
        content_type="text/plain",
        status=status,
    )


def inbox_plain(request: HttpRequest) -> HttpResponse:
    """The inbox view, run whole, its ``render`` swapped for ``_plain`` for this request
    (the bench's server has one worker with one thread)."""
    rendering = views.render  # type: ignore[attr-defined]
    views.render = _plain  # type: ignore[attr-defined,assignment]
    try:
        return views.inbox(request)
    finally:
        views.render = rendering  # type: ignore[attr-defined]


# The project's own patterns at the root (they hold i18n_patterns, which include() refuses).
urlpatterns = [path("bench/inbox-plain/", inbox_plain), *project_urls.urlpatterns]

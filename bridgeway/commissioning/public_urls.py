"""The public funding page, mounted at ``/<language>/funding/``."""

from __future__ import annotations

from django.urls import URLPattern, path

from bridgeway.commissioning.views import public

app_name = "funding"

urlpatterns: list[URLPattern] = [path("", public.funding, name="public")]

"""URLs of the frontdoor app."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "frontdoor"

urlpatterns: list[URLPattern] = []

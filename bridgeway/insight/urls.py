"""URLs of the insight app."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "insight"

urlpatterns: list[URLPattern] = []

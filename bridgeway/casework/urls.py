"""URLs of the casework app."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "casework"

urlpatterns: list[URLPattern] = []

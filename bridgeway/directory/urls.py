"""URLs of the directory app."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "directory"

urlpatterns: list[URLPattern] = []

"""URLs of the directory app's staff pages (under /staff/directory/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from bridgeway.directory import introduction_views, views

app_name = "directory"

urlpatterns: list[URLPattern] = [
    path("", views.listings, name="listings"),
    path("<uuid:service_id>/edit/", views.listing_edit, name="listing-edit"),
    path(
        "<uuid:service_id>/introduction/",
        introduction_views.introductions,
        name="introductions",
    ),
]

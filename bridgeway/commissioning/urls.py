"""URLs of commissioning, mounted at ``/staff/funding/``."""

from __future__ import annotations

from django.urls import URLPattern, path

from bridgeway.commissioning import views

app_name = "commissioning"

urlpatterns: list[URLPattern] = [
    path("", views.rounds, name="rounds"),
    path("<uuid:round_id>/", views.round_detail, name="round"),
    path("<uuid:round_id>/apply/", views.apply, name="apply"),
    path("applications/<uuid:application_id>/decide/", views.decide, name="decide"),
    path("applications/<uuid:application_id>/review/", views.review, name="review"),
]

"""URLs of the casework app (mounted at ``/staff/``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from bridgeway.casework import views

app_name = "casework"

urlpatterns: list[URLPattern] = [
    path("inbox/", views.inbox, name="inbox"),
    path("referrals/<str:reference>/", views.referral_detail, name="referral-detail"),
    path(
        "referrals/<str:reference>/stage/",
        views.referral_advance_view,
        name="referral-advance",
    ),
]

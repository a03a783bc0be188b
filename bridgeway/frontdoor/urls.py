"""URLs of the public front door (mounted under a language prefix: /en/, /cy/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from bridgeway.frontdoor import views

app_name = "frontdoor"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("get-support/", views.get_support, name="get-support"),
    path("services/<uuid:service_id>/", views.service_detail, name="service"),
    path("services/<uuid:service_id>/refer/", views.refer, name="refer"),
    path("refer/done/", views.refer_done, name="refer-done"),
    path("report/", views.report, name="report"),
    path("report/done/", views.report_done, name="report-done"),
    path("report/follow-up/", views.follow_up, name="follow-up"),
]

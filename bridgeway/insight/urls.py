"""URLs of the insight app, under ``/insight/``."""

from __future__ import annotations

from django.urls import URLPattern, path

from bridgeway.insight import views

app_name = "insight"

urlpatterns: list[URLPattern] = [
    path("", views.dashboard, name="dashboard"),
    path(
        "reports/<str:report>.<str:file_format>",
        views.report_file,
        name="report-file",
    ),
    path("needs-assessment.csv", views.needs_assessment_csv, name="needs-assessment-csv"),
    path(
        "needs-assessment.<str:file_format>",
        views.needs_assessment_file,
        name="needs-assessment-file",
    ),
]

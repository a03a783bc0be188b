"""Pages for operators under /staff/operations/."""

from __future__ import annotations

from django.urls import path

from bridgeway.operations import views

app_name = "operations"

urlpatterns = [
    path("jobs/", views.job_runs, name="job-runs"),
]

"""Running Bridgeway: scheduled jobs, their worker, backups, readiness and metrics."""

from __future__ import annotations

from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Jobs that run themselves, and what an operator watches."""

    name = "bridgeway.operations"
    label = "operations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bridgeway.operations import checks  # noqa: F401  (registers the deploy checks)

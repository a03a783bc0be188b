"""``bridgeway check --deploy``: production settings, each failure naming its variable."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

# Secrets that fall back to a file generated into var/ when the operator sets none.
SECRETS = (
    ("BRIDGEWAY_SECRET_KEY", "Django's signing key"),
    ("BRIDGEWAY_ENCRYPTION_KEYS", "the keys that seal personal data"),
    ("BRIDGEWAY_PSEUDONYM_KEY", "the snapshot's pseudonym key"),
    ("BRIDGEWAY_AUDIT_KEYS", "the audit chain's keys"),
    ("BRIDGEWAY_AUDIT_ANCHOR_KEYS", "the audit anchor's keys"),
    ("BRIDGEWAY_BACKUP_KEYS", "the keys that encrypt backups"),
)


def _given(name: str) -> bool:
    return bool(os.environ.get(name, "").strip() or os.environ.get(f"{name}_FILE", "").strip())


@register(Tags.security, deploy=True)
def production_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Errors for settings that must not reach production; each names the variable to set."""
    errors: list[CheckMessage] = []
    for name, what in SECRETS:
        if not _given(name):
            errors.append(
                Error(
                    f"{name} is not set: {what} would be the file generated into "
                    f"{settings.VAR_DIR} for local use.",
                    hint=f"Set {name} or {name}_FILE (docs/operating.md, the environment file).",
                    id="bridgeway.E001",
                )
            )
    if settings.DEBUG:
        errors.append(
            Error(
                "BRIDGEWAY_DEBUG is on: error pages would show settings and data.",
                hint="Set BRIDGEWAY_DEBUG=false.",
                id="bridgeway.E002",
            )
        )
    if not settings.HTTPS and (
        settings.TRUSTED_PROXY_COUNT > 0 or settings.SECURE_PROXY_SSL_HEADER
    ):
        errors.append(
            Error(
                "BRIDGEWAY_HTTPS is off behind a proxy (BRIDGEWAY_TRUSTED_PROXY_COUNT is "
                f"{settings.TRUSTED_PROXY_COUNT}): cookies would be sent without Secure and "
                "the proxy's X-Forwarded-Proto ignored.",
                hint="Serve HTTPS at the proxy and set BRIDGEWAY_HTTPS=true.",
                id="bridgeway.E003",
            )
        )
    elif not settings.HTTPS:
        errors.append(
            Error(
                "BRIDGEWAY_HTTPS is off: sign-in and personal data would cross the network "
                "in plain text.",
                hint="Serve HTTPS (docs/operating.md's nginx site) and set BRIDGEWAY_HTTPS=true.",
                id="bridgeway.E004",
            )
        )
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        errors.append(
            Error(
                "DATABASE_URL is not PostgreSQL: SQLite is for the demonstration.",
                hint="Set DATABASE_URL and DATABASE_OWNER_URL to postgres:// URLs.",
                id="bridgeway.E005",
            )
        )
    return errors

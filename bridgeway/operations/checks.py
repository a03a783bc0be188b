"""``bridgeway check --deploy``: production settings, each failure naming its variable."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

# Secrets that fall back to a file generated into var/ when the operator sets none: the
# variable, what it is, and the file settings.py generates (bridgeway/environment.py).
SECRETS = (
    ("BRIDGEWAY_SECRET_KEY", "Django's signing key", "secret.key"),
    ("BRIDGEWAY_ENCRYPTION_KEYS", "the keys that seal personal data", "encryption.key"),
    ("BRIDGEWAY_BLIND_INDEX_KEY", "the key of the blind indexes", "blind-index.key"),
    ("BRIDGEWAY_PSEUDONYM_KEY", "the snapshot's pseudonym key", "pseudonym.key"),
    ("BRIDGEWAY_AUDIT_KEYS", "the audit chain's keys", "audit.key"),
    ("BRIDGEWAY_AUDIT_ANCHOR_KEYS", "the audit anchor's keys", "audit-anchor.key"),
    ("BRIDGEWAY_BACKUP_KEYS", "the keys that encrypt backups", "backup.key"),
)


def _given(name: str) -> bool:
    return bool(os.environ.get(name, "").strip() or os.environ.get(f"{name}_FILE", "").strip())


def _local_key_used(name: str, generated: Path) -> bool:
    """Whether ``name`` is the key generated for local use: its file, or a copy of its value.

    Keys under the data folder travel with it (copies of var/, a stolen disk) and are not
    the ones the operator made and keeps apart, so production must not run on them.
    """
    var_dir = Path(settings.VAR_DIR).resolve()
    file_name = os.environ.get(f"{name}_FILE", "").strip()
    if file_name and Path(file_name).resolve().is_relative_to(var_dir):
        return True
    try:
        local = generated.read_text(encoding="utf-8").strip()
    except OSError:
        return False
    if not local:
        return False
    if file_name:
        try:
            value = Path(file_name).read_text(encoding="utf-8")
        except OSError:
            return False
    else:
        value = os.environ.get(name, "")
    return local in {key.strip() for key in value.split(",")}


@register(Tags.security, deploy=True)
def production_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Errors for settings that must not reach production; each names the variable to set."""
    errors: list[CheckMessage] = []
    for name, what, generated in SECRETS:
        if not _given(name):
            errors.append(
                Error(
                    f"{name} is not set: {what} would be the file generated into "
                    f"{settings.VAR_DIR} for local use.",
                    hint=f"Set {name} or {name}_FILE (docs/operating.md, the environment file).",
                    id="bridgeway.E001",
                )
            )
        elif _local_key_used(name, Path(settings.VAR_DIR) / generated):
            errors.append(
                Error(
                    f"{name} is the key generated into {settings.VAR_DIR} for local use: "
                    f"{what} would sit beside the data and travel with copies of it.",
                    hint=f"Make {name} anew outside {settings.VAR_DIR} (docs/operating.md); "
                    "if data is already sealed with the local key, keep it second while you "
                    "rotate (key rotation).",
                    id="bridgeway.E006",
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

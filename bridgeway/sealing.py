"""Sealed fields: personal data encrypted at rest with the keys in ``ENCRYPTION_KEYS``.

Fernet (AES-128-CBC with HMAC-SHA256) through ``MultiFernet``, so keys can be rotated: the
newest key seals, every listed key opens. A database dump or backup holds only tokens.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

SEALED_PREFIX = "fernet:"


@cache
def _keyring(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "BRIDGEWAY_ENCRYPTION_KEYS must be Fernet keys (url-safe base64 of 32 bytes), "
            "separated by commas, newest first"
        ) from error


def keyring() -> MultiFernet:
    """The keyring built from the current settings."""
    return _keyring(tuple(settings.ENCRYPTION_KEYS))


def seal(text: str) -> str:
    """Encrypt ``text`` with the newest key."""
    return SEALED_PREFIX + keyring().encrypt(text.encode("utf-8")).decode("ascii")


def unseal(token: str) -> str:
    """Decrypt a sealed value with whichever listed key sealed it."""
    if not token.startswith(SEALED_PREFIX):
        raise ValueError("value is not sealed")
    try:
        return keyring().decrypt(token[len(SEALED_PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "a sealed value cannot be opened with any key in BRIDGEWAY_ENCRYPTION_KEYS"
        ) from error


def reseal(token: str) -> str:
    """The same value sealed again with the newest key (for key rotation)."""
    return SEALED_PREFIX + keyring().rotate(token[len(SEALED_PREFIX) :].encode("ascii")).decode(
        "ascii"
    )


class SealedTextField(models.TextField):  # type: ignore[type-arg]
    """A text field stored encrypted. It cannot be searched or ordered in the database."""

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return unseal(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return seal(str(value))

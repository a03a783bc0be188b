"""Sealed fields: personal data encrypted at rest with the keys in ``ENCRYPTION_KEYS``.

Fernet (AES-128-CBC with HMAC-SHA256) through ``MultiFernet``, so keys can be rotated: the
newest key seals, every listed key opens. A database dump or backup holds only tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction

SEALED_PREFIX = "fernet:"
# Rows read and resealed per transaction by ``reseal_all``.
ROTATION_CHUNK_SIZE = 1000


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


def sealed_with_newest_key(token: str) -> bool:
    """Whether the newest key in the settings sealed ``token`` (no rotation needed)."""
    newest = Fernet(settings.ENCRYPTION_KEYS[0].encode())
    try:
        newest.decrypt(token[len(SEALED_PREFIX) :].encode("ascii"))
    except InvalidToken:
        return False
    return True


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


@dataclass(frozen=True)
class RotationCount:
    """How many sealed values of one column were (or would be) sealed again."""

    table: str
    column: str
    values: int
    resealed: int


def sealed_columns() -> list[tuple[type[models.Model], models.Field[Any, Any]]]:
    """Every ``SealedTextField`` of every installed model, in a fixed order."""
    columns = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for model_field in model._meta.local_fields:
            if isinstance(model_field, SealedTextField):
                columns.append((model, model_field))
    return sorted(columns, key=lambda pair: (pair[0]._meta.db_table, pair[1].column))


def reseal_all(*, dry_run: bool, chunk_size: int = ROTATION_CHUNK_SIZE) -> list[RotationCount]:
    """Seal again with the newest key every sealed value an older key sealed.

    Works on the raw column, token to token (``MultiFernet.rotate``), so no plaintext is held
    longer than one decryption. With ``dry_run`` it only counts. Each chunk is its own
    transaction, so a long rotation can be stopped and run again: values already sealed with
    the newest key are skipped.
    """
    counts = []
    for model, model_field in sealed_columns():
        counts.append(_reseal_column(model, model_field, dry_run=dry_run, chunk_size=chunk_size))
    return counts


def _reseal_column(
    model: type[models.Model],
    model_field: models.Field[Any, Any],
    *,
    dry_run: bool,
    chunk_size: int,
) -> RotationCount:
    quote = connection.ops.quote_name
    primary_key = model._meta.pk
    if primary_key is None or primary_key.column is None or model_field.column is None:
        raise ImproperlyConfigured(f"{model.__name__} has no column for a sealed field")
    table = quote(model._meta.db_table)
    pk = quote(primary_key.column)
    column = quote(model_field.column)
    column_name: str = model_field.column
    values = resealed = 0
    last: Any = None
    while True:
        # Table and column names come from the models, never from input.
        select = f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''"  # noqa: S608
        params: list[Any] = []
        if last is not None:
            select += f" AND {pk} > %s"
            params.append(last)
        select += f" ORDER BY {pk} LIMIT {int(chunk_size)}"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(select, params)
            rows = cursor.fetchall()
            for row_pk, token in rows:
                if token is None:
                    continue
                values += 1
                if sealed_with_newest_key(token):
                    continue
                resealed += 1
                if not dry_run:
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                        [reseal(token), row_pk],
                    )
        if len(rows) < chunk_size:
            break
        last = rows[-1][0]
    return RotationCount(model._meta.db_table, column_name, values, resealed)

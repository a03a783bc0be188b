"""Writes to the hash-chained audit log, and the one deletion of it (demo records only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from bridgeway.accounts.models import Organisation, User
from bridgeway.casework.audit_chain import GENESIS_HASH, chain_keys, entry_mac
from bridgeway.casework.models import (
    AuditEntry,
)

# The advisory lock that serialises audit writers on PostgreSQL ("BWAUDIT" as a number).
AUDIT_CHAIN_LOCK_KEY = 0x4257415544495400


def audit_record(
    *,
    actor: User | None,
    organisation: Organisation | None,
    action: str,
    object_type: str,
    object_id: str,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry to the keyed, chained audit log (inside the caller's transaction).

    Sealed with the newest audit key (docs/decisions/0060-audit-chain-keyed-and-anchored.md).
    """
    key_id, key = audit_sealing_key()
    with transaction.atomic():
        _audit_chain_lock()
        last = AuditEntry.objects.order_by("-id").first()
        previous_hash = last.entry_hash if last else GENESIS_HASH
        at = timezone.now()
        entry = AuditEntry(
            id=(last.id + 1) if last else 1,
            at=at,
            actor=actor,
            organisation=organisation,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=detail or {},
            previous_hash=previous_hash,
            key_id=key_id,
        )
        entry.entry_hash = entry_mac(audit_content(entry), previous_hash, key_id=key_id, key=key)
        entry.save(force_insert=True)
        return entry


def audit_keys() -> dict[int, bytes]:
    """Every audit key by its number (``BRIDGEWAY_AUDIT_KEYS``; the oldest is 1)."""
    return chain_keys(settings.AUDIT_KEYS)


def audit_sealing_key() -> tuple[int, bytes]:
    """The newest audit key and its number: the one new entries are sealed with."""
    keys = audit_keys()
    newest = max(keys)
    return newest, keys[newest]


def _audit_chain_lock() -> None:
    """Serialise writers of the audit chain until the surrounding transaction ends.

    Locking the newest row is not enough on PostgreSQL: a writer that waited for it reads
    the same row again after the lock is released, computes the same id and fails, and an
    empty table has no row to lock at all. A transaction-scoped advisory lock covers both.
    SQLite allows one writing transaction at a time, so it needs nothing more.
    """
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_KEY])


def audit_content(entry: AuditEntry) -> dict[str, Any]:
    """The fields an audit entry's hash covers."""
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor": str(entry.actor_id) if entry.actor_id else None,
        "organisation": str(entry.organisation_id) if entry.organisation_id else None,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "detail": entry.detail,
    }


AUDIT_TRIGGER = "casework_auditentry_append_only"


@transaction.atomic
def audit_demo_entries_delete(*, entries: QuerySet[AuditEntry]) -> int:
    """Delete the audit entries of demo records (``seed-demo --replace`` on a demo database).

    The one deletion of audit entries anywhere. On PostgreSQL the append-only trigger is
    switched off for this transaction only, which needs the table's owner: in production the
    application's role does not own it, so this fails there, as it should.
    """
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        deleted, _by_model = entries.delete()
        return deleted
    with connection.cursor() as cursor:
        # ALTER TABLE waits for no deferred foreign-key checks: run those now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE casework_auditentry DISABLE TRIGGER {AUDIT_TRIGGER}")
        try:
            deleted, _by_model = entries.delete()
        finally:
            cursor.execute(f"ALTER TABLE casework_auditentry ENABLE TRIGGER {AUDIT_TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return deleted

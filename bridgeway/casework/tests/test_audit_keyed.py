"""The keyed audit chain, its key rotation, and anchors kept outside the database (ADR 0060).

Tampering is done as the database's owner would (marked ``database_owner``: on PostgreSQL the
site's own role may not, see test_audit_roles.py), modelling the attacker ``audit verify``
exists for: someone who can rewrite rows but holds neither the audit key nor the anchor file.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from bridgeway.casework.audit_anchor import Checkpoint, checkpoint_problem
from bridgeway.casework.audit_chain import (
    GENESIS_HASH,
    LEGACY_KEY_ID,
    entry_hash,
    entry_mac,
)
from bridgeway.casework.models import AuditEntry
from bridgeway.casework.services import AUDIT_TRIGGER, audit_content, audit_record


def _record(number: int) -> AuditEntry:
    return audit_record(
        actor=None,
        organisation=None,
        action="test.write",
        object_type="thing",
        object_id=str(number),
    )


@pytest.fixture
def log(db):
    """Six keyed entries."""
    for number in range(6):
        _record(number)
    return AuditEntry.objects.count()


def _verify(*arguments: str) -> str:
    out = StringIO()
    call_command("audit", "verify", *arguments, stdout=out)
    return out.getvalue()


def _anchor(path: Path) -> str:
    out = StringIO()
    call_command("audit", "anchor", "--out", str(path), stdout=out)
    return out.getvalue()


def _as_owner(statements: list[tuple[str, list[str | int]]]) -> None:
    """Run SQL past the append-only trigger, as a compromised owner role could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE casework_auditentry DISABLE TRIGGER {AUDIT_TRIGGER}")
        for statement, params in statements:
            cursor.execute(statement, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE casework_auditentry ENABLE TRIGGER {AUDIT_TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _relink_with_plain_sha256(*, edit_id: int, key_id: int | None = None) -> None:
    """Edit one entry and re-seal it and every later entry with plain SHA-256, as the attack
    that passed before the chain was keyed did. ``key_id`` also relabels the entries."""
    statements: list[tuple[str, list[str | int]]] = []
    previous = GENESIS_HASH
    for entry in AuditEntry.objects.order_by("id"):
        if entry.id == edit_id:
            entry.action = "nothing.happened"
        if entry.id >= edit_id:
            entry.previous_hash = previous
            entry.entry_hash = entry_hash(audit_content(entry), previous)
            label = entry.key_id if key_id is None else key_id
            statements.append(
                (
                    "UPDATE casework_auditentry SET action = %s, previous_hash = %s,"
                    " entry_hash = %s, key_id = %s WHERE id = %s",
                    [entry.action, entry.previous_hash, entry.entry_hash, label, entry.id],
                )
            )
        previous = entry.entry_hash
    _as_owner(statements)


# --- the chain is keyed ---------------------------------------------------------------------


def test_new_entries_are_sealed_with_the_newest_audit_key(db):
    with override_settings(AUDIT_KEYS=["second key", "first key"]):
        entry = _record(1)

    assert entry.key_id == 2
    assert entry.entry_hash == entry_mac(
        audit_content(entry), GENESIS_HASH, key_id=2, key=b"second key"
    )


@pytest.mark.database_owner
def test_verify_detects_a_chain_relinked_with_plain_sha256(log):
    _relink_with_plain_sha256(edit_id=3)

    with pytest.raises(CommandError) as error:
        _verify()

    assert error.value.returncode == 1
    assert "Audit log broken at entry 3: its content was changed" in str(error.value)


@pytest.mark.database_owner
def test_verify_detects_a_relinked_chain_passed_off_as_unkeyed(log):
    _relink_with_plain_sha256(edit_id=3, key_id=LEGACY_KEY_ID)

    with pytest.raises(CommandError) as error:
        _verify()

    assert "Audit log broken at entry 3: it has no key's seal but follows keyed entries" in str(
        error.value
    )


def test_unkeyed_entries_from_before_the_keys_still_verify(db):
    # Entries as the plain SHA-256 chain wrote them, then keyed ones after the upgrade.
    previous = GENESIS_HASH
    for number in (1, 2):
        entry = AuditEntry(
            id=number,
            at=timezone.now(),
            action="test.old",
            object_type="thing",
            object_id=str(number),
            detail={},
            previous_hash=previous,
            key_id=LEGACY_KEY_ID,
        )
        entry.entry_hash = entry_hash(audit_content(entry), previous)
        entry.save(force_insert=True)
        previous = entry.entry_hash
    _record(3)
    _record(4)

    output = _verify()

    assert "Audit log intact: 4 entries" in output
    assert "Of which 2 unkeyed" in output
    assert list(AuditEntry.objects.values_list("key_id", flat=True)) == [0, 0, 1, 1]


def test_a_rotation_keeps_older_entries_verifiable(db):
    with override_settings(AUDIT_KEYS=["first key"]):
        _record(1)
        _record(2)
    with override_settings(AUDIT_KEYS=["second key", "first key"]):
        _record(3)
        output = _verify()

    assert "Audit log intact: 3 entries" in output
    assert list(AuditEntry.objects.values_list("key_id", flat=True)) == [1, 1, 2]


def test_a_key_dropped_from_the_configuration_is_named(db):
    with override_settings(AUDIT_KEYS=["second key", "first key"]):
        _record(1)

    with override_settings(AUDIT_KEYS=["first key"]), pytest.raises(CommandError) as error:
        _verify()

    assert "sealed with audit key 2, which this configuration does not have" in str(error.value)


# --- anchors --------------------------------------------------------------------------------


def test_anchor_appends_a_signed_checkpoint_of_the_newest_entry(log, tmp_path):
    path = tmp_path / "anchors.jsonl"
    _anchor(path)
    _record(99)
    _anchor(path)

    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(line["entry_id"], line["count"]) for line in lines] == [(log, log), (log + 1, log + 1)]
    newest = AuditEntry.objects.order_by("-id").first()
    assert newest is not None
    assert lines[1]["entry_hash"] == newest.entry_hash
    assert path.stat().st_mode & 0o777 == 0o600
    assert f"Holds all 2 checkpoints in {path}" in _verify("--anchor", str(path))


@pytest.mark.database_owner
def test_deleting_the_newest_entries_is_found_with_an_anchor(log, tmp_path):
    path = tmp_path / "anchors.jsonl"
    _anchor(path)
    _as_owner([("DELETE FROM casework_auditentry WHERE id > %s", [log - 2])])

    assert f"Audit log intact: {log - 2} entries" in _verify()  # the chain alone cannot tell
    with pytest.raises(CommandError) as error:
        _verify("--anchor", str(path))

    assert error.value.returncode == 1
    assert (
        f"Audit log truncated: the anchor of {json.loads(path.read_text())['at']} records "
        f"entry {log}, which is gone (the log now ends at entry {log - 2})"
    ) in str(error.value)


@pytest.mark.database_owner
def test_emptying_the_log_is_found_with_an_anchor(log, tmp_path):
    path = tmp_path / "anchors.jsonl"
    _anchor(path)
    _as_owner([("DELETE FROM casework_auditentry", [])])

    with pytest.raises(CommandError, match="Audit log truncated"):
        _verify("--anchor", str(path))


@pytest.mark.database_owner
def test_a_removed_entry_is_found_with_an_anchor(log, tmp_path):
    path = tmp_path / "anchors.jsonl"
    _anchor(path)
    _as_owner([("DELETE FROM casework_auditentry WHERE id = %s", [2])])

    with pytest.raises(CommandError, match="Audit log broken at entry 3: entry 2 is missing"):
        _verify("--anchor", str(path))


@pytest.mark.database_owner
def test_a_whole_log_rewritten_as_unkeyed_is_found_with_an_anchor(log, tmp_path):
    # Rewritten from the first entry as if all were from before the keys: the chain alone
    # holds together, the anchor does not.
    path = tmp_path / "anchors.jsonl"
    _anchor(path)
    _relink_with_plain_sha256(edit_id=1, key_id=LEGACY_KEY_ID)

    with pytest.raises(CommandError) as error:
        _verify("--anchor", str(path))

    assert f"Audit log rewritten: entry {log} is not the one the anchor of" in str(error.value)


def test_an_altered_anchor_file_is_not_trusted(log, tmp_path):
    path = tmp_path / "anchors.jsonl"
    _anchor(path)
    checkpoint = json.loads(path.read_text())
    checkpoint["count"] = 1
    path.write_text(json.dumps(checkpoint) + "\n")

    with pytest.raises(CommandError, match=r"line 1 .* is not signed with the anchor key"):
        _verify("--anchor", str(path))


def test_an_anchor_signed_with_an_older_anchor_key_still_counts(log, tmp_path):
    path = tmp_path / "anchors.jsonl"
    with override_settings(AUDIT_ANCHOR_KEYS=["old anchor key"]):
        _anchor(path)

    with override_settings(AUDIT_ANCHOR_KEYS=["new anchor key", "old anchor key"]):
        assert "Holds all 1 checkpoints" in _verify("--anchor", str(path))


def test_an_anchor_of_an_empty_log_holds(db, tmp_path):
    path = tmp_path / "anchors.jsonl"
    _anchor(path)

    assert json.loads(path.read_text())["entry_id"] == 0
    assert "Audit log intact: 0 entries" in _verify("--anchor", str(path))


@pytest.mark.database_owner
def test_a_broken_chain_is_not_anchored(log, tmp_path):
    path = tmp_path / "anchors.jsonl"
    _relink_with_plain_sha256(edit_id=2)

    with pytest.raises(CommandError, match="Audit log broken at entry 2"):
        _anchor(path)

    assert not path.exists()


def test_a_missing_anchor_file_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="The anchor file cannot be read"):
        _verify("--anchor", str(tmp_path / "nowhere.jsonl"))


def test_a_checkpoint_counting_more_entries_than_the_log_has_is_truncation():
    checkpoint = Checkpoint(entry_id=5, entry_hash="a" * 64, count=7, at="2026-12-04T10:00:00")

    problem = checkpoint_problem(checkpoint, seals={5: "a" * 64}, newest_id=5, count=5)

    assert (
        problem
        == "truncated: the anchor of 2026-12-04T10:00:00 records 7 entries, the log now has 5"
    )

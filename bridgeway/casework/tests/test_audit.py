"""The audit log: one entry per read and change, hash-chained, and ``bridgeway audit verify``."""

from __future__ import annotations

import itertools
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.casework.audit_chain import GENESIS_HASH, entry_mac, first_broken_link
from bridgeway.casework.models import AuditEntry
from bridgeway.casework.selectors import referral_get_for_user
from bridgeway.casework.services import AUDIT_TRIGGER, audit_content, referral_advance
from bridgeway.casework.services.audit import audit_sealing_key
from bridgeway.casework.tests.factories import make_referral


def _verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def _sql(statement: str, params: list[str | int]) -> None:
    """Tamper as the table's owner would: on PostgreSQL, past the append-only trigger.

    Tests that call it are marked ``database_owner``: the site's own role may not do this
    (test_audit_roles.py)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE casework_auditentry DISABLE TRIGGER {AUDIT_TRIGGER}")
        cursor.execute(statement, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE casework_auditentry ENABLE TRIGGER {AUDIT_TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def busy_log(service, practitioner):
    """Entries from creating, reading and moving two referrals."""
    first = make_referral(service=service)
    second = make_referral(service=service)
    referral_get_for_user(practitioner, first.reference)
    referral_advance(referral=second, stage="contacted", actor=practitioner)
    referral_get_for_user(practitioner, second.reference)
    return AuditEntry.objects.count()


def test_entries_chain_from_the_genesis_hash(busy_log):
    entries = list(AuditEntry.objects.order_by("id"))

    assert entries[0].previous_hash == GENESIS_HASH
    assert [entry.id for entry in entries] == list(range(1, busy_log + 1))
    for before, after in itertools.pairwise(entries):
        assert after.previous_hash == before.entry_hash


def test_verify_reports_an_intact_log(busy_log):
    output = _verify()

    assert f"Audit log intact: {busy_log} entries" in output
    newest = AuditEntry.objects.order_by("-id").first()
    assert newest is not None
    assert newest.entry_hash in output


def test_verify_reports_an_empty_log_as_intact(db):
    assert "Audit log intact: 0 entries" in _verify()


@pytest.mark.database_owner
def test_verify_detects_an_entry_edited_with_sql(busy_log):
    _sql("UPDATE casework_auditentry SET action = %s WHERE id = %s", ["nothing.happened", 3])

    with pytest.raises(CommandError) as error:
        _verify()

    assert error.value.returncode == 1
    assert "Audit log broken at entry 3: its content was changed" in str(error.value)


@pytest.mark.database_owner
def test_verify_detects_a_deleted_entry(busy_log):
    _sql("DELETE FROM casework_auditentry WHERE id = %s", [2])

    with pytest.raises(CommandError) as error:
        _verify()

    assert "Audit log broken at entry 3: entry 2 is missing" in str(error.value)


@pytest.mark.database_owner
def test_verify_detects_the_first_entry_deleted(busy_log):
    _sql("DELETE FROM casework_auditentry WHERE id = %s", [1])

    with pytest.raises(CommandError) as error:
        _verify()

    assert "entry 1 is missing" in str(error.value)


@pytest.mark.database_owner
def test_verify_detects_a_rewritten_entry_whose_hash_was_recomputed(busy_log):
    # Someone who edits a row and fixes its own seal (even with the audit key) still breaks
    # the next entry's link.
    entry = AuditEntry.objects.get(id=2)
    entry.action = "referral.forged"
    key_id, key = audit_sealing_key()
    forged = entry_mac(audit_content(entry), entry.previous_hash, key_id=key_id, key=key)
    _sql(
        "UPDATE casework_auditentry SET action = %s, entry_hash = %s WHERE id = %s",
        ["referral.forged", forged, 2],
    )

    with pytest.raises(CommandError) as error:
        _verify()

    assert "Audit log broken at entry 3: does not link to the entry before it" in str(error.value)


def test_verify_is_a_subcommand(db):
    with pytest.raises(CommandError, match="Choose a sub-command: verify"):
        call_command("audit")


# --- the chain itself, without a database ---------------------------------------------------


KEYS = {1: b"the audit key"}


def _chain(
    contents: list[dict[str, object]],
) -> list[tuple[int, dict[str, object], str, str, int]]:
    rows = []
    previous = GENESIS_HASH
    for number, content in enumerate(contents, start=1):
        stored = entry_mac(content, previous, key_id=1, key=KEYS[1])
        rows.append((number, content, previous, stored, 1))
        previous = stored
    return rows


_contents = st.lists(
    st.fixed_dictionaries(
        {
            "action": st.text(max_size=10),
            "detail": st.dictionaries(st.text(max_size=5), st.integers()),
        }
    ),
    min_size=1,
    max_size=12,
)


@given(contents=_contents)
def test_a_chain_as_written_is_intact(contents):
    assert first_broken_link(_chain(contents), KEYS) is None


@given(contents=_contents, data=st.data())
def test_changing_any_entry_breaks_the_chain_there(contents, data):
    rows = _chain(contents)
    index = data.draw(st.integers(min_value=0, max_value=len(rows) - 1))
    number, content, previous, stored, key_id = rows[index]
    changed = {**content, "action": str(content["action"]) + "!"}
    rows[index] = (number, changed, previous, stored, key_id)

    broken = first_broken_link(rows, KEYS)

    assert broken is not None
    assert broken.entry_id == number


@given(contents=_contents.filter(lambda c: len(c) >= 2), data=st.data())
def test_removing_any_but_the_newest_entry_breaks_the_chain(contents, data):
    rows = _chain(contents)
    index = data.draw(st.integers(min_value=0, max_value=len(rows) - 2))
    del rows[index]

    broken = first_broken_link(rows, KEYS)

    assert broken is not None
    assert broken.entry_id == index + 2


# --- the database refuses changes (PostgreSQL) ----------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.database_owner
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE casework_auditentry SET action = 'nothing.happened' WHERE id = 1",
        "DELETE FROM casework_auditentry WHERE id = 1",
    ],
)
def test_postgresql_refuses_to_update_or_delete_an_audit_entry(busy_log, statement):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw(statement)

    assert AuditEntry.objects.count() == busy_log
    assert "Audit log intact" in _verify()


@pytest.mark.postgres_only
@pytest.mark.database_owner
def test_orm_update_and_delete_of_audit_entries_are_refused(busy_log):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(id=2).update(action="nothing.happened")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(id=2).delete()

    assert AuditEntry.objects.count() == busy_log


@pytest.mark.database_owner
def test_demo_purge_deletes_only_the_entries_given_and_keeps_the_protection(busy_log):
    from bridgeway.casework.services import audit_demo_entries_delete

    deleted = audit_demo_entries_delete(entries=AuditEntry.objects.filter(id__gt=busy_log - 2))

    assert deleted == 2
    assert AuditEntry.objects.count() == busy_log - 2
    if connection.vendor == "postgresql":
        from django.db import DatabaseError, transaction

        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw("DELETE FROM casework_auditentry WHERE id = 1")


def _raw(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


# --- concurrent writers ---------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrency")
def test_concurrent_writers_never_fork_or_lose_the_chain():
    import threading

    from django.db import close_old_connections

    from bridgeway.casework.services import audit_record

    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def write(worker: int) -> None:
        try:
            start.wait()
            for number in range(10):
                audit_record(
                    actor=None,
                    organisation=None,
                    action="test.write",
                    object_type="worker",
                    object_id=f"{worker}-{number}",
                )
        except BaseException as error:  # reported by the assertion below
            failures.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert AuditEntry.objects.count() == 40
    assert "Audit log intact: 40 entries" in _verify()

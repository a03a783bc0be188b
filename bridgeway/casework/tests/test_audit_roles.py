"""The site's database role cannot rewrite the audit log (PostgreSQL's two roles).

These tests connect as the role the running site uses (``DATABASE_URL``); the owner role of
``DATABASE_OWNER_URL`` created and migrated the test database. Each attack an application
bug or a stolen application password allows is refused by the database itself.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from bridgeway.casework.models import AuditEntry
from bridgeway.casework.selectors import referral_get_for_user
from bridgeway.casework.services import AUDIT_TRIGGER, referral_advance
from bridgeway.casework.tests.factories import make_referral

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        settings.DATABASE_OWNER is None,
        reason="needs DATABASE_OWNER_URL as well as DATABASE_URL (scripts/with-postgres sets both)",
    ),
]


@pytest.fixture
def busy_log(service, practitioner):
    first = make_referral(service=service)
    referral_get_for_user(practitioner, first.reference)
    return AuditEntry.objects.count()


def _current_user() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (user,) = cursor.fetchone()
    return str(user)


def test_tests_connect_as_the_sites_role_which_owns_no_table(db):
    assert _current_user() == settings.DATABASE_APP_ROLE
    assert settings.DATABASE_OWNER is not None
    assert settings.DATABASE_APP_ROLE != settings.DATABASE_OWNER["USER"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")
        assert cursor.fetchone() == (0,)


@pytest.mark.parametrize(
    "statement",
    [
        f"ALTER TABLE casework_auditentry DISABLE TRIGGER {AUDIT_TRIGGER}",
        "ALTER TABLE casework_auditentry DISABLE TRIGGER ALL",
        f"DROP TRIGGER {AUDIT_TRIGGER} ON casework_auditentry",
        "ALTER TABLE casework_auditentry ADD COLUMN note text",
        "UPDATE casework_auditentry SET action = 'nothing.happened' WHERE id = 1",
        "DELETE FROM casework_auditentry WHERE id = 1",
        "TRUNCATE casework_auditentry",
        "TRUNCATE casework_auditentry CASCADE",
    ],
)
def test_the_sites_role_cannot_change_or_empty_the_audit_log(busy_log, statement):
    with pytest.raises(DatabaseError, match=r"must be owner|permission denied"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)

    assert _current_user() == settings.DATABASE_APP_ROLE
    assert AuditEntry.objects.count() == busy_log
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert f"Audit log intact: {busy_log} entries" in out.getvalue()


def test_the_sites_role_keeps_its_ordinary_rights(busy_log, service, practitioner):
    referral = make_referral(service=service)
    referral_advance(referral=referral, stage="contacted", actor=practitioner)

    assert _current_user() == settings.DATABASE_APP_ROLE
    assert AuditEntry.objects.count() > busy_log
    referral.refresh_from_db()
    assert referral.stage == "contacted"

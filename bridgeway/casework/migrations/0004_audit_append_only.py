"""On PostgreSQL, the audit log refuses UPDATE and DELETE at the database itself.

A trigger raises on every UPDATE or DELETE of ``casework_auditentry``, whatever code or SQL
console sends it. SQLite has no such protection here; ``bridgeway audit verify`` still finds a
changed or missing entry there. See docs/decisions/0041-audit-append-only.md for what the
trigger does not cover (TRUNCATE, and a role that owns the table can disable it).

No percent signs in the SQL below: it passes through the driver's parameter formatting.
"""

from __future__ import annotations

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION casework_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'the audit log is append-only: ' || TG_OP || ' on casework_auditentry is refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER casework_auditentry_append_only
    BEFORE UPDATE OR DELETE ON casework_auditentry
    FOR EACH ROW EXECUTE FUNCTION casework_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS casework_auditentry_append_only ON casework_auditentry;
DROP FUNCTION IF EXISTS casework_auditentry_append_only();
"""


def _on_postgresql(sql: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("casework", "0003_contact_attempt")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]

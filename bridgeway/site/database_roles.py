"""The site's database role and what ``bridgeway migrate`` grants it (PostgreSQL).

The owner role (``DATABASE_OWNER_URL``) owns every table and runs migrations; the site
connects as another role (``DATABASE_URL``) that may read and change ordinary tables but only
add to and read the audit log. It owns nothing, so it cannot disable the audit log's
append-only trigger, truncate it or alter it. See
docs/decisions/0060-audit-chain-keyed-and-anchored.md.

The grants are made after every ``migrate`` (the ``post_migrate`` signal) rather than once in
a migration: the role's name is the deployment's, not the schema's, and each later migration's
new tables are covered the next time it runs, with no default privileges to keep in step.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

# The one table the site's role may only add to and read.
APPEND_ONLY_TABLES = ("casework_auditentry",)


def app_role_grant(*, using: str = "default") -> bool:
    """Grant the site's role its rights on every table, if this connection is another role.

    Returns whether grants were made: not on SQLite, not without a separate owner URL, and
    not when connected as the site's role itself (it could not grant on tables it does not
    own, and needs nothing more).
    """
    connection = connections[using]
    app_role = settings.DATABASE_APP_ROLE
    if connection.vendor != "postgresql" or settings.DATABASE_OWNER is None or not app_role:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        current_user, schema = cursor.fetchone()
        if current_user == app_role:
            return False
        role = connection.ops.quote_name(app_role)
        schema = connection.ops.quote_name(schema)
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
        for table in APPEND_ONLY_TABLES:
            cursor.execute(
                f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {table} FROM {role}"
            )
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tableowner = %s ORDER BY tablename",
            [app_role],
        )
        owned = [name for (name,) in cursor.fetchall()]
    if owned:
        # Left from before the two roles: the site's role could still undo the protection.
        logger.warning(
            "The site's database role %s still owns %s; as a superuser run: "
            "REASSIGN OWNED BY %s TO <owner role>",
            app_role,
            ", ".join(owned),
            app_role,
        )
    return True


def grant_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """``post_migrate`` receiver: the grants, once per ``migrate``."""
    app_role_grant(using=using)

"""What ``/readyz`` checks; each returns what is wrong, or an empty string."""

from __future__ import annotations

import logging
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

logger = logging.getLogger("bridgeway.readiness")


def database_problem() -> str:
    """Empty when the database answers a query."""
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means not ready
        logger.warning("readiness: the database does not answer (%s)", type(error).__name__)
        return "the database does not answer"
    return ""


def storage_problem() -> str:
    """Empty when uploaded-file storage takes and gives back a small file."""
    name = f"readiness/{uuid.uuid4().hex}"
    try:
        saved = default_storage.save(name, ContentFile(b"ready"))
        default_storage.delete(saved)
    except Exception as error:  # a full disc, a missing folder, permissions, the bucket gone
        logger.warning("readiness: file storage failed (%s)", type(error).__name__)
        return "uploaded-file storage cannot be written"
    return ""


def migrations_problem() -> str:
    """Empty when every migration is applied; else how many are waiting."""
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        logger.warning("readiness: could not read migrations (%s)", type(error).__name__)
        return "the applied migrations cannot be read"
    return f"{len(plan)} migrations are not applied; run bridgeway migrate" if plan else ""

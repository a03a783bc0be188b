from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate

from bridgeway.private_files import private_file


def _sqlite_file_private(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Make a SQLite database file owner-only when a connection first opens it.

    SQLite creates the file as the connection opens, with the process's umask (usually
    readable by every local account), before anything is written into it; its journal and
    write-ahead log take the database file's permissions.
    """
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if name and not name.startswith(("file:", ":memory:")) and Path(name).exists():
        private_file(Path(name))


class SiteConfig(AppConfig):
    name = "bridgeway.site"

    def ready(self) -> None:
        from bridgeway.site.database_roles import grant_after_migrate

        # Sent for each app after all migrations ran; this app's signal is enough.
        post_migrate.connect(grant_after_migrate, sender=self)
        connection_created.connect(_sqlite_file_private, dispatch_uid="bridgeway.sqlite_private")

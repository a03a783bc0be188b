"""``bridgeway restore SOURCE``: a backup folder (or s3://...) into a new, empty database."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridgeway.operations.backup import BackupError, backup_restore
from bridgeway.operations.object_store import ObjectStoreError, folder_download


class Command(BaseCommand):
    help = (
        "Restore a backup made by `bridgeway backup` into the configured database, which must "
        "be new and empty (not migrated), then check it: checksums, row counts, `audit verify` "
        "and that every sealed value opens with the configured keys. Anything that fails is "
        "named, and the database is left empty."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "source", metavar="SOURCE", help="a backup folder, or s3://bucket/prefix/<backup>"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["source"]
        try:
            if source.startswith("s3://"):
                with tempfile.TemporaryDirectory(prefix="bridgeway-restore-") as download:
                    report = backup_restore(folder_download(source, Path(download)))
            else:
                report = backup_restore(Path(source))
        except (BackupError, ObjectStoreError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {report.rows} rows in {report.tables} tables and "
            f"{report.media_files} uploaded files from {source}"
        )
        self.stdout.write(report.audit)
        self.stdout.write(f"All {report.sealed_values} sealed values open with the configured keys")

"""``bridgeway backup --out DIR [--upload s3://bucket/prefix]``: an encrypted, checked copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridgeway.operations.backup import BackupError, backup_make
from bridgeway.operations.object_store import ObjectStoreError, folder_upload


class Command(BaseCommand):
    help = (
        "Back up the database and the uploaded files into a new folder under DIR, encrypted "
        "with BRIDGEWAY_BACKUP_KEYS, with a manifest of sizes, checksums and row counts. "
        "Keys are never in it. With --upload, also copy the folder to S3."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", metavar="DIR", required=True, help="where to write it")
        parser.add_argument(
            "--upload", metavar="S3_URL", help="also copy it to s3://bucket/prefix/"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            folder = backup_make(Path(options["out"]))
            self.stdout.write(f"Backup written to {folder}")
            if options["upload"]:
                self.stdout.write(f"Copied to {folder_upload(folder, options['upload'])}")
        except (BackupError, ObjectStoreError) as error:
            raise CommandError(str(error)) from None

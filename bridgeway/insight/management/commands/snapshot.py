"""``bridgeway snapshot [--out DIR]``: write case events since the last run to Parquet.

The events are pseudonymised (keyed hashes, codes and days only); see
``bridgeway.insight.snapshot`` for the schema and ``snapshot_write`` for how runs
follow on from each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridgeway.insight.snapshot import SnapshotError
from bridgeway.insight.snapshot_write import snapshot_write
from bridgeway.private_files import owner_only_files, private_tree


class Command(BaseCommand):
    help = (
        "Write the case events since the last snapshot to a new pseudonymised Parquet file "
        "in the snapshot directory."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out",
            metavar="DIR",
            type=Path,
            default=None,
            help=f"The snapshot directory (default: {settings.SNAPSHOT_DIR}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out_dir: Path = options["out"] or Path(settings.SNAPSHOT_DIR)
        if out_dir.exists() and not out_dir.is_dir():
            raise CommandError(
                f"{out_dir} is a file, not a directory; choose a directory for --out."
            )
        try:
            # Pseudonymised case events: readable by Bridgeway's own account only, created
            # so, and anything older in the directory tightened to match.
            with owner_only_files():
                result = snapshot_write(out_dir=out_dir)
            private_tree(out_dir)
        except (SnapshotError, OSError) as error:
            raise CommandError(str(error)) from None
        if result.path is None:
            self.stdout.write(f"No new events since the last snapshot in {result.out_dir}.")
        else:
            self.stdout.write(f"Wrote {result.events_written} events to {result.path}.")

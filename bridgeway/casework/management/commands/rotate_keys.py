"""``bridgeway rotate-keys``: seal every sealed value again with the newest encryption key.

Add the new key at the front of ``BRIDGEWAY_ENCRYPTION_KEYS`` (keeping the old ones after it),
restart, run this, check its counts, then remove the old keys. ``--dry-run`` counts the values
an older key sealed without changing them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bridgeway.sealing import reseal_all


class Command(BaseCommand):
    help = "Seal every sealed value again with the newest key of BRIDGEWAY_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the values sealed with an older key; change nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        counts = reseal_all(dry_run=dry_run)
        verb = "would reseal" if dry_run else "resealed"
        total = 0
        for count in counts:
            total += count.resealed
            self.stdout.write(
                f"{count.table}.{count.column}: {count.values} sealed values, "
                f"{verb} {count.resealed}"
            )
        if dry_run:
            self.stdout.write(f"Dry run: {total} values would be sealed again. Nothing changed.")
        else:
            self.stdout.write(
                f"Done: {total} values sealed again with the newest key. "
                "Older keys can be removed once every server has this key first."
            )

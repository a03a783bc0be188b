"""``bridgeway retention --dry-run|--apply``: anonymise cases past their retention period.

The periods are the settings ``RETENTION_CLOSED_CASE_DAYS`` and ``RETENTION_DECLINED_DAYS``
(environment: ``BRIDGEWAY_RETENTION_*``), counted from the day a case was closed or declined.
``--dry-run`` lists what would be anonymised; ``--apply`` does it, one case per transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bridgeway.casework.services import referral_anonymise, retention_due


class Command(BaseCommand):
    help = "Anonymise closed and declined cases whose retention period has ended."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument(
            "--dry-run", action="store_true", help="List what would be anonymised; change nothing."
        )
        mode.add_argument("--apply", action="store_true", help="Anonymise them.")

    def handle(self, *args: Any, **options: Any) -> None:
        due = retention_due()
        for referral in due:
            finished = getattr(referral, "finished_at", None)
            when = f"{finished:%Y-%m-%d}" if finished else "unknown date"
            self.stdout.write(f"{referral.reference} ({referral.stage} on {when})")
            if options["apply"]:
                referral_anonymise(referral=referral)
        if options["apply"]:
            self.stdout.write(f"Anonymised {len(due)} cases.")
        else:
            self.stdout.write(f"Dry run: {len(due)} cases would be anonymised. Nothing changed.")

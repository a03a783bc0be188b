"""``bridgeway retention --dry-run|--apply``: anonymise cases past their retention period.

The periods are the settings ``RETENTION_CLOSED_CASE_DAYS`` and ``RETENTION_DECLINED_DAYS``
(environment: ``BRIDGEWAY_RETENTION_*``), counted from the day a case was closed or declined.
Someone who was a child when referred keeps their record until their
``RETENTION_YOUNG_PERSON_AGE``-th birthday if that is later (docs/decisions/0046).
``--dry-run`` lists what would be anonymised; ``--apply`` does it, one case per transaction.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from bridgeway.casework.services import (
    referral_anonymise,
    retention_due,
    retention_held_for_young_people,
)


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
        held = retention_held_for_young_people()
        for referral in due:
            finished = getattr(referral, "finished_at", None)
            when = f"{finished:%Y-%m-%d}" if finished else "unknown date"
            self.stdout.write(f"{referral.reference} ({referral.stage} on {when})")
            if options["apply"]:
                referral_anonymise(referral=referral)
        if held:
            self.stdout.write(
                f"Kept {held} cases past the period: the person was a child when referred "
                f"and may not yet be {settings.RETENTION_YOUNG_PERSON_AGE}."
            )
        if options["apply"]:
            self.stdout.write(f"Anonymised {len(due)} cases.")
        else:
            self.stdout.write(f"Dry run: {len(due)} cases would be anonymised. Nothing changed.")

"""``bridgeway forget-throttles --dry-run|--apply``: delete counts whose window closed long ago.

Every rule's window is a day at most (docs/decisions/0061-lock-outs-and-throttles.md), so a
count whose window opened more than ``KEPT_FOR`` ago limits nothing and is deleted. Run it
daily, with the other scheduled jobs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from bridgeway.throttles.models import Throttle
from bridgeway.throttles.services import throttle_forget

# Longer than the longest window (a day), so no live count is ever deleted.
KEPT_FOR = dt.timedelta(days=2)


class Command(BaseCommand):
    help = "Delete throttle counts whose window closed more than two days ago."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument(
            "--dry-run", action="store_true", help="Say how many would go; change nothing."
        )
        mode.add_argument("--apply", action="store_true", help="Delete them.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["apply"]:
            self.stdout.write(f"Deleted {throttle_forget(older_than=KEPT_FOR)} old counts.")
            return
        due = Throttle.objects.filter(window_started_at__lt=timezone.now() - KEPT_FOR).count()
        self.stdout.write(f"Dry run: {due} old counts would be deleted. Nothing changed.")

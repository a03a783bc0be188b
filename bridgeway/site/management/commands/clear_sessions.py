"""``bridgeway clear-sessions [--dry-run]``: delete every expired session.

Django never deletes a session row by itself: a session that simply stops being used stays in
the table until something clears it, and with it whatever it held (a person's answers on the
way to support, a staff member's sign-in). Run this daily; issue 17's job runner schedules it,
until then cron or a systemd timer (docs/security.md). It is Django's ``clearsessions`` with a
count and a ``--dry-run``, as every Bridgeway command that deletes has.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone


class Command(BaseCommand):
    help = "Delete every expired session (run daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the expired sessions; delete nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        database_backed = settings.SESSION_ENGINE in (
            "django.contrib.sessions.backends.db",
            "django.contrib.sessions.backends.cached_db",
        )
        expired = (
            Session.objects.filter(expire_date__lt=timezone.now()).count()
            if database_backed
            else None
        )
        counted = "" if expired is None else f"{expired} "
        if options["dry_run"]:
            self.stdout.write(f"Would delete {counted}expired sessions.")
            return
        engine = import_module(settings.SESSION_ENGINE)
        # Each backend knows how to clear its own store (the cache backends expire by
        # themselves, and say so by doing nothing here).
        engine.SessionStore.clear_expired()
        self.stdout.write(f"Deleted {counted}expired sessions.")

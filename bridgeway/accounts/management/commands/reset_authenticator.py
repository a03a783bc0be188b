"""``bridgeway reset-authenticator``: for someone who has lost the phone with their app."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.models import User
from bridgeway.accounts.services import totp_devices_remove


class Command(BaseCommand):
    help = (
        "Remove a person's authenticator apps, so that at their next sign-in (with their "
        "password) they set up a new one. Check who is asking before you run this."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="Their email address.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be removed; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No account has the email address {options['email']!r}.")
        if options["dry_run"]:
            count = TOTPDevice.objects.filter(user=user).count()
            self.stdout.write(f"Would remove {count} authenticator device(s) of {user.email}.")
            return
        removed = totp_devices_remove(user=user)
        self.stdout.write(
            f"Removed {removed} authenticator device(s) of {user.email}. At their next sign-in "
            "they will be shown a QR code to set up their app again."
        )

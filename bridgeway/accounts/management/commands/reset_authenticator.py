"""``bridgeway reset-authenticator``: for someone who has lost the phone with their app."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from bridgeway.accounts.enrolment import enrolment_link_issue, second_factors_remove
from bridgeway.accounts.models import User


class Command(BaseCommand):
    help = (
        "Remove a person's authenticator apps, recovery codes and passkeys. To set up a new "
        "app they then need an enrolment link from an administrator of their organisation "
        "(or, with --enrolment-link, one printed here). Check who is asking before you run this."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="Their email address.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be removed; change nothing."
        )
        parser.add_argument(
            "--enrolment-link",
            action="store_true",
            help="Also print an enrolment link, for someone no other administrator can vouch "
            "for (for example their organisation's only administrator).",
        )
        parser.add_argument(
            "--site-url",
            default="",
            help="The site's address, e.g. https://bridgeway.example.org, to print a full link.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No account has the email address {options['email']!r}.")
        if options["dry_run"]:
            count = (
                TOTPDevice.objects.filter(user=user).count()
                + StaticDevice.objects.filter(user=user).count()
                + WebAuthnCredential.objects.filter(user=user).count()
            )
            self.stdout.write(f"Would remove {count} authenticator device(s) of {user.email}.")
            return
        removed = second_factors_remove(user=user)
        self.stdout.write(f"Removed {removed} authenticator device(s) of {user.email}.")
        if options["enrolment_link"]:
            issued = enrolment_link_issue(user=user)
            site = options["site_url"].rstrip("/")
            self.stdout.write(
                "Give them this enrolment link, in person or by a channel only they read (it "
                f"works once, until {issued.link.expires_at:%Y-%m-%d %H:%M} UTC):\n"
                f"  {site}{issued.path}"
            )
        else:
            self.stdout.write(
                "To set up a new app they need an enrolment link: an administrator of their "
                "organisation issues one on the staff page (Your organisation's staff)."
            )

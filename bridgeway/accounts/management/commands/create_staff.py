"""``bridgeway create-staff``: an operator adds a member of staff in any role."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from bridgeway.accounts.authenticator import secret_for_display
from bridgeway.accounts.enrolment import enrolment_link_issue
from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.accounts.selectors import has_confirmed_totp_device
from bridgeway.accounts.services import staff_account_create, totp_device_create

# A password file holds one line; anything bigger is not a password file.
PASSWORD_FILE_MAX_BYTES = 4096


class Command(BaseCommand):
    help = (
        "Add a member of staff to an organisation, creating their account if it is new. "
        "Without --password-file, prints a one-time link with which they choose a password. "
        "They set up an authenticator app at first sign-in, unless --with-authenticator "
        "prints a secret for them to type into the app now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="Their email address (signs in).")
        parser.add_argument("--name", required=True, help="Their full name.")
        parser.add_argument(
            "--organisation", required=True, metavar="SLUG", help="The organisation's slug."
        )
        parser.add_argument(
            "--role",
            required=True,
            help="One of: " + ", ".join(Membership.Role.values) + ".",
        )
        parser.add_argument(
            "--password-file",
            metavar="FILE",
            help="A file whose first line is their password ('-' reads standard input).",
        )
        parser.add_argument(
            "--with-authenticator",
            action="store_true",
            help="Create their authenticator (TOTP) key now and print it.",
        )
        parser.add_argument(
            "--site-url",
            default="",
            help="The site's address, e.g. https://bridgeway.example.org, to print a full link.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            known = ", ".join(Organisation.objects.values_list("slug", flat=True)[:20])
            raise CommandError(
                f"No organisation has the slug {options['organisation']!r}. "
                + (f"Known slugs include: {known}." if known else "There are no organisations yet.")
            )
        role = options["role"]
        if role not in Membership.Role.values:
            raise CommandError(
                f"Unknown role {role!r}. Choose one of: {', '.join(Membership.Role.values)}."
            )
        password = self._read_password(options["password_file"])
        try:
            with transaction.atomic():
                added = staff_account_create(
                    organisation=organisation,
                    email=options["email"],
                    full_name=options["name"],
                    role=role,
                    password=password,
                )
                user = added.membership.user
                device = None
                if options["with_authenticator"]:
                    if has_confirmed_totp_device(user):
                        raise CommandError(
                            f"{user.email} already has an authenticator app; nothing was changed."
                        )
                    device = totp_device_create(user, confirmed=True)
        except ValidationError as error:
            raise CommandError(_describe(error)) from None
        self._report(user, organisation, added.membership, added.set_up_path, device, options)

    def _read_password(self, location: str | None) -> str | None:
        if location is None:
            return None
        try:
            if location == "-":
                text = sys.stdin.read(PASSWORD_FILE_MAX_BYTES + 1)
            else:
                with Path(location).open(encoding="utf-8") as handle:
                    text = handle.read(PASSWORD_FILE_MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(
                f"Cannot read the password file {location}: {error.strerror}."
            ) from None
        except UnicodeDecodeError:
            raise CommandError(f"The password file {location} is not UTF-8 text.") from None
        if len(text) > PASSWORD_FILE_MAX_BYTES:
            raise CommandError(f"The password file {location} is too big to be a password file.")
        lines = text.splitlines()
        password = lines[0] if lines else ""
        if not password:
            raise CommandError(
                f"The password file {location} is empty: put the password on its first line."
            )
        return password

    def _report(
        self,
        user: User,
        organisation: Organisation,
        membership: Membership,
        set_up_path: str | None,
        device: Any,
        options: dict[str, Any],
    ) -> None:
        self.stdout.write(
            f"{user.full_name} <{user.email}> is now {membership.get_role_display()} "
            f"at {organisation.name}."
        )
        if set_up_path:
            site = options["site_url"].rstrip("/")
            link = f"{site}{set_up_path}" if site else set_up_path
            self.stdout.write(
                "Give them this one-time link to choose a password (it works once, for 3 days"
                + ("" if site else "; it is a path on your Bridgeway site")
                + f"):\n  {link}"
            )
        elif not user.has_usable_password():
            self.stdout.write(
                "They have not chosen a password yet; an administrator can issue a link."
            )
        if device is not None:
            self.stdout.write(
                "Authenticator key (type it into their authenticator app as a time-based key; "
                "keep it secret):\n"
                f"  {secret_for_display(device.key)}\n"
                f"  {device.config_url}"
            )
        elif not has_confirmed_totp_device(user):
            self.stdout.write(
                "At their first sign-in Bridgeway shows a QR code to set up their authenticator app."
            )
            if user.has_usable_password():
                # Without a set-up link nothing else vouches for them, and a password alone
                # never lets anyone set up an app (docs/decisions/0062).
                issued = enrolment_link_issue(user=user)
                site = options["site_url"].rstrip("/")
                self.stdout.write(
                    "They also need this enrolment link (it works once, until "
                    f"{issued.link.expires_at:%Y-%m-%d %H:%M} UTC):\n  {site}{issued.path}"
                )


def _describe(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(
            f"{field.replace('_', ' ')}: {message}" if field != "__all__" else message
            for field, messages in error.message_dict.items()
            for message in messages
        )
    return " ".join(error.messages)

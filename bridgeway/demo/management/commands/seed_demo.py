"""``bridgeway seed-demo``: made-up organisations, staff and referrals to try Bridgeway with."""

from __future__ import annotations

import datetime as dt
import logging
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from bridgeway.demo.generator import (
    DemoAccount,
    DemoDataPresent,
    DemoDataProtected,
    RealDataPresent,
    demo_data_delete,
    demo_data_present,
    demo_sign_ins,
    generate_demo,
    real_data_present,
)
from bridgeway.places.models import PoliceForceArea
from bridgeway.site.context_processors import forget_synthetic_flag

# A sanity bound: the demo is for trying the site, not for load tests (see bench/ for those).
MAX_REFERRALS_PER_AREA = 50_000


def _referrals(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= MAX_REFERRALS_PER_AREA:
        raise ArgumentTypeError(f"must be between 0 and {MAX_REFERRALS_PER_AREA}")
    return value


class Command(BaseCommand):
    help = (
        "Create synthetic demo data: organisations and services in six police force areas, "
        "staff accounts (printed with their passwords and authenticator secrets) and several "
        "thousand made-up referrals. Refuses to run on a database holding real organisations "
        "or people. Run again, it adds nothing and prints the sign-ins."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--referrals-per-area",
            type=_referrals,
            default=None,
            help="Referrals in every area (default: 1500 in the first three areas, 500 in the others).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the existing demo data and create it again.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="With --replace: show what would be deleted and change nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not PoliceForceArea.objects.exists():
            raise CommandError("No reference data. Run `bridgeway load-reference-data` first.")
        if real_data_present():
            raise CommandError(
                "This database holds real organisations or people. Demo data is never mixed "
                "with real data: use a separate database (set DATABASE_URL) for the demo."
            )
        if options["dry_run"] and not options["replace"]:
            raise CommandError("--dry-run only goes with --replace.")
        if demo_data_present():
            if not options["replace"]:
                self.stdout.write("Demo data already present; nothing was added.")
                self._print_sign_ins(demo_sign_ins())
                return
            try:
                counts = demo_data_delete(dry_run=options["dry_run"])
            except (RealDataPresent, DemoDataProtected) as error:
                raise CommandError(str(error)) from None
            verb = "Would delete" if options["dry_run"] else "Deleted"
            self.stdout.write(
                f"{verb}: " + ", ".join(f"{count} {kind}" for kind, count in counts.items())
            )
            forget_synthetic_flag()
            if options["dry_run"]:
                return
        # Each demo account would otherwise log a line; the sign-ins are printed below.
        accounts_logger = logging.getLogger("bridgeway.accounts.services")
        level = accounts_logger.level
        accounts_logger.setLevel(logging.WARNING)
        try:
            summary = generate_demo(
                seed=options["seed"], referrals_per_area=options["referrals_per_area"]
            )
        except (RealDataPresent, DemoDataPresent, ValueError) as error:
            raise CommandError(str(error)) from None
        except IntegrityError:
            # Only another seed-demo finishing first can make the demo's fixed names clash.
            raise CommandError(
                "Demo data appeared while this run was working (another seed-demo?). "
                "Nothing from this run was kept; run seed-demo again to print the sign-ins."
            ) from None
        finally:
            accounts_logger.setLevel(level)
            forget_synthetic_flag()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data created in {summary.seconds:.1f} s: {summary.organisations} "
                f"organisations, {summary.services} services, {summary.referrals} referrals "
                f"and {summary.reports} hate reports, {summary.funding_rounds} funding round "
                f"with {summary.applications} applications. Everything is marked synthetic."
            )
        )
        areas = {
            area.code: area.name
            for area in PoliceForceArea.objects.filter(code__in=summary.referrals_by_area)
        }
        for code, count in summary.referrals_by_area.items():
            self.stdout.write(f"  {areas.get(code, code)} ({code}): {count} referrals and reports")
        self._print_sign_ins(list(summary.accounts))

    def _print_sign_ins(self, accounts: list[DemoAccount]) -> None:
        now = timezone.now()
        valid_until = now + dt.timedelta(seconds=30 - now.timestamp() % 30)
        self.stdout.write("")
        self.stdout.write(
            f"Demo sign-ins (synthetic data only; sign in at {reverse('accounts:sign-in')}):"
        )
        self.stdout.write(
            "  Every account's password is the same; add the TOTP secret to an authenticator "
            "app (or use the code shown, valid until "
            f"{timezone.localtime(valid_until):%H:%M:%S})."
        )
        for account in accounts:
            self.stdout.write(
                f"  {account.email}\n"
                f"      role: {account.role} at {account.organisation}\n"
                f"      password: {account.password}\n"
                f"      TOTP secret: {account.totp_secret}   current code: {account.current_code()}"
            )

"""``bridgeway export-360giving``: awards as a 360Giving data package (JSON or spreadsheet).

The package is validated against the official schema first; an invalid package is never
written. The file appears whole or not at all (written beside ``--out``, then renamed).
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bridgeway.commissioning.models import FundingRound
from bridgeway.commissioning.open_data import grants, package, package_errors, write_spreadsheet

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = (
        "Write a round's awards (--round ID) or every round's (--all) as a 360Giving data "
        "package, checked against the official schema: JSON, or 360Giving's spreadsheet "
        "layout if --out ends in .xlsx."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        chosen = parser.add_mutually_exclusive_group(required=True)
        chosen.add_argument("--round", dest="round_id", help="the funding round's id")
        chosen.add_argument("--all", action="store_true", help="every round's awards")
        parser.add_argument("--out", required=True, help="file to write (.json or .xlsx)")
        parser.add_argument(
            "--publisher", default="Bridgeway", help="the publisher's name in the package"
        )
        parser.add_argument(
            "--prefix",
            default=None,
            help="the publisher's 360Giving prefix (default: BRIDGEWAY_360GIVING_PREFIX)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rounds = FundingRound.objects.all()
        if options["round_id"]:
            try:
                round_id = uuid.UUID(options["round_id"])
            except ValueError:
                raise CommandError(f"--round: {options['round_id']!r} is not a round id.") from None
            rounds = rounds.filter(pk=round_id)
            if not rounds.exists():
                raise CommandError(f"--round: no funding round has the id {round_id}.")
        prefix = options["prefix"] or settings.THREESIXTYGIVING_PREFIX
        if not prefix.startswith("360G-"):
            raise CommandError(f"--prefix: a 360Giving prefix starts with 360G-, not {prefix!r}.")
        out = Path(options["out"])
        if out.suffix.lower() not in {".json", ".xlsx"}:
            raise CommandError(f"--out: {out} must end in .json or .xlsx.")
        if not out.parent.is_dir():
            raise CommandError(f"--out: the folder {out.parent} does not exist.")
        document = package(grants(rounds, prefix=prefix), publisher=options["publisher"])
        if not document["grants"]:
            raise CommandError("No awards to publish: the package needs at least one grant.")
        errors = package_errors(document)
        if errors:
            shown = "\n".join(errors[:SHOWN_ERRORS])
            raise CommandError(
                f"The package breaks the 360Giving schema; nothing written:\n{shown}"
            )
        self._write(document, out)
        self.stdout.write(f"Wrote {len(document['grants'])} grants to {out}.")

    @staticmethod
    def _write(document: dict[str, Any], out: Path) -> None:
        handle, temporary = tempfile.mkstemp(
            dir=out.parent, prefix=".360giving-", suffix=out.suffix
        )
        os.close(handle)
        partial = Path(temporary)
        try:
            if out.suffix.lower() == ".xlsx":
                write_spreadsheet(document, partial)
            else:
                partial.write_text(json.dumps(document, indent=1), encoding="utf-8")
            partial.replace(out)
        finally:
            partial.unlink(missing_ok=True)

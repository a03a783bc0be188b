"""``bridgeway export-directory``: the whole directory as Open Referral (HSDS 3) JSON."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError

from bridgeway.directory.exchange import directory_export


class Command(BaseCommand):
    help = (
        "Write every service as an HSDS 3 compiled service (a JSON list), valid against the "
        "official schema. Confidential addresses are never written."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--format",
            choices=["hsds-json"],
            default="hsds-json",
            help="hsds-json: a JSON list of HSDS 3 compiled services.",
        )
        parser.add_argument("--out", help="File to write (default: standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["out"]:
            path = Path(options["out"])
            if not path.parent.is_dir():
                raise CommandError(f"--out {path}: the folder {path.parent} does not exist.")
            with path.open("w", encoding="utf-8") as handle:
                count = _write(handle)
            self.stderr.write(f"Wrote {count} services to {path}.")
        else:
            _write(sys.stdout)


def _write(handle: TextIO) -> int:
    """Stream the services one at a time, so a large directory never sits in memory twice."""
    count = 0
    handle.write("[")
    for service in directory_export():
        handle.write(",\n" if count else "\n")
        handle.write(json.dumps(service, ensure_ascii=False, sort_keys=True))
        count += 1
    handle.write("\n]\n")
    return count

"""``bridgeway insight <report>``: insight's reports from the snapshot.

Each report is a sub-command so later reports join without new top-level commands:

    bridgeway insight needs-assessment --area E23000010 --format csv [--snapshot DIR]
        [--out PATH] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from argparse import ArgumentTypeError
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridgeway.insight.needs_assessment import write_csv
from bridgeway.insight.selectors import UnknownArea
from bridgeway.insight.services import PeriodError, needs_assessment_rows
from bridgeway.insight.snapshot import SnapshotError

FORMATS = ("csv",)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD") from None


def write_atomically(path: Path, write: Callable[[Any], None]) -> None:
    """Write a text file through a temporary file in the same directory, then rename it.

    Nothing is left at ``path`` (and an older file there is untouched) if writing fails.
    """
    directory = path.parent if str(path.parent) else Path()
    if not directory.is_dir():
        raise CommandError(f"{directory} does not exist; create it or choose another --out.")
    handle = tempfile.NamedTemporaryFile(  # closed before the rename below
        "w", encoding="utf-8", newline="", dir=directory, prefix=f".{path.name}.", delete=False
    )
    try:
        with handle:
            write(handle)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = "Insight reports from the pseudonymised snapshot."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            dest="report", title="reports", metavar="REPORT", parser_class=CommandParser
        )
        needs = subcommands.add_parser(
            "needs-assessment",
            help="People referred and taking support up per ethnic group, beside the census.",
            description=(
                "For one area: people referred, offered and accepting support per ethnic group "
                "beside the group's census 2021 share of residents. Counts from 1 to "
                f"{settings.SUPPRESSION_THRESHOLD - 1} are shown as [c]."
            ),
        )
        needs.add_argument(
            "--area",
            required=True,
            metavar="CODE",
            help="A police force area (E23000010) or local authority district (E08000035) code.",
        )
        needs.add_argument("--format", choices=FORMATS, default="csv", help="Output format.")
        needs.add_argument(
            "--snapshot",
            metavar="DIR",
            type=Path,
            default=None,
            help=f"The snapshot directory (default: {settings.SNAPSHOT_DIR}).",
        )
        needs.add_argument(
            "--out",
            metavar="PATH",
            type=Path,
            default=None,
            help="Write here, not to standard output.",
        )
        needs.add_argument(
            "--from",
            dest="date_from",
            metavar="DATE",
            type=_date,
            default=None,
            help="First day of the period, YYYY-MM-DD (default: the snapshot's first event).",
        )
        needs.add_argument(
            "--to",
            dest="date_to",
            metavar="DATE",
            type=_date,
            default=None,
            help="Last day of the period, YYYY-MM-DD (default: the snapshot's latest event).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("report") != "needs-assessment":
            raise CommandError("Choose a report: needs-assessment. See `bridgeway insight --help`.")
        self._needs_assessment(options)

    def _needs_assessment(self, options: dict[str, Any]) -> None:
        try:
            assessment = needs_assessment_rows(
                snapshot_dir=options["snapshot"],
                area_code=options["area"],
                date_from=options["date_from"],
                date_to=options["date_to"],
            )
        except (UnknownArea, PeriodError, SnapshotError) as error:
            raise CommandError(str(error)) from None
        out: Path | None = options["out"]
        if out is None:
            text = io.StringIO()
            write_csv(assessment.rows, text)
            self.stdout.write(text.getvalue(), ending="")
            return
        try:
            write_atomically(out, lambda handle: write_csv(assessment.rows, handle))
        except OSError as error:
            raise CommandError(f"{out}: could not write the file ({error.strerror})") from None
        self.stderr.write(f"Wrote the needs assessment for {assessment.area.name} to {out}.")

"""``bridgeway insight <report>``: insight's reports from the snapshot.

Each report is a sub-command so later reports join without new top-level commands:

    bridgeway insight needs-assessment --area E23000010|all --format csv [--snapshot DIR]
        [--out PATH] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
    bridgeway insight funnel --area CODE|all [--characteristic ethnic_group] [--roll-up] ...
    bridgeway insight intersections --area CODE|all --characteristics ethnic_group,age_band
        [--roll-up] ...

``--area all`` writes one block of rows per police force area under one header. Nothing is
written when the run fails, and a period with no events is an error, not a file of zeros.
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

from bridgeway.insight import breakdown
from bridgeway.insight.needs_assessment import write_csv
from bridgeway.insight.outputs import (
    Publication,
    breakdown_publication,
    needs_assessment_publication,
    render_html,
    write_pdf,
    write_xlsx,
)
from bridgeway.insight.reports import (
    EmptyPeriod,
    PeriodError,
    coverage_gaps_report,
    funnel_report,
    intersections_report,
    needs_assessments,
    provider_report,
)
from bridgeway.insight.selectors import UnknownArea
from bridgeway.insight.snapshot import SnapshotError

FORMATS = ("csv", "xlsx", "html", "pdf")
BINARY_FORMATS = ("xlsx", "pdf")
REPORTS = ("funnel", "intersections", "providers", "data-quality", "coverage-gaps")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD") from None


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a number; write a share like 0.01") from None
    if not 0 < value < 1:
        raise ArgumentTypeError(f"{text!r} is not a share between 0 and 1, like 0.01")
    return value


def _characteristics(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    try:
        return breakdown.check_characteristics(names)
    except breakdown.BreakdownError as error:
        raise ArgumentTypeError(str(error)) from None


def write_atomically(path: Path, write: Callable[[Any], None], *, binary: bool = False) -> None:
    """Write a file through a temporary file in the same directory, then rename it.

    Nothing is left at ``path`` (and an older file there is untouched) if writing fails.
    """
    directory = path.parent if str(path.parent) else Path()
    if not directory.is_dir():
        raise CommandError(f"{directory} does not exist; create it or choose another --out.")
    handle = (  # closed before the rename below
        tempfile.NamedTemporaryFile("wb", dir=directory, prefix=f".{path.name}.", delete=False)
        if binary
        else tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", newline="", dir=directory, prefix=f".{path.name}.", delete=False
        )
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
        hidden = f"Counts from 1 to {settings.SUPPRESSION_THRESHOLD - 1} are shown as [c]."
        needs = subcommands.add_parser(
            "needs-assessment",
            help="People referred and taking support up per ethnic group, beside the census.",
            description=(
                "For one area: people referred, offered and accepting support per ethnic group "
                f"beside the group's census 2021 share of residents. {hidden}"
            ),
        )
        self._common_arguments(needs)
        funnel = subcommands.add_parser(
            "funnel",
            help="People reaching each stage, referred to closed, by group.",
            description=(
                "For one area: distinct people per group who were referred, contacted, "
                "assessed, offered support, accepted it, started and closed, with each stage's "
                f"share of those referred and its 95% interval. {hidden}"
            ),
        )
        self._common_arguments(funnel)
        funnel.add_argument(
            "--characteristic",
            choices=list(breakdown.CHARACTERISTICS),
            default="ethnic_group",
            help="The characteristic whose groups are the rows (default: ethnic_group).",
        )
        self._roll_up_argument(funnel)
        crossed = subcommands.add_parser(
            "intersections",
            help="People referred and taking support up by two or three characteristics crossed.",
            description=(
                "For one area: people referred, offered and accepting support for each "
                f"combination of two or three characteristics' groups. {hidden}"
            ),
        )
        self._common_arguments(crossed)
        crossed.add_argument(
            "--characteristics",
            required=True,
            type=_characteristics,
            metavar="A,B[,C]",
            help=f"Two or three of: {', '.join(breakdown.CHARACTERISTICS)}, comma-separated.",
        )
        self._roll_up_argument(crossed)
        providers = subcommands.add_parser(
            "providers",
            help="Each provider's own needs assessment, universal and specialist side by side.",
            description=(
                "For each service in the area: the needs assessment of the people referred to "
                f"it, beside the area's census population. {hidden}"
            ),
        )
        self._common_arguments(providers)
        quality = subcommands.add_parser(
            "data-quality",
            help="Per provider: how often each characteristic is recorded, not asked or declined.",
            description=(
                "For each service in the area and each characteristic: people referred, and "
                f"how many had it recorded, not asked, declined or not recorded. {hidden}"
            ),
        )
        self._common_arguments(quality)
        gaps = subcommands.add_parser(
            "coverage-gaps",
            help="Sizeable communities with no specialist service covering the area.",
            description=(
                "For each area: ethnic groups that are at least --min-share of residents, the "
                "specialist services covering the area for them, and specialist services in "
                "neighbouring areas that take people from outside their own."
            ),
        )
        self._common_arguments(gaps)
        gaps.add_argument(
            "--min-share",
            type=_share,
            default=0.01,
            metavar="SHARE",
            help="The smallest share of residents that counts as sizeable (default: 0.01).",
        )

    def _roll_up_argument(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--roll-up",
            action="store_true",
            help=(
                "Show ethnic groups as the five high-level groups (Asian, Black, Mixed, White, "
                "Other) instead of the 19 groups."
            ),
        )

    def _common_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--area",
            required=True,
            metavar="CODE",
            help=(
                "A police force area (E23000010) or local authority district (E08000035) code, "
                "or 'all' for every police force area."
            ),
        )
        parser.add_argument("--format", choices=FORMATS, default="csv", help="Output format.")
        parser.add_argument(
            "--snapshot",
            metavar="DIR",
            type=Path,
            default=None,
            help=f"The snapshot directory (default: {settings.SNAPSHOT_DIR}).",
        )
        parser.add_argument(
            "--out",
            metavar="PATH",
            type=Path,
            default=None,
            help="Write here, not to standard output.",
        )
        parser.add_argument(
            "--from",
            dest="date_from",
            metavar="DATE",
            type=_date,
            default=None,
            help="First day of the period, YYYY-MM-DD (default: the snapshot's first event).",
        )
        parser.add_argument(
            "--to",
            dest="date_to",
            metavar="DATE",
            type=_date,
            default=None,
            help="Last day of the period, YYYY-MM-DD (default: the snapshot's latest event).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = options.get("report")
        if report == "needs-assessment":
            self._needs_assessment(options)
        elif report in REPORTS:
            self._breakdown(report, options)
        else:
            raise CommandError(
                "Choose a report: needs-assessment, funnel, intersections, providers, "
                "data-quality or coverage-gaps. See `bridgeway insight --help`."
            )

    def _breakdown(self, report: str, options: dict[str, Any]) -> None:
        common = {
            "snapshot_dir": options["snapshot"],
            "area_code": options["area"],
            "date_from": options["date_from"],
            "date_to": options["date_to"],
        }
        try:
            if report == "funnel":
                result = funnel_report(
                    characteristic=options["characteristic"], roll_up=options["roll_up"], **common
                )
            elif report == "intersections":
                result = intersections_report(
                    characteristics=options["characteristics"],
                    roll_up=options["roll_up"],
                    **common,
                )
            elif report == "coverage-gaps":
                result = coverage_gaps_report(min_share=options["min_share"], **common)
            else:
                result = provider_report(quality=report == "data-quality", **common)
        except (
            UnknownArea,
            PeriodError,
            EmptyPeriod,
            SnapshotError,
            breakdown.BreakdownError,
        ) as error:
            raise CommandError(str(error)) from None
        where = (
            result.areas[0].name
            if len(result.areas) == 1
            else f"{len(result.areas)} police force areas"
        )
        self._deliver(
            options,
            breakdown_publication(report, result),
            lambda handle: breakdown.write_rows(result.rows, result.header, handle),
            f"the {report} for {where}",
        )

    def _needs_assessment(self, options: dict[str, Any]) -> None:
        try:
            assessments = needs_assessments(
                snapshot_dir=options["snapshot"],
                area_code=options["area"],
                date_from=options["date_from"],
                date_to=options["date_to"],
            )
        except (UnknownArea, PeriodError, EmptyPeriod, SnapshotError) as error:
            raise CommandError(str(error)) from None
        rows = [row for assessment in assessments for row in assessment.rows]
        where = (
            assessments[0].area.name
            if len(assessments) == 1
            else f"{len(assessments)} police force areas"
        )
        publication = needs_assessment_publication(assessments)
        self._deliver(
            options,
            publication,
            lambda handle: write_csv(rows, handle),
            f"the needs assessment for {where}",
        )

    def _deliver(
        self,
        options: dict[str, Any],
        publication: Publication,
        write_csv_rows: Callable[[Any], None],
        what: str,
    ) -> None:
        """Write the report in its format to ``--out`` atomically, or to standard output."""
        out: Path | None = options["out"]
        chosen = options["format"]
        write: Callable[[Any], None]
        if chosen == "csv":
            write = write_csv_rows
        elif chosen == "html":
            html = render_html(publication)

            def write(handle: Any) -> None:
                handle.write(html)
        elif chosen == "xlsx":

            def write(handle: Any) -> None:
                write_xlsx(publication, handle)
        else:

            def write(handle: Any) -> None:
                write_pdf(publication, handle)

        binary = chosen in BINARY_FORMATS
        if out is None:
            if binary:
                raise CommandError(f"--format {chosen} writes a file: give it one with --out PATH.")
            text = io.StringIO()
            write(text)
            self.stdout.write(text.getvalue(), ending="")
            return
        try:
            write_atomically(out, write, binary=binary)
        except OSError as error:
            raise CommandError(f"{out}: could not write the file ({error.strerror})") from None
        self.stderr.write(f"Wrote {what} to {out}.")

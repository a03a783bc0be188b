"""Insight's reports as files: XLSX laid out as government statistics are, HTML and PDF.

Every output says the same things around its tables: the period, the sources (Census 2021,
the snapshot's date), how small counts were hidden, and, for demonstration data, that it is
synthetic. The XLSX follows the Government Analysis Function's guidance for releasing
statistics in spreadsheets: a cover sheet, a notes sheet, one table per sheet starting at
cell A1 with its title, no merged cells, no blank rows inside a table, numbers stored as
numbers and the symbols [c], [x], [z] as text. The PDF is the HTML report printed by
WeasyPrint (charts are inline SVG, so the PDF needs no browser).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bridgeway.insight import coarsening, perturbation, sparse_tables
from bridgeway.insight.figures import Figure, Row
from bridgeway.insight.needs_assessment import HEADER, NeedsAssessment
from bridgeway.spreadsheet_cells import csv_record, csv_row, workbook_as_text

if TYPE_CHECKING:
    from bridgeway.insight.reports import BreakdownReport


@dataclass(frozen=True)
class Table:
    """One table of a publication: its title, its columns and its rows (labels and figures)."""

    title: str
    header: Sequence[str]
    rows: Sequence[Row]
    # The share columns to draw as bars beside their numbers (HTML and PDF only).
    chart: tuple[str, str] | None = None
    chart_labels: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class Publication:
    """A report and what must be said around it."""

    title: str
    area_names: Sequence[str]
    date_from: dt.date | None
    date_to: dt.date | None
    snapshot_written_at: dt.datetime | None
    synthetic: bool
    threshold: int
    tables: Sequence[Table]
    # What else a reader must know of these tables (a cross table withheld as too sparse).
    table_notes: Sequence[str] = ()
    produced_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def period(self) -> str:
        start = self.date_from.isoformat() if self.date_from else "the first event"
        end = self.date_to.isoformat() if self.date_to else "the latest event"
        return f"From {start} to {end}"

    @property
    def sources(self) -> list[str]:
        written = (
            self.snapshot_written_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            if self.snapshot_written_at
            else "date not recorded"
        )
        return [
            "Population: Census 2021 usual residents by ethnic group, Office for National "
            "Statistics (ONS), summed over the local authority districts of each area.",
            f"People: Bridgeway's pseudonymised snapshot of case events, last written {written}. "
            "Each person is counted once per column, in the groups on their latest record.",
        ]

    @property
    def suppression_note(self) -> str:
        return (
            f"Counts from 1 to {self.threshold - 1} are shown as [c], with everything worked "
            "out from them; further counts are hidden where a hidden one could otherwise be "
            "worked out from a total. [x] means not available; [z] means not applicable. "
            "Intervals are 95% confidence intervals (Wilson for shares and rates, Koopman's "
            "asymptotic score interval for ratios of rates), widened to cover every true count "
            f"the published ones could come from (each up to {perturbation.MAX_PERTURBATION} "
            "away), so they allow for the protection as well as for chance."
        )

    @property
    def protection_note(self) -> str:
        """How the counts were protected (the cell key method, decision 0072)."""
        return perturbation.protection_note(self.threshold)

    @property
    def synthetic_note(self) -> str:
        return (
            "This report is made from synthetic (made-up) demonstration data. Do not use these "
            "figures for decisions."
        )

    @property
    def notes(self) -> list[str]:
        notes = [self.period, *self.sources, self.protection_note, self.suppression_note]
        notes += self.table_notes
        if self.synthetic:
            notes.append(self.synthetic_note)
        return notes


def needs_assessment_publication(assessments: Sequence[NeedsAssessment]) -> Publication:
    """The needs assessment of one or more areas as a publication, one table per area."""
    first = assessments[0]
    written = [a.snapshot_written_at for a in assessments if a.snapshot_written_at]
    return Publication(
        title="Needs assessment: people referred and taking support up, by ethnic group",
        area_names=[a.area.name for a in assessments],
        date_from=first.date_from,
        date_to=first.date_to,
        snapshot_written_at=max(written) if written else None,
        synthetic=any(a.synthetic for a in assessments),
        threshold=first.threshold,
        tables=[
            Table(
                title=f"Needs assessment, {a.area.name} ({a.area.code})",
                header=HEADER,
                rows=a.rows,
                chart=("population_share", "referred_share"),
                chart_labels=("Census 2021 share of residents", "Share of people referred"),
            )
            for a in assessments
        ],
        table_notes=_assessment_notes(assessments),
    )


def _assessment_notes(assessments: Sequence[NeedsAssessment]) -> list[str]:
    """Per area: that its needs assessment is shown by the five high-level groups, and that
    stages of the table shown are withheld as too sparse (decision 0160)."""
    notes = []
    for assessment in assessments:
        if assessment.coarsened:
            notes.append(coarsening.coarsened_note(assessment.area.name))
        if assessment.withheld:
            notes.append(sparse_tables.withheld_note(assessment.area.name, assessment.withheld))
    return notes


REPORT_TITLES = {
    "funnel": "Funnel: people reaching each stage",
    "intersections": "Intersections: people referred and taking support up",
    "providers": "Provider scrutiny: who each provider reaches",
    "data-quality": "Data quality: equality answers recorded, not asked or declined",
    "coverage-gaps": "Coverage gaps: sizeable communities and specialist services",
}


def breakdown_publication(report: str, result: BreakdownReport) -> Publication:
    """A funnel, intersections, providers, data-quality or coverage-gaps report as a
    publication: one table per area."""
    what = " by " + " and ".join(c.replace("_", " ") for c in result.characteristics)
    if report in ("providers", "data-quality", "coverage-gaps"):
        what = ""
    chart = ("contacted_rate", "accepted_rate") if report == "funnel" else None
    tables = []
    for area in result.areas:
        rows = [row for row in result.rows if row.get("area_code") == area.code]
        if rows or len(result.areas) == 1:
            tables.append(
                Table(
                    title=f"{REPORT_TITLES[report]}{what}, {area.name} ({area.code})",
                    header=result.header,
                    rows=rows,
                    chart=chart,
                    chart_labels=(
                        "Share of people referred who were contacted",
                        "Share of people referred who accepted support",
                    ),
                )
            )
    return Publication(
        title=REPORT_TITLES[report] + what,
        area_names=[area.name for area in result.areas],
        date_from=result.date_from,
        date_to=result.date_to,
        snapshot_written_at=result.snapshot_written_at,
        synthetic=result.synthetic,
        threshold=result.threshold,
        tables=tables,
        table_notes=_table_notes(result) + list(result.notes),
    )


def _table_notes(result: BreakdownReport) -> list[str]:
    """Per area: that its table is shown by the five high-level groups (decision 0158), and
    that stages of the table shown are withheld as too sparse (decision 0155)."""
    notes = []
    for area in result.areas:
        if area.code in result.coarsened:
            notes.append(coarsening.coarsened_note(area.name))
        if area.code in result.withheld:
            notes.append(sparse_tables.withheld_note(area.name, result.withheld[area.code]))
    return notes


def write_csv_with_notes(publication: Publication, handle: IO[str]) -> None:
    """The publication's tables as CSV for a person to open: the title and the notes (period,
    sources, suppression, synthetic data) first, each on its own line, then a blank line and
    each table under its header, exactly as ``bridgeway insight --format csv`` writes it.
    """
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(csv_row([publication.title]))
    for note in publication.notes:
        writer.writerow(csv_row([note]))
    for table in publication.tables:
        writer.writerow([])
        writer.writerow(csv_row([table.title]))
        rows = csv.DictWriter(handle, fieldnames=list(table.header), lineterminator="\n")
        rows.writeheader()
        rows.writerows(csv_record(row) for row in table.rows)


def _cell(value: str | Figure) -> str | int | float:
    """A published value as a spreadsheet value: numbers as numbers, symbols and labels as
    text."""
    if isinstance(value, Figure):
        number = value.number
        return value.text if number is None else number
    return value


def write_xlsx(publication: Publication, handle: IO[bytes]) -> None:
    """The publication as an XLSX workbook: cover, notes, then one table per sheet."""
    workbook = Workbook()
    bold = Font(bold=True)
    cover = workbook.active
    assert cover is not None  # noqa: S101 - a new workbook always has a sheet
    cover.title = "Cover"
    lines: list[tuple[str, bool]] = [(publication.title, True)]
    if publication.synthetic:
        lines.append((publication.synthetic_note, True))
    lines += [
        ("Areas", True),
        (", ".join(publication.area_names), False),
        ("Period", True),
        (publication.period, False),
        ("Sources", True),
        *((source, False) for source in publication.sources),
        ("Disclosure control", True),
        (publication.protection_note, False),
        (publication.suppression_note, False),
        *((note, False) for note in publication.table_notes),
        ("Produced", True),
        (publication.produced_at.strftime("%Y-%m-%d %H:%M UTC"), False),
        ("Contents", True),
        *(
            (f"Table_{number}: {table.title}", False)
            for number, table in enumerate(publication.tables, start=1)
        ),
        ("Notes are in the Notes worksheet.", False),
    ]
    for number, (text, heading) in enumerate(lines, start=1):
        cover.cell(row=number, column=1, value=text).font = Font(bold=heading)
    cover.column_dimensions["A"].width = 110

    notes = workbook.create_sheet("Notes")
    notes.cell(row=1, column=1, value="Notes").font = bold
    notes.cell(row=2, column=1, value="This worksheet contains one table.")
    notes.cell(row=3, column=1, value="Note number").font = bold
    notes.cell(row=3, column=2, value="Note text").font = bold
    for number, text in enumerate(publication.notes, start=1):
        notes.cell(row=3 + number, column=1, value=f"note {number}")
        notes.cell(row=3 + number, column=2, value=text)
    notes.column_dimensions["B"].width = 110

    for number, table in enumerate(publication.tables, start=1):
        sheet = workbook.create_sheet(f"Table_{number}")
        sheet.cell(row=1, column=1, value=f"Table {number}: {table.title}").font = bold
        sheet.cell(
            row=2,
            column=1,
            value="This worksheet contains one table. Notes are in the Notes worksheet.",
        )
        for column, name in enumerate(table.header, start=1):
            sheet.cell(row=3, column=column, value=name).font = bold
            sheet.column_dimensions[get_column_letter(column)].width = max(12, len(name) + 2)
        for offset, row in enumerate(table.rows, start=4):
            for column, name in enumerate(table.header, start=1):
                sheet.cell(row=offset, column=column, value=_cell(row.get(name, "")))
        sheet.freeze_panes = "A4"
    # Area, provider and group names come from people and feeds: never let one be a formula.
    workbook_as_text(workbook)
    workbook.save(handle)


def _bars(table: Table) -> list[dict[str, str | Figure | None]]:
    """Each row's two shares as bar widths against the largest, beside their numbers."""
    if table.chart is None:
        return []
    first, second = table.chart

    def number(row: Row, name: str) -> int | float | None:
        value = row.get(name)
        return value.number if isinstance(value, Figure) else None

    values = [
        value
        for row in table.rows
        for name in (first, second)
        if (value := number(row, name)) is not None
    ]
    scale = max(values, default=0.0) or 1.0

    def width(row: Row, name: str) -> str | None:
        value = number(row, name)
        return None if value is None else f"{value / scale * 100:.2f}%"

    bars = []
    for row in table.rows:
        label = row.get("ethnic_group_label") or row.get("group_label") or ""
        first_width, second_width = width(row, first), width(row, second)
        if label and label != "Total" and (first_width or second_width):
            bars.append(
                {
                    "label": label,
                    "first": row.get(first, ""),
                    "second": row.get(second, ""),
                    "first_width": first_width,
                    "second_width": second_width,
                }
            )
    return bars


def render_html(publication: Publication) -> str:
    """The publication as a standalone HTML page (no external files, so it prints alone)."""
    tables = [
        {
            "number": n,
            "table": table,
            "bars": _bars(table),
            "rows": [[row.get(name, "") for name in table.header] for row in table.rows],
        }
        for n, table in enumerate(publication.tables, start=1)
    ]
    return render_to_string("insight/report.html", {"publication": publication, "tables": tables})


def write_pdf(publication: Publication, handle: IO[bytes]) -> None:
    """The HTML report printed to PDF by WeasyPrint."""
    # Imported here: WeasyPrint loads Pango when imported, which only PDF output needs.
    from weasyprint import HTML  # type: ignore[import-untyped]

    HTML(string=render_html(publication)).write_pdf(handle)

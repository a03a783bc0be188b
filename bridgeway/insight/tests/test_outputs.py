"""XLSX, HTML and PDF reports: opened and read back, with their figures and notes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook
from pypdf import PdfReader

from bridgeway.insight.needs_assessment import HEADER
from bridgeway.insight.services import snapshot_write
from bridgeway.insight.tests.factories import LEEDS, ServiceFactory, referral_through

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("raw_counts")]

AT = dt.datetime(2025, 5, 10, 9, 30, tzinfo=dt.UTC)


def _run(*arguments):
    out, err = io.StringIO(), io.StringIO()
    call_command("insight", *arguments, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def snapshot(organisation, snapshot_dir):
    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    for _number in range(7):
        referral_through(service, ["offered", "accepted"], at=AT, ethnic_group="asian_pakistani")
    for _number in range(9):
        referral_through(service, ["offered"], at=AT, ethnic_group="black_african")
    for _number in range(2):
        referral_through(service, [], at=AT, ethnic_group="white_irish")
    # The next smallest count, hidden with the 2 so it cannot be worked out from the total.
    for _number in range(6):
        referral_through(service, [], at=AT, ethnic_group="white_british")
    snapshot_write(out_dir=snapshot_dir)
    return snapshot_dir


def _needs(snapshot, form, target, *extra):
    return _run(
        "needs-assessment", "--area", "E23000010", "--snapshot", str(snapshot),
        "--format", form, "--out", str(target), *extra,
    )  # fmt: skip


@pytest.mark.usefixtures("no_table_withheld")  # the arithmetic, not decision 0160
def test_xlsx_has_a_cover_notes_and_one_table_per_sheet(snapshot, tmp_path):
    target = tmp_path / "needs.xlsx"
    _needs(snapshot, "xlsx", target, "--from", "2025-05-01", "--to", "2025-05-31")
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["Cover", "Notes", "Table_1"]
    cover = [cell.value for cell in workbook["Cover"]["A"]]
    assert cover[0].startswith("Needs assessment")
    assert "From 2025-05-01 to 2025-05-31" in cover
    assert any("Census 2021" in str(line) for line in cover)
    assert any("snapshot of case events, last written" in str(line) for line in cover)
    assert any("shown as [c]" in str(line) for line in cover)
    assert not any("synthetic" in str(line).lower() for line in cover)
    notes = workbook["Notes"]
    assert [notes["A3"].value, notes["B3"].value] == ["Note number", "Note text"]
    table = workbook["Table_1"]
    assert table["A1"].value == "Table 1: Needs assessment, West Yorkshire (E23000010)"
    assert tuple(cell.value for cell in table[3]) == HEADER
    rows = {row[2]: row for row in table.iter_rows(min_row=4, values_only=True)}
    pakistani = rows["asian_pakistani"]
    assert pakistani[HEADER.index("referred")] == 7  # a number, not text
    assert pakistani[HEADER.index("take_up_rate")] == 1.0
    assert rows["white_irish"][HEADER.index("referred")] == "[c]"
    assert rows["white_british"][HEADER.index("referred")] == "[c]"
    assert rows["total"][HEADER.index("referred")] == 24
    for sheet in workbook:
        assert not sheet.merged_cells.ranges


def test_xlsx_for_every_area_has_a_sheet_per_area(snapshot, tmp_path):
    target = tmp_path / "all.xlsx"
    _run(
        "needs-assessment", "--area", "all", "--snapshot", str(snapshot),
        "--format", "xlsx", "--out", str(target),
    )  # fmt: skip
    workbook = load_workbook(target, read_only=True)
    assert len(workbook.sheetnames) == 2 + 43


@pytest.mark.usefixtures("no_table_withheld")  # the arithmetic, not decision 0160
def test_pdf_can_be_read_back_with_its_figures_and_notes(snapshot, tmp_path):
    target = tmp_path / "needs.pdf"
    _needs(snapshot, "pdf", target)
    text = " ".join(page.extract_text() for page in PdfReader(target).pages)
    assert "Needs assessment" in text
    assert "West Yorkshire" in text
    assert "Census 2021" in text
    assert "[c]" in text
    assert "Pakistani" in text
    assert "1.0000" in text  # Pakistani take-up
    assert "From the first event to the latest event" in text


def test_html_report_has_a_chart_with_its_numbers(snapshot):
    html, _err = _run(
        "needs-assessment", "--area", "E23000010", "--snapshot", str(snapshot), "--format", "html"
    )
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html
    assert "Census 2021" in html
    assert "Share of people referred" in html
    assert '<td class="number">[c]</td>' in html


def test_synthetic_data_is_said_to_be_synthetic_in_every_format(
    organisation, snapshot_dir, tmp_path
):
    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    referral = referral_through(service, ["offered"], at=AT, ethnic_group="asian_indian")
    referral.is_synthetic = True
    referral.save(update_fields=["is_synthetic"])
    snapshot_write(out_dir=snapshot_dir)
    xlsx, pdf = tmp_path / "s.xlsx", tmp_path / "s.pdf"
    _needs(snapshot_dir, "xlsx", xlsx)
    _needs(snapshot_dir, "pdf", pdf)
    html, _err = _run(
        "funnel", "--area", "E23000010", "--snapshot", str(snapshot_dir), "--format", "html"
    )
    cover = " ".join(str(cell.value) for cell in load_workbook(xlsx)["Cover"]["A"])
    assert "synthetic (made-up) demonstration data" in cover
    assert "synthetic" in PdfReader(pdf).pages[0].extract_text()
    assert "synthetic (made-up) demonstration data" in html


@pytest.mark.usefixtures("no_table_withheld")  # the layout, not decision 0155
def test_funnel_and_intersections_write_xlsx(snapshot, tmp_path):
    funnel, crossed = tmp_path / "funnel.xlsx", tmp_path / "crossed.xlsx"
    _run(
        "funnel", "--area", "E23000010", "--snapshot", str(snapshot),
        "--format", "xlsx", "--out", str(funnel),
    )  # fmt: skip
    _run(
        "intersections", "--area", "E23000010", "--characteristics", "ethnic_group,sex",
        "--snapshot", str(snapshot), "--format", "xlsx", "--out", str(crossed),
    )  # fmt: skip
    table = load_workbook(funnel)["Table_1"]
    assert table["A1"].value.startswith("Table 1: Funnel: people reaching each stage by ethnic")
    rows = {row[3]: row for row in table.iter_rows(min_row=4, values_only=True)}
    assert rows["asian_pakistani"][5] == 7
    assert load_workbook(crossed)["Table_1"]["A3"].value == "area_code"


def test_binary_formats_need_a_file(snapshot):
    with pytest.raises(CommandError, match="--format pdf writes a file"):
        _run(
            "needs-assessment", "--area", "E23000010", "--snapshot", str(snapshot),
            "--format", "pdf",
        )  # fmt: skip


def test_a_failed_run_leaves_no_file(snapshot, tmp_path):
    target = tmp_path / "needs.xlsx"
    with pytest.raises(CommandError):
        _needs(snapshot, "xlsx", target, "--from", "2031-01-01")
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".needs")] == []

"""`bridgeway snapshot` and `bridgeway insight needs-assessment`: output, files and errors."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from bridgeway.insight.needs_assessment import HEADER
from bridgeway.insight.tests.factories import LEEDS, ServiceFactory, referral_through
from bridgeway.places.models import CensusPopulation

pytestmark = pytest.mark.django_db

AT = dt.datetime(2025, 5, 10, 9, 30, tzinfo=dt.UTC)


def _run(*arguments):
    out, err = io.StringIO(), io.StringIO()
    call_command(*arguments, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def snapshot_with_referrals(organisation, snapshot_dir):
    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    for _number in range(7):
        referral_through(service, ["offered", "accepted"], at=AT, ethnic_group="asian_pakistani")
    for _number in range(5):
        referral_through(service, [], at=AT, ethnic_group="black_african")
    for _number in range(2):
        referral_through(service, [], at=AT, ethnic_group="white_irish")
    _run("snapshot", "--out", str(snapshot_dir))
    return snapshot_dir


def test_snapshot_command_reports_what_it_wrote(organisation, snapshot_dir):
    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    referral_through(service, ["contacted"], at=AT)
    out, _err = _run("snapshot", "--out", str(snapshot_dir))
    assert "Wrote 2 events to" in out
    out, _err = _run("snapshot", "--out", str(snapshot_dir))
    assert "No new events since the last snapshot" in out


def test_snapshot_command_uses_the_configured_directory_by_default(snapshot_dir):
    _run("snapshot")
    assert list(snapshot_dir.glob("events-*.parquet"))


def test_snapshot_command_refuses_a_file_as_its_directory(tmp_path):
    target = tmp_path / "not-a-directory"
    target.write_text("x")
    with pytest.raises(CommandError, match="is a file, not a directory"):
        _run("snapshot", "--out", str(target))


def test_needs_assessment_writes_csv_to_standard_output(snapshot_with_referrals):
    out, _err = _run(
        "insight",
        "needs-assessment",
        "--area",
        "E23000010",
        "--format",
        "csv",
        "--snapshot",
        str(snapshot_with_referrals),
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == HEADER
    by_group = {row["ethnic_group"]: row for row in rows}
    assert by_group["asian_pakistani"]["referred"] == "7"
    assert by_group["asian_pakistani"]["take_up_rate"] == "1.0000"
    # 2 is suppressed, and so is the next smallest count, which would give it away.
    assert by_group["white_irish"]["referred"] == "[c]"
    assert by_group["black_african"]["referred"] == "[c]"
    assert by_group["total"]["referred"] == "14"
    census = CensusPopulation.objects.filter(
        district__police_force_area_id="E23000010", ethnic_group="asian_pakistani"
    ).aggregate(total=Sum("count"))["total"]
    assert census > 0
    assert by_group["asian_pakistani"]["population"] == str(census)


def test_needs_assessment_accepts_a_district_code(snapshot_with_referrals):
    out, _err = _run(
        "insight", "needs-assessment", "--area", LEEDS, "--snapshot", str(snapshot_with_referrals)
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {row["area_name"] for row in rows} == {"Leeds"}
    assert rows[-1]["referred"] == "14"


def test_needs_assessment_writes_to_a_file_with_out(snapshot_with_referrals, tmp_path):
    target = tmp_path / "needs.csv"
    out, err = _run(
        "insight",
        "needs-assessment",
        "--area",
        "E23000010",
        "--snapshot",
        str(snapshot_with_referrals),
        "--out",
        str(target),
    )
    assert out == ""
    assert "West Yorkshire" in err
    assert target.read_text().splitlines()[0] == ",".join(HEADER)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".needs")] == []


def test_period_outside_the_events_counts_no_one(snapshot_with_referrals):
    out, _err = _run(
        "insight",
        "needs-assessment",
        "--area",
        "E23000010",
        "--snapshot",
        str(snapshot_with_referrals),
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
    )
    assert list(csv.DictReader(io.StringIO(out)))[-1]["referred"] == "0"


def test_unknown_area_is_a_clear_error_and_writes_nothing(snapshot_with_referrals, tmp_path):
    target = tmp_path / "needs.csv"
    with pytest.raises(CommandError, match="'E99999999' is not a police force area"):
        _run(
            "insight",
            "needs-assessment",
            "--area",
            "E99999999",
            "--snapshot",
            str(snapshot_with_referrals),
            "--out",
            str(target),
        )
    assert list(tmp_path.iterdir()) == [snapshot_with_referrals]


def test_empty_snapshot_directory_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="snapshot is empty"):
        _run("insight", "needs-assessment", "--area", "E23000010", "--snapshot", str(tmp_path))


def test_missing_snapshot_directory_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        _run(
            "insight",
            "needs-assessment",
            "--area",
            "E23000010",
            "--snapshot",
            str(tmp_path / "nowhere"),
        )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2025-13-01"], "'2025-13-01' is not a date; write it as YYYY-MM-DD"),
        (["--to", "yesterday"], "'yesterday' is not a date"),
        (["--from", "2025-06-01", "--to", "2025-05-01"], "ends earlier"),
    ],
)
def test_bad_dates_are_clear_errors(snapshot_with_referrals, arguments, message):
    with pytest.raises(CommandError, match=message):
        _run(
            "insight",
            "needs-assessment",
            "--area",
            "E23000010",
            "--snapshot",
            str(snapshot_with_referrals),
            *arguments,
        )


def test_unknown_format_is_refused(snapshot_with_referrals):
    with pytest.raises(CommandError, match="invalid choice"):
        _run("insight", "needs-assessment", "--area", "E23000010", "--format", "pdf")


def test_insight_without_a_report_says_which_exist():
    with pytest.raises(CommandError, match="needs-assessment"):
        _run("insight")


def test_out_in_a_missing_directory_is_a_clear_error(snapshot_with_referrals, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        _run(
            "insight",
            "needs-assessment",
            "--area",
            "E23000010",
            "--snapshot",
            str(snapshot_with_referrals),
            "--out",
            str(tmp_path / "no" / "such.csv"),
        )

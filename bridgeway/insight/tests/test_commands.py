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

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("raw_counts")]

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


@pytest.mark.usefixtures("no_table_withheld")  # the arithmetic, not decision 0160
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


def test_period_outside_the_events_is_a_clear_error_and_writes_nothing(
    snapshot_with_referrals, tmp_path
):
    target = tmp_path / "needs.csv"
    with pytest.raises(CommandError) as raised:
        _run(
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
            "--out",
            str(target),
        )
    message = str(raised.value)
    assert "no one had an event in West Yorkshire from 2026-01-01 to 2026-12-31" in message
    assert "the snapshot's events run from 2025-05-10 to 2025-05-12" in message
    assert not target.exists()


@pytest.mark.usefixtures("no_table_withheld")  # the arithmetic, not decision 0160
def test_area_all_writes_one_block_per_police_force_area(snapshot_with_referrals):
    out, _err = _run(
        "insight", "needs-assessment", "--area", "all", "--snapshot", str(snapshot_with_referrals)
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert out.count("area_code,") == 1
    areas = list(dict.fromkeys(row["area_code"] for row in rows))
    assert len(areas) == 43
    assert areas == sorted(areas)
    per_area = len(rows) // 43
    assert per_area == 23  # 19 groups, 3 missing answers, the total
    blocks = {code: [row for row in rows if row["area_code"] == code] for code in areas}
    assert all(len(block) == per_area for block in blocks.values())
    west_yorkshire = {row["ethnic_group"]: row for row in blocks["E23000010"]}
    assert west_yorkshire["total"]["referred"] == "14"
    assert west_yorkshire["asian_pakistani"]["accepted"] == "7"
    assert {row["referred"] for row in blocks["E23000014"]} == {"0"}
    # Each area's population is its own census count, not the nation's.
    census = CensusPopulation.objects.filter(
        district__police_force_area_id="E23000014", ethnic_group="asian_indian"
    ).aggregate(total=Sum("count"))["total"]
    indian = next(row for row in blocks["E23000014"] if row["ethnic_group"] == "asian_indian")
    assert indian["population"] == str(census)


def test_area_all_is_the_same_as_each_area_on_its_own(snapshot_with_referrals):
    everything, _err = _run(
        "insight", "needs-assessment", "--area", "all", "--snapshot", str(snapshot_with_referrals)
    )
    alone, _err = _run(
        "insight",
        "needs-assessment",
        "--area",
        "E23000010",
        "--snapshot",
        str(snapshot_with_referrals),
    )
    rows = [r for r in csv.DictReader(io.StringIO(everything)) if r["area_code"] == "E23000010"]
    assert rows == list(csv.DictReader(io.StringIO(alone)))


def test_area_all_with_an_empty_period_is_a_clear_error(snapshot_with_referrals):
    with pytest.raises(CommandError, match="no one had an event in any police force area"):
        _run(
            "insight",
            "needs-assessment",
            "--area",
            "all",
            "--snapshot",
            str(snapshot_with_referrals),
            "--to",
            "2020-01-01",
        )


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
        _run("insight", "needs-assessment", "--area", "E23000010", "--format", "docx")


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


@pytest.mark.usefixtures("no_table_withheld")  # the plumbing, not decision 0155
def test_funnel_command_writes_people_per_stage_by_group(snapshot_with_referrals, tmp_path):
    target = tmp_path / "funnel.csv"
    _out, err = _run(
        "insight",
        "funnel",
        "--area",
        "E23000010",
        "--snapshot",
        str(snapshot_with_referrals),
        "--out",
        str(target),
    )
    assert "Wrote the funnel for West Yorkshire" in err
    rows = {row["group"]: row for row in csv.DictReader(target.open())}
    pakistani = rows["asian_pakistani"]
    assert (pakistani["referred"], pakistani["offered"], pakistani["accepted"]) == ("7", "7", "7")
    assert pakistani["contacted"] == "0"
    assert pakistani["accepted_rate"] == "1.0000"
    assert rows["total"]["referred"] == "14"


def test_funnel_command_rolls_up_only_when_asked(snapshot_with_referrals):
    detailed, _err = _run(
        "insight", "funnel", "--area", LEEDS, "--snapshot", str(snapshot_with_referrals)
    )
    rolled, _err = _run(
        "insight",
        "funnel",
        "--area",
        LEEDS,
        "--roll-up",
        "--snapshot",
        str(snapshot_with_referrals),
    )
    assert "asian_pakistani" in detailed
    assert ",asian," not in detailed
    groups = [row["group"] for row in csv.DictReader(io.StringIO(rolled))]
    assert groups[:5] == ["asian", "black", "mixed", "white", "other"]
    assert "bame" not in rolled.lower()


def test_funnel_command_by_another_characteristic_for_every_area(snapshot_with_referrals):
    out, _err = _run(
        "insight",
        "funnel",
        "--area",
        "all",
        "--characteristic",
        "age_band",
        "--snapshot",
        str(snapshot_with_referrals),
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len({row["area_code"] for row in rows}) == 43
    assert {row["characteristic"] for row in rows} == {"age_band"}


@pytest.mark.usefixtures("no_table_withheld")  # the plumbing, not decision 0155
def test_intersections_command_crosses_two_characteristics(snapshot_with_referrals):
    out, _err = _run(
        "insight",
        "intersections",
        "--area",
        "E23000010",
        "--characteristics",
        "ethnic_group,sex",
        "--snapshot",
        str(snapshot_with_referrals),
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {row["characteristics"] for row in rows} == {"ethnic_group x sex"}
    cell = next(
        row for row in rows if (row["group_1"], row["group_2"]) == ("asian_pakistani", "not_asked")
    )
    assert cell["referred"] == "7"
    assert cell["group_3"] == "[z]"


@pytest.mark.parametrize(
    ("characteristics", "message"),
    [
        ("ethnic_group,height", "'height' is not a characteristic"),
        ("ethnic_group", "two or three"),
        ("sex,sex", "only once"),
        ("ethnic_group,sex,religion,age_band", "from 1 to 3"),
    ],
)
def test_intersections_command_refuses_bad_characteristics(
    snapshot_with_referrals, characteristics, message
):
    with pytest.raises(CommandError, match=message):
        _run(
            "insight",
            "intersections",
            "--area",
            "E23000010",
            "--characteristics",
            characteristics,
            "--snapshot",
            str(snapshot_with_referrals),
        )


def test_funnel_with_an_empty_period_writes_nothing(snapshot_with_referrals, tmp_path):
    target = tmp_path / "funnel.csv"
    with pytest.raises(CommandError, match="no one had an event in West Yorkshire from 2030-01-01"):
        _run(
            "insight",
            "funnel",
            "--area",
            "E23000010",
            "--snapshot",
            str(snapshot_with_referrals),
            "--from",
            "2030-01-01",
            "--out",
            str(target),
        )
    assert not target.exists()

"""The needs assessment CSV contract, on hand-made snapshots whose answer is known."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from statsmodels.stats.proportion import proportion_confint

from bridgeway.equality.vocabulary import vocabulary
from bridgeway.insight.needs_assessment import (
    HEADER,
    AreaPopulation,
    GroupCounts,
    count_people,
    needs_assessment_table,
    write_csv,
)
from bridgeway.insight.tests.factories import BRADFORD, person_events, write_snapshot

# These tests check the arithmetic against counts worked out by hand (see conftest).
pytestmark = pytest.mark.usefixtures("raw_counts")

WEST_YORKSHIRE = "E23000010"
AREA = AreaPopulation(
    code=WEST_YORKSHIRE,
    name="West Yorkshire",
    kind="pfa",
    population={"white_british": 800, "asian_pakistani": 150, "black_african": 50},
)

EXPECTED_HEADER = (
    "area_code,area_name,ethnic_group,ethnic_group_label,population,population_share,referred,"
    "referred_share,representation_ratio,representation_low,representation_high,offered,accepted,"
    "take_up_rate,take_up_low,take_up_high,take_up_ratio,take_up_ratio_low,take_up_ratio_high"
)


def _people(group, how_many, stages, prefix, **values):
    rows = []
    for number in range(how_many):
        rows += person_events(f"{prefix}-{group}-{number}", group, stages, **values)
    return rows


def _known_snapshot(directory):
    """20 White British people referred (10 offered, 5 accepted), 10 Pakistani (8, 6),
    3 African, 6 not asked; plus noise that must not count."""
    rows = (
        _people("white_british", 5, ["referred", "offered", "accepted"], "a")
        + _people("white_british", 5, ["referred", "offered", "declined"], "b")
        + _people("white_british", 10, ["referred"], "c")
        + _people("asian_pakistani", 6, ["referred", "offered", "accepted"], "a")
        + _people("asian_pakistani", 2, ["referred", "offered"], "b")
        + _people("asian_pakistani", 2, ["referred"], "c")
        + _people("black_african", 3, ["referred"], "a")
        + _people("not_asked", 6, ["referred", "contacted"], "a", lad_code=BRADFORD)
        # Another force area, and a day outside the period: neither counts.
        + _people(
            "white_british",
            7,
            ["referred"],
            "elsewhere",
            lad_code="E08000025",
            pfa_code="E23000014",
        )
        + _people("white_british", 7, ["referred"], "early", on=dt.date(2024, 1, 1))
    )
    first = write_snapshot(directory, rows, at=dt.datetime(2025, 7, 1, tzinfo=dt.UTC))
    # A later run re-read its safety window: the same events again must not count twice.
    write_snapshot(directory, rows[:10], at=dt.datetime(2025, 7, 2, tzinfo=dt.UTC))
    return first


def _wilson(successes, trials, divide_by=1.0, places=4):
    low, high = proportion_confint(successes, trials, method="wilson")
    return f"{low / divide_by:.{places}f}", f"{high / divide_by:.{places}f}"


def _table(directory, **period):
    files = sorted(directory.glob("events-*.parquet"))
    counted = count_people(
        files,
        area_code=WEST_YORKSHIRE,
        area_kind="pfa",
        date_from=period.get("date_from", dt.date(2025, 1, 1)),
        date_to=period.get("date_to", dt.date(2025, 12, 31)),
    )
    return counted, needs_assessment_table(AREA, counted.by_group, threshold=5)


def test_people_are_counted_once_per_stage_in_their_area_and_period(tmp_path):
    _known_snapshot(tmp_path)
    counted, _rows = _table(tmp_path)
    assert counted.by_group == {
        "white_british": GroupCounts(referred=20, offered=10, accepted=5),
        "asian_pakistani": GroupCounts(referred=10, offered=8, accepted=6),
        "black_african": GroupCounts(referred=3),
        "not_asked": GroupCounts(referred=6),
    }
    assert counted.first_event_on == counted.last_event_on == dt.date(2025, 6, 1)


def test_a_district_code_counts_only_that_district(tmp_path):
    _known_snapshot(tmp_path)
    counted = count_people(
        sorted(tmp_path.glob("*.parquet")),
        area_code=BRADFORD,
        area_kind="lad",
        date_from=None,
        date_to=None,
    )
    assert counted.by_group == {"not_asked": GroupCounts(referred=6)}


def test_csv_has_the_contract_header_and_row_order(tmp_path):
    _known_snapshot(tmp_path)
    _counted, rows = _table(tmp_path)
    text = io.StringIO()
    write_csv(rows, text)
    lines = text.getvalue().splitlines()
    assert lines[0] == EXPECTED_HEADER
    assert tuple(lines[0].split(",")) == HEADER
    groups = [row["ethnic_group"] for row in csv.DictReader(io.StringIO(text.getvalue()))]
    assert groups == [
        *vocabulary("ethnic_groups").ordered_codes(),
        "not_asked",
        "prefer_not_to_say",
        "not_recorded",
        "total",
    ]
    assert len(groups) == 23


def test_known_answer_rows(tmp_path):
    _known_snapshot(tmp_path)
    _counted, rows = _table(tmp_path)
    by_group = {row["ethnic_group"]: row for row in rows}

    white = by_group["white_british"]
    low, high = _wilson(20, 33, divide_by=0.8, places=3)
    take_low, take_high = _wilson(5, 10)
    assert white == {
        "area_code": "E23000010",
        "area_name": "West Yorkshire",
        "ethnic_group": "white_british",
        "ethnic_group_label": "English, Welsh, Scottish, Northern Irish or British",
        "population": "800",
        "population_share": "0.8000",
        "referred": "20",
        "referred_share": "0.6061",
        "representation_ratio": "0.758",
        "representation_low": low,
        "representation_high": high,
        "offered": "10",
        "accepted": "5",
        "take_up_rate": "0.5000",
        "take_up_low": take_low,
        "take_up_high": take_high,
        # 5/10 against the other recorded groups' 6/8; the Koopman score interval, whose
        # bounds statsmodels' score test puts at p = 0.05.
        "take_up_ratio": "0.667",
        "take_up_ratio_low": "0.297",
        "take_up_ratio_high": "1.435",
    }
    # 3 is hidden; the next smallest recorded count (10) is hidden with it, and so is
    # everything worked out from either.
    for group in ("black_african", "asian_pakistani"):
        for column in (
            "referred",
            "referred_share",
            "representation_ratio",
            "representation_low",
            "representation_high",
        ):
            assert by_group[group][column] == "[c]", (group, column)
    pakistani = by_group["asian_pakistani"]
    assert (pakistani["offered"], pakistani["accepted"], pakistani["take_up_rate"]) == (
        "8",
        "6",
        "0.7500",
    )
    assert pakistani["take_up_ratio"] == "1.500"
    assert by_group["black_african"]["take_up_rate"] == "[z]"  # no one offered

    chinese = by_group["asian_chinese"]
    assert (chinese["population"], chinese["population_share"], chinese["referred"]) == (
        "0",
        "0.0000",
        "0",
    )
    assert chinese["referred_share"] == "0.0000"
    assert chinese["representation_ratio"] == "[z]"

    not_asked = by_group["not_asked"]
    assert not_asked["population"] == not_asked["population_share"] == "[x]"
    assert not_asked["representation_ratio"] == "[x]"
    assert not_asked["referred"] == "6"
    assert not_asked["referred_share"] == "0.1538"  # 6 of all 39 people referred

    total = by_group["total"]
    total_low, total_high = _wilson(11, 18)
    assert total == {
        "area_code": "E23000010",
        "area_name": "West Yorkshire",
        "ethnic_group": "total",
        "ethnic_group_label": "Total",
        "population": "[x]",
        "population_share": "[x]",
        "referred": "39",
        "referred_share": "[z]",
        "representation_ratio": "[x]",
        "representation_low": "[x]",
        "representation_high": "[x]",
        "offered": "18",
        "accepted": "11",
        "take_up_rate": "0.6111",
        "take_up_low": total_low,
        "take_up_high": total_high,
        "take_up_ratio": "[z]",
        "take_up_ratio_low": "[z]",
        "take_up_ratio_high": "[z]",
    }


def test_a_person_is_counted_in_the_group_of_their_newest_record(tmp_path):
    rows = person_events("p1", "not_asked", ["referred"], on=dt.date(2025, 6, 1))
    rows += person_events("p1", "black_caribbean", ["offered"], on=dt.date(2025, 6, 3))
    write_snapshot(tmp_path, rows)
    counted, _rows = _table(tmp_path)
    assert counted.by_group == {"black_caribbean": GroupCounts(referred=1, offered=1)}


def test_empty_period_gives_zeros_and_z_rates(tmp_path):
    _known_snapshot(tmp_path)
    counted, rows = _table(tmp_path, date_from=dt.date(2030, 1, 1), date_to=dt.date(2030, 12, 31))
    assert counted.by_group == {}
    assert counted.first_event_on is None
    total = rows[-1]
    assert (total["referred"], total["take_up_rate"]) == ("0", "[z]")
    assert rows[0]["referred_share"] == "[z]"


def test_missing_population_is_x(tmp_path):
    area = AreaPopulation(code="E23000010", name="West Yorkshire", kind="pfa", population={})
    rows = needs_assessment_table(area, {"white_british": GroupCounts(referred=9)}, threshold=5)
    assert rows[0]["population"] == "[x]"
    white = next(row for row in rows if row["ethnic_group"] == "white_british")
    assert (white["population_share"], white["representation_ratio"]) == ("[x]", "[x]")
    assert white["referred_share"] == "1.0000"


def test_counts_for_an_unknown_group_are_refused():
    with pytest.raises(ValueError, match="outside the vocabulary"):
        needs_assessment_table(AREA, {"bame": GroupCounts(referred=9)}, threshold=5)


def test_more_accepted_than_offered_in_the_period_gives_no_rate():
    rows = needs_assessment_table(
        AREA, {"white_british": GroupCounts(referred=20, offered=5, accepted=7)}, threshold=5
    )
    white = next(row for row in rows if row["ethnic_group"] == "white_british")
    assert (white["take_up_rate"], white["take_up_low"]) == ("[x]", "[x]")


def test_zero_accepted_gives_a_ratio_of_zero_with_an_interval_from_zero():
    counts = {
        "white_british": GroupCounts(referred=20, offered=10, accepted=6),
        "asian_indian": GroupCounts(referred=10, offered=8, accepted=0),
    }
    rows = needs_assessment_table(AREA, counts, threshold=5)
    indian = next(row for row in rows if row["ethnic_group"] == "asian_indian")
    # 0 of 8 against 6 of 10: the score interval runs from 0 to 0.591.
    assert (indian["take_up_ratio"], indian["take_up_ratio_low"]) == ("0.000", "0.000")
    assert indian["take_up_ratio_high"] == "0.591"
    assert indian["take_up_rate"] == "0.0000"


def test_queries_share_one_database_per_process_through_their_own_connections():
    # Opening a DuckDB database costs about 20 ms; a page runs several queries (decision 0069).
    from bridgeway.insight.needs_assessment import DUCKDB_MEMORY_LIMIT, connect

    with connect() as first, connect() as second:
        assert first is not second
        first.execute("CREATE TABLE shared_check AS SELECT 42 AS answer")
        try:
            assert second.execute("SELECT answer FROM shared_check").fetchall() == [(42,)]
        finally:
            first.execute("DROP TABLE shared_check")
        limit = second.execute("SELECT current_setting('memory_limit')").fetchone()
    assert limit is not None
    assert limit[0] != ""
    assert DUCKDB_MEMORY_LIMIT
    with connect() as third:
        # Closing a connection leaves the database for the next.
        assert third.execute("SELECT 1").fetchall() == [(1,)]

"""The funnel by group and the intersections, on hand-made snapshots whose answer is known."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from scipy.optimize import brentq, linprog  # type: ignore[import-untyped]
from statsmodels.stats.proportion import proportion_confint, score_test_proportions_2indep

from bridgeway.disclosure.suppression import suppress_column
from bridgeway.insight import breakdown
from bridgeway.insight.breakdown import (
    BreakdownError,
    count_cells,
    funnel_header,
    funnel_table,
    intersections_header,
    intersections_table,
    suppress_table,
)
from bridgeway.insight.tests.factories import person_events, write_snapshot

# These tests check the arithmetic against counts worked out by hand (see conftest).
# The arithmetic of hand-made tables: no table withheld as sparse (decision 0155).
pytestmark = pytest.mark.usefixtures("raw_counts", "no_table_withheld")

WEST_YORKSHIRE = "E23000010"


def _score_interval(a: int, n1: int, c: int, n2: int) -> tuple[float, float]:
    """The ratios at which statsmodels' score test of a / n1 over c / n2 gives p = 0.05."""

    def p_value_gap(log_ratio: float) -> float:
        result = score_test_proportions_2indep(
            a, n1, c, n2, value=float(np.exp(log_ratio)), compare="ratio", correction=False
        )
        return float(result.pvalue) - 0.05

    estimate = np.log((a / n1) / (c / n2))
    return (
        float(np.exp(brentq(p_value_gap, estimate - 20, estimate))),
        float(np.exp(brentq(p_value_gap, estimate, estimate + 20))),
    )


def _people(group, how_many, stages, prefix, **values):
    rows = []
    for number in range(how_many):
        rows += person_events(f"{prefix}-{group}-{number}", group, stages, **values)
    return rows


def _wilson(successes, trials):
    low, high = proportion_confint(successes, trials, method="wilson")
    return f"{low:.4f}", f"{high:.4f}"


@pytest.fixture
def funnel_snapshot(tmp_path):
    """Pakistani: 12 referred, 10 contacted, 8 assessed, 8 offered, 6 accepted, 6 started,
    5 closed. Caribbean: 10 referred, 9 contacted, then 2 further (dropping out early).
    White British: 3 referred only. Not asked: 6 referred."""
    full = ["referred", "contacted", "assessed", "offered", "accepted", "started", "closed"]
    rows = (
        _people("asian_pakistani", 5, full, "a")
        + _people("asian_pakistani", 1, full[:6], "b")
        + _people("asian_pakistani", 2, full[:4], "c")
        + _people("asian_pakistani", 2, full[:2], "d")
        + _people("asian_pakistani", 2, full[:1], "e")
        + _people("black_caribbean", 2, full[:3], "a")
        + _people("black_caribbean", 7, full[:2], "b")
        + _people("black_caribbean", 1, full[:1], "c")
        + _people("white_british", 3, full[:1], "a")
        + _people("not_asked", 6, full[:1], "a")
        # Another force area does not count.
        + _people(
            "black_caribbean", 9, full, "elsewhere", lad_code="E08000025", pfa_code="E23000014"
        )
    )
    write_snapshot(tmp_path, rows)
    return sorted(tmp_path.glob("events-*.parquet"))


def _funnel(files, *, roll_up=False, characteristic="ethnic_group", threshold=5):
    counts = count_cells(
        files,
        area_codes=[WEST_YORKSHIRE],
        area_kind="pfa",
        characteristics=[characteristic],
        stages=breakdown.FUNNEL_STAGES,
        date_from=None,
        date_to=None,
        roll_up=roll_up,
    )[WEST_YORKSHIRE]
    rows = funnel_table(
        area_code=WEST_YORKSHIRE,
        area_name="West Yorkshire",
        characteristic=characteristic,
        counts=counts,
        threshold=threshold,
        roll_up=roll_up,
    )
    return {row["group"]: row for row in rows}


def test_funnel_counts_distinct_people_at_each_stage(funnel_snapshot):
    rows = _funnel(funnel_snapshot)
    pakistani = rows["asian_pakistani"]
    assert [pakistani[stage] for stage in breakdown.FUNNEL_STAGES] == [
        "12", "10", "[c]", "8", "6", "6", "5"
    ]  # fmt: skip
    caribbean = rows["black_caribbean"]
    # White British's 3 referred is hidden, and Caribbean's 10 with it (next smallest).
    assert [caribbean[stage] for stage in breakdown.FUNNEL_STAGES[:2]] == ["[c]", "9"]
    # Two Caribbean people were assessed: hidden, and so is the only other count in the
    # column (8), which would give it away through the total.
    assert caribbean["assessed"] == "[c]"
    assert caribbean["assessed_rate"] == "[c]"
    assert pakistani["assessed_rate"] == "[c]"
    assert caribbean["offered"] == "0"
    assert rows["total"]["referred"] == "31"


def test_funnel_shares_of_referred_match_an_independent_wilson_interval(funnel_snapshot):
    pakistani = _funnel(funnel_snapshot)["asian_pakistani"]
    assert pakistani["accepted_rate"] == f"{6 / 12:.4f}"
    assert (pakistani["accepted_low"], pakistani["accepted_high"]) == _wilson(6, 12)
    assert (pakistani["contacted_low"], pakistani["contacted_high"]) == _wilson(10, 12)
    assert tuple(_funnel(funnel_snapshot)["asian_pakistani"]) == funnel_header()


def test_funnel_hides_small_counts_and_keeps_zero(funnel_snapshot):
    rows = _funnel(funnel_snapshot)
    assert rows["white_british"]["referred"] == "[c]"
    assert rows["white_british"]["contacted"] == "0"
    assert rows["white_british"]["contacted_rate"] == "[c]"
    assert rows["asian_indian"]["referred"] == "0"
    assert rows["asian_indian"]["contacted_rate"] == "[z]"


def test_funnel_rolls_up_to_the_five_high_level_groups_only_when_asked(funnel_snapshot):
    detailed = _funnel(funnel_snapshot)
    assert "asian" not in detailed
    rolled = _funnel(funnel_snapshot, roll_up=True)
    assert list(rolled) == [
        "asian", "black", "mixed", "white", "other",
        "not_asked", "prefer_not_to_say", "not_recorded", "total",
    ]  # fmt: skip
    assert rolled["asian"]["referred"] == "12"
    assert rolled["asian"]["contacted"] == "10"
    # White's 3 is hidden, and Black's 10 with it (the smallest other recorded count).
    assert rolled["white"]["referred"] == "[c]"
    assert rolled["black"]["referred"] == "[c]"
    assert rolled["black"]["contacted"] == "9"
    assert rolled["asian"]["group_label"] == "Asian, Asian British or Asian Welsh"


@pytest.mark.parametrize("roll_up", [False, True])
def test_no_group_ever_lumps_every_minority_ethnic_group_together(funnel_snapshot, roll_up):
    rows = _funnel(funnel_snapshot, roll_up=roll_up)
    labels = " ".join(row["group_label"] for row in rows.values()).lower()
    assert "bame" not in labels
    assert "minority" not in labels
    assert not {"bame", "non_white", "minority_ethnic"} & set(rows)
    # Every group's people are its own: no row but the total holds more than one group.
    referred = [
        int(row["referred"])
        for code, row in rows.items()
        if code != "total" and row["referred"] != "[c]"
    ]
    assert max(referred) <= 12


def test_funnel_by_disability_counts_a_person_in_each_of_their_groups(tmp_path):
    rows = _people("white_british", 6, ["referred"], "a", disabilities=["autism", "sight"])
    rows += _people("white_british", 7, ["referred"], "b")
    write_snapshot(tmp_path, rows)
    table = _funnel(sorted(tmp_path.glob("*.parquet")), characteristic="disability")
    assert table["autism"]["referred"] == "6"
    assert table["sight"]["referred"] == "6"
    assert table["no_disability_recorded"]["referred"] == "7"
    assert table["total"]["referred"] == "13"
    assert "not_asked" not in table


def test_unknown_characteristic_is_refused():
    with pytest.raises(BreakdownError, match="'height' is not a characteristic"):
        breakdown.check_characteristics(["ethnic_group", "height"])
    with pytest.raises(BreakdownError, match="only once"):
        breakdown.check_characteristics(["sex", "sex"])
    with pytest.raises(BreakdownError, match="from 1 to 3"):
        breakdown.check_characteristics(["sex", "age_band", "religion", "ethnic_group"])


# --- intersections --------------------------------------------------------------------------


@pytest.fixture
def crossed_snapshot(tmp_path):
    """People aged 25-34 offered support (accepting it): Pakistani women 10 (8), Pakistani
    men 10 (6), White British women 20 (10), White British men 2 (0), Indian women 15 (9),
    Indian men 7 (5)."""
    rows = []
    for group, sex, offered, accepted in [
        ("asian_pakistani", "female", 10, 8),
        ("asian_pakistani", "male", 10, 6),
        ("white_british", "female", 20, 10),
        ("white_british", "male", 2, 0),
        ("asian_indian", "female", 15, 9),
        ("asian_indian", "male", 7, 5),
    ]:
        rows += _people(
            group, accepted, ["referred", "offered", "accepted"], f"{sex}-a", sex=sex,
            age_band="25_34",
        )  # fmt: skip
        rows += _people(
            group, offered - accepted, ["referred", "offered"], f"{sex}-b", sex=sex,
            age_band="25_34",
        )  # fmt: skip
    write_snapshot(tmp_path, rows)
    return sorted(tmp_path.glob("*.parquet"))


def _crossed(files, characteristics, roll_up=False):
    counts = count_cells(
        files,
        area_codes=[WEST_YORKSHIRE],
        area_kind="pfa",
        characteristics=characteristics,
        stages=breakdown.PEOPLE_STAGES,
        date_from=None,
        date_to=None,
        roll_up=roll_up,
    )[WEST_YORKSHIRE]
    rows = intersections_table(
        area_code=WEST_YORKSHIRE,
        area_name="West Yorkshire",
        characteristics=characteristics,
        counts=counts,
        threshold=5,
        roll_up=roll_up,
    )
    return {tuple(row[f"group_{n}"] for n in (1, 2, 3)): row for row in rows}


def test_ethnic_group_by_sex_counts_and_take_up_match_independent_computations(
    crossed_snapshot,
):
    rows = _crossed(crossed_snapshot, ["ethnic_group", "sex"])
    women = rows[("asian_pakistani", "female", "[z]")]
    assert tuple(women) == intersections_header()
    assert (women["referred"], women["offered"], women["accepted"]) == ("10", "10", "8")
    assert women["take_up_rate"] == "0.8000"
    assert (women["take_up_low"], women["take_up_high"]) == _wilson(8, 10)
    # Against everyone else recorded: 6 + 10 + 0 + 9 + 5 accepted of 10 + 20 + 2 + 15 + 7.
    others = (6 + 10 + 0 + 9 + 5) / (10 + 20 + 2 + 15 + 7)
    assert women["take_up_ratio"] == f"{0.8 / others:.3f}"
    # Koopman's score interval: where statsmodels' own score test gives p = 0.05.
    low, high = _score_interval(8, 10, 30, 54)
    assert (women["take_up_ratio_low"], women["take_up_ratio_high"]) == (
        f"{low:.3f}",
        f"{high:.3f}",
    )
    # Two White British men: hidden; then the smallest other man (Indian, 7) so the men's
    # total cannot give it away, and the women beside each (White British, Indian) so
    # neither group's total can.
    for cell in [
        ("white_british", "male"),
        ("asian_indian", "male"),
        ("white_british", "female"),
        ("asian_indian", "female"),
    ]:
        assert rows[(*cell, "[z]")]["referred"] == "[c]"
        assert rows[(*cell, "[z]")]["take_up_ratio"] in ("[c]", "[z]")
    assert rows[("asian_pakistani", "male", "[z]")]["referred"] == "10"
    assert rows[("white_irish", "male", "[z]")]["referred"] == "0"


def test_three_characteristics_cross_every_group(crossed_snapshot):
    rows = _crossed(crossed_snapshot, ["ethnic_group", "age_band", "sex"])
    groups = [len(breakdown.groups(n)) for n in ("ethnic_group", "age_band", "sex")]
    assert len(rows) == groups[0] * groups[1] * groups[2]
    assert rows[("asian_pakistani", "25_34", "female")]["accepted"] == "8"
    assert rows[("asian_pakistani", "25_34", "female")]["characteristics"] == (
        "ethnic_group x age_band x sex"
    )


def test_intersections_roll_up_when_asked(crossed_snapshot):
    rows = _crossed(crossed_snapshot, ["ethnic_group", "sex"], roll_up=True)
    assert rows[("asian", "female", "[z]")]["accepted"] == "17"
    assert rows[("asian", "male", "[z]")]["accepted"] == "11"
    assert rows[("white", "female", "[z]")]["accepted"] == "10"
    assert not any(key[0] == "bame" for key in rows)


def test_an_intersection_needs_two_characteristics(crossed_snapshot):
    with pytest.raises(BreakdownError, match="two or three"):
        _crossed(crossed_snapshot, ["ethnic_group"])


# --- disclosure control for cross tables ----------------------------------------------------


def _recoverable(values, shape, hidden, threshold=5):
    """Small hidden counts a reader can pin from the published totals (by LP).

    The reader sees the visible cells, each row's and column's total where the one-way
    tables (suppressed on their own by ``suppress_column``) show it, and the grand total
    unless it is small. A hidden cell may be any count from 0 up (zeros can be hidden in a
    cross table when nothing else protects a small count).
    """
    rows, columns = shape
    order = [cell for cell in itertools.product(rows, columns) if cell in hidden]
    small = [cell for cell in order if 0 < values[cell] < threshold]
    if not small:
        return []
    index = {cell: n for n, cell in enumerate(order)}
    row_totals = [sum(values[(r, c)] for c in columns) for r in rows]
    column_totals = [sum(values[(r, c)] for r in rows) for c in columns]
    row_hidden = suppress_column(row_totals, [], threshold).recorded_hidden
    column_hidden = suppress_column(column_totals, [], threshold).recorded_hidden
    lines = [[(r, c) for c in columns] for r, h in zip(rows, row_hidden, strict=True) if not h]
    lines += [[(r, c) for r in rows] for c, h in zip(columns, column_hidden, strict=True) if not h]
    if not 0 < sum(values.values()) < threshold:
        lines.append(list(itertools.product(rows, columns)))
    equations, targets = [], []
    for line in lines:
        equations.append([1.0 if cell in line else 0.0 for cell in order])
        targets.append(sum(values[cell] for cell in line if cell in index))
    if not equations:
        return []
    found = []
    bounds = [(0, None)] * len(order)
    for cell in small:
        objective = np.zeros(len(order))
        objective[index[cell]] = 1
        low = linprog(objective, A_eq=equations, b_eq=targets, bounds=bounds)
        high = linprog(-objective, A_eq=equations, b_eq=targets, bounds=bounds)
        if high.status == 0 and -high.fun - low.fun < 0.5:
            found.append(cell)
    return found


@st.composite
def _tables(draw):
    rows = draw(st.integers(2, 5))
    columns = draw(st.integers(2, 4))
    shape = [[f"r{n}" for n in range(rows)], [f"c{n}" for n in range(columns)]]
    small = st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 30))
    values = {cell: draw(small) for cell in itertools.product(*shape)}
    return shape, values


@hypothesis_settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables())
def test_no_hidden_cell_of_a_cross_table_can_be_worked_out_from_its_line_totals(table):
    shape, values = table
    hidden = suppress_table(values, shape, 5)
    assert all(cell in hidden for cell, value in values.items() if 0 < value < 5)
    assert _recoverable(values, shape, hidden) == []


def test_a_lone_small_cell_hides_a_partner_in_its_row_and_its_column():
    shape = [["a", "b"], ["x", "y"]]
    values: dict[tuple[str, ...], int] = {
        ("a", "x"): 2,
        ("a", "y"): 20,
        ("b", "x"): 30,
        ("b", "y"): 40,
    }
    assert suppress_table(values, shape, 5) == set(values)


def test_a_zero_is_hidden_when_nothing_else_can_protect_a_small_count():
    # Every row and column total is published; with the 0 shown, they would give the 1 away.
    shape = [["a", "b"], ["x", "y"]]
    values: dict[tuple[str, ...], int] = {
        ("a", "x"): 1,
        ("a", "y"): 5,
        ("b", "x"): 5,
        ("b", "y"): 0,
    }
    assert suppress_table(values, shape, 5) == set(values)


def test_a_table_without_small_counts_hides_nothing():
    shape = [["a", "b"], ["x", "y"]]
    values: dict[tuple[str, ...], int] = {
        ("a", "x"): 0,
        ("a", "y"): 20,
        ("b", "x"): 30,
        ("b", "y"): 40,
    }
    assert suppress_table(values, shape, 5) == set()


def test_funnel_period_filter_narrows_counts(tmp_path):
    rows = _people("asian_pakistani", 6, ["referred"], "a", on=dt.date(2025, 1, 1))
    rows += _people("asian_pakistani", 7, ["referred"], "b", on=dt.date(2025, 6, 1))
    write_snapshot(tmp_path, rows)
    counts = count_cells(
        sorted(tmp_path.glob("*.parquet")),
        area_codes=[WEST_YORKSHIRE],
        area_kind="pfa",
        characteristics=["ethnic_group"],
        stages=breakdown.FUNNEL_STAGES,
        date_from=dt.date(2025, 5, 1),
        date_to=None,
    )[WEST_YORKSHIRE]
    assert counts.get(("asian_pakistani",), "referred") == 7
    assert counts.total["referred"] == 7


def test_funnel_counts_each_person_once_in_the_group_of_their_newest_record(tmp_path):
    early = _people("not_asked", 6, ["referred"], "a", on=dt.date(2025, 1, 1), age_band="18_24")
    later = [
        row
        for number in range(6)
        for row in person_events(
            f"a-not_asked-{number}", "asian_indian", ["offered"], on=dt.date(2025, 2, 1)
        )
    ]
    write_snapshot(tmp_path, early, at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC))
    # A later run wrote the first events again, and the newer answers.
    write_snapshot(tmp_path, early + later, at=dt.datetime(2025, 2, 2, tzinfo=dt.UTC))
    files = sorted(tmp_path.glob("*.parquet"))
    rows = _funnel(files)
    assert rows["asian_indian"]["referred"] == "6"
    assert rows["asian_indian"]["offered"] == "6"
    assert rows["not_asked"]["referred"] == "0"
    assert rows["total"]["referred"] == "6"

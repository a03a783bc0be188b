"""Decision 0155: a cross table too sparse to publish is withheld, so its exact zeros cannot
pin a small count.

The snapshot of ``test_attacker.py`` with 40 people (30 White British, ten spread over the
other groups) whose age band varies too, and the cross tables of ethnic group by sex, by age
band, and age band by sex: published with their exact zeros, the attacker pinned 16 small
counts (people of the not-asked group offered and accepting support among them).
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.urls import reverse

from bridgeway.conftest import WEST_YORKSHIRE as WEST_YORKSHIRE_CODE
from bridgeway.insight import breakdown
from bridgeway.insight.figures import CONFIDENTIAL_FIGURE
from bridgeway.insight.services import snapshot_write
from bridgeway.insight.sparse_tables import withheld_note, withheld_stages
from bridgeway.insight.tests.attacker import PINNED_WIDTH, attack, people_from_rows, publish_area
from bridgeway.insight.tests.factories import (
    BRADFORD,
    LEEDS,
    ServiceFactory,
    referral_through,
    snapshot_row,
    write_snapshot,
)
from bridgeway.insight.tests.test_attacker import PERIODS, THRESHOLD, WEST_YORKSHIRE, _rows

STAGES = ("referred", "offered", "accepted")
AT = dt.datetime(2025, 5, 10, 9, 30, tzinfo=dt.UTC)
CROSSINGS = (("ethnic_group", "sex"), ("ethnic_group", "age_band"), ("age_band", "sex"))


def test_no_small_count_is_pinned_through_sparse_cross_tables(tmp_path):
    rows = _rows(people=40, ages=("25_34", "35_44", "45_54"))
    path = write_snapshot(tmp_path / "snapshot", rows)
    published = publish_area(
        [path],
        pfa=WEST_YORKSHIRE,
        districts=[LEEDS, BRADFORD],
        periods=PERIODS,
        threshold=THRESHOLD,
        crossings=CROSSINGS,
    )
    pinned, attacked = attack(people_from_rows(rows), published, width=PINNED_WIDTH)
    assert attacked > 100
    assert pinned == [], f"{len(pinned)} of {attacked} small counts pinned: {pinned[:3]}"


def test_a_column_is_withheld_when_its_cells_are_too_many_or_mostly_small():
    # 20 cells: 100 people is 5 a cell, enough; 99 is not.
    dense = [40, 30, 20, 10] + [0] * 16
    assert withheld_stages({"referred": dense}, {"referred": 100}, ["referred"], 5) == ()
    assert withheld_stages({"referred": dense}, {"referred": 99}, ["referred"], 5) == ("referred",)
    # Enough people, but three of the five non-empty cells are small.
    skewed = [90, 6, 2, 1, 1] + [0] * 15
    assert withheld_stages({"referred": skewed}, {"referred": 100}, ["referred"], 5) == (
        "referred",
    )
    # A later stage is withheld with an earlier one; an earlier one can stand alone.
    cells = {"referred": dense, "offered": [4, 3] + [0] * 18, "accepted": dense}
    totals = {"referred": 100, "offered": 100, "accepted": 100}
    assert withheld_stages(cells, totals, STAGES, 5) == ("offered", "accepted")


def test_a_withheld_column_is_confidential_in_every_row_and_the_note_says_why():
    chosen = ["ethnic_group", "sex"]
    shape = [breakdown.groups(name) for name in chosen]
    # Everyone referred in one cell: 600 people is over 5 a cell of 110; few were offered.
    counts = breakdown.Counts(
        cells={("white_british", "female"): {"referred": 600, "offered": 3, "accepted": 2}},
        total={"referred": 600, "offered": 3, "accepted": 2},
        recorded_total={"referred": 600, "offered": 3, "accepted": 2},
    )
    assert breakdown.withheld_stages(counts, chosen, 5) == ("offered", "accepted")
    rows = breakdown.intersections_table(
        area_code="E23000010",
        area_name="West Yorkshire",
        characteristics=chosen,
        counts=counts,
        threshold=5,
    )
    assert len(rows) == len(list(itertools.product(*shape)))
    for row in rows:
        assert row["offered"] == CONFIDENTIAL_FIGURE
        assert row["accepted"] == CONFIDENTIAL_FIGURE
        assert row["take_up_ratio"] == CONFIDENTIAL_FIGURE
        assert row["referred"] != CONFIDENTIAL_FIGURE
    note = withheld_note("West Yorkshire", ("offered", "accepted"))
    assert "offered, accepted" in note
    assert "[c]" in withheld_note("Leeds", STAGES)


@pytest.mark.django_db
def test_the_dashboard_and_the_files_say_why_a_cross_table_is_not_shown(
    commissioner_client, organisation, snapshot_dir
):
    # Twelve people: far fewer than 5 for each of the 110 cells of ethnic group by sex.
    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    for _number in range(12):
        referral_through(service, ["offered", "accepted"], at=AT, ethnic_group="asian_indian")
    snapshot_write(out_dir=snapshot_dir)
    query = {"area": WEST_YORKSHIRE_CODE, "characteristic": "sex"}
    page = commissioner_client.get(reverse("insight:dashboard"), query).content.decode()
    intersections = page[page.index('id="intersections"') :].split("<h2")[0]
    assert "too few people here, spread over too many combinations" in intersections
    assert "<table" not in intersections  # words, not a table of [c]
    url = reverse("insight:report-file", args=["intersections", "csv"])
    notes = commissioner_client.get(url, query).content.decode()
    assert "too few people are spread over too many groups" in notes


def test_a_sparse_funnel_shows_its_totals_and_withholds_its_groups_zeros_too():
    # 30 people over 22 ethnic groups: under 5 a group, so every stage is withheld.
    counts = breakdown.Counts(
        cells={("white_british",): {"referred": 30, "offered": 20}},
        total={"referred": 30, "offered": 20},
        recorded_total={"referred": 30, "offered": 20},
    )
    assert breakdown.funnel_withheld(counts, "ethnic_group", 5) == breakdown.FUNNEL_STAGES
    rows = breakdown.funnel_table(
        area_code="E23000010",
        area_name="West Yorkshire",
        characteristic="ethnic_group",
        counts=counts,
        threshold=5,
    )
    total = rows[-1]
    assert total["group"] == "total"
    assert (total["referred"], total["offered"]) == ("30", "20")
    for row in rows[:-1]:
        assert row["referred"] == CONFIDENTIAL_FIGURE  # 30 White British and 0 alike
        assert row["offered_rate"] == CONFIDENTIAL_FIGURE


def _section(page: str, anchor: str) -> str:
    return page[page.index(f'id="{anchor}"') :].split("<h2")[0]


@pytest.mark.django_db
def test_the_dashboard_lists_no_one_referred_rows_when_only_take_up_is_withheld(
    commissioner_client, organisation, snapshot_dir
):
    # 600 women of one group referred and none offered: referred is dense enough to show
    # (over 5 for each of the 110 cells), offered and accepted are withheld. Only the one
    # combination with people in it is listed, as when nothing is withheld.
    ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    rows = [
        snapshot_row(ethnic_group="white_british", sex="female", occurred_on=AT.date())
        for _number in range(600)
    ]
    write_snapshot(snapshot_dir, rows)
    query = {"area": WEST_YORKSHIRE_CODE, "characteristic": "sex"}
    page = commissioner_client.get(reverse("insight:dashboard"), query).content.decode()
    intersections = _section(page, "intersections")
    assert "Too few people were offered or accepted support" in intersections
    listed = intersections.split("<tbody")[1].count('<th scope="row"')
    assert listed == 1

"""The insight page's charts: every bar carries its value, and small groups can be read
beside West Yorkshire's large White British majority (issue 12, item 9)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from bridgeway.insight.bars import ROOM
from bridgeway.insight.tests.factories import LEEDS, person_events, write_snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("raw_counts")]

DASHBOARD = reverse("insight:dashboard")
PEOPLE = {"white_british": 30, "asian_pakistani": 12, "asian_indian": 10, "black_african": 2}


@pytest.fixture
def snapshot(snapshot_dir):
    rows = [
        row
        for group, people in PEOPLE.items()
        for number in range(people)
        for row in person_events(
            f"{group}-{number}", group, ["referred", "offered"], lad_code=LEEDS
        )
    ]
    write_snapshot(snapshot_dir, rows)
    return snapshot_dir


def _chart(page: str) -> str:
    start = page.index("Referred share beside census share")
    return page[start : page.index("People referred and taking support up", start)]


def test_every_bar_of_the_chart_carries_its_value(commissioner_client, snapshot):
    response = commissioner_client.get(DASHBOARD)
    chart = _chart(response.content.decode())
    for row in response.context["rows"]:
        if row["is_total"] or not row["census_bar"]:
            continue
        values = [row["population_share"], row["referred_share"]]
        # The row's two values are printed after its bars, in this order.
        found = re.findall(r"<text[^>]*>([^<]*)</text>", chart.split(f">{row['label']}</th>")[1])
        assert found[:2] == values


@pytest.mark.usefixtures("no_table_withheld")  # the drawing, not decision 0160
def test_small_groups_can_be_read_beside_a_large_majority(commissioner_client, snapshot):
    response = commissioner_client.get(DASHBOARD)
    rows = {row["code"]: row for row in response.context["rows"]}
    majority = rows["white_british"]
    # About 73 % of West Yorkshire's residents: drawn against that, Pakistani (9 %) and
    # Indian (3 %) residents would be bars of a few pixels.
    assert majority["census_bar"].cut
    assert majority["census_bar"].width == ROOM
    # Drawn against the next largest share (Pakistani people, 12 of 54 referred), they can.
    assert rows["asian_pakistani"]["referred_bar"].width == ROOM
    assert not rows["asian_pakistani"]["referred_bar"].cut
    assert rows["asian_pakistani"]["census_bar"].width > ROOM / 4
    assert rows["asian_indian"]["census_bar"].width > ROOM / 20
    chart = _chart(response.content.decode())
    assert "are cut short, where a white break mark shows" in chart
    assert majority["label"] in chart.split("are cut short")[0].rsplit("The bars of", 1)[1]
    # The cut bar still says its real share.
    assert f">{majority['population_share']}</text>" in chart


def test_every_community_bar_carries_its_value(commissioner_client, snapshot):
    response = commissioner_client.get(DASHBOARD)
    page = response.content.decode()
    gaps = response.context["gap_rows"]
    assert gaps
    for row in gaps:
        assert f">{row['population_share']}</text>" in page
    # The largest community is far larger than the next: its bar is the one cut.
    assert [row["label"] for row in gaps if row["bar"].cut] == response.context["gap_cut"]
    assert len(response.context["gap_cut"]) == 1


@pytest.mark.usefixtures("no_table_withheld")  # the drawing, not decision 0160
def test_the_roll_up_applies_to_the_needs_assessment_and_its_downloads(
    commissioner_client, snapshot
):
    response = commissioner_client.get(DASHBOARD, {"roll_up": "on"})
    rows = {row["code"]: row for row in response.context["rows"]}
    assert rows["asian"]["label"] == "Asian, Asian British or Asian Welsh"
    assert rows["white"]["referred"] == "30"
    assert "asian_pakistani" not in rows
    csv_url = response.context["csv_url"]
    assert "roll_up=on" in csv_url
    assert all("roll_up=on" in url for url in response.context["file_urls"].values())
    lines = commissioner_client.get(csv_url).content.decode().splitlines()
    groups = [line.split(",")[2] for line in lines[1:]]
    assert groups[:5] == ["asian", "black", "mixed", "white", "other"]
    # Without it, the 19 groups.
    response = commissioner_client.get(DASHBOARD)
    assert "asian_pakistani" in {row["code"] for row in response.context["rows"]}
    assert "roll_up" not in response.context["csv_url"]

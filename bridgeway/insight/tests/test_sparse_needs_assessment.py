"""Decision 0160: the needs assessment by the 19 ethnic groups is under the sparse rule of
decision 0155, and the five high-level groups stand in where they show more (decision 0158).

A hand-made snapshot of 40 people in West Yorkshire over five ethnic groups, its two districts
and two overlapping periods, with the needs assessment alone published (by the 19 groups and
the roll-up, each with what its shares and take-up ratios imply): before the rule the
attacker pinned small counts of the area and its districts through the 19 groups' exact zeros
and the recorded-groups totals; with it, none. The ``no_table_withheld`` control shows the
attacker still can.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bridgeway.conftest import WEST_YORKSHIRE as WEST_YORKSHIRE_CODE
from bridgeway.equality.vocabulary import NOT_KNOWN_CODES
from bridgeway.insight.figures import CONFIDENTIAL_FIGURE
from bridgeway.insight.needs_assessment import (
    AreaPopulation,
    GroupCounts,
    PeopleCounts,
    published_assessment,
)
from bridgeway.insight.tests.attacker import PINNED_WIDTH, attack, people_from_rows, publish_area
from bridgeway.insight.tests.factories import BRADFORD, LEEDS, write_snapshot
from bridgeway.insight.tests.test_attacker import PERIODS, THRESHOLD, WEST_YORKSHIRE
from bridgeway.insight.tests.test_coarsened_tables import (
    ENGLISH,
    FILE_NOTE,
    WELSH,
    _dashboard,
    _people,
)
from bridgeway.insight.tests.test_sparse_provider_tables import _rows

AREA = AreaPopulation("E23000010", "West Yorkshire", "pfa", {"white_british": 900})


# 40 people, seed 1: the area's and districts' groups pinned; 60 people, seed 2: the area's
# "not asked" accepted in June (true 1) by the total minus the recorded total (decision 0157).
SNAPSHOTS = pytest.mark.parametrize(("people", "seed"), [(40, 1), (60, 2)])


def _attack(tmp_path, people, seed):
    rows = _rows(people=people, seed=seed)
    path = write_snapshot(tmp_path / "snapshot", rows)
    published = publish_area(
        [path],
        pfa=WEST_YORKSHIRE,
        districts=[LEEDS, BRADFORD],
        periods=PERIODS,
        threshold=THRESHOLD,
        providers=False,
        crossings=(),
        one_way=(),
    )
    return attack(people_from_rows(rows), published, width=PINNED_WIDTH)


@SNAPSHOTS
def test_no_small_count_is_pinned_through_the_needs_assessment(tmp_path, people, seed):
    pinned, attacked = _attack(tmp_path, people, seed)
    assert attacked > 40
    assert pinned == [], f"{len(pinned)} of {attacked} small counts pinned: {pinned[:3]}"


@SNAPSHOTS
@pytest.mark.usefixtures("no_table_withheld")
def test_with_the_needs_assessment_shown_in_full_the_attacker_pins_small_counts(
    tmp_path, people, seed
):
    """The control, and the leak before decision 0160: perturbed as published, nothing
    withheld, the 19 groups' exact zeros and the recorded totals pin small counts."""
    pinned, attacked = _attack(tmp_path, people, seed)
    assert attacked > 40
    assert pinned
    assert all(finding.low == pytest.approx(finding.true) for finding in pinned)


def _counted(by_group: dict[str, GroupCounts], rolled_up: dict[str, GroupCounts]) -> PeopleCounts:
    total = GroupCounts(
        *(
            sum(getattr(c, s) for c in by_group.values())
            for s in ("referred", "offered", "accepted")
        )
    )
    recorded = GroupCounts(
        *(
            sum(getattr(c, s) for g, c in by_group.items() if g not in NOT_KNOWN_CODES)
            for s in ("referred", "offered", "accepted")
        )
    )
    return PeopleCounts(by_group, None, None, total, recorded, rolled_up)


def test_a_sparse_needs_assessment_withholds_every_group_zeros_too_and_keeps_its_total():
    # 30 people: under the 110 the 19 groups and the missing answers need (22 cells), and
    # under the 40 the five groups need (8 cells): withheld at both levels, the 19 shown.
    counted = _counted(
        {"white_british": GroupCounts(28, 20, 10), "not_asked": GroupCounts(2, 0, 0)},
        {"white": GroupCounts(28, 20, 10), "not_asked": GroupCounts(2, 0, 0)},
    )
    published = published_assessment(AREA, counted, threshold=THRESHOLD)
    assert published.withheld == ("referred", "offered", "accepted")
    assert not published.coarsened
    *groups, total = published.rows
    assert len(groups) == 22
    assert (total["referred"], total["offered"], total["accepted"]) == ("30", "20", "10")
    for row in groups:
        for column in ("referred", "referred_share", "offered", "accepted", "take_up_ratio"):
            assert row[column] == CONFIDENTIAL_FIGURE, (row["ethnic_group"], column)


def test_the_five_groups_stand_in_for_a_sparse_needs_assessment_where_they_show_more():
    # 60 people over one group of each high-level group: withheld by the 19, shown by the 5.
    counts = GroupCounts(12, 12, 12)
    counted = _counted(
        {
            code: counts
            for code in (
                "asian_indian",
                "black_african",
                "mixed_white_asian",
                "white_british",
                "other_arab",
            )
        },
        {code: counts for code in ("asian", "black", "mixed", "white", "other")},
    )
    published = published_assessment(AREA, counted, threshold=THRESHOLD)
    assert published.coarsened
    assert published.withheld == ()
    codes = [row["ethnic_group"] for row in published.rows]
    assert codes[:5] == ["asian", "black", "mixed", "white", "other"]
    assert all(CONFIDENTIAL_FIGURE not in row.values() for row in published.rows)
    # A roll-up asked for is the same rows, and not said to stand in.
    asked = published_assessment(AREA, counted, threshold=THRESHOLD, roll_up=True)
    assert asked.rows == published.rows
    assert not asked.coarsened


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "sentence"), [("en", ENGLISH), ("cy", WELSH)])
def test_a_commissioner_sees_the_needs_assessment_by_the_five_groups_and_why(
    commissioner, snapshot_dir, language, sentence
):
    write_snapshot(snapshot_dir, _people(60, ("referred", "offered", "accepted")))
    page = _dashboard(commissioner, {}, language)
    # The sentence above the needs assessment's table (the funnel's comes after it).
    above, assessment = page.split("bw-stacked-table", 1)
    assert sentence in above
    assessment = assessment[: assessment.index('id="funnel"')]
    assert "[c]" not in assessment
    assert ">Indian<" not in assessment


@pytest.mark.django_db
def test_the_needs_assessment_files_say_why_the_five_groups_stand_in(
    commissioner_client, snapshot_dir
):
    write_snapshot(snapshot_dir, _people(60, ("referred", "offered", "accepted")))
    query = {"area": WEST_YORKSHIRE_CODE}
    contract = commissioner_client.get(reverse("insight:needs-assessment-csv"), query)
    lines = contract.content.decode().splitlines()
    assert lines[0].startswith("area_code,area_name,ethnic_group,")  # the contract's header
    assert [line.split(",")[2] for line in lines[1:6]] == [
        "asian",
        "black",
        "mixed",
        "white",
        "other",
    ]
    xlsx = reverse("insight:needs-assessment-file", args=["xlsx"])
    workbook = load_workbook(io.BytesIO(commissioner_client.get(xlsx, query).content))
    notes = [str(cell.value) for cell in workbook["Notes"]["B"] if cell.value]
    assert any(FILE_NOTE in note for note in notes)

"""The needs assessment by the five high-level ethnic groups (issue 12, item 9: the roll-up
applies to every table it is offered beside)."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import proportion_confint

from bridgeway.insight.needs_assessment import (
    STAGES,
    AreaPopulation,
    GroupCounts,
    needs_assessment_table,
    protected_roll_up,
)
from bridgeway.insight.perturbation import KeyedCount

# Arithmetic checked against statsmodels on the counts as given (no perturbation).
pytestmark = pytest.mark.usefixtures("raw_counts")

AREA = AreaPopulation(
    code="E23000010",
    name="West Yorkshire",
    kind="pfa",
    population={
        "white_british": 700,
        "white_irish": 20,
        "asian_pakistani": 150,
        "asian_indian": 60,
        "black_african": 50,
        "black_caribbean": 20,
    },
)
COUNTS = {
    "white_british": GroupCounts(referred=40, offered=30, accepted=20),
    "white_irish": GroupCounts(referred=2, offered=2, accepted=1),
    "asian_pakistani": GroupCounts(referred=12, offered=10, accepted=8),
    "asian_indian": GroupCounts(referred=4, offered=3, accepted=3),
    "black_african": GroupCounts(referred=3, offered=2, accepted=1),
    "black_caribbean": GroupCounts(referred=3, offered=3, accepted=2),
    "not_asked": GroupCounts(referred=6),
}

# Each high-level group's own cell (decision 0142), here unperturbed: its groups' people.
ROLLED_UP = protected_roll_up(
    {
        group: {stage: KeyedCount(getattr(counts, stage), 0) for stage in STAGES}
        for group, counts in COUNTS.items()
    },
    perturb=False,
)


def _by_group(rows):
    return {row["ethnic_group"]: row for row in rows}


def test_rolled_up_rows_are_the_five_groups_then_the_missing_answers_and_the_total():
    rows = needs_assessment_table(
        AREA, COUNTS, threshold=5, roll_up=True, rolled_up_counts=ROLLED_UP
    )
    assert [row["ethnic_group"] for row in rows] == [
        "asian",
        "black",
        "mixed",
        "white",
        "other",
        "not_asked",
        "prefer_not_to_say",
        "not_recorded",
        "total",
    ]
    assert rows[0]["ethnic_group_label"] == "Asian, Asian British or Asian Welsh"


def test_a_high_level_group_holds_the_people_and_residents_of_its_groups():
    rows = _by_group(
        needs_assessment_table(AREA, COUNTS, threshold=5, roll_up=True, rolled_up_counts=ROLLED_UP)
    )
    asian, black = rows["asian"], rows["black"]
    assert (asian["referred"], asian["offered"]) == ("16", "13")
    # Suppression works on the rolled-up groups: three Black people accepted support, so that
    # is hidden, and with it the next smallest (the Asian group's 11).
    assert (black["accepted"], asian["accepted"], rows["white"]["accepted"]) == ("[c]", "[c]", "21")
    assert asian["population"] == "210"
    assert asian["population_share"] == f"{210 / 1000:.4f}"
    # Three and three people are each hidden in the 19 groups, but six Black people are not.
    assert black["referred"] == "6"
    assert rows["total"]["referred"] == "70"
    # The share of referred people is among the 64 whose group was recorded.
    assert asian["referred_share"] == f"{16 / 64:.4f}"
    # Representation: the share of referred over the share of residents, with the Wilson
    # interval of the referred share (statsmodels as the independent reference).
    low, high = proportion_confint(16, 64, method="wilson")
    assert asian["representation_ratio"] == f"{(16 / 64) / 0.21:.3f}"
    assert (asian["representation_low"], asian["representation_high"]) == (
        f"{low / 0.21:.3f}",
        f"{high / 0.21:.3f}",
    )


def test_without_the_roll_up_the_table_keeps_the_19_groups():
    rows = _by_group(needs_assessment_table(AREA, COUNTS, threshold=5))
    assert "asian" not in rows
    assert rows["asian_pakistani"]["referred"] == "12"
    assert rows["black_african"]["referred"] == "[c]"

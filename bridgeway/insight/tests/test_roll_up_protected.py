"""Issue 14, lead (b): a high-level ethnic group's roll-up must not give back a hidden group.

The needs assessment's roll-up ("Black" = African + Caribbean + Other Black) was the sum of its
groups' published counts, so the roll-up minus the groups a reader can see was the hidden
group's published count, exactly (decision 0142). Each high-level group is now counted over its
own people and perturbed as a cell of its own (``protected_roll_up``), and the table refuses to
roll up without those cells.
"""

from __future__ import annotations

import random
from functools import partial

import pytest

from bridgeway.insight import perturbation
from bridgeway.insight.needs_assessment import (
    STAGES,
    AreaPopulation,
    GroupCounts,
    needs_assessment_table,
    protected_counts,
    protected_roll_up,
)
from bridgeway.insight.perturbation import KeyedCount, combine

AREA = AreaPopulation(
    code="E23000010",
    name="West Yorkshire",
    kind="pfa",
    population={
        "white_british": 700,
        "white_irish": 30,
        "black_african": 50,
        "black_caribbean": 40,
    },
)
# Published (perturbed) detailed counts: Other Black 1 is hidden in the detailed table (and
# White Irish with it, the second cell hidden in the column), as in issue 14's example.
COUNTS = {
    "white_british": GroupCounts(referred=40, offered=30, accepted=20),
    "white_irish": GroupCounts(referred=3, offered=0, accepted=0),
    "black_african": GroupCounts(referred=20, offered=0, accepted=0),
    "black_caribbean": GroupCounts(referred=10, offered=0, accepted=0),
    "black_other": GroupCounts(referred=1, offered=0, accepted=0),
}


def _referred(rows, group):
    (row,) = [row for row in rows if row["ethnic_group"] == group]
    return row["referred"]


def test_the_table_refuses_to_roll_up_without_the_high_level_groups_own_cells():
    with pytest.raises(ValueError, match="own cells"):
        needs_assessment_table(AREA, COUNTS, threshold=5, roll_up=True)


def _keyed_tallies(keys: random.Random):
    """The true counts behind ``COUNTS``, each cell with a record-key sum drawn from ``keys``."""
    return {
        group: {
            stage: KeyedCount(getattr(counts, stage), keys.randrange(perturbation.KEY_MODULUS))
            for stage in STAGES
        }
        for group, counts in COUNTS.items()
    }


def test_black_minus_the_visible_black_groups_does_not_give_back_the_hidden_one():
    """Published from their own cells, the roll-up minus the visible groups is the hidden
    Other Black 1 only by chance: over many sets of people (record keys) it takes many values,
    so a reader who subtracts learns nothing certain."""
    keys = random.Random(14)
    recovered = []
    for _draw in range(200):
        tallies = _keyed_tallies(keys)
        by_group, totals, recorded_totals = protected_counts(tallies, perturb=True)
        table = partial(
            needs_assessment_table,
            AREA,
            by_group,
            threshold=5,
            totals=totals,
            recorded_totals=recorded_totals,
        )
        detailed = table()
        rolled = table(roll_up=True, rolled_up_counts=protected_roll_up(tallies, perturb=True))
        if _referred(detailed, "black_other").value is not None:
            continue  # published: nothing to recover
        african = _referred(detailed, "black_african").value
        caribbean = _referred(detailed, "black_caribbean").value
        black = _referred(rolled, "black").value
        if None not in (african, caribbean, black):
            recovered.append(black - african - caribbean)
    assert len(recovered) > 100
    # The sum of published counts gave 1 every time; the own cell gives 1 at most by chance.
    assert recovered.count(1) < len(recovered) / 4
    assert len(set(recovered)) >= 7


def test_each_high_level_group_is_perturbed_as_its_own_cell():
    african = KeyedCount(20, 1234)
    caribbean = KeyedCount(10, 5678)
    other = KeyedCount(1, 91011)
    tallies = {
        "black_african": {"referred": african},
        "black_caribbean": {"referred": caribbean},
        "black_other": {"referred": other},
    }
    rolled = protected_roll_up(tallies, perturb=True)
    own_cell = perturbation.perturb(combine([african, caribbean, other]))
    assert rolled["black"].referred == own_cell
    # The same people give the same cell, so the same published count every time.
    assert protected_roll_up(tallies, perturb=True) == rolled
    assert protected_roll_up(tallies, perturb=False)["black"].referred == 31

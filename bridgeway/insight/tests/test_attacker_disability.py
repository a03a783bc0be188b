"""Issue 14: the attacker reads the tables by disability too.

A person may have several disabilities, and the funnel and its crossing with ethnic group count
them in the group of each (``NO_DISABILITY`` when they have none), so those tables' lines add
up to no published total. The attacker holds a person's disabilities as one value
(``known_people.disability_value``) and counts them in each group it lists. A hand-made
snapshot in West Yorkshire (two districts, two providers, two overlapping periods) where people
have no disability, one or two: with the protection as it is no small count of the disability
tables is pinned; without it (a control) the attacker recovers them exactly.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from bridgeway.insight import breakdown, scrutiny
from bridgeway.insight.breakdown import NO_DISABILITY
from bridgeway.insight.tests.attacker import PINNED_WIDTH, Query, attack, publish_area
from bridgeway.insight.tests.factories import BRADFORD, LEEDS, snapshot_row, write_snapshot
from bridgeway.insight.tests.known_people import people_from_rows
from bridgeway.insight.tests.test_attacker import (
    GROUPS,
    JUNE,
    MAY,
    PERIODS,
    SERVICES,
    THRESHOLD,
    WEST_YORKSHIRE,
)

# Two common disabilities, two rarer ones and one held by a few (SIGHT_EVERY), so the funnel
# by disability is published (most of its non-empty cells are not small) and still has small
# cells in the districts and periods.
DISABILITIES = ["mental_health"] * 6 + ["physical"] * 6 + ["autism", "learning_disability"]
SIGHT_EVERY = 50
# Each person reaches the stages in order, through the contact and the assessment.
STAGE_RUNS = [breakdown.FUNNEL_STAGES[:n] for n in (1, 3, 4, 5)]
PEOPLE = 400
# The dashboard's funnel by disability and its crossing with ethnic group (views._breakdowns).
ONE_WAY = ("ethnic_group", "disability")
CROSSINGS = (("ethnic_group", "disability"),)


def _disabilities(chooser: random.Random) -> list[str]:
    """None, one or two different disabilities."""
    chosen: list[str] = []
    for _number in range(chooser.choice([0, 0, 1, 1, 2])):
        chosen.append(chooser.choice([code for code in DISABILITIES if code not in chosen]))
    return chosen


def _rows(people: int = PEOPLE) -> list[dict[str, object]]:
    """A majority group, and people with no disability, one or two, so the cells of a
    disability (and of a disability with an ethnic group) in a district or a month hold 1 to
    6 people. Sex, age, religion and sexual orientation take one value each, to keep the
    attacker's unknowns few."""
    chooser = random.Random(1414)
    rows: list[dict[str, object]] = []
    for number in range(people):
        group = "white_british" if number < people // 2 else chooser.choice(GROUPS)
        disabilities = _disabilities(chooser)
        if number % SIGHT_EVERY == 7:
            disabilities.append("sight")
        lad = chooser.choice([LEEDS, LEEDS, BRADFORD])
        organisation, service, specialist = chooser.choice(SERVICES)
        on = chooser.choice([MAY, JUNE])
        stages = chooser.choice(STAGE_RUNS)
        person = f"{number:04x}" + "d" * 60
        rows.extend(
            snapshot_row(
                event_id=f"{person}-{stage}",
                person_key=person,
                case_key=f"case-{number}",
                organisation_key=organisation,
                service_key=service,
                service_specialist=specialist,
                stage=stage,
                occurred_on=on,
                lad_code=lad,
                pfa_code=WEST_YORKSHIRE,
                ethnic_group=group,
                sex="female",
                age_band="25_34",
                disabilities=disabilities,
            )
            for stage in stages
        )
    return rows


def test_a_person_is_counted_under_each_of_their_disabilities():
    """As ``breakdown`` counts them: in the group of each disability listed, and in
    ``NO_DISABILITY`` when the list is empty."""
    rows = [
        snapshot_row(person_key="two", disabilities=["physical", "autism"]),
        snapshot_row(person_key="none", disabilities=[]),
    ]
    two, none = people_from_rows(rows, ("ethnic_group", "disability"))
    assert two.group("disability") == "autism+physical"
    assert none.group("disability") == NO_DISABILITY
    referred = Query(WEST_YORKSHIRE, "pfa", (None, None), "referred")

    def counted(code: str) -> list[bool]:
        query = replace(referred, groups=(("disability", code),))
        return [query.counts(two), query.counts(none)]

    assert counted("autism") == counted("physical") == [True, False]
    assert counted("sight") == [False, False]
    assert counted(NO_DISABILITY) == [False, True]


def _by_disability(query: Query) -> bool:
    return any(name == "disability" for name, _code in query.groups)


def _attack(tmp_path, *, width=PINNED_WIDTH, stop_after=None, exact=False):
    rows = _rows()
    path = write_snapshot(tmp_path / "snapshot", rows)
    published = publish_area(
        [path],
        pfa=WEST_YORKSHIRE,
        districts=[LEEDS, BRADFORD],
        periods=PERIODS,
        threshold=THRESHOLD,
        crossings=CROSSINGS,
        one_way=ONE_WAY,
        exact=exact,
    )
    people = people_from_rows(rows, (*scrutiny.QUALITY_CHARACTERISTICS, "disability"))
    found = attack(people, published, width=width, stop_after=stop_after, only=_by_disability)
    return found, published


def test_the_attacker_pins_no_small_count_of_the_disability_tables(tmp_path):
    """Every output for the area, its districts and both periods, the funnel by disability
    and its crossing with ethnic group (by the 19 groups and the five) among them."""
    (pinned, attacked), published = _attack(tmp_path)
    by_disability = [high for query, _low, high in published.cells if _by_disability(query)]
    # The disability tables were read, and not only as [c]: the funnel is shown in every area
    # and period (its later stages where enough people reached them), and the crossing with
    # the five groups in the force area over both months; their small cells were attacked.
    assert len(by_disability) > 1_000
    assert sum(high is not None for high in by_disability) > 100
    assert attacked > 50
    assert pinned == [], f"{len(pinned)} of {attacked} small counts pinned: {pinned[:3]}"


def test_without_perturbation_the_attacker_recovers_small_counts_by_disability(
    tmp_path, raw_counts, no_table_withheld
):
    """The control: against suppression alone, every table shown, the attacker recovers
    small counts of the disability tables exactly."""
    (exact, attacked), _published = _attack(tmp_path, width=0.5, stop_after=10, exact=True)
    assert attacked > 50
    assert all(_by_disability(finding.query) for finding in exact)
    assert len(exact) == 10
    assert all(finding.low == pytest.approx(finding.true) for finding in exact)

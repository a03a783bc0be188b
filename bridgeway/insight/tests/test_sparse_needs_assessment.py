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

import pytest

from bridgeway.insight.tests.attacker import PINNED_WIDTH, attack, people_from_rows, publish_area
from bridgeway.insight.tests.factories import BRADFORD, LEEDS, write_snapshot
from bridgeway.insight.tests.test_attacker import PERIODS, THRESHOLD, WEST_YORKSHIRE
from bridgeway.insight.tests.test_sparse_provider_tables import _rows

def _attack(tmp_path):
    rows = _rows(people=40, seed=1)
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


def test_no_small_count_is_pinned_through_the_needs_assessment(tmp_path):
    pinned, attacked = _attack(tmp_path)
    assert attacked > 40
    assert pinned == [], f"{len(pinned)} of {attacked} small counts pinned: {pinned[:3]}"


@pytest.mark.usefixtures("no_table_withheld")
def test_with_the_needs_assessment_shown_in_full_the_attacker_pins_small_counts(tmp_path):
    """The control, and the leak before decision 0160: perturbed as published, nothing
    withheld, the 19 groups' exact zeros and the recorded totals pin small counts."""
    pinned, attacked = _attack(tmp_path)
    assert attacked > 40
    assert pinned
    assert all(finding.low == pytest.approx(finding.true) for finding in pinned)

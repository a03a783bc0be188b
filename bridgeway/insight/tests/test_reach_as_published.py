"""Decision 0164: commissioning's reach ("did the money reach them?", ``service_reach_report``)
shows for a service, area and period only the very figures provider scrutiny publishes for
that provider, area and period, so it gives back none of the cells decision 0157 withholds.

The hand-made snapshot of ``test_sparse_provider_tables`` (five providers in West Yorkshire,
each too small for a table by group), its two districts and two overlapping periods.
"""

from __future__ import annotations

import pytest

from bridgeway.insight.figures import CONFIDENTIAL_FIGURE
from bridgeway.insight.needs_assessment import TOTAL
from bridgeway.insight.reports import provider_report, service_reach_report
from bridgeway.insight.tests.factories import BRADFORD, LEEDS, write_snapshot
from bridgeway.insight.tests.test_attacker import PERIODS, WEST_YORKSHIRE
from bridgeway.insight.tests.test_sparse_provider_tables import PROVIDERS, _rows

# The names differ (the reach is given the commissioner's names); every figure must not.
NAMED = "provider_name"


@pytest.mark.django_db
def test_the_reach_shows_only_what_provider_scrutiny_publishes(tmp_path, settings):
    settings.SUPPRESSION_THRESHOLD = 5
    snapshot_dir = tmp_path / "snapshot"
    # The attack test reads its rows directly; a snapshot file holds the vocabulary's codes.
    rows = [
        {**row, "sexual_orientation": "straight"}
        if row["sexual_orientation"] == "heterosexual"
        else row
        for row in _rows()
    ]
    write_snapshot(snapshot_dir, rows)
    compared = 0
    withheld_groups = 0
    for area_code in (WEST_YORKSHIRE, LEEDS, BRADFORD):
        for date_from, date_to in PERIODS:
            published = {
                (row["service_key"], row["ethnic_group"]): row
                for row in provider_report(
                    snapshot_dir=snapshot_dir,
                    area_code=area_code,
                    date_from=date_from,
                    date_to=date_to,
                ).rows
            }
            for _organisation, service_key, _specialist in PROVIDERS:
                reach = service_reach_report(
                    snapshot_dir=snapshot_dir,
                    area_code=area_code,
                    service_keys={service_key: "A funded service"},
                    date_from=date_from,
                    date_to=date_to,
                )
                for row in reach.rows:
                    shown = published[(row["service_key"], row["ethnic_group"])]
                    place = (area_code, date_from, service_key, row["ethnic_group"])
                    for column in reach.header:
                        if column != NAMED:
                            assert row[column] == shown[column], (*place, column)
                    compared += 1
                    if row["ethnic_group"] != TOTAL and shown["referred"] == CONFIDENTIAL_FIGURE:
                        withheld_groups += 1
    # Every provider here is withheld by group, so most group lines are [c] as published.
    assert compared > 600
    assert withheld_groups > 550

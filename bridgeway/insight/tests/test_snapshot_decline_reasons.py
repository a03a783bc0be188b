"""The snapshot's decline_reason column: on the declining event only (decision 0084)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bridgeway.accounts.models import Organisation
from bridgeway.casework.models import Referral
from bridgeway.insight.services import snapshot_write
from bridgeway.insight.snapshot import SnapshotError, validate_snapshot
from bridgeway.insight.tests.factories import LEEDS, ServiceFactory, referral_through

pytestmark = pytest.mark.django_db
AT = dt.datetime(2025, 5, 10, 10, tzinfo=dt.UTC)


def _rows(directory: Path) -> list[dict[str, object]]:
    return pq.read_table(sorted(directory.glob("events-*.parquet"))).to_pylist()


def test_the_reason_is_on_the_declining_event_only(
    organisation: Organisation, snapshot_dir: Path
) -> None:
    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    referral_through(
        service,
        ["contacted", "offered", "declined", "closed"],
        at=AT,
        decline_reason="service_full",
    )
    # Declined before reasons were asked: the reason is unknown, not made up.
    older = referral_through(service, ["declined"], at=AT, decline_reason="other")
    Referral.objects.filter(pk=older.pk).update(decline_reason="")

    snapshot_write(out_dir=snapshot_dir)
    validate_snapshot(snapshot_dir)

    reasons = sorted((row["stage"], row["decline_reason"] or "") for row in _rows(snapshot_dir))
    assert reasons.count(("declined", "service_full")) == 1
    assert reasons.count(("declined", "")) == 1
    assert {reason for stage, reason in reasons if stage != "declined"} == {""}
    assert len(reasons) == 7


def test_reasons_counted_by_group_match_an_independent_count(
    organisation: Organisation, snapshot_dir: Path
) -> None:
    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    cases = [
        ("black_african", "outside_area"),
        ("black_african", "service_full"),
        ("asian_pakistani", "outside_area"),
        ("asian_pakistani", "outside_area"),
        ("white_british", "person_withdrew"),
    ]
    for group, reason in cases:
        referral_through(service, ["declined"], at=AT, ethnic_group=group, decline_reason=reason)
    referral_through(service, ["contacted"], at=AT, ethnic_group="black_african")

    snapshot_write(out_dir=snapshot_dir)
    counted: dict[tuple[str, str], int] = {}
    for row in _rows(snapshot_dir):
        if row["decline_reason"]:
            key = (str(row["ethnic_group"]), str(row["decline_reason"]))
            counted[key] = counted.get(key, 0) + 1

    expected: dict[tuple[str, str], int] = {}
    for case in cases:
        expected[case] = expected.get(case, 0) + 1
    assert counted == expected


def test_a_snapshot_with_a_reason_on_another_stage_is_refused(
    organisation: Organisation, snapshot_dir: Path
) -> None:
    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    referral_through(service, ["declined"], at=AT, decline_reason="service_full")
    snapshot_write(out_dir=snapshot_dir)
    path = sorted(snapshot_dir.glob("events-*.parquet"))[0]
    table = pq.read_table(path)
    forged = table.set_column(
        table.schema.get_field_index("decline_reason"),
        "decline_reason",
        pa.array(["service_full"] * table.num_rows, pa.string()),
    )
    pq.write_table(forged, path)

    with pytest.raises(SnapshotError, match="decline_reason"):
        validate_snapshot(snapshot_dir)

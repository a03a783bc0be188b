"""Each person's number in the snapshot: one to one with person_key across every part and
run, never given to a second person, rebuilt from the parts when its file cannot be trusted;
and their record key, stored beside it (decision 0150)."""

from __future__ import annotations

import datetime as dt
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bridgeway.casework.services import referral_advance
from bridgeway.insight.needs_assessment import count_people
from bridgeway.insight.perturbation import record_key
from bridgeway.insight.services import snapshot_write
from bridgeway.insight.snapshot import (
    GIVEN_SCHEMA,
    PERSON_NUMBERS_FILE,
    SnapshotError,
    validate_snapshot,
)
from bridgeway.insight.tests.factories import (
    LEEDS,
    ServiceFactory,
    person_events,
    referral_through,
    snapshot_row,
    write_snapshot,
)

pytestmark = pytest.mark.django_db

AT = dt.datetime(2025, 5, 10, 9, 30, tzinfo=dt.UTC)
LATER = dt.datetime(2025, 7, 2, 12, 0, tzinfo=dt.UTC)


def _pairs(directory):
    """Every (person_key, person_number) the parts hold, and each part's numbers."""
    table = pq.read_table(sorted(directory.glob("events-*.parquet")))
    return set(
        zip(table["person_key"].to_pylist(), table["person_number"].to_pylist(), strict=True)
    )


def _one_to_one(pairs):
    keys = {key for key, _number in pairs}
    numbers = {number for _key, number in pairs}
    return len(keys) == len(numbers) == len(pairs)


def test_a_person_keeps_their_number_in_every_run(organisation, snapshot_dir):
    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    first = referral_through(service, ["contacted"], at=AT, ethnic_group="black_caribbean")
    referral_through(service, [], at=AT, ethnic_group="asian_indian")
    snapshot_write(out_dir=snapshot_dir)
    referral_advance(referral=first, stage="offered", actor=None, at=AT + dt.timedelta(days=5))
    referral_through(service, [], at=AT, ethnic_group="asian_chinese")
    second = snapshot_write(out_dir=snapshot_dir)

    pairs = _pairs(snapshot_dir)
    assert second.events_written == 2
    assert len(pairs) == 3  # three people, each with one number, in both parts
    assert _one_to_one(pairs)
    assert sorted(number for _key, number in pairs) == [0, 1, 2]
    # And each row's record key is perturbation's, from the pseudonym's hexadecimal text.
    table = pq.read_table(sorted(snapshot_dir.glob("events-*.parquet")))
    assert table["record_key"].to_pylist() == [
        record_key(key.hex()) for key in table["person_key"].to_pylist()
    ]


def test_numbers_lost_are_rebuilt_from_the_parts_and_never_reused(tmp_path):
    write_snapshot(tmp_path, person_events("alice", "asian_indian", ["referred"]))
    (tmp_path / PERSON_NUMBERS_FILE).unlink()
    write_snapshot(
        tmp_path,
        person_events("bob", "asian_indian", ["referred"])
        + person_events("alice", "asian_indian", ["offered"]),
        at=LATER,
    )
    pairs = _pairs(tmp_path)
    assert len(pairs) == 2
    assert _one_to_one(pairs)


def test_numbers_that_do_not_name_the_parts_are_not_trusted(tmp_path):
    # A file left from an earlier state of the directory (here: before its second part was
    # written) would give the second part's people's numbers to newcomers.
    write_snapshot(tmp_path, person_events("alice", "asian_indian", ["referred"]))
    stale = tmp_path / "stale.parquet"
    shutil.copy(tmp_path / PERSON_NUMBERS_FILE, stale)
    write_snapshot(tmp_path, person_events("bob", "asian_indian", ["referred"]), at=LATER)
    shutil.copy(stale, tmp_path / PERSON_NUMBERS_FILE)
    write_snapshot(
        tmp_path, person_events("carol", "asian_indian", ["referred"]), at=LATER + dt.timedelta(1)
    )
    pairs = _pairs(tmp_path)
    assert len(pairs) == 3
    assert _one_to_one(pairs)


def test_parts_that_give_a_person_two_numbers_stop_the_next_write(tmp_path):
    path = write_snapshot(tmp_path, person_events("alice", "asian_indian", ["referred", "offered"]))
    table = pq.read_table(path)
    numbers = table.schema.get_field_index("person_number")
    pq.write_table(table.set_column(numbers, "person_number", pa.array([0, 1], pa.int32())), path)
    (tmp_path / PERSON_NUMBERS_FILE).unlink()
    with pytest.raises(SnapshotError, match="a person has two numbers"):
        write_snapshot(tmp_path, person_events("bob", "asian_indian", ["referred"]), at=LATER)


def test_a_part_without_person_numbers_is_named(tmp_path):
    # As a part written before decision 0150 is: every column but the person's number.
    table = pa.Table.from_pylist([snapshot_row()], schema=GIVEN_SCHEMA)
    pq.write_table(table, tmp_path / "events-1.parquet")
    with pytest.raises(SnapshotError, match=r"events-1\.parquet: column person_number is missing"):
        validate_snapshot(tmp_path)


def test_people_are_counted_once_across_runs(tmp_path):
    # Alice's newest record (the second part) puts her in the Indian group for every stage.
    write_snapshot(tmp_path, person_events("alice", "asian_chinese", ["referred"]))
    write_snapshot(
        tmp_path,
        person_events("alice", "asian_indian", ["referred", "offered"])
        + person_events("bob", "asian_chinese", ["referred"]),
        at=LATER,
    )
    counts = count_people(
        sorted(tmp_path.glob("events-*.parquet")),
        area_code="E23000010",
        area_kind="pfa",
        date_from=None,
        date_to=None,
        perturb=False,
    )
    assert {group: (c.referred, c.offered) for group, c in counts.by_group.items()} == {
        "asian_indian": (1, 1),
        "asian_chinese": (1, 0),
    }

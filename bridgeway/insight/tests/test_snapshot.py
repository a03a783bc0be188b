"""The pseudonymised snapshot: its exact schema, no personal data, incremental runs, checks."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.utils import timezone

from bridgeway.accounts.models import Organisation
from bridgeway.casework.models import CaseEvent
from bridgeway.insight.services import snapshot_write
from bridgeway.insight.snapshot import (
    ORGANISATION_KINDS,
    SNAPSHOT_SCHEMA,
    STATE_FILE,
    SnapshotError,
    SnapshotState,
    read_state,
    validate_snapshot,
    write_state,
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
CONTRACT_TYPES = {
    # Events, people and cases as the 32 bytes of their keyed hash (decision 0130).
    "event_id": pa.binary(32),
    "person_key": pa.binary(32),
    # One small number a person, one to one with person_key (decision 0150).
    "person_number": pa.int32(),
    # Perturbation's record key of person_key, worked out when written (decision 0150).
    "record_key": pa.int64(),
    "case_key": pa.binary(32),
    "organisation_key": pa.string(),
    "service_key": pa.string(),
    "organisation_kind": pa.string(),
    "service_specialist": pa.bool_(),
    "stage": pa.string(),
    "occurred_on": pa.date32(),
    "lad_code": pa.string(),
    "pfa_code": pa.string(),
    "ethnic_group": pa.string(),
    "age_band": pa.string(),
    "sex": pa.string(),
    "sexual_orientation": pa.string(),
    "religion": pa.string(),
    "disabilities": pa.list_(pa.string()),
    "harm_types": pa.list_(pa.string()),
    "hate_strands": pa.list_(pa.string()),
    "channel": pa.string(),
    "coped_better": pa.bool_(),
    "decline_reason": pa.string(),
}


@pytest.fixture
def service(organisation):
    return ServiceFactory(organisation=organisation, district_codes=[LEEDS], is_specialist=True)


def _read(directory):
    return pq.read_table(sorted(directory.glob("events-*.parquet")))


def test_snapshot_has_exactly_the_contract_columns_and_types(service, snapshot_dir):
    referral_through(
        service,
        ["contacted", "offered", "accepted", "closed"],
        at=AT,
        ethnic_group="black_caribbean",
        coped_better=True,
        disabilities=("autism",),
        disability_status="recorded",
    )
    result = snapshot_write(out_dir=snapshot_dir)
    table = _read(snapshot_dir)
    assert {name: table.schema.field(name).type for name in table.schema.names} == CONTRACT_TYPES
    assert table.schema.names == list(CONTRACT_TYPES)
    assert result.events_written == table.num_rows == 5
    rows = table.to_pylist()
    assert [row["stage"] for row in rows] == [
        "referred",
        "contacted",
        "offered",
        "accepted",
        "closed",
    ]
    assert [row["coped_better"] for row in rows] == [None, None, None, None, True]
    first = rows[0]
    assert first["occurred_on"] == dt.date(2025, 5, 10)
    assert first["ethnic_group"] == "black_caribbean"
    assert first["disabilities"] == ["autism"]
    assert first["hate_strands"] == []
    assert first["organisation_kind"] == "specialist"
    assert first["service_specialist"] is True
    # No postcode given: the area is the service's first district and its force area.
    assert (first["lad_code"], first["pfa_code"]) == (LEEDS, "E23000010")
    assert len({row["event_id"] for row in rows}) == 5
    assert len({row["person_key"] for row in rows}) == 1


def test_keys_are_hmacs_with_the_pseudonym_key(service, snapshot_dir, settings):
    settings.PSEUDONYM_KEY = "a-test-pseudonym-key"
    referral = referral_through(service, [], at=AT)
    snapshot_write(out_dir=snapshot_dir)
    row = _read(snapshot_dir).to_pylist()[0]

    def expected(kind, identifier):
        return hmac.new(
            b"a-test-pseudonym-key", f"{kind}:{identifier}".encode(), hashlib.sha256
        ).hexdigest()

    event = CaseEvent.objects.get(referral=referral)
    # The same HMAC-SHA256 values as when they were written in hexadecimal, now as bytes.
    assert row["person_key"].hex() == expected("person", referral.person_id)
    assert row["case_key"].hex() == expected("case", referral.id)
    assert row["event_id"].hex() == expected("event", event.id)
    assert row["organisation_key"] == expected("organisation", service.organisation_id)
    assert row["service_key"] == expected("service", service.id)


def test_snapshot_holds_no_names_contact_details_or_free_text(service, snapshot_dir):
    referral = referral_through(
        service,
        ["contacted"],
        at=AT,
        name="Zephaniah Quillfeather",
        email="zephaniah.quillfeather@example.org",
        phone="07700 900461",
        ethnic_group_description="Somali Bajuni heritage",
    )
    snapshot_write(out_dir=snapshot_dir)
    secrets = [
        "Zephaniah",
        "Quillfeather",
        "zephaniah.quillfeather",
        "07700 900461",
        "Somali Bajuni",
        "What happened to",
        referral.reference,
        str(referral.id),
        str(referral.person_id),
    ]
    raw = b"".join(path.read_bytes() for path in snapshot_dir.iterdir() if path.is_file())
    values = json.dumps(_read(snapshot_dir).to_pylist(), default=str)
    for secret in secrets:
        assert secret.encode() not in raw
        assert secret.lower() not in raw.lower().decode("latin-1")
        assert secret not in values


def test_a_persons_own_postcode_area_comes_before_the_services(organisation, snapshot_dir):
    birmingham_service = ServiceFactory(organisation=organisation, district_codes=["E08000025"])
    referral_through(birmingham_service, [], at=AT, postcode="LS6 1AA")
    snapshot_write(out_dir=snapshot_dir)
    row = _read(snapshot_dir).to_pylist()[0]
    assert (row["lad_code"], row["pfa_code"]) == (LEEDS, "E23000010")


def test_second_run_writes_only_new_events(service, snapshot_dir):
    referral = referral_through(service, ["contacted"], at=AT)
    first = snapshot_write(out_dir=snapshot_dir)
    assert first.events_written == 2

    nothing = snapshot_write(out_dir=snapshot_dir)
    assert nothing.path is None
    assert nothing.events_written == 0
    assert len(list(snapshot_dir.glob("events-*.parquet"))) == 1

    referral_through(service, [], at=AT)
    from bridgeway.casework.services import referral_advance

    referral_advance(referral=referral, stage="assessed", actor=None, at=AT + dt.timedelta(days=5))
    third = snapshot_write(out_dir=snapshot_dir)
    assert third.events_written == 2
    assert third.path is not None
    assert [row["stage"] for row in pq.read_table(third.path).to_pylist()] == [
        "referred",
        "assessed",
    ]
    assert third.last_event_id == CaseEvent.objects.latest("id").id
    assert len(set(_read(snapshot_dir).column("event_id").to_pylist())) == 4


def test_an_event_that_committed_late_inside_the_window_is_picked_up(service, snapshot_dir):
    referral_through(service, ["contacted", "assessed"], at=AT)
    snapshot_write(out_dir=snapshot_dir)
    state = read_state(snapshot_dir)
    late = CaseEvent.objects.order_by("id")[1]
    # As if the run had not seen ``late``: its transaction had not committed yet.
    write_state(
        snapshot_dir,
        SnapshotState(
            last_event_id=state.last_event_id,
            recent_event_ids=tuple(i for i in state.recent_event_ids if i != late.id),
        ),
    )
    again = snapshot_write(out_dir=snapshot_dir)
    assert again.events_written == 1
    assert pq.read_table(again.path).column("stage").to_pylist() == ["contacted"]


def test_first_run_with_no_events_makes_an_empty_snapshot(snapshot_dir):
    result = snapshot_write(out_dir=snapshot_dir)
    assert result.events_written == 0
    assert result.path is not None
    parts = validate_snapshot(snapshot_dir)
    assert [part.rows for part in parts] == [0]
    assert (snapshot_dir / STATE_FILE).exists()


def test_synthetic_referrals_mark_the_part_synthetic(service, snapshot_dir):
    from bridgeway.casework.services import ContactDetails, PersonDetails, referral_create

    referral_create(
        service=service,
        details=PersonDetails(),
        contact=ContactDetails(),
        received_at=timezone.now(),
        is_synthetic=True,
    )
    snapshot_write(out_dir=snapshot_dir)
    assert [part.synthetic for part in validate_snapshot(snapshot_dir)] == [True]


def test_organisation_kinds_match_the_model():
    assert set(ORGANISATION_KINDS) == set(Organisation.Kind.values)


def test_contract_schema_is_the_one_written():
    assert dict(zip(SNAPSHOT_SCHEMA.names, SNAPSHOT_SCHEMA.types, strict=True)) == CONTRACT_TYPES


# --- reading checks ----------------------------------------------------------------------


def test_missing_snapshot_directory_is_a_clear_error(tmp_path):
    with pytest.raises(SnapshotError, match="does not exist"):
        validate_snapshot(tmp_path / "nowhere")


def test_empty_snapshot_directory_is_a_clear_error(tmp_path):
    with pytest.raises(SnapshotError, match=r"empty.*bridgeway snapshot"):
        validate_snapshot(tmp_path)


def test_a_missing_column_is_named_with_its_file(tmp_path):
    table = pa.Table.from_pylist(
        [{**snapshot_row(), "person_number": 0, "record_key": 0}], schema=SNAPSHOT_SCHEMA
    ).drop_columns(["channel"])
    pq.write_table(table, tmp_path / "events-1.parquet")
    with pytest.raises(SnapshotError, match=r"events-1\.parquet: column channel is missing"):
        validate_snapshot(tmp_path)


def test_a_column_of_the_wrong_type_is_named_with_its_file(tmp_path):
    table = pa.Table.from_pylist(
        [{**snapshot_row(), "person_number": 0, "record_key": 0}], schema=SNAPSHOT_SCHEMA
    )
    table = table.set_column(
        table.schema.get_field_index("occurred_on"), "occurred_on", pa.array(["2025-06-01"])
    )
    pq.write_table(table, tmp_path / "events-2.parquet")
    with pytest.raises(
        SnapshotError, match=r"events-2\.parquet: column occurred_on has type string"
    ):
        validate_snapshot(tmp_path)


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("ethnic_group", "bame", "'bame'"),
        ("stage", "triaged", "'triaged'"),
        ("hate_strands", ["race", "made_up"], "'made_up'"),
        ("organisation_kind", "charity", "'charity'"),
        ("pfa_code", "WY", "'WY'"),
    ],
)
def test_an_unknown_code_is_named_with_file_column_and_value(tmp_path, column, value, shown):
    rows = [*person_events("p1", "white_british", ["referred"]), snapshot_row(**{column: value})]
    write_snapshot(tmp_path, rows)
    with pytest.raises(SnapshotError) as raised:
        validate_snapshot(tmp_path)
    message = str(raised.value)
    assert "events-" in message
    assert f"column {column} holds {shown}" in message


def test_copy_reader_writes_the_same_rows_as_the_orm_reader(
    organisation, other_organisation, snapshot_dir, tmp_path, monkeypatch
):
    """PostgreSQL's fast COPY reader and the ORM reader agree on every column of every row."""
    from django.db import connection

    from bridgeway.casework.models import Person, Referral
    from bridgeway.insight import snapshot_write as writer

    if connection.vendor != "postgresql":
        pytest.skip("the COPY reader is PostgreSQL's")
    in_leeds = ServiceFactory(organisation=organisation, district_codes=[LEEDS], is_specialist=True)
    force_only = ServiceFactory(organisation=other_organisation, area_codes=["E23000010"])
    nowhere = ServiceFactory(organisation=organisation)
    # 23:30 UTC in summer is 00:30 the next day in England.
    late_evening = dt.datetime(2025, 6, 30, 23, 30, tzinfo=dt.UTC)
    referral_through(in_leeds, ["contacted", "closed"], at=AT, coped_better=False)
    referral_through(force_only, ["contacted"], at=late_evening, ethnic_group="asian_indian")
    referral_through(nowhere, [], at=AT, postcode="LS6 1AA", age_band="25_34")
    odd = referral_through(in_leeds, ["offered", "closed"], at=AT, coped_better=True)
    # Codes since withdrawn, repeats and a non-list, as old rows might hold.
    Person.objects.filter(id=odd.person_id).update(
        ethnic_group="bame", disabilities=["autism", "autism", "withdrawn"], religion="jedi"
    )
    Referral.objects.filter(id=odd.id).update(
        harm_types=["hate_crime", "hate_crime", "not_a_code"], hate_strands={"race": True}
    )
    CaseEvent.objects.create(referral=odd, kind=CaseEvent.Kind.NOTE, occurred_at=AT)

    monkeypatch.setattr(writer, "_reads_by_copy", lambda: False)
    by_orm = writer.snapshot_write(out_dir=tmp_path / "orm")
    monkeypatch.setattr(writer, "_reads_by_copy", lambda: True)
    by_copy = writer.snapshot_write(out_dir=snapshot_dir)

    orm_rows = pq.read_table(by_orm.path).to_pylist()
    copy_rows = pq.read_table(by_copy.path).to_pylist()
    assert by_copy.events_written == by_orm.events_written == 9
    assert copy_rows == orm_rows
    assert {row["ethnic_group"] for row in copy_rows} >= {"not_recorded", "asian_indian"}
    assert dt.date(2025, 7, 1) in {row["occurred_on"] for row in copy_rows}
    assert ["autism"] in [row["disabilities"] for row in copy_rows]


@pytest.mark.parametrize("key", ["k", "x" * 64, "y" * 65, "a longer key than one block " * 4])
def test_pseudonyms_made_in_bulk_are_the_hmacs_made_one_at_a_time(key):
    import uuid

    from bridgeway.insight.snapshot import Pseudonymiser

    pseudonyms = Pseudonymiser(key)
    identifiers = [1, 2_000_000_001, uuid.UUID(int=7), "E08000035"]
    bulk = pseudonyms.keys("event", identifiers).to_pylist()
    assert bulk == [
        hmac.new(key.encode(), f"event:{i}".encode(), hashlib.sha256).hexdigest()
        for i in identifiers
    ]
    assert pseudonyms.keys("event", []).to_pylist() == []


def test_copy_reader_in_small_batches_matches_the_orm_reader_run_after_run(
    organisation, snapshot_dir, tmp_path, monkeypatch
):
    """Batches that split a referral's events, and a second run, still give the ORM's rows."""
    from django.db import connection

    from bridgeway.casework.services import referral_advance
    from bridgeway.insight import snapshot_write as writer

    if connection.vendor != "postgresql":
        pytest.skip("the COPY reader is PostgreSQL's")
    monkeypatch.setattr(writer, "COPY_BATCH_SIZE", 2)
    in_leeds = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    first = referral_through(in_leeds, ["contacted", "assessed", "offered"], at=AT)
    referral_through(in_leeds, ["contacted", "closed"], at=AT, coped_better=True)
    CaseEvent.objects.create(referral=first, kind=CaseEvent.Kind.NOTE, occurred_at=AT)

    def both_readers():
        monkeypatch.setattr(writer, "_reads_by_copy", lambda: False)
        by_orm = writer.snapshot_write(out_dir=tmp_path / "orm")
        monkeypatch.setattr(writer, "_reads_by_copy", lambda: True)
        by_copy = writer.snapshot_write(out_dir=snapshot_dir)
        return by_orm, by_copy

    by_orm, by_copy = both_readers()
    assert by_copy.events_written == by_orm.events_written == 7
    assert pq.read_table(by_copy.path).to_pylist() == pq.read_table(by_orm.path).to_pylist()
    assert (
        read_state(snapshot_dir).recent_event_ids == read_state(tmp_path / "orm").recent_event_ids
    )

    referral_advance(referral=first, stage="accepted", actor=None, at=AT + dt.timedelta(days=3))
    referral_through(in_leeds, [], at=AT)
    by_orm, by_copy = both_readers()
    assert by_copy.events_written == by_orm.events_written == 2
    assert pq.read_table(by_copy.path).to_pylist() == pq.read_table(by_orm.path).to_pylist()
    assert [row["stage"] for row in pq.read_table(by_copy.path).to_pylist()] == [
        "accepted",
        "referred",
    ]


@pytest.mark.parametrize("key", ["short-key", "k" * 100])
def test_bulk_pseudonyms_are_the_same_hmacs_one_at_a_time_gives(key):
    """DuckDB's HMAC (decision 0130) is hmac.new's, for ints, UUIDs and nulls, any key length."""
    import uuid

    from bridgeway.insight.snapshot import Pseudonymiser

    pseudonyms = Pseudonymiser(key)
    numbers = [1, 20_000, None, 12_345_678_901]
    people = [str(uuid.uuid4()), None, str(uuid.uuid4())]
    digests = pseudonyms.digests("event", pa.array(numbers, pa.int64()))
    assert digests.type == pa.binary(32)
    assert digests.to_pylist() == [
        None
        if n is None
        else hmac.new(key.encode(), f"event:{n}".encode(), hashlib.sha256).digest()
        for n in numbers
    ]
    assert pseudonyms.hexdigests("person", pa.array(people)).to_pylist() == [
        None if p is None else pseudonyms.key("person", p) for p in people
    ]
    assert len(pseudonyms.digests("case", pa.array([], pa.string()))) == 0

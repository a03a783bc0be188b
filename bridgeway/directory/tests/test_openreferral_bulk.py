"""The import's bulk writes (COPY on PostgreSQL, executemany on SQLite) store what Django would."""

from __future__ import annotations

import datetime as dt
import gc
import uuid
from decimal import Decimal
from types import SimpleNamespace

import pytest

from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.directory.models import CostOption, Location, Service, ServiceDistrict
from bridgeway.directory.openreferral import bulk
from bridgeway.directory.openreferral.importing import directory_import
from bridgeway.directory.tests.test_harvest import a_service
from bridgeway.places.models import LocalAuthorityDistrict, PoliceForceArea

pytestmark = pytest.mark.django_db


def _service(organisation, name: str) -> Service:
    return Service(
        id=uuid.uuid4(),
        organisation=organisation,
        name=name,
        description="Support after hate crime — in Leeds & Bradford",
        email="help@example.org",
        url="https://example.org/help",
        is_specialist=True,
        waiting_weeks=3,
        extra={"nested": {"list": [1, "two", None]}, "text": "é"},
        formats=["face_to_face", "phone"],
        harvested_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        content_hash="ab" * 32,
    )


def _stored(model, pk):
    row = model.objects.filter(pk=pk).values().get()
    row.pop("id")
    return row


def test_a_service_written_in_bulk_reads_back_as_one_saved_by_django():
    organisation = OrganisationFactory()
    by_django = _service(organisation, "Same service")
    by_django.save()
    in_bulk = _service(organisation, "Same service")
    bulk.insert_objects(Service, [in_bulk])
    expected, found = _stored(Service, by_django.pk), _stored(Service, in_bulk.pk)
    # auto_now stamps differ by the moment each was written; everything else is equal.
    for stamp in ("created_at", "updated_at"):
        assert abs(found.pop(stamp) - expected.pop(stamp)) < dt.timedelta(minutes=1)
    # save() stamps through a signal; plain SQL does not (the importer stamps afterwards).
    found.pop("stamp"), expected.pop("stamp")
    assert found == expected
    assert found["extra"] == {"nested": {"list": [1, "two", None]}, "text": "é"}


def test_children_written_from_hsds_records_read_back_as_model_objects_do():
    organisation = OrganisationFactory()
    service = _service(organisation, "With children")
    service.save()
    place = SimpleNamespace(
        id=str(uuid.uuid4()),
        name="Drop-in",
        address_1="1 Park Row",
        city="Leeds",
        postal_code="LS1 5HD",
        latitude=53.8,
        longitude=-1.55,
        extra={"accessibility": ["step-free"]},
    )
    # An import gives each place's HSDS id beside its row's (decision 0154).
    record = SimpleNamespace(**vars(place), hsds_id=place.id)
    bulk.insert_children(Location, [(str(service.id), record)])
    saved = Location(**{**vars(place), "id": uuid.uuid4(), "service": service})
    saved.save()
    assert saved.hsds_id == saved.pk  # a place saved without one is its own location
    in_bulk, by_django = _stored(Location, uuid.UUID(place.id)), _stored(Location, saved.pk)
    assert (in_bulk.pop("hsds_id"), by_django.pop("hsds_id")) == (uuid.UUID(place.id), saved.pk)
    assert in_bulk == by_django
    # A field the record leaves out takes the model's default.
    assert Location.objects.get(pk=place.id).location_type == Location.Kind.PHYSICAL
    cost = SimpleNamespace(id=str(uuid.uuid4()), amount=Decimal("12.50"), currency="GBP")
    bulk.insert_children(CostOption, [(str(service.id), cost)])
    assert CostOption.objects.get(pk=cost.id).amount == Decimal("12.50")


def test_nothing_to_write_writes_nothing():
    before = Service.objects.count()
    bulk.insert_objects(Service, [])
    bulk.insert_children(Location, [])
    assert Service.objects.count() == before


def test_code_rows_read_back_in_order_even_with_a_value_copy_must_escape():
    # Two-column rows go to PostgreSQL as COPY text made in one pass, or through the driver
    # when a value holds a tab, a line break or a backslash (decision 0152).
    organisation = OrganisationFactory()
    first, second = _service(organisation, "First"), _service(organisation, "Second")
    bulk.insert_objects(Service, [first, second])
    force, _ = PoliceForceArea.objects.get_or_create(code="E23000010", defaults={"name": "WY"})
    for code in ("E08000035", "E08000032", "E08\t035", "E08\\032"):
        LocalAuthorityDistrict.objects.get_or_create(
            code=code, defaults={"name": code, "police_force_area": force}
        )
    pairs = bulk.table(ServiceDistrict)
    for codes in (["E08000035", "E08000032"], ["E08\t035", "E08\\032"]):
        ServiceDistrict.objects.all().delete()
        pairs.write(
            pairs.pair_rows(
                "service_id",
                "localauthoritydistrict_id",
                [(second.id, codes[1:]), (first.id, codes)],
            )
        )
        stored = ServiceDistrict.objects.order_by("id").values_list(
            "service_id", "localauthoritydistrict_id"
        )
        # Written in the order of the services' ids; each service's codes in the order given.
        expected = sorted(
            [(first.id, codes[0]), (first.id, codes[1]), (second.id, codes[1])],
            key=lambda pair: str(pair[0]),
        )
        assert list(stored) == expected


def test_code_rows_sent_batch_by_batch_read_back_as_given_even_where_copy_must_escape():
    # The import sends a relation's rows batch by batch as it makes them (decision 0162); a
    # batch with a value COPY must escape goes through the driver, the others as COPY text.
    organisation = OrganisationFactory()
    first, second = _service(organisation, "First"), _service(organisation, "Second")
    bulk.insert_objects(Service, [first, second])
    force, _ = PoliceForceArea.objects.get_or_create(code="E23000010", defaults={"name": "WY"})
    for code in ("E08000035", "E08000032", "E08\t035"):
        LocalAuthorityDistrict.objects.get_or_create(
            code=code, defaults={"name": code, "police_force_area": force}
        )
    pairs = bulk.table(ServiceDistrict)
    batches = [
        [(first.id, "E08000035"), (first.id, "E08000032")],
        [],
        [(second.id, "E08\t035"), (second.id, "E08000035")],
    ]
    pairs.write_in_order(
        pairs.pair_rows("service_id", "localauthoritydistrict_id", [(s, [c]) for s, c in b])
        for b in batches
    )
    stored = ServiceDistrict.objects.order_by("id").values_list(
        "service_id", "localauthoritydistrict_id"
    )
    assert list(stored) == [pair for batch in batches for pair in batch]


@pytest.mark.django_db
def test_what_an_import_read_is_freed_as_it_returns_not_left_to_the_collector():
    """Nothing the import made is left in a reference cycle: before, an exception Django
    raised and caught while building a look-up kept the import's frames, and with them the
    whole feed and every listing, alive until the cycle collector next ran (the import
    pauses it; at 50,000 services that was two million objects held after the import)."""
    services = [a_service(n) for n in range(3)]
    gc.collect()
    gc.disable()
    try:
        report = directory_import(services)
        left = gc.collect()
    finally:
        gc.enable()
    assert report.created == 3
    assert left == 0

"""One list of the service fields that travel, and one description of a listing's records."""

from __future__ import annotations

import inspect
from dataclasses import fields

import pytest
from django.db.models import Model

from bridgeway.directory import listing_children, models, services
from bridgeway.directory.openreferral import hsds, importing

# Listing fields that are not Service fields of the same name: the ids, the relations, the
# records inside it, and what the import works out on the way in.
LISTING_STRUCTURE = {
    "id",
    "organisation",
    "district_codes",
    "pfa_codes",
    "unplaced_areas",
    "languages",
    "harm_types",
    "ethnic_groups",
    "religions",
    "locations",
    "phones",
    "schedules",
    "cost_options",
    "funding",
    "extra",
    "warnings",
    "carried",
}


def _model_fields(model: type[Model]) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def test_every_travelling_field_is_a_listing_field_and_a_service_field():
    listing_fields = {f.name for f in fields(hsds.Listing)}
    assert set(hsds.SERVICE_FIELDS) <= listing_fields
    assert set(hsds.SERVICE_FIELDS) <= _model_fields(models.Service)
    assert len(set(hsds.SERVICE_FIELDS)) == len(hsds.SERVICE_FIELDS)


def test_every_plain_field_of_a_listing_travels():
    plain = {f.name for f in fields(hsds.Listing)} - LISTING_STRUCTURE
    assert plain == set(hsds.SERVICE_FIELDS)


def test_the_import_and_service_update_differ_only_by_what_does_not_travel():
    imported = set(importing._IMPORTED_FIELDS)
    updated = set(services._SCALAR_FIELDS)
    assert imported - updated == {
        "organisation",
        "source",
        "harvested_at",
        "content_hash",
        "withdrawn_at",
    }
    assert updated - imported == {"confidential_address", "last_confirmed_at", "is_synthetic"}


def test_service_update_takes_every_field_it_sets():
    parameters = inspect.signature(services.service_update).parameters
    assert set(services._SCALAR_FIELDS) <= set(parameters)


@pytest.mark.parametrize(
    ("record", "model"),
    [
        (hsds.Location, models.Location),
        (hsds.Phone, models.Phone),
        (hsds.Schedule, models.Schedule),
        (hsds.CostOption, models.CostOption),
        (hsds.Funding, models.Funding),
    ],
)
def test_each_record_of_a_listing_has_its_rows_field_names(record, model):
    assert {f.name for f in fields(record)} <= _model_fields(model)


def test_an_organisations_edits_are_the_records_an_import_reads():
    assert listing_children.LocationDetails is hsds.Location
    assert listing_children.PhoneDetails is hsds.Phone
    assert listing_children.ScheduleDetails is hsds.Schedule

"""The directory out on Open Referral: services as ``hsds.Listing`` and HSDS 3 documents.

``directory_export`` gives every service as an HSDS 3 compiled service (``importing.py`` reads
them back); ``directory_export_tabular`` writes the same documents as HSDS's tabular package. The format itself lives in the pure module ``hsds.py``; this module only reads the
database. Confidential addresses are never read here, so they can never leave in an export.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, TypeVar

from django.db import models
from django.db.models import Prefetch, QuerySet

from bridgeway.directory.models import Location, Service
from bridgeway.directory.openreferral import hsds, tabular
from bridgeway.equality.models import Term
from bridgeway.places.models import LocalAuthorityDistrict, PoliceForceArea

# The plain records of a listing's children.
Record = TypeVar("Record", hsds.Location, hsds.Phone, hsds.Schedule, hsds.CostOption, hsds.Funding)

# service_create's argument -> the HSDS field a problem with it is reported against.
_HSDS_FIELD = {
    "district_codes": "service_areas",
    "pfa_codes": "service_areas",
    "language_codes": "languages",
    "harm_type_codes": "attributes (bridgeway:harm_types)",
    "ethnic_group_codes": "attributes (bridgeway:ethnic_groups)",
    "religion_codes": "attributes (bridgeway:religions)",
    "independence": "attributes (bridgeway:independence)",
    "formats": "attributes (bridgeway:formats)",
}


def services_for_export(services: QuerySet[Service] | None = None) -> QuerySet[Service]:
    """Services (every one by default) with everything an export reads, in a fixed order."""
    terms = Term.objects.only("id", "code", "vocabulary")
    return (
        (Service.objects.all() if services is None else services)
        .select_related("organisation")
        .prefetch_related(
            Prefetch("districts", queryset=LocalAuthorityDistrict.objects.only("code", "name")),
            Prefetch("police_force_areas", queryset=PoliceForceArea.objects.only("code", "name")),
            Prefetch("languages", queryset=terms),
            Prefetch("harm_types", queryset=terms),
            Prefetch("ethnic_groups", queryset=terms),
            Prefetch("religions", queryset=terms),
            "locations",
            "phones",
            "schedules",
            "cost_options",
            "funding",
        )
        .order_by("name", "id")
    )


def listing_of(service: Service) -> hsds.Listing:
    """A service as plain data (no confidential address); expects ``services_for_export``."""
    organisation = service.organisation
    travelling: dict[str, Any] = {name: getattr(service, name) for name in hsds.SERVICE_FIELDS}
    travelling["formats"] = tuple(service.formats)  # a listing's lists are tuples: it is frozen
    return hsds.Listing(
        **travelling,
        id=str(service.id),
        organisation=hsds.Organisation(
            id=str(organisation.id), name=organisation.name, website=organisation.website
        ),
        district_codes=tuple(sorted(d.code for d in service.districts.all())),
        pfa_codes=tuple(sorted(p.code for p in service.police_force_areas.all())),
        languages=tuple(sorted(t.code for t in service.languages.all())),
        harm_types=tuple(sorted(t.code for t in service.harm_types.all())),
        ethnic_groups=tuple(sorted(t.code for t in service.ethnic_groups.all())),
        religions=tuple(sorted(t.code for t in service.religions.all())),
        locations=tuple(location_of(row) for row in service.locations.all()),
        phones=tuple(_record(hsds.Phone, row) for row in service.phones.all()),
        schedules=tuple(_record(hsds.Schedule, row) for row in service.schedules.all()),
        cost_options=tuple(_record(hsds.CostOption, row) for row in service.cost_options.all()),
        funding=tuple(_record(hsds.Funding, row) for row in service.funding.all()),
        extra=dict(service.extra),
    )


def _record(kind: type[Record], row: models.Model) -> Record:
    """A child row as its plain record: the row's fields carry the record's names."""
    names = [f.name for f in fields(kind) if f.name != "id"]
    return kind(id=str(row.pk), **{name: getattr(row, name) for name in names})


def location_of(row: Location) -> hsds.Location:
    """A service's location row as its plain record, under the HSDS location's id (which
    the rows of every service at the same place share: decision 0154)."""
    return replace(_record(hsds.Location, row), id=str(row.hsds_id))


def place_names() -> dict[str, str]:
    """Names of every district and police force area by ONS code."""
    names = dict(LocalAuthorityDistrict.objects.values_list("code", "name"))
    names.update(PoliceForceArea.objects.values_list("code", "name"))
    return names


def service_as_hsds(service: Service) -> dict[str, Any]:
    """One service as an HSDS 3 compiled service; expects ``services_for_export``."""
    names = {d.code: d.name for d in service.districts.all()}
    names.update((p.code, p.name) for p in service.police_force_areas.all())
    return hsds.listing_to_hsds(listing_of(service), names)


def directory_export() -> Iterator[dict[str, Any]]:
    """Every service as an HSDS 3 compiled service, in name order."""
    names = place_names()
    for service in services_for_export().iterator(chunk_size=500):
        yield hsds.listing_to_hsds(listing_of(service), names)


def bridgeway_vocabulary_rows() -> list[tuple[str, Mapping[str, Any]]]:
    """Bridgeway's taxonomies and every term of them, as rows of the HSDS tables."""
    rows: list[tuple[str, Mapping[str, Any]]] = [
        ("taxonomy", hsds.taxonomy(name)) for name in hsds.TAXONOMY_DESCRIPTIONS
    ]
    rows += [("taxonomy_term", hsds.taxonomy_term(t, c)) for t, c in hsds.bridgeway_terms()]
    return rows


def directory_export_tabular(
    folder: Path, *, progress: Callable[[int], None] | None = None
) -> tabular.TabularPackage:
    """Every service, as ``directory_export`` gives them, as HSDS's tabular package in
    ``folder`` (an existing, empty folder); the answer's ``warnings`` say what was left out."""
    return tabular.write_package(
        folder, directory_export(), fixed_rows=bridgeway_vocabulary_rows(), progress=progress
    )

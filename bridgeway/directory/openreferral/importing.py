"""Reading an Open Referral (HSDS 3) feed into the directory, all or nothing, in bulk.

A council's feed is loaded nightly and can hold tens of thousands of services, so the import
does not save them one at a time through ``service_create``: it reads every service (pure,
``hsds.py``), loads what it needs to check them in a handful of queries, checks each one as
``service_create`` would (the same field validation and the same vocabularies and places),
and only then writes them with bulk inserts in one transaction. A bad service is named with
its position, id, field and problem; with any bad service nothing is written, unless the
caller asks to skip them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from bridgeway.accounts.models import Organisation
from bridgeway.directory.models import CostOption, Funding, Location, Phone, Schedule, Service
from bridgeway.directory.openreferral import hsds
from bridgeway.directory.stamps import services_stamp
from bridgeway.equality.models import Term
from bridgeway.places.models import LocalAuthorityDistrict, PoliceForceArea
from bridgeway.places.postcodes import InvalidPostcode, Postcode, parse_location
from bridgeway.places.selectors import postcode_lookup

# Rows per query for ``__in`` look-ups and bulk writes (well inside SQLite's variable limit).
CHUNK = 2000

T = TypeVar("T")

# Service model field -> the HSDS field a problem with it is reported against.
_HSDS_FIELD = {"phone": "phones", "waiting_weeks": "wait_time", "organisation": "organization"}

# Listing field of codes -> (Service many-to-many field, vocabulary or None for places).
_RELATIONS: dict[str, tuple[str, str | None]] = {
    "district_codes": ("districts", None),
    "pfa_codes": ("police_force_areas", None),
    "languages": ("languages", "languages"),
    "harm_types": ("harm_types", "harm_types"),
    "ethnic_groups": ("ethnic_groups", "ethnic_groups"),
    "religions": ("religions", "religions"),
}
_RELATION_HSDS_FIELD = {
    "district_codes": "service_areas",
    "pfa_codes": "service_areas",
    "languages": "languages",
    "harm_types": "attributes (bridgeway:harm_types)",
    "ethnic_groups": "attributes (bridgeway:ethnic_groups)",
    "religions": "attributes (bridgeway:religions)",
}
_CHILDREN: dict[str, type[models.Model]] = {
    "locations": Location,
    "phones": Phone,
    "schedules": Schedule,
    "cost_options": CostOption,
    "funding": Funding,
}
_HSDS_CHILD_FIELD = {
    "locations": "service_at_locations",
    "phones": "phones",
    "schedules": "schedules",
    "cost_options": "cost_options",
    "funding": "funding",
}
# Service fields an import writes over on a service it updates: the ones that travel, and
# besides them the organisation (the same one: ``_check`` refuses a change), whether its area
# could be worked out, and the HSDS fields Bridgeway does not model. Never the confidential
# address, which never travels, nor ``last_confirmed_at`` (set on a new service only: only
# its organisation confirms a listing), nor ``is_synthetic`` (HSDS has no such field).
_IMPORTED_FIELDS = ("organisation", *hsds.SERVICE_FIELDS, "area_not_known", "extra")


@dataclass
class ImportReport:
    """What an import did: counts, services flagged 'area not known', and skipped problems."""

    created: int = 0
    updated: int = 0
    area_not_known: list[str] = field(default_factory=list)
    problems: list[hsds.Problem] = field(default_factory=list)
    # What was changed to make an imported service safe to publish (markup taken out, an
    # unsafe address left out); the service itself was imported.
    warnings: list[hsds.Problem] = field(default_factory=list)

    @property
    def skipped_positions(self) -> list[int]:
        return sorted({p.position for p in self.problems})


class DirectoryImportError(Exception):
    """A feed with bad services; nothing was changed. ``problems`` names every one."""

    def __init__(self, problems: Sequence[hsds.Problem]) -> None:
        super().__init__(f"{len({p.position for p in problems})} services cannot be imported")
        self.problems = list(problems)


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


@dataclass
class _Checked:
    """A listing that passed every check, with what the write needs."""

    position: int
    listing: hsds.Listing
    district_codes: list[str]
    area_not_known: bool
    exists: bool


@dataclass
class _Known:
    """What the checks need from the database, loaded once for the whole feed."""

    organisations: dict[str, Organisation]
    service_owners: dict[str, str]
    terms: dict[str, dict[str, int]]
    districts: frozenset[str]
    police_force_areas: frozenset[str]
    # Child model name -> {child id: service id} for ids in the feed that already exist.
    child_owners: dict[str, dict[str, str]]

    @classmethod
    def load(cls, listings: Sequence[hsds.Listing]) -> _Known:
        organisation_ids = sorted({x.organisation.id for x in listings})
        organisations: dict[str, Organisation] = {}
        for chunk in _chunks(organisation_ids):
            organisations.update((str(o.id), o) for o in Organisation.objects.filter(id__in=chunk))
        service_ids = [x.id for x in listings]
        owners: dict[str, str] = {}
        for chunk in _chunks(service_ids):
            owners.update(
                (str(pk), str(org))
                for pk, org in Service.objects.filter(id__in=chunk).values_list(
                    "id", "organisation_id"
                )
            )
        terms: dict[str, dict[str, int]] = {}
        for vocabulary, code, pk in Term.objects.filter(
            vocabulary__in=["languages", "harm_types", "ethnic_groups", "religions"]
        ).values_list("vocabulary", "code", "id"):
            terms.setdefault(vocabulary, {})[code] = pk
        child_owners: dict[str, dict[str, str]] = {}
        for name, model in _CHILDREN.items():
            ids = [child.id for x in listings for child in getattr(x, name)]
            found: dict[str, str] = {}
            for chunk in _chunks(ids):
                found.update(
                    (str(pk), str(owner))
                    for pk, owner in model._default_manager.filter(id__in=chunk).values_list(
                        "id", "service_id"
                    )
                )
            child_owners[name] = found
        return cls(
            organisations=organisations,
            service_owners=owners,
            terms=terms,
            districts=frozenset(LocalAuthorityDistrict.objects.values_list("code", flat=True)),
            police_force_areas=frozenset(PoliceForceArea.objects.values_list("code", flat=True)),
            child_owners=child_owners,
        )


def directory_import(
    documents: Sequence[object],
    *,
    skip_invalid: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Create or update (matched on ``id``) every service of an HSDS feed.

    All or nothing: if any service is bad, ``DirectoryImportError`` lists every problem and
    nothing changes, unless ``skip_invalid``, when the good services are imported and the
    report lists the rest. Children (locations, phones, schedules, costs, funding) missing
    from the feed are removed. A service whose areas cannot be placed (no ONS code, no
    location postcode Bridgeway knows) is kept and flagged ``area_not_known``. An
    organisation Bridgeway does not know is created from the feed; one it knows is never
    changed. ``progress(done, total)`` is called as services are read.
    """
    report = ImportReport()
    total = len(documents)
    read: list[tuple[int, hsds.Listing]] = []
    seen: dict[str, int] = {}
    for position, document in enumerate(documents, start=1):
        try:
            listing = hsds.listing_from_hsds(document, position)
        except hsds.InvalidService as error:
            report.problems.extend(error.problems)
        else:
            if listing.id in seen:
                report.problems.append(
                    hsds.Problem(
                        position, listing.id, "id", f"repeats service {seen[listing.id]}'s id"
                    )
                )
            else:
                seen[listing.id] = position
                read.append((position, listing))
        if progress is not None:
            progress(position, total)

    known = _Known.load([listing for _, listing in read])
    checked: list[_Checked] = []
    for position, listing in read:
        try:
            checked.append(_check(position, listing, known))
        except hsds.InvalidService as error:
            report.problems.extend(error.problems)
    report.problems.sort(key=lambda p: p.position)
    if report.problems and not skip_invalid:
        raise DirectoryImportError(report.problems)
    with transaction.atomic():
        _write(checked, known)
    report.created = sum(not c.exists for c in checked)
    report.updated = sum(c.exists for c in checked)
    report.area_not_known = [c.listing.id for c in checked if c.area_not_known]
    report.warnings = [warning for c in checked for warning in c.listing.warnings]
    return report


def _check(position: int, listing: hsds.Listing, known: _Known) -> _Checked:
    """Every check ``service_create`` makes, without touching the database again."""
    problems: list[hsds.Problem] = []

    def problem(where: str, message: str) -> None:
        problems.append(hsds.Problem(position, listing.id, where, message))

    organisation = known.organisations.get(listing.organisation.id)
    if organisation is None and not listing.organisation.name:
        problem(
            "organization_id",
            "is not an organisation Bridgeway knows; give the organization object with its name",
        )
    owner = known.service_owners.get(listing.id)
    if owner is not None and owner != listing.organisation.id:
        problem("id", "belongs to a service of another organisation")

    for where, message in _code_problems(listing, known):
        problem(where, message)

    service = _service(listing, organisation_id=listing.organisation.id)
    try:
        service.clean_fields(exclude=["organisation", "id", "confidential_address"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                problem(_HSDS_FIELD.get(name, name), str(message))
    if problems:
        raise hsds.InvalidService(problems)

    district_codes = list(listing.district_codes)
    if not district_codes and not listing.pfa_codes and not listing.is_national:
        district_codes = [
            code for code in _districts_of_postcodes(listing.locations) if code in known.districts
        ]
    return _Checked(
        position=position,
        listing=listing,
        district_codes=district_codes,
        area_not_known=not (district_codes or listing.pfa_codes or listing.is_national),
        exists=owner is not None,
    )


def _code_problems(listing: hsds.Listing, known: _Known) -> Iterator[tuple[str, str]]:
    """Codes that are not loaded, places that do not exist, child ids other services use."""
    for name, (_, vocabulary) in _RELATIONS.items():
        codes = getattr(listing, name)
        if vocabulary is None:
            places = known.districts if name == "district_codes" else known.police_force_areas
            missing = [code for code in codes if code not in places]
            message = "is not a current local authority district or police force area code"
        else:
            missing = [code for code in codes if code not in known.terms.get(vocabulary, {})]
            message = "is not loaded yet: run bridgeway load-reference-data first"
        for code in missing:
            yield _RELATION_HSDS_FIELD[name], f"{code} {message}"
    for name in _CHILDREN:
        for child in getattr(listing, name):
            other = known.child_owners[name].get(child.id)
            if other is not None and other != listing.id:
                yield f"{_HSDS_CHILD_FIELD[name]} {child.id}", "id is used by another service"


def _districts_of_postcodes(locations: Iterable[hsds.Location]) -> list[str]:
    """Districts of the locations' full postcodes, in order, without repeats."""
    codes: list[str] = []
    for location in locations:
        try:
            query = parse_location(location.postal_code)
        except InvalidPostcode:
            continue
        if isinstance(query, Postcode):
            code = postcode_lookup().district(query)
            if code and code not in codes:
                codes.append(code)
    return codes


def _service(
    listing: hsds.Listing, *, organisation_id: str, area_not_known: bool = False
) -> Service:
    travelling = {name: getattr(listing, name) for name in hsds.SERVICE_FIELDS}
    travelling["formats"] = list(listing.formats)
    return Service(
        **travelling,
        id=uuid.UUID(listing.id),
        organisation_id=organisation_id,
        area_not_known=area_not_known,
        extra=dict(listing.extra),
    )


def _new_organisations(checked: Sequence[_Checked], known: _Known) -> None:
    created: dict[str, Organisation] = {}
    for item in checked:
        source = item.listing.organisation
        if source.id in known.organisations or source.id in created:
            continue
        base = slugify(source.name)[:60] or "organisation"
        created[source.id] = Organisation(
            id=uuid.UUID(source.id),
            name=source.name,
            slug=f"{base}-{source.id[:8]}",
            kind=Organisation.Kind.UNIVERSAL,
            independence=item.listing.independence,
            website=source.website,
        )
    Organisation.objects.bulk_create(list(created.values()), batch_size=CHUNK)
    known.organisations.update(created)


def _write(checked: Sequence[_Checked], known: _Known) -> None:
    """Write every checked listing: services, their codes and places, and their children."""
    _new_organisations(checked, known)
    now = timezone.now()
    new: list[Service] = []
    changed: list[Service] = []
    for item in checked:
        service = _service(
            item.listing,
            organisation_id=item.listing.organisation.id,
            area_not_known=item.area_not_known,
        )
        if item.exists:
            service.updated_at = now
            changed.append(service)
        else:
            service.last_confirmed_at = now
            new.append(service)
    _insert(Service, new)
    _update(Service, changed, [*_IMPORTED_FIELDS, "updated_at"])
    existing_ids = [uuid.UUID(item.listing.id) for item in checked if item.exists]

    # The code lists are most of the rows; plain executemany avoids building a model object
    # for each of them (bulk_create of the through models was most of the import's time).
    service_keys = {
        item.listing.id: Service._meta.pk.get_db_prep_value(uuid.UUID(item.listing.id), connection)
        for item in checked
    }
    quote = connection.ops.quote_name
    for name, (relation, vocabulary) in _RELATIONS.items():
        through = Service._meta.get_field(relation).remote_field.through  # type: ignore[union-attr]
        target = Service._meta.get_field(relation).m2m_reverse_field_name()  # type: ignore[union-attr]
        for chunk in _chunks(existing_ids):
            through.objects.filter(service_id__in=chunk).delete()
        rows = []
        for item in checked:
            codes = item.district_codes if name == "district_codes" else getattr(item.listing, name)
            key = service_keys[item.listing.id]
            for code in codes:
                rows.append((key, code if vocabulary is None else known.terms[vocabulary][code]))
        # Names come from the models, quoted; values are parameters.
        sql = "INSERT INTO {} ({}, {}) VALUES (%s, %s)".format(  # noqa: S608
            quote(through._meta.db_table),
            quote(through._meta.get_field("service").column),
            quote(through._meta.get_field(target).column),
        )
        with connection.cursor() as cursor:
            for batch in _chunks(rows):
                cursor.executemany(sql, batch)

    for name, model in _CHILDREN.items():
        for chunk in _chunks(existing_ids):
            model._default_manager.filter(service_id__in=chunk).delete()
        records = [
            _child(model, item.listing.id, child)
            for item in checked
            for child in getattr(item.listing, name)
        ]
        _insert(model, records)
    # Rows written with plain SQL send no signals: stamp them, last, so every app server's
    # matching index reads these listings on its next match (decision 0096).
    services_stamp([uuid.UUID(item.listing.id) for item in checked])


def _insert(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """INSERT the objects with ``executemany``: what ``bulk_create`` does (each field's
    ``pre_save`` and ``get_db_prep_save``), without compiling SQL for every batch, which
    was half of a large import's time. For new rows of models with no signals or parents."""
    if not objects:
        return
    fields = [f for f in model._meta.local_concrete_fields if f.column]
    quote = connection.ops.quote_name
    # Names come from the model, quoted; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(str(f.column)) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = [
        tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
        for obj in objects
    ]
    with connection.cursor() as cursor:
        for batch in _chunks(rows):
            cursor.executemany(sql, batch)


def _update(model: type[models.Model], objects: Sequence[models.Model], names: list[str]) -> None:
    """UPDATE each object's ``names`` fields by primary key with ``executemany``.

    ``bulk_update`` builds one CASE expression per field per batch, which took about 4 ms a
    service; a prepared UPDATE per row is a small fraction of that.
    """
    if not objects:
        return
    fields = [model._meta.get_field(name) for name in names]
    pk = model._meta.pk
    assert pk is not None  # noqa: S101 - every concrete model has one; narrows the type
    quote = connection.ops.quote_name
    # Names come from the model, quoted; values are parameters.
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(f"{quote(str(f.column))} = %s" for f in fields),  # type: ignore[union-attr]
        quote(str(pk.column)),
    )
    rows = [
        (
            *(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields),  # type: ignore[union-attr]
            pk.get_db_prep_save(obj.pk, connection),
        )
        for obj in objects
    ]
    with connection.cursor() as cursor:
        for batch in _chunks(rows):
            cursor.executemany(sql, batch)


def _child(model: type[models.Model], service_id: str, child: Any) -> models.Model:
    values = {key: value for key, value in vars(child).items() if key != "id"}
    return model(id=uuid.UUID(child.id), service_id=uuid.UUID(service_id), **values)

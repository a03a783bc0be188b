"""Reading an Open Referral (HSDS 3) feed into the directory, in bulk, in one transaction.

A council's feed is loaded nightly and can hold tens of thousands of services, so the import
does not save them one at a time through ``service_create``: it reads every service (pure,
``hsds.py``), loads what it needs to check them in a handful of queries, checks each one as
``service_create`` would (the same field validation and the same vocabularies and places),
and only then writes them with bulk inserts in one transaction.

What the standard allows is accepted; an optional value that is wrong is left out and named
(a warning); only a service that cannot stand (a required field missing or of the wrong type)
is refused, named with its position, id and field, and the rest imported. ``strict`` turns
warnings and refusals into errors: then nothing is written (issue 13, item 2).

Absent is not empty: an array a record does not carry (a list page carries none) leaves what
Bridgeway holds as it is; an array given empty removes it (item 3).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from bridgeway.accounts.models import Organisation
from bridgeway.directory.models import FeedSource, Service
from bridgeway.directory.openreferral import (
    bulk,
    child_ids,
    children,
    hsds,
    rules,
    shared_locations,
)
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
# The HSDS array a relation of codes is read from.
_RELATION_ARRAY = {
    "district_codes": "service_areas",
    "pfa_codes": "service_areas",
    "languages": "languages",
    "harm_types": "attributes",
    "ethnic_groups": "attributes",
    "religions": "attributes",
}
# Service fields read from an array: left as they are when the record does not carry it.
_FIELD_ARRAY = {
    "phone": "phones",
    "independence": "attributes",
    "formats": "attributes",
    **dict.fromkeys(hsds.FEATURES, "attributes"),
    "area_not_known": "service_areas",
}
# Kept ``extra`` entries that come from an array.
_EXTRA_ARRAY = {"attributes": "attributes", "languages": "languages"}
# Service fields an import writes over on a service it updates: the ones that travel, and
# besides them the organisation (the same one: ``_check`` refuses a change), whether its area
# could be worked out, and the HSDS fields Bridgeway does not model. Never the confidential
# address, which never travels, nor ``last_confirmed_at`` (only its organisation confirms a
# listing: an import never does), nor ``is_synthetic`` (HSDS has no such field).
_IMPORTED_FIELDS = (
    "organisation",
    *hsds.SERVICE_FIELDS,
    "area_not_known",
    "extra",
    "source",
    "harvested_at",
    "content_hash",
    "withdrawn_at",
)


@dataclass
class ImportReport:
    """What an import did: counts, services flagged 'area not known', and skipped problems."""

    created: int = 0
    updated: int = 0
    # Records whose content hash matched what the source gave last time: not written.
    unchanged: int = 0
    # Listings of the source that its feed no longer carries (a harvest of a whole feed).
    withdrawn: int = 0
    area_not_known: list[str] = field(default_factory=list)
    problems: list[hsds.Problem] = field(default_factory=list)
    # What was changed to make an imported service safe to publish (markup taken out, an
    # unsafe address left out); the service itself was imported.
    warnings: list[hsds.Problem] = field(default_factory=list)

    @property
    def skipped_positions(self) -> list[int]:
        return sorted({p.position for p in self.problems})

    @property
    def refused(self) -> list[int]:
        """Positions of the services that were refused."""
        return self.skipped_positions

    def summary(self) -> dict[str, int]:
        """The counts an import or harvest ends with."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "withdrawn": self.withdrawn,
            "refused": len(self.refused),
            "warnings": len(self.warnings),
        }

    def summary_line(self) -> str:
        """The summary as one line: "3 created, 1 updated, ..."."""
        return ", ".join(f"{count} {name}" for name, count in self.summary().items())


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
    # The listing's id as a UUID, made once.
    id: uuid.UUID
    # The service's own fields (attribute name -> value), as checked: its row is made from
    # them, with no model object built for it.
    values: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""


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
    # The service's field rules for this database, found once (not once a listing: finding
    # them asks the connection, a thread-local look-up that cost 40 us a listing).
    service_rules: rules.Rules
    # Service id -> (source id, content hash) of the services in the feed that exist.
    hashes: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Postcode as given -> its district, looked up once per import (places share postcodes).
    postcode_districts: dict[str, str | None] = field(default_factory=dict)
    # Child ids taken by the services checked so far: none is given twice (decision 0151).
    taken_ids: child_ids.ChildIds = field(
        default_factory=lambda: child_ids.ChildIds(children.HSDS_CHILD_FIELD)
    )

    @classmethod
    def load(cls, listings: Sequence[hsds.Listing]) -> _Known:
        organisation_ids = sorted({x.organisation.id for x in listings})
        organisations: dict[str, Organisation] = {}
        for chunk in _chunks(organisation_ids):
            organisations.update((str(o.id), o) for o in Organisation.objects.filter(id__in=chunk))
        service_ids = [x.id for x in listings]
        owners: dict[str, str] = {}
        hashes: dict[str, tuple[str, str]] = {}
        columns = ["id", "organisation_id", "source_id", "content_hash"]
        for service_id, org, source, digest in bulk.rows_keyed(Service, "id", service_ids, columns):
            owners[service_id] = org
            hashes[service_id] = (str(source or ""), digest)
        terms: dict[str, dict[str, int]] = {}
        for vocabulary, code, pk in Term.objects.filter(
            vocabulary__in=["languages", "harm_types", "ethnic_groups", "religions"]
        ).values_list("vocabulary", "code", "id"):
            terms.setdefault(vocabulary, {})[code] = pk
        return cls(
            organisations=organisations,
            service_owners=owners,
            terms=terms,
            districts=frozenset(LocalAuthorityDistrict.objects.values_list("code", flat=True)),
            police_force_areas=frozenset(PoliceForceArea.objects.values_list("code", flat=True)),
            child_owners=children.owners(listings),
            service_rules=_service_rules(),
            hashes=hashes,
        )


def content_hash(document: object) -> str:
    """A hash of a feed's record as given: the same record always hashes the same."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@bulk.collector_paused()
def directory_import(
    documents: Sequence[object],
    *,
    strict: bool = False,
    source: FeedSource | None = None,
    withdraw_missing: bool = False,
    keys: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    unchanged_ids: Sequence[str] = (),
) -> ImportReport:
    """Create or update (matched on ``id``) every service of an HSDS feed.

    A service that cannot stand is refused and named in ``report.problems``; the rest are
    imported, and ``report.warnings`` names every value left out or cleaned. With
    ``strict`` any problem or warning raises ``DirectoryImportError`` and nothing changes.
    An array a record does not carry leaves those children and codes as they are. A service
    whose areas cannot be placed is kept and flagged ``area_not_known``. An organisation
    Bridgeway does not know is created from the feed; a known one's new name or website is
    applied and reported. With ``source`` the listings record it and the harvest time, a
    record whose content hash is unchanged is not written again, and with
    ``withdraw_missing`` the source's listings the feed no longer carries are withdrawn.
    ``keys`` gives each document's hash key when the harvest chose it (the list record's,
    see ``fetching.FeedRead``); otherwise each document's own hash is used.
    ``progress(done, total)`` is called as services are read. ``unchanged_ids`` are the
    source's services on feed pages the harvest found the same as last time (not read
    again): counted unchanged, and still in the feed, so never withdrawn.
    """
    report = ImportReport(unchanged=len(unchanged_ids))
    # A source's record whose hash key is unchanged is not even read again (issue 13, item 6).
    held = _held_keys(source) if source is not None else {}
    # Only a harvest keeps each record's hash: a plain import does not work it out.
    read = _read_all(documents, report, progress, keys, held, hashed=source is not None)
    known = _Known.load([listing for _, listing, _ in read])
    source_id = str(source.pk) if source is not None else ""
    checked: list[_Checked] = []
    for position, listing, digest in read:
        if source is not None and known.hashes.get(listing.id) == (source_id, digest):
            report.unchanged += 1
            continue
        try:
            item = _check(position, listing, known)
        except hsds.InvalidService as error:
            report.problems.extend(error.problems)
        else:
            item.content_hash = digest if source is not None else ""
            checked.append(item)
    report.problems.sort(key=_order)
    report.warnings = [warning for c in checked for warning in c.listing.warnings]
    if strict and (report.problems or report.warnings):
        raise DirectoryImportError(sorted([*report.problems, *report.warnings], key=_order))
    with transaction.atomic():
        report.warnings += _write(checked, known, source)
        if source is not None:
            # A record refused this time is still in the feed: its listing stays as it was.
            seen = _ids_in([*documents, *({"id": i} for i in unchanged_ids)])
            report.withdrawn = _touch_and_withdraw(source, seen, withdraw=withdraw_missing)
    report.created = sum(not c.exists for c in checked)
    report.updated = sum(c.exists for c in checked)
    report.area_not_known = [c.listing.id for c in checked if c.area_not_known]
    return report


def _held_keys(source: FeedSource) -> dict[str, str]:
    """The hash key of each listing of ``source``, by service id."""
    return {
        str(pk): key
        for pk, key in Service.objects.filter(source=source).values_list("id", "content_hash")
    }


def _unchanged(
    document: object,
    position: int,
    keys: Sequence[str] | None,
    held: dict[str, str],
    seen: dict[str, int],
) -> bool:
    """Whether the record is one ``held`` with the same hash key (and not a repeated id)."""
    if not isinstance(document, dict):
        return False
    service_id = document.get("id")
    if not isinstance(service_id, str) or service_id in seen or service_id not in held:
        return False
    key = keys[position - 1] if keys is not None else content_hash(document)
    if held[service_id] != key:
        return False
    seen[service_id] = position
    return True


def _ids_in(documents: Sequence[object]) -> list[uuid.UUID]:
    """The service ids a feed carries, refused records' included."""
    ids: list[uuid.UUID] = []
    for document in documents:
        if isinstance(document, dict) and isinstance(document.get("id"), str):
            try:
                ids.append(uuid.UUID(document["id"]))
            except ValueError:
                continue
    return ids


def _order(problem: hsds.Problem) -> int:
    return problem.position


def _read_all(
    documents: Sequence[object],
    report: ImportReport,
    progress: Callable[[int, int], None] | None,
    keys: Sequence[str] | None = None,
    held: dict[str, str] | None = None,
    *,
    hashed: bool = True,
) -> list[tuple[int, hsds.Listing, str]]:
    """Every service read and (with ``hashed``) hashed; problems (a repeated id among them)
    into ``report``.

    A record whose id and hash key match ``held`` (the source's listings as last harvested)
    is counted unchanged without being read."""
    total = len(documents)
    read: list[tuple[int, hsds.Listing, str]] = []
    seen: dict[str, int] = {}
    for position, document in enumerate(documents, start=1):
        if held and _unchanged(document, position, keys, held, seen):
            report.unchanged += 1
            if progress is not None:
                progress(position, total)
            continue
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
                if keys is not None:
                    key = keys[position - 1]
                else:
                    key = content_hash(document) if hashed else ""
                read.append((position, listing, key))
        if progress is not None:
            progress(position, total)
    return read


def _touch_and_withdraw(source: FeedSource, seen: Sequence[uuid.UUID], *, withdraw: bool) -> int:
    """Mark the source's listings in the feed as harvested now (and back if withdrawn);
    with ``withdraw``, withdraw the ones it no longer carries. Returns how many were."""
    if withdraw:
        return _touch_whole_feed(source, seen)
    now = timezone.now()
    restored: list[uuid.UUID] = []
    for chunk in _chunks(seen):
        Service.objects.filter(source=source, id__in=chunk).update(harvested_at=now)
        back = Service.objects.filter(source=source, id__in=chunk, withdrawn_at__isnull=False)
        restored.extend(back.values_list("id", flat=True))
        back.update(withdrawn_at=None, updated_at=now)
    gone: set[uuid.UUID] = set()
    if withdraw:
        gone = set(
            Service.objects.filter(source=source, withdrawn_at__isnull=True).values_list(
                "id", flat=True
            )
        ) - set(seen)
        for chunk in _chunks(sorted(gone)):
            Service.objects.filter(id__in=chunk).update(withdrawn_at=now, updated_at=now)
    # update() sends no signal: the matching indexes learn of these from the stamp (0096).
    if restored or gone:
        services_stamp([*restored, *gone])
    return len(gone)


def _touch_whole_feed(source: FeedSource, seen: Sequence[uuid.UUID]) -> int:
    """``_touch_and_withdraw`` for a whole feed: what changes is found from one read of the
    source's listings, and every listing it still carries is marked harvested in a single
    statement, not one per thousand ids (a nightly re-harvest of 50,000 changes few)."""
    now = timezone.now()
    carried = set(seen)
    held = Service.objects.filter(source=source).values_list("id", "withdrawn_at")
    restored, gone = [], []
    for service_id, withdrawn_at in held.iterator():
        if service_id in carried and withdrawn_at is not None:
            restored.append(service_id)
        elif service_id not in carried and withdrawn_at is None:
            gone.append(service_id)
    for chunk in _chunks(restored):
        Service.objects.filter(id__in=chunk).update(withdrawn_at=None, updated_at=now)
    for chunk in _chunks(sorted(gone)):
        Service.objects.filter(id__in=chunk).update(withdrawn_at=now, updated_at=now)
    # Now exactly the listings the feed carries are the source's not withdrawn.
    Service.objects.filter(source=source, withdrawn_at__isnull=True).update(harvested_at=now)
    if restored or gone:
        services_stamp([*restored, *gone])
    return len(gone)


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
    listing = _without_unknown_places(position, listing, known)

    values = _values(listing)
    for name, message in known.service_rules.problems(values):
        problem(_HSDS_FIELD.get(name, name), message)
    problems += known.taken_ids.repeated(position, listing)
    if problems:
        raise hsds.InvalidService(problems)
    known.taken_ids.take(position, listing)

    district_codes = list(listing.district_codes)
    if not district_codes and not listing.pfa_codes and not listing.is_national:
        district_codes = [
            code
            for code in _districts_of_postcodes(listing.locations, known.postcode_districts)
            if code in known.districts
        ]
    return _Checked(
        position=position,
        listing=listing,
        district_codes=district_codes,
        area_not_known=not (district_codes or listing.pfa_codes or listing.is_national),
        exists=owner is not None,
        id=uuid.UUID(listing.id),
        values=values,
    )


def _code_problems(listing: hsds.Listing, known: _Known) -> Iterator[tuple[str, str]]:
    """Codes that are not loaded, places that do not exist, child ids other services use."""
    for name, (_, vocabulary) in _RELATIONS.items():
        if vocabulary is None:
            continue  # places: see _without_unknown_places
        missing = [c for c in getattr(listing, name) if c not in known.terms.get(vocabulary, {})]
        for code in missing:
            yield (
                _RELATION_HSDS_FIELD[name],
                f"{code} is not loaded yet: run bridgeway load-reference-data first",
            )
    for place in listing.locations:  # a place may be shared, its link not (decision 0154)
        link = shared_locations.link_id(place)
        if known.child_owners[children.LINKS].get(link, listing.id) != listing.id:
            yield f"service_at_locations {link}", "id is used by another service"
    for name in children.CHILDREN.keys() - {"locations"}:
        for child in getattr(listing, name):
            other = known.child_owners[name].get(child.id)
            if other is not None and other != listing.id:
                yield (
                    f"{children.HSDS_CHILD_FIELD[name]} {child.id}",
                    "id is used by another service",
                )


def _without_unknown_places(position: int, listing: hsds.Listing, known: _Known) -> hsds.Listing:
    """The listing without area codes that are not current districts or police force
    areas: an optional value, left out and named (issue 13, item 2)."""
    if known.districts.issuperset(listing.district_codes) and known.police_force_areas.issuperset(
        listing.pfa_codes
    ):
        return listing  # every code is current (nearly every listing)
    dropped: list[hsds.Problem] = []
    kept: dict[str, tuple[str, ...]] = {}
    for name, places in (
        ("district_codes", known.districts),
        ("pfa_codes", known.police_force_areas),
    ):
        codes = getattr(listing, name)
        kept[name] = tuple(code for code in codes if code in places)
        dropped += [
            hsds.Problem(
                position,
                listing.id,
                "service_areas",
                f"{code} is not a current local authority district or police force area "
                "code; left out",
            )
            for code in codes
            if code not in places
        ]
    if not dropped:
        return listing
    return replace(
        listing,
        district_codes=kept["district_codes"],
        pfa_codes=kept["pfa_codes"],
        warnings=(*listing.warnings, *dropped),
    )


def _districts_of_postcodes(
    locations: Iterable[hsds.Location], looked_up: dict[str, str | None]
) -> list[str]:
    """Districts of the locations' full postcodes, in order, without repeats; ``looked_up``
    keeps each postcode's district for the rest of the import."""
    codes: list[str] = []
    for location in locations:
        text = location.postal_code
        if text not in looked_up:
            looked_up[text] = _district_of_postcode(text)
        code = looked_up[text]
        if code and code not in codes:
            codes.append(code)
    return codes


def _district_of_postcode(text: str) -> str | None:
    """The district of a full postcode; None for anything else."""
    try:
        query = parse_location(text)
    except InvalidPostcode:
        return None
    return postcode_lookup().district(query) if isinstance(query, Postcode) else None


# The service fields a listing gives, checked by ``_check`` as ``clean_fields`` would.
_CHECKED_FIELDS = (*hsds.SERVICE_FIELDS, "extra")
# What ``service_create`` does not check either: set by Bridgeway, never by a feed.
_UNCHECKED_FIELDS = ("organisation", "id", "confidential_address")


def _service_rules() -> rules.Rules:
    return rules.rules(Service, _CHECKED_FIELDS, exclude=_UNCHECKED_FIELDS)


# The fields read in C, all at once, rather than one ``getattr`` each.
_service_fields = attrgetter(*hsds.SERVICE_FIELDS)


def _values(listing: hsds.Listing) -> dict[str, Any]:
    """The service's own fields a listing gives (attribute name -> value)."""
    values = dict(zip(hsds.SERVICE_FIELDS, _service_fields(listing), strict=True))
    values["formats"] = list(listing.formats)
    values["extra"] = dict(listing.extra)
    return values


def _new_organisations(checked: Sequence[_Checked], known: _Known) -> list[hsds.Problem]:
    """Create the organisations Bridgeway does not know; apply a known one's new name or
    website from the feed, and say so (a warning per rename)."""
    created: dict[str, Organisation] = {}
    changed: dict[str, Organisation] = {}
    notes: list[hsds.Problem] = []
    for item in checked:
        source = item.listing.organisation
        known_one = known.organisations.get(source.id)
        if known_one is not None:
            if source.name and source.name != known_one.name:
                notes.append(
                    hsds.Problem(
                        item.position,
                        item.listing.id,
                        "organization.name",
                        f"organisation renamed from {known_one.name!r} to {source.name!r}",
                    )
                )
                known_one.name = source.name
                changed[source.id] = known_one
            if source.website and source.website != known_one.website:
                known_one.website = source.website
                changed[source.id] = known_one
            continue
        if source.id in created:
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
    if changed:
        Organisation.objects.bulk_update(list(changed.values()), ["name", "website"])
    known.organisations.update(created)
    return notes


# Provenance fields: written by a harvest, left alone by a plain file import.
_PROVENANCE = ("source", "harvested_at", "content_hash", "withdrawn_at")


def _write(
    checked: Sequence[_Checked], known: _Known, source: FeedSource | None = None
) -> list[hsds.Problem]:
    """Write every checked listing: services, their codes and places, and their children,
    replacing only what each record carries. Returns what it changed besides (renames)."""
    notes = _new_organisations(checked, known)
    now = timezone.now()
    services = bulk.table(Service)
    new: list[dict[str, Any]] = []
    changed: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    old_extra = _old_extra(checked)
    for item in checked:
        # The row is made from the values ``_check`` checked, with no model object. Ids go
        # as the canonical text the reader gave: COPY sends text, and a UUID object would be
        # made here only to be turned back into text there.
        values = {
            **item.values,
            "id": item.listing.id,
            "organisation_id": item.listing.organisation.id,
            "area_not_known": item.area_not_known,
            "source_id": source.pk if source is not None else None,
            "harvested_at": now if source is not None else None,
            "content_hash": item.content_hash,
            # In the feed again: not withdrawn (if it was).
            "withdrawn_at": None,
            "updated_at": now,
        }
        if not item.exists:
            values["created_at"] = now
            new.append(values)
            continue
        carried = item.listing.carried
        kept = old_extra.get(item.listing.id, {})
        extra = values["extra"]
        for key, array in _EXTRA_ARRAY.items():
            if array not in carried and key in kept:
                extra[key] = kept[key]
        names = tuple(
            name
            for name in _IMPORTED_FIELDS
            if (name not in _FIELD_ARRAY or _FIELD_ARRAY[name] in carried)
            and (source is not None or name not in _PROVENANCE)
        )
        changed.setdefault(names, []).append(values)
    for names, rows in changed.items():
        bulk.update_by_key(Service, rows, [*names, "updated_at"])
    _write_codes(checked, known)
    _write_children(checked, known)
    # Plain SQL sends no signals: the listings are stamped here (decision 0096), the updated
    # ones by an UPDATE, the new ones inserted after, carrying the version (decision 0152).
    version = services_stamp([item.id for item in checked if item.exists])
    services.write([services.row({**values, "stamp": version}) for values in new])
    return notes


def _old_extra(checked: Sequence[_Checked]) -> dict[str, dict[str, Any]]:
    """Kept fields of existing services whose record leaves out an array they come from."""
    wanted = [
        uuid.UUID(c.listing.id)
        for c in checked
        if c.exists and any(a not in c.listing.carried for a in _EXTRA_ARRAY.values())
    ]
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(wanted):
        found.update(
            (str(pk), extra)
            for pk, extra in Service.objects.filter(id__in=chunk).values_list("id", "extra")
        )
    return found


def _replaced(checked: Sequence[_Checked], array: str) -> list[_Checked]:
    """The listings whose record carries ``array``, or that are new."""
    return [c for c in checked if not c.exists or array in c.listing.carried]


def _write_codes(checked: Sequence[_Checked], known: _Known) -> None:
    """Replace the code lists (areas, languages, vocabularies) each record carries."""
    # The code lists are most of the rows: written in bulk (COPY on PostgreSQL), straight
    # from the codes, with no model object for each (bulk.py).
    # Each service's id as the database takes it, made once for its six relations rather than
    # once in each (300,000 conversions at 50,000 services).
    service_key = bulk.table(Service).converter("id")
    # From the id's canonical text (on PostgreSQL, sent as it is: a UUID object's text was
    # made again for every code row).
    keys = {item.position: service_key(item.listing.id) for item in checked}
    # In the order of the service's id, the order the rows are written in (bulk.Table.write):
    # sorted once here, each batch can go to the database as soon as it is made.
    in_order = sorted(checked, key=_id_number)
    for name, (relation, vocabulary) in _RELATIONS.items():
        through = Service._meta.get_field(relation).remote_field.through  # type: ignore[union-attr]
        target = Service._meta.get_field(relation).m2m_reverse_field_name()  # type: ignore[union-attr]
        items = _replaced(in_order, _RELATION_ARRAY[name])
        for chunk in _chunks([item.id for item in items if item.exists]):
            through.objects.filter(service_id__in=chunk).delete()
        through_table = bulk.table(through)
        target_name = through._meta.get_field(target).attname
        ids = known.terms[vocabulary] if vocabulary is not None else None
        # Each service's id is converted once for all its codes.
        through_table.write_in_order(
            through_table.pair_rows(
                "service_id",
                target_name,
                _codes_by_service(batch, name, ids, keys),
                first_converted=True,
            )
            for batch in _chunks(items)
        )


def _id_number(item: _Checked) -> int:
    """The listing's id as a number: in the same order as its text, compared in C."""
    return item.id.int


def _codes_by_service(
    items: Sequence[_Checked], name: str, ids: dict[str, int] | None, keys: dict[int, Any]
) -> Iterator[tuple[Any, Iterable[Any]]]:
    """Each listing's id (``keys``: by position, as the database takes it) and the codes of
    its relation ``name`` (as term ids, with ``ids``)."""
    if name == "district_codes":
        return ((keys[item.position], item.district_codes) for item in items)
    codes = attrgetter(name)
    if ids is None:
        return ((keys[item.position], codes(item.listing)) for item in items)
    # Term ids looked up in C, one map a service rather than a list made for it.
    term_id = ids.__getitem__
    return ((keys[item.position], map(term_id, codes(item.listing))) for item in items)


def _write_children(checked: Sequence[_Checked], known: _Known) -> None:
    """Replace the children (locations, phones...) of the arrays each record carries."""
    for name in children.CHILDREN:
        items = _replaced(checked, children.HSDS_CHILD_FIELD[name])
        children.replace(
            name,
            [(item.listing.id, item.exists, item.listing) for item in items],
            known.child_owners[name],
        )

"""The records an import keeps inside each service (locations, phones, schedules, costs,
funding): which HSDS array each comes from, who holds their ids already, and writing them.

Each is a row of its service keyed by the id the feed gives, but a location: one HSDS location
may be used by several services, so its rows keep the HSDS id beside their own (decision 0154,
``shared_locations``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from typing import TypeVar

from django.db import models
from django.db.models.fields.json import KeyTransform

from bridgeway.directory.models import CostOption, Funding, Location, Phone, Schedule
from bridgeway.directory.openreferral import bulk, hsds, shared_locations

# Rows per ``__in`` look-up (well inside SQLite's variable limit), as ``importing.CHUNK``.
CHUNK = 2000

CHILDREN: dict[str, type[models.Model]] = {
    "locations": Location,
    "phones": Phone,
    "schedules": Schedule,
    "cost_options": CostOption,
    "funding": Funding,
}
# The HSDS array each is read from, as problems name it.
HSDS_CHILD_FIELD = {
    "locations": "service_at_locations",
    "phones": "phones",
    "schedules": "schedules",
    "cost_options": "cost_options",
    "funding": "funding",
}

# ``owners``'s key for the services at location ids already held: a location may be shared
# (decision 0154), each service's link to it not.
LINKS = "service_at_locations"

T = TypeVar("T")


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def owners(listings: Sequence[hsds.Listing]) -> dict[str, dict[str, str]]:
    """Listing attribute -> {row id: service id} of the rows the listings' child ids name."""
    found: dict[str, dict[str, str]] = {}
    for name, model in CHILDREN.items():
        ids = [child.id for x in listings for child in getattr(x, name)]
        found[name] = dict(bulk.rows_keyed(model, "id", ids, ["id", "service_id"]))
    found[LINKS] = _link_owners(listings)
    return found


def _link_owners(listings: Sequence[hsds.Listing]) -> dict[str, str]:
    """{service at location id: service id} of the rows the listings' link ids name: the
    link ids a feed gave (kept in ``extra``) and those made from a place's HSDS id."""
    places = [place.id for x in listings for place in x.locations]
    # Only a link id a feed gave can be another row's given one; one made from a place's id
    # is found by the place (the first look-up, by an index). The second reads ``extra``.
    links = [
        shared_locations.link_id(place)
        for x in listings
        for place in x.locations
        if place.extra.get("link_id")
    ]
    held: dict[str, str] = {}
    # By the place's id without Django converting and checking each id (50,000 UUIDs made
    # and sent one by one at 50,000 services, most of them places no row holds yet).
    columns = ["service_id", "hsds_id", "extra"]
    for owner, place, extra in bulk.rows_keyed(Location, "hsds_id", places, columns):
        kept = json.loads(extra) if isinstance(extra, str | bytes) else extra
        given = kept.get("link_id") if isinstance(kept, dict) else None
        held[given or hsds.service_at_location_id(place)] = owner
    # The link id as an expression, not ``values_list("extra__link_id")``: for that path
    # Django raises a FieldError and catches it (then tries a key transform), and the
    # exception's traceback, kept in a reference cycle, held this import's frames and with
    # them the whole feed and every listing until the cycle collector next ran.
    rows = Location.objects.annotate(given=KeyTransform("link_id", "extra")).values_list(
        "service_id", "hsds_id", "given"
    )
    for chunk in _chunks(links):
        for owner, place, given in rows.filter(given__in=chunk):
            link = given or hsds.service_at_location_id(str(place))
            held[link] = str(owner)
    return held


def replace(
    name: str,
    services: Sequence[tuple[str | uuid.UUID, bool, hsds.Listing]],
    held: dict[str, str],
) -> None:
    """Make the ``name`` records of each ``(service id, exists, listing)`` the listing's.

    ``held`` is ``owners``'s answer for ``name``, read before the import wrote anything.
    """
    model = CHILDREN[name]
    for chunk in _chunks([service for service, exists, _ in services if exists]):
        model._default_manager.filter(service_id__in=chunk).delete()
    given = [(service, getattr(listing, name)) for service, _, listing in services]
    bulk.insert_children(
        model,
        shared_locations.location_rows(given, held)
        if model is Location
        else ((service, child) for service, records in given for child in records),
    )

"""One HSDS location used by several services (decision 0154).

HSDS links a service to a place through a ``service_at_location``; one location (a community
centre) may be linked to several services, each by a link of its own. Bridgeway keeps a row
of ``Location`` for each service at the place: the row's own ``id`` and, beside it, the HSDS
location's id (``hsds_id``), the same in every row of the place. So:

- a location's id may be given by several services of a feed, or already be held by another
  service: each gets its row. What must be unique is each service at location's id (the link
  id), across the feed; and a service still gives a place once (``child_ids``);
- a row's ``id`` is the HSDS id itself when no other service's row has it (so a place of one
  service keeps the id it always had), and otherwise an id made from the place and the service,
  the same at every import;
- the feed and the exports publish the place under its HSDS id, once where places are listed.

Django-free: only plain records and ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from bridgeway.directory.openreferral.listing import Location
from bridgeway.directory.openreferral.terms import made_up_id, service_at_location_id


def link_id(location: Location) -> str:
    """The id of the service at location: the one the feed gave, else made from the place's."""
    given = location.extra.get("link_id")
    return given if isinstance(given, str) and given else made_up_link_id(location.id)


# An import asks for each place's link id in several checks, the reader first (to tell a
# given link id from the one made up): a SHA-1 each time was a tenth of a second for 10,000
# services. Bounded: a harvest process may read many feeds.
@lru_cache(maxsize=1 << 16)
def made_up_link_id(location_id: str) -> str:
    """``terms.service_at_location_id``, remembered for the places read lately."""
    return service_at_location_id(location_id)


def row_id(hsds_id: str, service_id: str) -> str:
    """The id of a service's row for a place held by another service's row already."""
    return made_up_id(hsds_id, f"at service {service_id}")


def location_rows(
    places: Iterable[tuple[str | uuid.UUID, Iterable[Location]]], owners: Mapping[str, str]
) -> Iterator[tuple[str | uuid.UUID, Any]]:
    """``(service id, row values)`` for each service's places, for ``bulk.insert_children``.

    ``owners`` maps a row id held before the import to its service; each service's own rows
    are deleted before these are written, so only another service's row keeps an id taken.
    """
    taken: set[str] = set()
    for service_id, locations in places:
        service = str(service_id)
        for location in locations:
            pk = location.id
            if owners.get(pk, service) != service or pk in taken:
                pk = row_id(location.id, service)
            taken.add(pk)
            yield (
                service_id,
                SimpleNamespace(**{**vars(location), "id": pk, "hsds_id": location.id}),
            )

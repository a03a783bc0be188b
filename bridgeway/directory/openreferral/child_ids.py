"""Child record ids given more than once in one feed (issue 13, bad input; decisions 0151
and 0154).

Bridgeway keeps each service's phones, schedules, costs and funding as rows of that service,
keyed by the id the feed gives them (``importing._CHILDREN``). Two services of one feed
giving the same id (or one service giving it twice) cannot both be kept: the rows would
collide, and the database refused the whole import with an integrity error.

What a council's data team would expect is the refusal a service already gets when its
child id belongs to a service Bridgeway holds: the later service is refused, named with
its position, id and the record (``phones <id>``), and the service that has the id first;
the rest of the feed is imported (all of it refused with ``strict``; in a harvest the
refused listing stays as it was). A fresh id with a warning was not chosen: it would depend
on the order of the feed (which service keeps the id could change from one harvest to the
next), a record left unread because it had not changed could not be compared, and the export
would publish ids the council never gave.

Locations are the exception HSDS makes: one location may be used by several services
(decision 0154, ``shared_locations``), each through a service at location of its own. So a
location's id may be repeated across services; what may not is the service at location's id
(refused as above, ``service_at_locations <link id>``), nor one service giving the same
place twice.

Django-free: this only compares the ids of listings already read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bridgeway.directory.openreferral.listing import Listing, Problem
from bridgeway.directory.openreferral.shared_locations import link_id


def _own_id(child: Any) -> str:
    return str(child.id)


# Listing attribute -> the id that must be unique across the services of a feed, where it is
# not the child's own: a shared location's service at location id.
_ACROSS_SERVICES: dict[str, Callable[[Any], str]] = {"locations": link_id}


class ChildIds:
    """The child ids the services of one import have taken, in the order they were checked."""

    def __init__(self, arrays: Mapping[str, str]) -> None:
        # Listing attribute (``locations``) -> the HSDS array a problem names.
        self._arrays = dict(arrays)
        # Listing attribute -> child id -> (position, service id) of the service that took it.
        self._taken: dict[str, dict[str, tuple[int, str]]] = {name: {} for name in arrays}

    def repeated(self, position: int, listing: Listing) -> list[Problem]:
        """A problem for each child id of ``listing`` given twice in it or already taken."""
        problems: list[Problem] = []
        for name, array in self._arrays.items():
            taken = self._taken[name]
            across = _ACROSS_SERVICES.get(name, _own_id)
            own: set[str] = set()
            named: set[str] = set()
            for child in getattr(listing, name):
                message = None
                # A child's own id, and (for a location) its link's, once each in a service.
                key = across(child)
                # The first of the two ids this service gave already, if either.
                twice = child.id if child.id in own else key if key in own else None
                child_id = twice or key
                if twice is not None:
                    message = "is given twice in this service; each record needs an id of its own"
                elif child_id in taken:
                    first, first_id = taken[child_id]
                    message = (
                        f"is already the id of a record of service {first} (id {first_id}); "
                        f"each service's {array} need ids of their own"
                    )
                own.add(child.id)
                own.add(key)
                if message is not None and child_id not in named:
                    named.add(child_id)
                    problems.append(Problem(position, listing.id, f"{array} {child_id}", message))
        return problems

    def take(self, position: int, listing: Listing) -> None:
        """Record ``listing``'s child ids as taken (it passed every check)."""
        for name in self._arrays:
            taken = self._taken[name]
            across = _ACROSS_SERVICES.get(name, _own_id)
            for child in getattr(listing, name):
                taken.setdefault(across(child), (position, listing.id))

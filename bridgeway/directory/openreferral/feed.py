"""Reads behind the Open Referral UK feed: services at locations and the feed's filters.

``GET /api/v1/services`` and ``/service_at_locations`` filter as the UK profile's OpenAPI
document says (see docs/decisions/0026):

- ``taxonomy_id``: services carrying any term of one of Bridgeway's taxonomies;
- ``minimum_age``: services whose minimum age is at least the value (none given counts as 0);
  ``maximum_age``: whose maximum age is at most the value (none given is no limit, so never);
- ``day``, ``start_time``, ``end_time``: services with an opening (schedule) on that day,
  opening at or after ``start_time`` and closing at or before ``end_time``, all on one opening;
- ``postcode``: services whose areas hold the postcode (national ones hold every postcode;
  one with no area at all is not ruled out, as the profile says), through the places app;
- ``proximity``: locations, with coordinates, within that many metres of the centre of the
  postcode's district (the outward code: the nearest centre Bridgeway holds), nearest first.

A service at location is one ``Location`` row of an active service; its HSDS id is the one
the feed gave (kept in ``extra``) or made from the location's HSDS id
(``hsds.service_at_location_id``), so finding one by id goes through a small per-process map
rebuilt whenever locations change. Several services may be at one HSDS location (decision
0154): ``/locations`` lists each once, under its HSDS id.
"""

from __future__ import annotations

import csv
import math
import re
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import time
from functools import cache
from pathlib import Path
from typing import Any, Final

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.fields.json import KeyTransform

from bridgeway.directory.models import Location, Schedule, Service
from bridgeway.directory.openreferral import hsds
from bridgeway.directory.openreferral.exchange import (
    location_of,
    service_as_hsds,
    services_for_export,
)
from bridgeway.directory.selectors import active_services
from bridgeway.places.postcodes import parse_location
from bridgeway.places.selectors import ResolvedLocation

CENTROIDS_PATH: Final = Path(__file__).parents[1] / "data" / "postcode_district_centroids.csv"
EARTH_RADIUS_M: Final = 6_371_008.8
# RFC 5545 day codes, and the names people write for them.
DAYS: Final[dict[str, str]] = {
    "MO": "monday",
    "TU": "tuesday",
    "WE": "wednesday",
    "TH": "thursday",
    "FR": "friday",
    "SA": "saturday",
    "SU": "sunday",
}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
# BYDAY items may carry an ordinal for monthly rules: "1MO", "-1FR".
_BYDAY_ITEM = re.compile(r"^[+-]?\d{0,2}(MO|TU|WE|TH|FR|SA|SU)$")


def parse_day(text: str) -> str:
    """The RFC 5545 code of a day given as ``MO`` or ``Monday`` (any case)."""
    given = text.strip().lower()
    for code, name in DAYS.items():
        if given in (code.lower(), name, name[:3]):
            return code
    raise ValueError(
        f"{text[:20]!r} is not a day; use MO, TU, WE, TH, FR, SA or SU (or the day's name)"
    )


def parse_time(text: str) -> time:
    """A time of day given as ``HH:MM`` or ``HH:MM:SS`` (an offset, if any, is ignored)."""
    match = _TIME.match(text.strip())
    if match:
        hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
        if hours <= 23 and minutes <= 59 and seconds <= 59:
            return time(hours, minutes, seconds)
    raise ValueError(f"{text[:20]!r} is not a time of day; use HH:MM or HH:MM:SS, e.g. 09:30")


def _stored_time(text: str) -> time | None:
    try:
        return parse_time(text) if text else None
    except ValueError:
        return None


def _days_of(byday: str) -> set[str]:
    days = set()
    for item in byday.upper().replace(" ", "").split(","):
        match = _BYDAY_ITEM.match(item)
        if match:
            days.add(match[1])
    return days


@dataclass(frozen=True)
class OpeningFilter:
    day: str | None = None
    start: time | None = None
    end: time | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.day, self.start, self.end))

    def fits(self, byday: str, opens_at: str, closes_at: str) -> bool:
        """Whether one opening (schedule) fits every part of the filter given."""
        if self.day is not None and self.day not in _days_of(byday):
            return False
        if self.start is not None:
            opens = _stored_time(opens_at)
            if opens is None or opens < self.start:
                return False
        if self.end is not None:
            closes = _stored_time(closes_at)
            if closes is None or closes > self.end:
                return False
        return True


def services_open(services: QuerySet[Service], opening: OpeningFilter) -> QuerySet[Service]:
    """Services with an opening that fits ``opening``.

    Opening times are free text in HSDS feeds ("09:00", "9:00:00"), so they are compared as
    times here rather than as text in SQL; only services with a schedule are read.
    """
    if not opening:
        return services
    schedules = Schedule.objects.filter(service__in=services.values("id"))
    if opening.day is not None:
        schedules = schedules.filter(byday__icontains=opening.day)
    fitting = {
        service_id
        for service_id, byday, opens_at, closes_at in schedules.values_list(
            "service_id", "byday", "opens_at", "closes_at"
        )
        if opening.fits(byday, opens_at, closes_at)
    }
    return services.filter(id__in=fitting)


def services_for_ages(
    services: QuerySet[Service], *, minimum_age: float | None, maximum_age: float | None
) -> QuerySet[Service]:
    """The profile's age filters: a minimum age of at least, a maximum age of at most."""
    if minimum_age is not None:
        at_least = Q(minimum_age__gte=minimum_age)
        if minimum_age <= 0:
            at_least |= Q(minimum_age__isnull=True)
        services = services.filter(at_least)
    if maximum_age is not None:
        services = services.filter(maximum_age__lte=maximum_age)
    return services


def services_in_taxonomy(services: QuerySet[Service], taxonomy: str | None) -> QuerySet[Service]:
    """Services carrying any term of one of Bridgeway's taxonomies (``None``: none match)."""
    if taxonomy is None:
        return services.none()
    relation = {
        "bridgeway:harm_types": "harm_types",
        "bridgeway:ethnic_groups": "ethnic_groups",
        "bridgeway:religions": "religions",
    }.get(taxonomy)
    if relation is not None:
        return services.filter(id__in=Service.objects.filter(**{f"{relation}__isnull": False}))
    if taxonomy == "bridgeway:independence":
        return services  # every service says how independent it is
    if taxonomy == hsds.FEATURES_TAXONOMY:
        any_feature = Q()
        for feature in hsds.FEATURES:
            any_feature |= Q(**{feature: True})
        return services.filter(any_feature)
    if taxonomy == "bridgeway:formats":
        ids = [pk for pk, formats in services.values_list("id", "formats") if formats]
        return services.filter(id__in=ids)
    return services.none()


def taxonomy_named_by(taxonomy_id: str) -> str | None:
    """Which of Bridgeway's taxonomies an id names, if any."""
    for name in hsds.TAXONOMY_DESCRIPTIONS:
        if hsds.taxonomy_id(name) == taxonomy_id.lower():
            return name
    return None


def services_covering(services: QuerySet[Service], location: ResolvedLocation) -> QuerySet[Service]:
    """Services whose areas hold the place, national ones, and ones that name no area."""
    districts = [d.code for d in location.districts]
    forces = list({d.police_force_area_id for d in location.districts})
    areas = Service.objects.filter(
        Q(districts__code__in=districts) | Q(police_force_areas__code__in=forces)
    ).values("id")
    no_area = Service.objects.filter(
        is_national=False, districts__isnull=True, police_force_areas__isnull=True
    ).values("id")
    return services.filter(Q(is_national=True) | Q(id__in=areas) | Q(id__in=no_area))


@cache
def district_centres() -> dict[str, tuple[float, float]]:
    """(latitude, longitude) of the centre of every postcode district in England and Wales."""
    with CENTROIDS_PATH.open(encoding="utf-8", newline="") as handle:
        return {
            row["outcode"]: (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(handle)
        }


def centre_of(postcode: str) -> tuple[float, float] | None:
    """The centre of a postcode's district (a full postcode's outward code), if known."""
    return district_centres().get(parse_location(postcode).outcode)


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def locations_of(services: QuerySet[Service]) -> QuerySet[Location]:
    """The locations of the services (each a service at location), in a stable order."""
    return Location.objects.filter(service__in=services.values("id")).order_by(
        "service__name", "service_id", "name", "id"
    )


def locations_near(
    locations: QuerySet[Location], centre: tuple[float, float], metres: float
) -> list[str]:
    """Ids of the locations within ``metres`` of ``centre``, nearest first (ties by id)."""
    latitude, longitude = centre
    # A box around the circle narrows the rows read; the exact distance decides.
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(latitude)), 0.01)
    boxed = locations.filter(
        latitude__gte=latitude - dlat,
        latitude__lte=latitude + dlat,
        longitude__gte=longitude - dlon,
        longitude__lte=longitude + dlon,
    ).values_list("id", "latitude", "longitude")
    near = []
    for pk, lat, lon in boxed:
        if lat is None or lon is None:  # the box's filters already leave these out
            continue
        distance = distance_m(centre, (lat, lon))
        if distance <= metres:
            near.append((distance, str(pk)))
    return [pk for _, pk in sorted(near)]


def service_at_location_documents(locations: Sequence[Location]) -> list[dict[str, Any]]:
    """Each location as a fully nested HSDS service at location, in the order given."""
    service_ids = {loc.service_id for loc in locations}
    documents = {
        str(s.id): service_as_hsds(s)
        for s in services_for_export(Service.objects.filter(id__in=service_ids))
    }
    found = []
    for location in locations:
        document = documents.get(str(location.service_id))
        if document is None:
            continue
        link = next(
            (
                link
                for link in document.get("service_at_locations", [])
                if link["location_id"] == str(location.hsds_id)
            ),
            None,
        )
        if link is None:
            continue
        service = {k: v for k, v in document.items() if k != "service_at_locations"}
        # The validator's OpenAPI document checks /service_at_locations/{id} against the
        # compiled service schema, which requires a name and a status: the service's own.
        found.append(
            {"name": service["name"], "status": service["status"], **link, "service": service}
        )
    return found


class _ServiceAtLocationIds:
    """Location id of every service at location id, rebuilt when any location changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: tuple[Any, ...] | None = None
        self._locations: dict[str, str] = {}

    def location_id(self, link_id: str) -> str | None:
        version = _locations_version()
        with self._lock:
            if version != self._version:
                # The link id the feed gave, else the one made from the place's HSDS id. The
                # key is an expression, not ``"extra__link_id"``: for that path Django raises
                # and catches a FieldError whose traceback, in a reference cycle, kept this
                # request's frames alive until the cycle collector ran (decision 0159).
                self._locations = {
                    (given or hsds.service_at_location_id(str(place))): str(pk)
                    for pk, place, given in Location.objects.annotate(
                        given=KeyTransform("link_id", "extra")
                    )
                    .values_list("id", "hsds_id", "given")
                    .iterator()
                }
                self._version = version
            return self._locations.get(link_id)


def _locations_version() -> tuple[Any, ...]:
    # Locations are only written with their service (a listing save or an import bumps its
    # updated_at), so the count and the latest change catch every addition and removal.
    found = Location.objects.aggregate(count=Count("id"), latest=Max("service__updated_at"))
    return (found["count"], found["latest"])


_ids = _ServiceAtLocationIds()


def service_at_location_get(link_id: str) -> dict[str, Any] | None:
    """One service at location of an active service, fully nested; ``None`` if none."""
    location_id = _ids.location_id(link_id.lower())
    if location_id is None:
        return None
    location = Location.objects.filter(id=location_id, service__in=active_services()).first()
    documents = service_at_location_documents([location]) if location else []
    return documents[0] if documents else None


def ordered(locations: QuerySet[Location], ids: Iterable[str]) -> list[Location]:
    """The locations with these ids, in the order of ``ids``."""
    wanted = list(ids)
    by_id = {str(loc.id): loc for loc in locations.filter(id__in=wanted)}
    return [by_id[pk] for pk in wanted if pk in by_id]


def places_of(services: QuerySet[Service]) -> QuerySet[Location, uuid.UUID]:
    """The HSDS ids of the services' locations, each once, in a stable order."""
    return (
        Location.objects.filter(service__in=services.values("id"))
        .order_by("hsds_id")
        .values_list("hsds_id", flat=True)
        .distinct()
    )


def location_documents(hsds_ids: Sequence[Any]) -> list[dict[str, Any]]:
    """Each location as an HSDS location, in the order given; one row of each place speaks
    for it (the rows of a shared place differ only in their service's link)."""
    rows: dict[str, Location] = {}
    for row in Location.objects.filter(hsds_id__in=list(hsds_ids)).order_by("hsds_id", "id"):
        rows.setdefault(str(row.hsds_id), row)
    return [hsds.location_as_hsds(location_of(rows[str(pk)])) for pk in hsds_ids if str(pk) in rows]


def location_get(hsds_id: str) -> dict[str, Any] | None:
    """One location of an active service; ``None`` if none."""
    found = list(places_of(active_services()).filter(hsds_id=hsds_id))
    documents = location_documents(found)
    return documents[0] if documents else None

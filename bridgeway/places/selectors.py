"""Reads for places: resolving what a person typed to districts and police force areas."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from bridgeway.places.models import LocalAuthorityDistrict, PoliceForceArea, PostcodeDistrictArea
from bridgeway.places.postcodes import (
    InvalidPostcode,
    Outcode,
    Postcode,
    PostcodeLookup,
    parse_location,
)
from bridgeway.places.services import DATA_DIR, lad22_to_current
from bridgeway.places.shares import outcode_shares

__all__ = ["InvalidPostcode", "LocationNotCovered", "ResolvedLocation", "resolve_location"]


class LocationNotCovered(ValueError):
    """A real postcode, but outside England and Wales or unknown to the lookup."""


@dataclass(frozen=True)
class ResolvedLocation:
    """Where a person is: the districts their postcode touches (main first) and its force area.

    ``shares`` are each district's share of the postcode district, in the same order (the
    chance the person is there): ``(1.0,)`` for a full postcode.
    """

    query: Postcode | Outcode
    districts: tuple[LocalAuthorityDistrict, ...]
    shares: tuple[float, ...] = (1.0,)

    @property
    def district(self) -> LocalAuthorityDistrict:
        return self.districts[0]

    @property
    def police_force_area(self) -> PoliceForceArea:
        return self.district.police_force_area

    @property
    def is_full_postcode(self) -> bool:
        return isinstance(self.query, Postcode)


@cache
def postcode_lookup() -> PostcodeLookup:
    """The ONSPD lookup, read once per process (about 70,000 runs)."""
    return PostcodeLookup.from_file(
        DATA_DIR / "postcode_lad22_range_lookup_mysociety.json", lad22_to_current()
    )


def resolve_location(text: str) -> ResolvedLocation:
    """Resolve a full postcode or postcode district to districts in England and Wales.

    Raises ``InvalidPostcode`` when the text is not a postcode and ``LocationNotCovered``
    when it is one but lies outside England and Wales.
    """
    query = parse_location(text)
    if isinstance(query, Postcode):
        code = postcode_lookup().district(query)
        district = (
            LocalAuthorityDistrict.objects.select_related("police_force_area")
            .filter(code=code)
            .first()
            if code
            else None
        )
        if district is None:
            raise LocationNotCovered(f"{query} is not in England or Wales")
        return ResolvedLocation(query=query, districts=(district,))
    links = list(
        PostcodeDistrictArea.objects.filter(postcode_district_id=query.outcode)
        .select_related("district__police_force_area")
        .order_by("rank")
    )
    if not links:
        raise LocationNotCovered(f"{query} is not a postcode district in England or Wales")
    return ResolvedLocation(
        query=query,
        districts=tuple(link.district for link in links),
        shares=outcode_shares([link.sample_postcodes for link in links]),
    )

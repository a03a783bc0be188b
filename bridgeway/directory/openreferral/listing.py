"""A service as plain data, with the records it carries: what travels in and out of Open Referral.

No Django here. ``Listing`` is what Bridgeway keeps of an HSDS 3 compiled service; the records
inside it (``Location``, ``Phone``, ``Schedule``, ``CostOption``, ``Funding``) are the one
description of a listing's child records: an import reads them from a feed (``reading.py``),
an export writes them (``hsds.py``), and an organisation's own edits arrive as the same
records (``directory.listing_children`` checks them and saves them). The database rows
(``directory.models``) carry the same field names, so each side copies them by name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Final

# Listing field -> English name of the feature, when it is true.
FEATURES: Final[dict[str, str]] = {
    "self_referral": "Takes people without a police report",
    "third_party_reporting": "Third-party reporting centre",
    "restorative_justice": "Restorative justice",
    "trauma_informed": "Trauma-informed practice",
    "lived_experience": "Staff with lived experience",
    "worker_gender_choice": "Choice of worker's gender",
    "accepts_out_of_area": "Takes people from outside its area",
    "is_national": "Takes people from anywhere in England and Wales",
    "is_specialist": "Specialist or culturally specific",
}
# Listing field of codes -> the vocabulary file stem they come from.
VOCABULARY_FIELDS: Final[dict[str, str]] = {
    "harm_types": "harm_types",
    "ethnic_groups": "ethnic_groups",
    "religions": "religions",
}
STATUSES: Final = ("active", "inactive", "defunct", "temporarily closed")
LOCATION_TYPES: Final = ("physical", "postal", "virtual")
# Phone types HSDS's examples use.
PHONE_TYPES: Final = ("voice", "text", "textphone", "video", "fax")
# RFC 5545 weekday codes, as HSDS schedules use them, Monday first.
WEEKDAYS: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FREQUENCIES: Final = ("WEEKLY", "MONTHLY")

# The service fields that travel: each is a field of ``Listing`` and of the ``Service`` model
# under the same name, read from a service for an export (``exchange.listing_of``) and written
# back by an import (``importing``). The one list: ``services.service_update`` and the import's
# update both build theirs from it, adding only what does not travel (see each of them).
SERVICE_FIELDS: Final = (
    "name",
    "description",
    "url",
    "email",
    "phone",
    "status",
    "independence",
    *FEATURES,
    "minimum_age",
    "maximum_age",
    "waiting_weeks",
    "assured_date",
    "formats",
)


# Arrays of a service whose absence leaves what Bridgeway holds as it is: a list page carries
# only a service's one-to-one fields, and must not wipe its children (issue 13, item 3).
CHILD_ARRAYS: Final = (
    "service_areas",
    "languages",
    "attributes",
    "phones",
    "schedules",
    "service_at_locations",
    "cost_options",
    "funding",
)


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    website: str = ""


@dataclass(frozen=True)
class Location:
    """One place the service is offered, with its first address.

    ``id`` is empty for a place an organisation is adding, not saved yet.
    """

    id: str = ""
    location_type: str = "physical"
    name: str = ""
    address_1: str = ""
    address_2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    # What a feed gave that Bridgeway does not model, cleaned: the service-at-location id
    # (``link_id``), the rest of the place (``place``) and of its address (``address``).
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Phone:
    """One phone number besides the listing's main one; ``id`` is empty for a new one."""

    id: str = ""
    number: str = ""
    type: str = ""
    description: str = ""


@dataclass(frozen=True)
class Schedule:
    """Opening hours: the days (``MO,TU``), times (``09:00``) and dates they hold.

    ``id`` is empty for hours an organisation is adding, not saved yet.
    """

    id: str = ""
    freq: str = ""
    byday: str = ""
    opens_at: str = ""
    closes_at: str = ""
    valid_from: str = ""
    valid_to: str = ""
    description: str = ""
    notes: str = ""


@dataclass(frozen=True)
class CostOption:
    id: str
    option: str = ""
    amount: Decimal | None = None
    currency: str = ""
    amount_description: str = ""


@dataclass(frozen=True)
class Funding:
    id: str
    source: str


@dataclass(frozen=True)
class Listing:
    """One service as plain data: what Bridgeway keeps of an HSDS compiled service."""

    id: str
    organisation: Organisation
    name: str
    description: str = ""
    url: str = ""
    email: str = ""
    phone: str = ""
    status: str = "active"
    independence: str = "independent"
    minimum_age: int | None = None
    maximum_age: int | None = None
    waiting_weeks: int | None = None
    assured_date: date | None = None
    self_referral: bool = False
    third_party_reporting: bool = False
    restorative_justice: bool = False
    trauma_informed: bool = False
    lived_experience: bool = False
    worker_gender_choice: bool = False
    accepts_out_of_area: bool = False
    is_national: bool = False
    is_specialist: bool = False
    formats: tuple[str, ...] = ()
    district_codes: tuple[str, ...] = ()
    pfa_codes: tuple[str, ...] = ()
    # Service areas that named no ONS code Bridgeway reads (kept so the import can flag them).
    unplaced_areas: int = 0
    languages: tuple[str, ...] = ()
    harm_types: tuple[str, ...] = ()
    ethnic_groups: tuple[str, ...] = ()
    religions: tuple[str, ...] = ()
    locations: tuple[Location, ...] = ()
    phones: tuple[Phone, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    cost_options: tuple[CostOption, ...] = ()
    funding: tuple[Funding, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    # The child arrays (``CHILD_ARRAYS``) the feed's record carried: an import replaces only
    # these; a listing made in Bridgeway carries them all.
    carried: frozenset[str] = field(default=frozenset(CHILD_ARRAYS), compare=False)
    # What reading a feed changed to make the listing safe to publish (markup taken out, an
    # unsafe address left out): told to whoever imports it, never part of the listing.
    warnings: tuple[Problem, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field of one service in a feed."""

    position: int
    service_id: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"service {self.position} (id {self.service_id}): {self.field}: {self.message}"


class InvalidService(ValueError):
    """A service in a feed that cannot be imported; ``problems`` names every bad field."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)

"""Open Referral (HSDS 3 / Open Referral UK) compiled services in and out, as plain data.

No Django here: ``Listing`` is a service as plain values, ``listing_to_hsds`` writes the HSDS 3
compiled service (valid against ``service_with_definitions.compiled.json``) and
``listing_from_hsds`` reads one from a feed, checking every field it uses and naming each
problem by field path. The Django side (``exchange.py``) turns listings into rows and back.

How Bridgeway's own attributes travel (see docs/decisions/0020):

- vocabulary codes (harm types, ethnic groups, religions, independence) and formats are HSDS
  ``attributes`` whose ``taxonomy_term.taxonomy`` is ``bridgeway:<vocabulary file stem>`` and
  ``code`` a code of that file;
- yes/no facts (self-referral without a police report, third-party reporting, restorative
  justice...) are attributes of the taxonomy ``bridgeway:features``, present when true;
- areas are ``service_areas`` naming the ONS statistical geography URI in ``uri``;
- languages are ``languages`` with an ISO 639-3 ``code`` (ISO 639-1 accepted on the way in).

Ids of records Bridgeway makes up on export (attributes, languages, areas, addresses) are
UUID 5 of the service id and what they stand for, so the same listing always gives the same
document and an import of an export changes nothing.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Final

import nh3

from bridgeway.directory.formats import FORMATS, FORMATS_TAXONOMY
from bridgeway.equality.vocabulary import languages, vocabulary

ONS_URI: Final = "http://statistics.data.gov.uk/id/statistical-geography/"
# Prefixes of current local authority district codes and police force area codes.
DISTRICT_PREFIXES: Final = ("E06", "E07", "E08", "E09", "W06")
PFA_PREFIXES: Final = ("E23", "W15")
_ONS_CODE = re.compile(r"(?:^|/)([EW]\d{8})/?$")

FEATURES_TAXONOMY: Final = "bridgeway:features"
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
# Formatting a description may keep; links only to web, mail and phone addresses.
SAFE_TAGS: Final = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a"}
SAFE_URL_SCHEMES: Final = {"http", "https", "mailto", "tel"}
_WAIT = re.compile(r"^\s*(\d{1,3})\s*weeks?\s*$", re.IGNORECASE)
# Service fields this module reads; every other field of a service is kept in ``extra``.
_READ_FIELDS: Final = frozenset(
    {
        "id",
        "organization_id",
        "organization",
        "name",
        "description",
        "url",
        "email",
        "status",
        "wait_time",
        "minimum_age",
        "maximum_age",
        "assured_date",
        "phones",
        "schedules",
        "service_areas",
        "service_at_locations",
        "languages",
        "funding",
        "cost_options",
        "attributes",
    }
)


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    website: str = ""


@dataclass(frozen=True)
class Location:
    id: str
    location_type: str = "physical"
    name: str = ""
    address_1: str = ""
    address_2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Phone:
    id: str
    number: str
    type: str = ""
    description: str = ""


@dataclass(frozen=True)
class Schedule:
    id: str
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


def _made_up_id(service_id: str, what: str) -> str:
    return str(uuid.uuid5(uuid.UUID(service_id), what))


def service_at_location_id(location_id: str) -> str:
    """The HSDS id of the link between a location and the service it belongs to."""
    return _made_up_id(location_id, "service_at_location")


def main_phone_id(service_id: str) -> str:
    """The HSDS id of the phone made from a service's own phone number."""
    return _made_up_id(service_id, "phone")


def _term_id(taxonomy: str, code: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://bridgeway.org.uk/{taxonomy}/{code}"))


def _label(taxonomy: str, code: str) -> str:
    if taxonomy == FORMATS_TAXONOMY:
        return FORMATS[code]
    if taxonomy == FEATURES_TAXONOMY:
        return FEATURES[code]
    return vocabulary(taxonomy.removeprefix("bridgeway:")).label(code)


def taxonomy_term(taxonomy: str, code: str) -> dict[str, Any]:
    """The HSDS taxonomy_term of one Bridgeway code."""
    label = _label(taxonomy, code)
    return {
        "id": _term_id(taxonomy, code),
        "code": code,
        "name": label,
        "description": label,
        "taxonomy": taxonomy,
        "taxonomy_id": taxonomy_id(taxonomy),
        "language": "en",
    }


# Bridgeway's taxonomies, in the order the API lists them.
TAXONOMY_DESCRIPTIONS: Final[dict[str, str]] = {
    "bridgeway:harm_types": "What happened that a service helps with.",
    "bridgeway:ethnic_groups": "Ethnic groups a service is run by or for.",
    "bridgeway:religions": "Religions a service is run by or for.",
    "bridgeway:independence": "How independent of the police and the state a service is.",
    FORMATS_TAXONOMY: "Ways people can get support from a service.",
    FEATURES_TAXONOMY: "What a service offers: self-referral, restorative justice and more.",
}


def taxonomy_id(name: str) -> str:
    """The stable id of one of Bridgeway's taxonomies."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://bridgeway.org.uk/{name}"))


def taxonomy(name: str) -> dict[str, Any]:
    """The HSDS taxonomy record of one of Bridgeway's taxonomies."""
    return {
        "id": taxonomy_id(name),
        "name": name,
        "description": TAXONOMY_DESCRIPTIONS[name],
        "uri": f"https://bridgeway.org.uk/{name.replace(':', '/')}",
        "version": "1",
    }


@cache
def term_by_id() -> dict[str, tuple[str, str]]:
    """(taxonomy, code) of every Bridgeway term by its id."""
    return {_term_id(t, c): (t, c) for t, c in bridgeway_terms()}


def bridgeway_terms() -> list[tuple[str, str]]:
    """Every (taxonomy, code) Bridgeway's attributes can carry, in a stable order."""
    terms = [("bridgeway:independence", t.code) for t in vocabulary("independence")]
    for stem in VOCABULARY_FIELDS.values():
        terms += [(f"bridgeway:{stem}", t.code) for t in vocabulary(stem)]
    terms += [(FORMATS_TAXONOMY, code) for code in FORMATS]
    terms += [(FEATURES_TAXONOMY, code) for code in FEATURES]
    return terms


def _attribute(service_id: str, taxonomy: str, code: str) -> dict[str, Any]:
    term = taxonomy_term(taxonomy, code)
    return {
        "id": _made_up_id(service_id, f"{taxonomy}:{code}"),
        "link_id": service_id,
        "link_type": "service",
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    }


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty optional values, as HSDS publishers do."""
    return {key: value for key, value in record.items() if value not in ("", None)}


def listing_to_hsds(listing: Listing, place_names: Mapping[str, str]) -> dict[str, Any]:
    """The HSDS 3 compiled service for a listing; ``place_names`` names ONS codes."""
    sid = listing.id
    attributes = [_attribute(sid, "bridgeway:independence", listing.independence)]
    for name, stem in VOCABULARY_FIELDS.items():
        attributes += [_attribute(sid, f"bridgeway:{stem}", c) for c in getattr(listing, name)]
    attributes += [_attribute(sid, FORMATS_TAXONOMY, c) for c in listing.formats]
    attributes += [_attribute(sid, FEATURES_TAXONOMY, f) for f in FEATURES if getattr(listing, f)]
    phones = [
        _compact({"id": p.id, "number": p.number, "type": p.type, "description": p.description})
        for p in listing.phones
    ]
    if listing.phone:
        phones.insert(0, {"id": main_phone_id(sid), "number": listing.phone})
    known_languages = languages()
    document: dict[str, Any] = {
        **{k: v for k, v in listing.extra.items() if k not in _READ_FIELDS},
        "id": sid,
        "organization_id": listing.organisation.id,
        "name": listing.name,
        "description": listing.description,
        "url": listing.url,
        "email": listing.email,
        "status": listing.status,
        "wait_time": (
            f"{listing.waiting_weeks} weeks"
            if listing.waiting_weeks is not None
            else listing.extra.get("wait_time")
        ),
        "minimum_age": listing.minimum_age,
        "maximum_age": listing.maximum_age,
        "assured_date": listing.assured_date.isoformat() if listing.assured_date else None,
        "organization": _compact(
            {
                "id": listing.organisation.id,
                "name": listing.organisation.name,
                "description": "",
                "website": listing.organisation.website,
            }
        )
        | {"description": ""},
        "service_areas": [
            {
                "id": _made_up_id(sid, f"area:{code}"),
                "service_id": sid,
                "name": place_names.get(code, code),
                "uri": ONS_URI + code,
            }
            for code in (*listing.district_codes, *listing.pfa_codes)
        ],
        "languages": [
            {
                "id": _made_up_id(sid, f"language:{code}"),
                "service_id": sid,
                "code": code,
                "name": known_languages[code].english_name,
            }
            for code in listing.languages
        ],
        "phones": phones,
        "schedules": [
            _compact(
                {
                    "id": s.id,
                    "service_id": sid,
                    "freq": s.freq,
                    "byday": s.byday,
                    "opens_at": s.opens_at,
                    "closes_at": s.closes_at,
                    "valid_from": s.valid_from,
                    "valid_to": s.valid_to,
                    "description": s.description,
                    "notes": s.notes,
                }
            )
            for s in listing.schedules
        ],
        "service_at_locations": [_service_at_location(sid, loc) for loc in listing.locations],
        "cost_options": [
            _compact(
                {
                    "id": c.id,
                    "service_id": sid,
                    "option": c.option,
                    "amount": float(c.amount) if c.amount is not None else None,
                    "currency": c.currency,
                    "amount_description": c.amount_description,
                }
            )
            for c in listing.cost_options
        ],
        "funding": [{"id": f.id, "service_id": sid, "source": f.source} for f in listing.funding],
        "attributes": [*attributes, *listing.extra.get("attributes", [])],
    }
    return _compact(document)


def _service_at_location(service_id: str, location: Location) -> dict[str, Any]:
    place = _compact(
        {
            "id": location.id,
            "location_type": location.location_type,
            "name": location.name,
            "latitude": location.latitude,
            "longitude": location.longitude,
        }
    )
    if location.address_1 or location.postal_code:
        place["addresses"] = [
            _compact(
                {
                    "id": _made_up_id(location.id, "address"),
                    "location_id": location.id,
                    "address_1": location.address_1,
                    "address_2": location.address_2,
                    "city": location.city,
                    "region": location.region,
                    "postal_code": location.postal_code,
                    "address_type": location.location_type,
                }
            )
            # HSDS requires these even when a feed does not know them.
            | {
                "address_1": location.address_1,
                "city": location.city,
                "state_province": location.region,
                "postal_code": location.postal_code,
                "country": "GB",
            }
        ]
    return {
        "id": service_at_location_id(location.id),
        "service_id": service_id,
        "location_id": location.id,
        "location": place,
    }


# --- Reading a feed -------------------------------------------------------------------------


def plain_text(text: str) -> str:
    """Text with any markup removed, for names and short fields."""
    if "<" not in text:
        return text.strip()
    return html.unescape(nh3.clean(text, tags=set())).strip()


def safe_html(text: str) -> str:
    """Text keeping only safe formatting; ``javascript:`` and other schemes are dropped."""
    if "<" not in text and "javascript:" not in text.lower():
        return text.strip()
    return nh3.clean(text, tags=SAFE_TAGS, url_schemes=SAFE_URL_SCHEMES).strip()


class _Reader:
    """Collects every problem of one service instead of stopping at the first."""

    def __init__(self, position: int, service_id: str) -> None:
        self.position = position
        self.service_id = service_id
        self.problems: list[Problem] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.position, self.service_id, where, message))

    def text(
        self,
        record: Mapping[str, Any],
        key: str,
        where: str,
        *,
        clean: Callable[[str], str] = plain_text,
        required: bool = False,
        max_length: int | None = None,
    ) -> str:
        value = record.get(key)
        if value is None:
            if required:
                self.problem(where, "is required")
            return ""
        if not isinstance(value, str):
            self.problem(where, f"should be text, not {type(value).__name__}")
            return ""
        value = clean(value)
        if required and not value:
            self.problem(where, "is required and is empty")
        if max_length is not None and len(value) > max_length:
            self.problem(where, f"is {len(value)} characters long; at most {max_length}")
        return value

    def number(
        self, record: Mapping[str, Any], key: str, where: str, low: float, high: float
    ) -> float | None:
        value = record.get(key)
        if value is None:
            return None
        # bool is an int in Python, but true is not a coordinate or an age.
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(where, f"should be a number, not {type(value).__name__}")
            return None
        if not low <= value <= high:
            self.problem(where, f"{value} is out of range ({low:g} to {high:g})")
            return None
        return float(value)

    def uuid(self, record: Mapping[str, Any], key: str, where: str) -> str:
        value = record.get(key)
        try:
            return str(uuid.UUID(value)) if isinstance(value, str) else _bad_uuid(value)
        except ValueError:
            self.problem(where, f"{str(value)[:60]!r} is not a UUID")
            return ""

    def records(self, record: Mapping[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
        value = record.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(key, f"should be a list, not {type(value).__name__}")
            return []
        found = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                found.append((f"{key}[{index}]", item))
            else:
                self.problem(f"{key}[{index}]", f"should be an object, not {type(item).__name__}")
        return found


def _bad_uuid(value: object) -> str:
    raise ValueError(value)


def ons_code(uri: str) -> str | None:
    """The ONS code at the end of a statistical geography URI (or a bare code), if any."""
    match = _ONS_CODE.search(uri.strip())
    return match.group(1) if match else None


def language_code(code: str) -> str | None:
    """An ISO 639-3 code for an ISO 639-3 or 639-1 (BCP 47) code Bridgeway knows."""
    known = languages()
    lowered = code.strip().lower()
    if lowered in known:
        return lowered
    for language in known.values():
        if language.bcp47.lower() == lowered:
            return language.code
    return None


def listing_from_hsds(document: object, position: int) -> Listing:
    """Read one HSDS 3 compiled service; ``InvalidService`` names every bad field.

    ``position`` is the service's place in the feed (from 1), used in problems. Text is
    cleaned (names plain, descriptions safe HTML), ISO 639-1 language codes become 639-3,
    ``bridgeway:`` attributes must carry known codes, other attributes and unread fields are
    kept in ``extra``.
    """
    if not isinstance(document, dict):
        raise InvalidService(
            [
                Problem(
                    position, "?", "service", f"should be an object, not {type(document).__name__}"
                )
            ]
        )
    raw_id = document.get("id")
    reader = _Reader(position, str(raw_id)[:60] if raw_id is not None else "?")
    service_id = reader.uuid(document, "id", "id")

    organisation = _organisation(reader, document)
    name = reader.text(document, "name", "name", required=True, max_length=200)
    description = reader.text(document, "description", "description", clean=safe_html)
    url = reader.text(document, "url", "url", max_length=200)
    if url and not url.lower().startswith(("http://", "https://")):
        reader.problem("url", f"{url[:60]!r} is not a web address (http:// or https://)")
    email = reader.text(document, "email", "email", max_length=254)
    if email and "@" not in email:
        reader.problem("email", f"{email[:60]!r} is not an email address")
    status = reader.text(document, "status", "status") or "active"
    if status not in STATUSES:
        reader.problem("status", f"{status[:40]!r} is not one of: {', '.join(STATUSES)}")
    extra: dict[str, Any] = {k: v for k, v in document.items() if k not in _READ_FIELDS}
    minimum_age, maximum_age = _ages(reader, document)
    assured_date = _assured_date(reader, document)
    waiting_weeks = _waiting_weeks(reader, document, extra)
    district_codes, pfa_codes, unplaced = _areas(reader, document)
    language_codes = _languages(reader, document)
    main_phone, phones = _phones(reader, document, service_id)
    coded, other_attributes = _attributes(reader, document)
    if other_attributes:
        extra["attributes"] = other_attributes
    independence = coded.get("bridgeway:independence", ["independent"])
    if len(independence) > 1:
        reader.problem("attributes", "gives more than one bridgeway:independence code")

    listing = Listing(
        id=service_id,
        organisation=organisation,
        name=name,
        description=description,
        url=url,
        email=email,
        phone=main_phone,
        status=status,
        independence=independence[0],
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        waiting_weeks=waiting_weeks,
        assured_date=assured_date,
        formats=tuple(coded.get(FORMATS_TAXONOMY, [])),
        district_codes=district_codes,
        pfa_codes=pfa_codes,
        unplaced_areas=unplaced,
        languages=language_codes,
        harm_types=tuple(coded.get("bridgeway:harm_types", [])),
        ethnic_groups=tuple(coded.get("bridgeway:ethnic_groups", [])),
        religions=tuple(coded.get("bridgeway:religions", [])),
        locations=_locations(reader, document),
        phones=phones,
        schedules=_schedules(reader, document),
        cost_options=_cost_options(reader, document),
        funding=_funding(reader, document),
        extra=extra,
    )
    if reader.problems:
        raise InvalidService(reader.problems)
    features: dict[str, Any] = {feature: True for feature in coded.get(FEATURES_TAXONOMY, [])}
    return replace(listing, **features)


def _ages(reader: _Reader, document: Mapping[str, Any]) -> tuple[int | None, int | None]:
    minimum = reader.number(document, "minimum_age", "minimum_age", 0, 130)
    maximum = reader.number(document, "maximum_age", "maximum_age", 0, 130)
    if minimum is not None and maximum is not None and minimum > maximum:
        reader.problem("maximum_age", "is less than minimum_age")
    return (
        int(minimum) if minimum is not None else None,
        int(maximum) if maximum is not None else None,
    )


def _assured_date(reader: _Reader, document: Mapping[str, Any]) -> date | None:
    assured = reader.text(document, "assured_date", "assured_date")
    if not assured:
        return None
    try:
        return date.fromisoformat(assured[:10])
    except ValueError:
        reader.problem("assured_date", f"{assured[:40]!r} is not a date (YYYY-MM-DD)")
        return None


def _waiting_weeks(
    reader: _Reader, document: Mapping[str, Any], extra: dict[str, Any]
) -> int | None:
    """Weeks from a wait_time such as "6 weeks"; other wording is kept in ``extra``."""
    wait_time = reader.text(document, "wait_time", "wait_time")
    if not wait_time:
        return None
    match = _WAIT.match(wait_time)
    if match:
        return int(match.group(1))
    extra["wait_time"] = wait_time
    return None


def _organisation(reader: _Reader, document: Mapping[str, Any]) -> Organisation:
    nested = document.get("organization")
    if nested is None:
        if document.get("organization_id") is None:
            reader.problem("organization", "is required (or organization_id)")
            return Organisation(id="", name="")
        return Organisation(id=reader.uuid(document, "organization_id", "organization_id"), name="")
    if not isinstance(nested, dict):
        reader.problem("organization", f"should be an object, not {type(nested).__name__}")
        return Organisation(id="", name="")
    return Organisation(
        id=reader.uuid(nested, "id", "organization.id"),
        name=reader.text(nested, "name", "organization.name", required=True, max_length=200),
        website=reader.text(nested, "website", "organization.website", max_length=200),
    )


def _areas(
    reader: _Reader, document: Mapping[str, Any]
) -> tuple[tuple[str, ...], tuple[str, ...], int]:
    districts: list[str] = []
    pfas: list[str] = []
    unplaced = 0
    for where, area in reader.records(document, "service_areas"):
        uri = reader.text(area, "uri", f"{where}.uri")
        code = ons_code(uri) if uri else None
        if code is None:
            unplaced += 1
        elif code.startswith(DISTRICT_PREFIXES):
            if code not in districts:
                districts.append(code)
        elif code.startswith(PFA_PREFIXES):
            if code not in pfas:
                pfas.append(code)
        else:
            reader.problem(
                f"{where}.uri",
                f"{code} is not a local authority district or police force area code",
            )
    return tuple(districts), tuple(pfas), unplaced


def _languages(reader: _Reader, document: Mapping[str, Any]) -> tuple[str, ...]:
    codes: list[str] = []
    for where, language in reader.records(document, "languages"):
        given = reader.text(language, "code", f"{where}.code", required=True)
        if not given:
            continue
        code = language_code(given)
        if code is None:
            reader.problem(
                f"{where}.code", f"{given[:20]!r} is not a language code Bridgeway knows"
            )
        elif code not in codes:
            codes.append(code)
    return tuple(codes)


def _phones(
    reader: _Reader, document: Mapping[str, Any], service_id: str
) -> tuple[str, tuple[Phone, ...]]:
    main = ""
    phones: list[Phone] = []
    own_id = main_phone_id(service_id) if service_id else ""
    for where, phone in reader.records(document, "phones"):
        phone_id = reader.uuid(phone, "id", f"{where}.id")
        number = reader.text(phone, "number", f"{where}.number", required=True, max_length=40)
        if phone_id == own_id:
            main = number
            continue
        phones.append(
            Phone(
                id=phone_id,
                number=number,
                type=reader.text(phone, "type", f"{where}.type", max_length=40),
                description=reader.text(phone, "description", f"{where}.description"),
            )
        )
    return main, tuple(phones)


def _attributes(
    reader: _Reader, document: Mapping[str, Any]
) -> tuple[dict[str, list[str]], list[dict[str, Any]]]:
    coded: dict[str, list[str]] = {}
    others: list[dict[str, Any]] = []
    for where, attribute in reader.records(document, "attributes"):
        term = attribute.get("taxonomy_term")
        taxonomy = term.get("taxonomy") if isinstance(term, dict) else None
        if not (
            isinstance(term, dict)
            and isinstance(taxonomy, str)
            and taxonomy.startswith("bridgeway:")
        ):
            others.append(attribute)
            continue
        code = term.get("code")
        known = _known_codes(taxonomy)
        if known is None:
            reader.problem(
                f"{where}.taxonomy_term.taxonomy", f"{taxonomy[:40]!r} is not a Bridgeway taxonomy"
            )
        elif not isinstance(code, str) or code not in known:
            reader.problem(
                f"{where}.taxonomy_term.code",
                f"{str(code)[:40]!r} is not a code of {taxonomy}; use one of: {', '.join(known)}",
            )
        elif code not in coded.setdefault(taxonomy, []):
            coded[taxonomy].append(code)
    return coded, others


def _known_codes(taxonomy: str) -> list[str] | None:
    if taxonomy == FORMATS_TAXONOMY:
        return list(FORMATS)
    if taxonomy == FEATURES_TAXONOMY:
        return list(FEATURES)
    stem = taxonomy.removeprefix("bridgeway:")
    if stem == "independence" or stem in VOCABULARY_FIELDS.values():
        return vocabulary(stem).ordered_codes()
    return None


def _locations(reader: _Reader, document: Mapping[str, Any]) -> tuple[Location, ...]:
    found: list[Location] = []
    for link_at, link in reader.records(document, "service_at_locations"):
        place = link.get("location")
        if not isinstance(place, dict):
            # A link to a location published elsewhere: nothing here to keep but the link.
            continue
        where = f"{link_at}.location"
        kind = reader.text(place, "location_type", f"{where}.location_type") or "physical"
        if kind not in LOCATION_TYPES:
            reader.problem(
                f"{where}.location_type",
                f"{kind[:20]!r} is not one of: {', '.join(LOCATION_TYPES)}",
            )
        addresses = reader.records(place, "addresses")
        address = addresses[0][1] if addresses else {}
        at = addresses[0][0] if addresses else "addresses[0]"
        found.append(
            Location(
                id=reader.uuid(place, "id", f"{where}.id"),
                location_type=kind,
                name=reader.text(place, "name", f"{where}.name", max_length=200),
                address_1=reader.text(
                    address, "address_1", f"{where}.{at}.address_1", max_length=200
                ),
                address_2=reader.text(
                    address, "address_2", f"{where}.{at}.address_2", max_length=200
                ),
                city=reader.text(address, "city", f"{where}.{at}.city", max_length=100),
                region=reader.text(address, "region", f"{where}.{at}.region", max_length=100)
                or reader.text(
                    address, "state_province", f"{where}.{at}.state_province", max_length=100
                ),
                postal_code=reader.text(
                    address, "postal_code", f"{where}.{at}.postal_code", max_length=10
                ),
                latitude=reader.number(place, "latitude", f"{where}.latitude", -90, 90),
                longitude=reader.number(place, "longitude", f"{where}.longitude", -180, 180),
            )
        )
    return tuple(found)


def _schedules(reader: _Reader, document: Mapping[str, Any]) -> tuple[Schedule, ...]:
    found: list[Schedule] = []
    for where, item in reader.records(document, "schedules"):
        found.append(
            Schedule(
                id=reader.uuid(item, "id", f"{where}.id"),
                **{
                    key: reader.text(item, key, f"{where}.{key}", max_length=length)
                    for key, length in (
                        ("freq", 10),
                        ("byday", 40),
                        ("opens_at", 20),
                        ("closes_at", 20),
                        ("valid_from", 20),
                        ("valid_to", 20),
                        ("description", None),
                        ("notes", None),
                    )
                },
            )
        )
    return tuple(found)


def _cost_options(reader: _Reader, document: Mapping[str, Any]) -> tuple[CostOption, ...]:
    found: list[CostOption] = []
    for where, item in reader.records(document, "cost_options"):
        amount = reader.number(item, "amount", f"{where}.amount", 0, 99_999_999)
        try:
            exact = Decimal(str(amount)).quantize(Decimal("0.01")) if amount is not None else None
        except InvalidOperation:
            reader.problem(f"{where}.amount", "is not an amount of money")
            exact = None
        found.append(
            CostOption(
                id=reader.uuid(item, "id", f"{where}.id"),
                option=reader.text(item, "option", f"{where}.option", max_length=200),
                amount=exact,
                currency=reader.text(item, "currency", f"{where}.currency", max_length=3),
                amount_description=reader.text(
                    item, "amount_description", f"{where}.amount_description"
                ),
            )
        )
    return tuple(found)


def _funding(reader: _Reader, document: Mapping[str, Any]) -> tuple[Funding, ...]:
    return tuple(
        Funding(
            id=reader.uuid(item, "id", f"{where}.id"),
            source=reader.text(item, "source", f"{where}.source", required=True, max_length=300),
        )
        for where, item in reader.records(document, "funding")
    )


def services_in(document: object) -> list[object]:
    """The services of a feed: one service, a list of them, or an API page with contents."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        if "contents" in document and "id" not in document:
            contents = document["contents"]
            if not isinstance(contents, list):
                raise ValueError("contents should be a list of services")
            return contents
        return [document]
    raise ValueError("a feed is a service, a list of services or a page with contents")

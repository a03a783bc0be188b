"""Open Referral (HSDS 3 / Open Referral UK) compiled services in and out, as plain data.

No Django here: ``Listing`` is a service as plain values (``listing.py``), ``listing_to_hsds``
(here) writes the HSDS 3 compiled service (valid against
``service_with_definitions.compiled.json``) and ``listing_from_hsds`` (``reading.py``) reads
one from a feed, checking every field it uses and naming each problem by field path. This
module is the door to the format: it gives the names of all three, and of ``terms.py``, so
callers import ``hsds`` alone. The Django side (``exchange.py``, ``importing.py``) turns
listings into rows and back.

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

from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any, TypeVar

from bridgeway.directory.formats import FORMATS_TAXONOMY
from bridgeway.directory.openreferral.listing import (
    FEATURES,
    FREQUENCIES,
    LOCATION_TYPES,
    PHONE_TYPES,
    SERVICE_FIELDS,
    STATUSES,
    VOCABULARY_FIELDS,
    WEEKDAYS,
    CostOption,
    Funding,
    InvalidService,
    Listing,
    Location,
    Organisation,
    Phone,
    Problem,
    Schedule,
)
from bridgeway.directory.openreferral.reading import (
    SAFE_TAGS,
    SAFE_URL_SCHEMES,
    language_code,
    listing_from_hsds,
    plain_text,
    safe_html,
    services_in,
)
from bridgeway.directory.openreferral.shared_locations import link_id
from bridgeway.directory.openreferral.terms import (
    DISTRICT_PREFIXES,
    FEATURES_TAXONOMY,
    ONS_URI,
    PFA_PREFIXES,
    READ_FIELDS,
    TAXONOMY_DESCRIPTIONS,
    UNKNOWN_INDEPENDENCE,
    bridgeway_terms,
    made_up_id,
    main_phone_id,
    ons_code,
    service_at_location_id,
    taxonomy,
    taxonomy_id,
    taxonomy_term,
    term_by_id,
)
from bridgeway.directory.public_text import kept_field, safe_address, safe_email
from bridgeway.equality.vocabulary import languages

__all__ = [
    "DISTRICT_PREFIXES",
    "FEATURES",
    "FEATURES_TAXONOMY",
    "FREQUENCIES",
    "LOCATION_TYPES",
    "ONS_URI",
    "PFA_PREFIXES",
    "PHONE_TYPES",
    "READ_FIELDS",
    "SAFE_TAGS",
    "SAFE_URL_SCHEMES",
    "SERVICE_FIELDS",
    "STATUSES",
    "TAXONOMY_DESCRIPTIONS",
    "VOCABULARY_FIELDS",
    "WEEKDAYS",
    "CostOption",
    "Funding",
    "InvalidService",
    "Listing",
    "Location",
    "Organisation",
    "Phone",
    "Problem",
    "Schedule",
    "bridgeway_terms",
    "language_code",
    "listing_from_hsds",
    "listing_to_hsds",
    "location_as_hsds",
    "made_up_id",
    "main_phone_id",
    "ons_code",
    "plain_text",
    "published",
    "safe_html",
    "service_at_location_id",
    "services_in",
    "taxonomy",
    "taxonomy_id",
    "taxonomy_term",
    "term_by_id",
]


def _attribute(service_id: str, taxonomy: str, code: str) -> dict[str, Any]:
    term = taxonomy_term(taxonomy, code)
    return {
        "id": made_up_id(service_id, f"{taxonomy}:{code}"),
        "link_id": service_id,
        "link_type": "service",
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    }


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty optional values, as HSDS publishers do."""
    return {key: value for key, value in record.items() if value not in ("", None)}


Record = TypeVar("Record", Organisation, Location, Phone, Schedule, CostOption, Funding)


def _plain(record: Record) -> Record:
    """The record with every text but its id as plain text."""
    texts: dict[str, Any] = {
        f.name: plain_text(value)
        for f in fields(record)
        if f.name != "id" and isinstance(value := getattr(record, f.name), str)
    }
    if isinstance(record, Location):
        texts["extra"] = kept_field(dict(record.extra))
    return replace(record, **texts)


def published(listing: Listing) -> Listing:
    """The listing as the feed and the exports may publish it: plain text plain, the
    description's formatting safe, and only https, http, mailto and tel addresses.

    What staff type and what an import reads are cleaned on the way in; this cleans again on
    the way out, because the database may hold values written before those rules, or some
    other way (docs/decisions/0065).
    """
    organisation = _plain(listing.organisation)
    return replace(
        listing,
        name=plain_text(listing.name),
        description=safe_html(listing.description),
        url=safe_address(listing.url),
        email=safe_email(listing.email),
        phone=plain_text(listing.phone),
        organisation=replace(organisation, website=safe_address(organisation.website)),
        locations=tuple(_plain(location) for location in listing.locations),
        phones=tuple(_plain(phone) for phone in listing.phones),
        schedules=tuple(_plain(schedule) for schedule in listing.schedules),
        cost_options=tuple(_plain(cost) for cost in listing.cost_options),
        funding=tuple(_plain(funding) for funding in listing.funding),
        extra={key: kept_field(value) for key, value in listing.extra.items()},
    )


def listing_to_hsds(listing: Listing, place_names: Mapping[str, str]) -> dict[str, Any]:
    """The HSDS 3 compiled service for a listing, as ``published`` makes it safe to publish;
    ``place_names`` names ONS codes."""
    listing = published(listing)
    sid = listing.id
    # Unknown independence is said by saying nothing, as the feed it came from did.
    attributes = (
        []
        if listing.independence == UNKNOWN_INDEPENDENCE
        else [_attribute(sid, "bridgeway:independence", listing.independence)]
    )
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
        **{k: v for k, v in listing.extra.items() if k not in READ_FIELDS},
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
                "id": made_up_id(sid, f"area:{code}"),
                "service_id": sid,
                "name": place_names.get(code, code),
                "uri": ONS_URI + code,
            }
            for code in (*listing.district_codes, *listing.pfa_codes)
        ],
        "languages": [
            {
                "id": made_up_id(sid, f"language:{code}"),
                "service_id": sid,
                "code": code,
                "name": known_languages[code].english_name,
            }
            for code in listing.languages
        ]
        + list(listing.extra.get("languages", [])),
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


def location_as_hsds(location: Location) -> dict[str, Any]:
    """One location as an HSDS 3 location with its address, as the feed publishes it."""
    document: dict[str, Any] = _service_at_location("", _plain(location))["location"]
    return document


def _service_at_location(service_id: str, location: Location) -> dict[str, Any]:
    kept_place = location.extra.get("place")
    kept_address = location.extra.get("address")
    place = _compact(
        {
            **(kept_place if isinstance(kept_place, dict) else {}),
            "id": location.id,
            "location_type": location.location_type,
            "name": location.name,
            "latitude": location.latitude,
            "longitude": location.longitude,
        }
    )
    if location.address_1 or location.postal_code or kept_address:
        given = kept_address if isinstance(kept_address, dict) else {}
        place["addresses"] = [
            _compact(
                {
                    "id": made_up_id(location.id, "address"),
                    "address_type": location.location_type,
                    "country": "GB",
                    **given,
                    "location_id": location.id,
                    "address_1": location.address_1,
                    "address_2": location.address_2,
                    "city": location.city,
                    "region": location.region,
                    "postal_code": location.postal_code,
                }
            )
            # HSDS requires these even when a feed does not know them.
            | {
                "address_1": location.address_1,
                "city": location.city,
                "state_province": given.get("state_province") or location.region,
                "postal_code": location.postal_code,
                "country": given.get("country") or "GB",
            }
        ]
    return {
        "id": link_id(location),
        "service_id": service_id,
        "location_id": location.id,
        "location": place,
    }

"""How Bridgeway's own things are named in HSDS: taxonomies and terms, places, made-up ids.

No Django here. Both directions of the mapping use these (``hsds.py`` writes, ``reading.py``
reads), and the API lists the taxonomies and terms. Ids of records Bridgeway makes up on
export (attributes, languages, areas, addresses, terms) are UUID 5 of what they stand for, so
the same listing always gives the same document.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from functools import cache
from typing import Any, Final

from bridgeway.directory.formats import FORMATS, FORMATS_TAXONOMY
from bridgeway.directory.openreferral.listing import FEATURES, VOCABULARY_FIELDS
from bridgeway.equality.vocabulary import vocabulary

ONS_URI: Final = "http://statistics.data.gov.uk/id/statistical-geography/"
# Prefixes of current local authority district codes and police force area codes.
DISTRICT_PREFIXES: Final = ("E06", "E07", "E08", "E09", "W06")
PFA_PREFIXES: Final = ("E23", "W15")
_ONS_CODE = re.compile(r"(?:^|/)([EW]\d{8})/?$")

FEATURES_TAXONOMY: Final = "bridgeway:features"
# Service fields the mapping reads; every other field of a service is kept in ``extra``.
READ_FIELDS: Final = frozenset(
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


# Fields of a location and of its first address the mapping reads into ``Location``.
LOCATION_READ_FIELDS: Final = frozenset(
    {"id", "location_type", "name", "latitude", "longitude", "addresses"}
)
ADDRESS_READ_FIELDS: Final = frozenset({"address_1", "address_2", "city", "region", "postal_code"})
# Independence when a feed does not say: never assumed (docs/decisions/0077).
UNKNOWN_INDEPENDENCE: Final = "unknown"


# A UUID as ``str(uuid.UUID(...))`` writes it: lower-case hexadecimal, hyphens 8-4-4-4-12.
CANONICAL_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def made_up_id(service_id: str, what: str) -> str:
    """The id of a record Bridgeway makes up for ``what`` of a service (or a location):
    ``str(uuid.uuid5(uuid.UUID(service_id), what))``, worked out without the two UUID
    objects (an import makes three for every service)."""
    if not CANONICAL_UUID.fullmatch(service_id):
        return str(uuid.uuid5(uuid.UUID(service_id), what))
    digest = bytearray(
        hashlib.sha1(
            bytes.fromhex(service_id.replace("-", "")) + what.encode(), usedforsecurity=False
        ).digest()[:16]
    )
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def service_at_location_id(location_id: str) -> str:
    """The HSDS id of the link between a location and the service it belongs to."""
    return made_up_id(location_id, "service_at_location")


def main_phone_id(service_id: str) -> str:
    """The HSDS id of the phone made from a service's own phone number."""
    return made_up_id(service_id, "phone")


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


def ons_code(uri: str) -> str | None:
    """The ONS code at the end of a statistical geography URI (or a bare code), if any."""
    match = _ONS_CODE.search(uri.strip())
    return match.group(1) if match else None

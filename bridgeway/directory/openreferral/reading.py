"""Reading an Open Referral (HSDS 3) feed: each compiled service checked, cleaned, made a ``Listing``.

No Django here. ``listing_from_hsds`` checks every field it uses and names each problem by
field path, so a council can fix its feed from one report; text is cleaned (names plain,
descriptions safe HTML), ISO 639-1 language codes become 639-3, and what Bridgeway does not
model is kept in ``extra`` so an export gives it back. ``hsds.py`` writes the other way.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from bridgeway.directory.formats import FORMATS, FORMATS_TAXONOMY
from bridgeway.directory.openreferral.listing import (
    CHILD_ARRAYS,
    FEATURES,
    LOCATION_TYPES,
    STATUSES,
    VOCABULARY_FIELDS,
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
from bridgeway.directory.openreferral.shared_locations import made_up_link_id
from bridgeway.directory.openreferral.terms import (
    ADDRESS_READ_FIELDS,
    CANONICAL_UUID,
    DISTRICT_PREFIXES,
    FEATURES_TAXONOMY,
    LOCATION_READ_FIELDS,
    PFA_PREFIXES,
    READ_FIELDS,
    UNKNOWN_INDEPENDENCE,
    made_up_id,
    main_phone_id,
    ons_code,
)
from bridgeway.directory.public_text import (
    SAFE_TAGS,
    SAFE_URL_SCHEMES,
    kept_field,
    plain_text,
    safe_address,
    safe_html,
)
from bridgeway.equality.vocabulary import languages, vocabulary

# Re-exported: hsds.py gives these names to its callers.
__all__ = [
    "SAFE_TAGS",
    "SAFE_URL_SCHEMES",
    "language_code",
    "listing_from_hsds",
    "plain_text",
    "safe_html",
    "services_in",
]

_WAIT = re.compile(r"^\s*(\d{1,3})\s*weeks?\s*$", re.IGNORECASE)


class _Reader:
    """Collects every problem of one service instead of stopping at the first."""

    def __init__(self, position: int, service_id: str) -> None:
        self.position = position
        self.service_id = service_id
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.position, self.service_id, where, message))

    def warning(self, where: str, message: str) -> None:
        """Something changed to make the service safe to publish: imported, but said."""
        self.warnings.append(Problem(self.position, self.service_id, where, message))

    def dropped(self, where: str, message: str) -> None:
        """An optional value that is wrong: left out, the rest of the service imported, said."""
        self.warnings.append(Problem(self.position, self.service_id, where, f"{message}; left out"))

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
        if "<" not in value and (
            clean is plain_text or (clean is safe_html and "javascript:" not in value.lower())
        ):
            # Nothing to take out: what either cleaning gives, without calling it (most
            # texts of most feeds; an import reads tens of them per service).
            value = value.strip()
        else:
            cleaned = clean(value)
            if cleaned != value.strip():
                what = "unsafe formatting" if clean is safe_html else "markup"
                self.warning(where, f"{what} was taken out ({value.strip()[:60]!r})")
            value = cleaned
        if required and not value:
            self.problem(where, "is required and is empty")
        if max_length is not None and len(value) > max_length:
            self.problem(where, f"is {len(value)} characters long; at most {max_length}")
        return value

    def number(
        self, record: Mapping[str, Any], key: str, where: str, low: float, high: float
    ) -> float | None:
        """An optional number: one of the wrong type or out of range is dropped and named."""
        value = record.get(key)
        if value is None:
            return None
        # bool is an int in Python, but true is not a coordinate or an age.
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.dropped(where, f"should be a number, not {type(value).__name__}")
            return None
        if not low <= value <= high:
            self.dropped(where, f"{value} is out of range ({low:g} to {high:g})")
            return None
        return float(value)

    def uuid(self, record: Mapping[str, Any], key: str, where: str) -> str:
        value = record.get(key)
        if type(value) is str and CANONICAL_UUID.fullmatch(value):
            return value  # already as str(uuid.UUID(value)) writes it
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
        if not value:
            return []  # schedules, costs and funding are often given empty
        if all(type(item) is dict for item in value):
            # The usual case, in one pass.
            return [(f"{key}[{index}]", item) for index, item in enumerate(value)]
        found = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                found.append((f"{key}[{index}]", item))
            else:
                self.problem(f"{key}[{index}]", f"should be an object, not {type(item).__name__}")
        return found


_NOTHING = object()


def _is_uuid(value: str) -> bool:
    if CANONICAL_UUID.fullmatch(value):
        return True
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _bad_uuid(value: object) -> str:
    raise ValueError(value)


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
        reader.dropped("url", f"{url[:60]!r} is not a web address (http:// or https://)")
        url = ""
    email = reader.text(document, "email", "email", max_length=254)
    if email and "@" not in email:
        reader.dropped("email", f"{email[:60]!r} is not an email address")
        email = ""
    status = reader.text(document, "status", "status") or "active"
    if status not in STATUSES:
        reader.problem("status", f"{status[:40]!r} is not one of: {', '.join(STATUSES)}")
    extra = _kept_fields(reader, document)
    minimum_age, maximum_age = _ages(reader, document)
    assured_date = _assured_date(reader, document)
    waiting_weeks = _waiting_weeks(reader, document, extra)
    district_codes, pfa_codes, unplaced = _areas(reader, document)
    language_codes, other_languages = _languages(reader, document)
    if other_languages:
        extra["languages"] = other_languages
    main_phone, phones = _phones(reader, document, service_id)
    coded, other_attributes = _attributes(reader, document)
    if other_attributes:
        extra["attributes"] = other_attributes
    # Only the source can say a service is independent of the police (docs/decisions/0077).
    independence = coded.get("bridgeway:independence", [UNKNOWN_INDEPENDENCE])
    if len(independence) > 1:
        reader.problem("attributes", "gives more than one bridgeway:independence code")

    features: dict[str, Any] = {feature: True for feature in coded.get(FEATURES_TAXONOMY, [])}
    listing = Listing(
        **features,
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
        carried=frozenset(key for key in CHILD_ARRAYS if isinstance(document.get(key), list)),
        warnings=tuple(reader.warnings),
    )
    if reader.problems:
        raise InvalidService(reader.problems)
    return listing


def _kept_fields(reader: _Reader, document: Mapping[str, Any]) -> dict[str, Any]:
    """The fields Bridgeway does not model, kept for export, with markup and unsafe addresses
    taken out (they are republished in the feed)."""
    extra: dict[str, Any] = {}
    for key, value in document.items():
        if key in READ_FIELDS:
            continue
        extra[key] = kept_field(value)
        if extra[key] != _stripped(value):
            reader.warning(key, "markup or an unsafe address was taken out")
    return extra


def _stripped(value: Any) -> Any:
    """``value`` with only its texts' outer spaces taken off (which is no warning's worth)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping):
        return {key: _stripped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_stripped(item) for item in value]
    return value


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
        reader.dropped("assured_date", f"{assured[:40]!r} is not a date (YYYY-MM-DD)")
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
    website = reader.text(nested, "website", "organization.website", max_length=200)
    if website and not safe_address(website):
        reader.warning(
            "organization.website",
            f"{website[:60]!r} is not a web address (https, http, mailto or tel): left out",
        )
        website = ""
    return Organisation(
        id=reader.uuid(nested, "id", "organization.id"),
        name=reader.text(nested, "name", "organization.name", required=True, max_length=200),
        website=website,
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
            unplaced += 1
            reader.dropped(
                f"{where}.uri",
                f"{code} is not a local authority district or police force area code",
            )
    return tuple(districts), tuple(pfas), unplaced


def _languages(
    reader: _Reader, document: Mapping[str, Any]
) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """Codes Bridgeway knows, and the languages it cannot read (the UK profile allows a
    language given only by ``id``), kept as given, cleaned, to be served back."""
    codes: list[str] = []
    others: list[dict[str, Any]] = []
    for where, language in reader.records(document, "languages"):
        given = reader.text(language, "code", f"{where}.code")
        code = language_code(given) if given else None
        if given and code is None:
            reader.warning(
                f"{where}.code",
                f"{given[:20]!r} is not a language code Bridgeway knows; kept, not matched on",
            )
        if code is None:
            others.append(kept_field(language))
        elif code not in codes:
            codes.append(code)
    return tuple(codes), others


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
    taxonomies = _taxonomy_codes()
    for where, attribute in reader.records(document, "attributes"):
        term = attribute.get("taxonomy_term")
        taxonomy = term.get("taxonomy") if isinstance(term, dict) else None
        if not (
            isinstance(term, dict)
            and isinstance(taxonomy, str)
            and taxonomy.startswith("bridgeway:")
        ):
            kept = kept_field(attribute)
            if kept != _stripped(attribute):
                reader.warning(where, "markup or an unsafe address was taken out")
            others.append(kept)
            continue
        code = term.get("code")
        known = taxonomies.get(taxonomy)
        if known is None:
            reader.dropped(
                f"{where}.taxonomy_term.taxonomy", f"{taxonomy[:40]!r} is not a Bridgeway taxonomy"
            )
        elif not isinstance(code, str) or code not in known[1]:
            reader.dropped(
                f"{where}.taxonomy_term.code",
                f"{str(code)[:40]!r} is not a code of {taxonomy}; "
                f"use one of: {', '.join(known[0])}",
            )
        elif code not in coded.setdefault(taxonomy, []):
            coded[taxonomy].append(code)
    return coded, others


@cache
def _taxonomy_codes() -> dict[str, tuple[tuple[str, ...], frozenset[str]]]:
    """Each Bridgeway taxonomy's codes, made once (the vocabularies are files), rather than
    a list of them made for every attribute of every service."""
    found = {}
    for taxonomy in (
        FORMATS_TAXONOMY,
        FEATURES_TAXONOMY,
        "bridgeway:independence",
        *(f"bridgeway:{stem}" for stem in VOCABULARY_FIELDS.values()),
    ):
        codes = _codes_of(taxonomy)
        if codes is not None:
            found[taxonomy] = (tuple(codes), frozenset(codes))
    return found


def _codes_of(taxonomy: str) -> list[str] | None:
    if taxonomy == FORMATS_TAXONOMY:
        return list(FORMATS)
    if taxonomy == FEATURES_TAXONOMY:
        return list(FEATURES)
    stem = taxonomy.removeprefix("bridgeway:")
    if stem == "independence":
        return [*vocabulary(stem).ordered_codes(), UNKNOWN_INDEPENDENCE]
    if stem in VOCABULARY_FIELDS.values():
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
            reader.dropped(
                f"{where}.location_type",
                f"{kind[:20]!r} is not one of: {', '.join(LOCATION_TYPES)}",
            )
            kind = "physical"
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
                extra=_location_extra(reader, link_at, link, place, address),
            )
        )
    return tuple(found)


def _location_extra(
    reader: _Reader,
    link_at: str,
    link: Mapping[str, Any],
    place: Mapping[str, Any],
    address: Mapping[str, Any],
) -> dict[str, Any]:
    """What a location carries that Bridgeway does not model (the link's own id, the
    address's id, country and type, accessibility, contacts, phones, schedules...), kept as
    given and cleaned, so the feed serves it back (issue 13, item 4)."""
    extra: dict[str, Any] = {}
    location_id = place.get("id")
    # What an export makes up when a feed does not say is not kept, so a round trip of
    # Bridgeway's own feed changes nothing.
    made_up: dict[str, Any] = {}
    if isinstance(location_id, str) and _is_uuid(location_id):
        made_up = {
            "id": made_up_id(location_id, "address"),
            "location_id": location_id,
            "country": "GB",
            "address_type": place.get("location_type") or "physical",
            "state_province": address.get("region") or address.get("state_province") or "",
        }
        if link.get("id") != made_up_link_id(location_id):
            extra["link_id"] = kept_field(link.get("id"))
    unread_place = {k: v for k, v in place.items() if k not in LOCATION_READ_FIELDS}
    unread_address = {
        k: v
        for k, v in address.items()
        if k not in ADDRESS_READ_FIELDS and made_up.get(k, _NOTHING) != v
    }
    for name, given in (("place", unread_place), ("address", unread_address)):
        if given:
            cleaned = kept_field(given)
            if cleaned != _stripped(given):
                reader.warning(f"{link_at}.location", "markup or an unsafe address was taken out")
            extra[name] = cleaned
    return extra


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

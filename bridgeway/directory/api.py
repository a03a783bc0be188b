"""The directory's HTTP API (mounted under /api/v1/): the Open Referral UK feed and matching.

The feed (``/``, ``/services``, ``/service_at_locations``, ``/taxonomies``,
``/taxonomy_terms``) follows the Open Referral
UK 3.0 OpenAPI document, is read-only and open to any website (CORS); ``/locations`` (HSDS's,
each place once however many services are at it: decision 0154) is served the same way.
``POST /match`` is Bridgeway's own and is not opened to other sites.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import resolve
from django.views.decorators.http import conditional_page, require_GET
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from pydantic import ConfigDict, StringConstraints, field_validator, model_validator

from bridgeway.directory.answers import answer_as_dict
from bridgeway.directory.formats import FORMATS, check_formats
from bridgeway.directory.models import Service
from bridgeway.directory.openreferral import feed, hsds
from bridgeway.directory.openreferral.exchange import service_as_hsds, services_for_export
from bridgeway.directory.query_patterns import DAY, POSTCODE, POSTCODE_REQUIRED, TIME, one_of
from bridgeway.directory.selectors import (
    InvalidPostcode,
    LocationNotCovered,
    Preferences,
    active_services,
    services_for_feed,
    services_matching,
)
from bridgeway.directory.stamped_cache import directory_cached
from bridgeway.equality.vocabulary import languages as known_languages
from bridgeway.equality.vocabulary import vocabulary
from bridgeway.places.postcodes import parse_location
from bridgeway.places.selectors import resolve_location
from bridgeway.replica import reads_from_replica

router = Router(tags=["directory"])
# The API's renderer (bridgeway/api.py keeps ninja's default), for answers kept ready-made.
_JSON = JSONRenderer()

MAX_PAGE_SIZE = 100
MAX_CODES = 20

Code = Annotated[str, StringConstraints(max_length=60)]


def _codes_of(vocabulary_name: str, *, blank: bool = False) -> list[str]:
    """The codes a vocabulary allows, for the document's ``enum`` (and ``""`` if blank is)."""
    codes = list(vocabulary(vocabulary_name).ordered_codes())
    return ["", *codes] if blank else codes


def _one_code(vocabulary_name: str, *, blank: bool = False) -> dict[str, Any]:
    """The document's schema for one code of a vocabulary (the validators enforce it)."""
    return {"enum": _codes_of(vocabulary_name, blank=blank)}


def _each_code(vocabulary_name: str) -> dict[str, Any]:
    """The document's schema for the items of a list of codes of a vocabulary."""
    return {"items": {"type": "string", "enum": _codes_of(vocabulary_name)}}


def _or_blank(schema: dict[str, Any]) -> dict[str, Any]:
    """The document's schema for a query parameter that may also be sent blank ("not given")."""
    return {"anyOf": [schema, {"type": "string", "pattern": r"^ *$"}, {"type": "null"}]}


_UUID = {"type": "string", "format": "uuid"}
_AGE = {"type": "number", "minimum": 0, "maximum": 130}


def _shaped(value: str, pattern: str, problem: str) -> str:
    """``value`` if it has the shape the document gives (``pattern``), else ``problem``."""
    if re.fullmatch(pattern, value) is None:
        raise ValueError(problem)
    return value


def _check_codes(vocabulary_name: str, what: str, codes: list[str]) -> list[str]:
    known = vocabulary(vocabulary_name)
    for code in codes:
        if code not in known:
            raise ValueError(
                f"{code[:60]!r} is not a {what} code; use one of: "
                + ", ".join(known.ordered_codes())
            )
    return list(dict.fromkeys(codes))


class PreferencesIn(Schema):
    """What the person would like beyond the hard limits; every field optional."""

    # Strict: JSON's true and false only, as the document says, never 1, 0 or "yes".
    model_config = ConfigDict(extra="forbid", strict=True)

    independent_of_police: bool = False
    same_community: bool = False
    worker_gender: Code | None = Field(
        None,
        description="A code of sexes.csv: female or male.",
        json_schema_extra=_one_code("sexes"),
    )
    lived_experience: bool = False
    self_referral: bool = False
    trauma_informed: bool = False
    free_only: bool = Field(
        False,
        description=(
            "Free services only: a service whose listing gives a price is never a result. "
            "One that does not say what it costs stays, with a caution."
        ),
    )
    formats: list[Code] = Field(
        default_factory=list,
        max_length=MAX_CODES,
        description="Ways the person would like support: " + ", ".join(FORMATS) + ".",
        json_schema_extra={"items": {"type": "string", "enum": list(FORMATS)}},
    )

    @field_validator("formats")
    @classmethod
    def _known_formats(cls, value: list[str]) -> list[str]:
        return check_formats(value)

    def as_preferences(self) -> Preferences:
        """The preferences as matching takes them."""
        return Preferences(**{**self.model_dump(), "formats": tuple(self.formats)})

    @field_validator("worker_gender")
    @classmethod
    def _known_gender(cls, value: str | None) -> str | None:
        if value is not None:
            _check_codes("sexes", "worker gender", [value])
        return value


class MatchRequest(Schema):
    """A person's needs. Only ``postcode`` is required: a full postcode or postcode district."""

    model_config = ConfigDict(extra="forbid")

    postcode: Annotated[str, StringConstraints(max_length=16)] = Field(
        ..., examples=["BD3 9AB", "LS6"], json_schema_extra={"pattern": POSTCODE_REQUIRED}
    )
    harm_types: list[Code] = Field(
        default_factory=list, max_length=MAX_CODES, json_schema_extra=_each_code("harm_types")
    )
    hate_strands: list[Code] = Field(
        default_factory=list, max_length=MAX_CODES, json_schema_extra=_each_code("hate_strands")
    )
    languages: list[Code] = Field(
        default_factory=list,
        max_length=MAX_CODES,
        description="ISO 639-3 codes, e.g. urd.",
        json_schema_extra=_each_code("languages"),
    )
    # Strict: a whole number, as the document says, never true, false or "30".
    age: int | None = Field(None, ge=0, le=130, strict=True)
    ethnic_group: Code | None = Field(
        None, json_schema_extra=_one_code("ethnic_groups", blank=True)
    )
    religion: Code | None = Field(None, json_schema_extra=_one_code("religions", blank=True))
    preferences: PreferencesIn | None = None
    limit: int = Field(10, ge=1, le=50, strict=True)

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str) -> str:
        try:
            if re.fullmatch(POSTCODE_REQUIRED, value) is None:
                raise InvalidPostcode(value)
            parse_location(value)
        except InvalidPostcode:
            raise ValueError(
                f"{value.strip()!r} is not a postcode: give a full postcode such as "
                "'LS6 1AA' or a postcode district such as 'LS6'"
            ) from None
        return value

    @field_validator("harm_types")
    @classmethod
    def _harms(cls, value: list[str]) -> list[str]:
        return _check_codes("harm_types", "harm type", value)

    @field_validator("hate_strands")
    @classmethod
    def _strands(cls, value: list[str]) -> list[str]:
        return _check_codes("hate_strands", "hate strand", value)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        return _check_codes("languages", "language", value)

    @field_validator("ethnic_group")
    @classmethod
    def _ethnic_group(cls, value: str | None) -> str | None:
        return value and _check_codes("ethnic_groups", "ethnic group", [value])[0]

    @field_validator("religion")
    @classmethod
    def _religion(cls, value: str | None) -> str | None:
        return value and _check_codes("religions", "religion", [value])[0]


class MatchedServiceOut(Schema):
    service_id: uuid.UUID
    name: str
    organisation: str
    score: float
    reasons: list[str]
    cautions: list[str]
    covers_area: bool
    independence: str


class PlaceOut(Schema):
    code: str
    name: str


class LocationOut(Schema):
    query: str
    district: PlaceOut
    districts: list[PlaceOut]
    police_force_area: PlaceOut


class MatchAnswerOut(Schema):
    location: LocationOut
    results: list[MatchedServiceOut]
    fallback: list[MatchedServiceOut]


class Problem(Schema):
    detail: Any


# The Open Referral UK profile this API follows, as its own documents name it.
ORUK_VERSION = "3.0"
ORUK_PROFILE = "https://openreferraluk.org/developers"
ORUK_OPENAPI = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"
ONS_CODE = r"^[EW][0-9]{8}$"
# An ONS code or, for "not given", blank.
_AREA = r"^(?: *|[EW][0-9]{8})$"
# The language codes the filter takes: ISO 639-3 and 639-1, in any case, or blank.
_LANGUAGE = one_of(
    code for language in known_languages().values() for code in (language.code, language.bcp47)
)


def open_to_all(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let any website read this answer (CORS): the feed is public, read-only data, read
    from the replica where there is one (bridgeway/replica.py).

    Each answer carries an ``ETag`` (a hash of its body), and a request whose
    ``If-None-Match`` names it is answered 304 with no body, so another directory's nightly
    harvest of this feed reads only the pages that changed (decision 0156).
    """
    replica_view = conditional_page(reads_from_replica(view))

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "perPage" in request.GET and "per_page" not in request.GET:
            # Older versions of the ORUK validator send perPage: the same as per_page.
            query = request.GET.copy()
            query.setlist("per_page", query.getlist("perPage"))
            request.GET = query  # type: ignore[assignment]  # a copy, as Django allows
        response = replica_view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapped


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    per_page: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class ServiceFilters(Schema):
    """The Open Referral UK filters of the services list."""

    text: Annotated[str, StringConstraints(max_length=200)] = Field(
        "", description="Words to find in names and descriptions."
    )
    search: Annotated[str, StringConstraints(max_length=200)] = Field(
        "", description="The same as text (Open Referral UK's name for it)."
    )
    taxonomy_term_id: uuid.UUID | None = Field(
        None, description="Id of a taxonomy term.", json_schema_extra=_or_blank(_UUID)
    )
    area: Annotated[str, StringConstraints(max_length=9)] | None = Field(
        None,
        description="ONS code of a local authority district or police force area.",
        json_schema_extra={"pattern": _AREA},
    )
    language: Annotated[str, StringConstraints(max_length=10)] | None = Field(
        None,
        description="ISO 639-3 (or 639-1) code of a language workers speak.",
        json_schema_extra={"pattern": _LANGUAGE},
    )

    taxonomy_id: uuid.UUID | None = Field(
        None,
        description="Id of a taxonomy: services with any of its terms.",
        json_schema_extra=_or_blank(_UUID),
    )
    minimum_age: float | None = Field(
        None,
        ge=0,
        le=130,
        description="Services whose minimum age is at least this.",
        json_schema_extra=_or_blank(_AGE),
    )
    maximum_age: float | None = Field(
        None,
        ge=0,
        le=130,
        description="Services whose maximum age is at most this.",
        json_schema_extra=_or_blank(_AGE),
    )
    day: Annotated[str, StringConstraints(max_length=20)] | None = Field(
        None,
        description="Services open on this day: MO, TU, WE, TH, FR, SA or SU.",
        json_schema_extra={"pattern": DAY},
    )
    start_time: Annotated[str, StringConstraints(max_length=20)] | None = Field(
        None,
        description="Services opening at or after this time (HH:MM), on `day` if given.",
        json_schema_extra={"pattern": TIME},
    )
    end_time: Annotated[str, StringConstraints(max_length=20)] | None = Field(
        None,
        description="Services closing at or before this time (HH:MM), on `day` if given.",
        json_schema_extra={"pattern": TIME},
    )

    @field_validator(
        "taxonomy_term_id",
        "taxonomy_id",
        "area",
        "language",
        "minimum_age",
        "maximum_age",
        "day",
        "start_time",
        "end_time",
        mode="before",
    )
    @classmethod
    def _blank_is_not_given(cls, value: object) -> object:
        # Search forms send every field, filled in or not (``?taxonomy_id=&day=``). Only
        # spaces count as blank, as the document's patterns say.
        return None if isinstance(value, str) and not value.strip(" ") else value

    @field_validator("area")
    @classmethod
    def _area(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return _shaped(value, ONS_CODE, f"{value[:20]!r} is not an ONS code such as E08000035")

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is None:
            return None
        problem = f"{value!r} is not a language code Bridgeway knows (use ISO 639-3)"
        code = hsds.language_code(_shaped(value, _LANGUAGE, problem))
        if code is None:
            raise ValueError(f"{value!r} is not a language code Bridgeway knows (use ISO 639-3)")
        return code

    @field_validator("day")
    @classmethod
    def _day(cls, value: str | None) -> str | None:
        if value is None:
            return None
        problem = (
            f"{value[:20]!r} is not a day; use MO, TU, WE, TH, FR, SA or SU (or the day's name)"
        )
        return feed.parse_day(_shaped(value, DAY, problem))

    @field_validator("start_time", "end_time")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        if value is None:
            return None
        problem = f"{value[:20]!r} is not a time of day; use HH:MM or HH:MM:SS, e.g. 09:30"
        return feed.parse_time(_shaped(value, TIME, problem)).isoformat()

    def services(self) -> QuerySet[Service]:
        """Active services that pass every filter given, in name order."""
        taxonomy = code = None
        if self.taxonomy_term_id is not None:
            term = hsds.term_by_id().get(str(self.taxonomy_term_id))
            # An unknown term matches nothing, as a filter should, rather than being an error.
            taxonomy, code = term if term else ("unknown", "unknown")
        services = services_for_feed(
            text=(self.text or self.search).strip(),
            taxonomy=taxonomy,
            code=code,
            area_code=self.area,
            language=self.language,
        )
        if self.taxonomy_id is not None:
            named = feed.taxonomy_named_by(str(self.taxonomy_id))
            services = feed.services_in_taxonomy(services, named)
        services = feed.services_for_ages(
            services, minimum_age=self.minimum_age, maximum_age=self.maximum_age
        )
        return feed.services_open(
            services,
            feed.OpeningFilter(
                day=self.day,
                start=feed.parse_time(self.start_time) if self.start_time else None,
                end=feed.parse_time(self.end_time) if self.end_time else None,
            ),
        )


class ServiceAtLocationFilters(ServiceFilters):
    """The services filters, and where: a postcode and a distance from it."""

    postcode: Annotated[str, StringConstraints(max_length=16)] | None = Field(
        None,
        description="Services whose areas hold this full postcode or postcode district.",
        json_schema_extra={"pattern": POSTCODE},
    )
    proximity: float | None = Field(
        None,
        gt=0,
        le=1_000_000,
        description="Metres from the centre of the postcode's district: locations within it, "
        "nearest first. Needs `postcode`.",
        json_schema_extra=_or_blank(
            {"type": "number", "exclusiveMinimum": 0, "maximum": 1_000_000}
        ),
    )

    @field_validator("postcode", "proximity", mode="before")
    @classmethod
    def _blank_place_is_not_given(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip(" ") else value

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            if re.fullmatch(POSTCODE, value) is None:
                raise InvalidPostcode(value)
            parse_location(value)
        except InvalidPostcode:
            raise ValueError(
                f"{value.strip()!r} is not a postcode: give a full postcode such as "
                "'LS6 1AA' or a postcode district such as 'LS6'"
            ) from None
        return value

    @model_validator(mode="after")
    def _proximity_needs_postcode(self) -> ServiceAtLocationFilters:
        if self.proximity is not None and self.postcode is None:
            raise ValueError("proximity needs a postcode to measure from")
        return self


def _page(request: HttpRequest, paging: PageQuery, items: Any, total: int) -> dict[str, Any]:
    """Open Referral UK's paging shape, consistent on every page (and past the last)."""
    pages = max(1, math.ceil(total / paging.per_page))
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": paging.page,
        "size": len(items),
        "first_page": paging.page == 1,
        "last_page": paging.page >= pages,
        "empty": not items,
        "contents": items,
    }


@router.get("/", response=dict[str, str], summary="Which standard this API follows")
@decorate_view(open_to_all)
def api_details(request: HttpRequest) -> dict[str, str]:
    """Open Referral UK's api_details: the HSDS version, the profile and its OpenAPI document."""
    return {"version": ORUK_VERSION, "profile": ORUK_PROFILE, "openapi_url": ORUK_OPENAPI}


@router.get(
    "/services",
    response={200: dict[str, Any], 422: Problem},
    summary="Active services as HSDS 3 compiled services, a page at a time",
)
@decorate_view(open_to_all)
def list_services(
    request: HttpRequest, paging: Query[PageQuery], filters: Query[ServiceFilters]
) -> HttpResponse:
    """Active services in name order, filtered and paged as Open Referral UK does.

    The page is the same for everyone until the directory changes: its JSON is kept under
    the directory's version stamp (``stamped_cache``), so most requests cost one query.
    """

    def page_json() -> str:
        services = filters.services()
        total = services.count()
        start = (paging.page - 1) * paging.per_page
        page = services_for_export(services)[start : start + paging.per_page]
        answer = _page(request, paging, [service_as_hsds(s) for s in page], total)
        return str(_JSON.render(request, answer, response_status=200))

    body = directory_cached(
        "oruk-services", (paging.model_dump_json(), filters.model_dump_json()), page_json
    )
    return HttpResponse(body, content_type=f"{_JSON.media_type}; charset={_JSON.charset}")


@router.get(
    "/services/{service_id}",
    response={200: dict[str, Any], 404: Problem},
    summary="One active service as an HSDS 3 compiled service",
)
@decorate_view(open_to_all)
def get_service(request: HttpRequest, service_id: str) -> dict[str, Any]:
    """An active service; 404 for an unknown, inactive or malformed id."""
    try:
        pk = uuid.UUID(service_id)
    except ValueError:
        raise Http404("No such service") from None
    service = services_for_export(active_services()).filter(pk=pk).first()
    if service is None:
        raise Http404("No such service")
    return service_as_hsds(service)


def _query_problem(parameter: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ["query", parameter], "msg": message, "type": parameter}])


@router.get(
    "/service_at_locations",
    response={200: dict[str, Any], 422: Problem},
    summary="Services at their locations, fully nested, a page at a time",
)
@decorate_view(open_to_all)
def list_service_at_locations(
    request: HttpRequest, paging: Query[PageQuery], filters: Query[ServiceAtLocationFilters]
) -> dict[str, Any]:
    """Every location of an active service that passes the filters, with its service; in the
    services' name order, or nearest first when ``proximity`` is given."""
    services = filters.services()
    if filters.postcode is not None:
        try:
            place = resolve_location(filters.postcode)
        except LocationNotCovered as error:
            raise _query_problem("postcode", f"{filters.postcode.strip()!r}: {error}") from None
        services = feed.services_covering(services, place)
    locations = feed.locations_of(services)
    start = (paging.page - 1) * paging.per_page
    if filters.proximity is not None and filters.postcode is not None:
        centre = feed.centre_of(filters.postcode)
        if centre is None:
            raise _query_problem(
                "postcode", f"{filters.postcode.strip()!r}: Bridgeway knows no centre for it"
            )
        near = feed.locations_near(locations, centre, filters.proximity)
        total = len(near)
        page = feed.ordered(locations, near[start : start + paging.per_page])
    else:
        total = locations.count()
        page = list(locations[start : start + paging.per_page])
    return _page(request, paging, feed.service_at_location_documents(page), total)


@router.get(
    "/service_at_locations/{service_at_location_id}",
    response={200: dict[str, Any], 404: Problem},
    summary="One service at a location, fully nested",
)
@decorate_view(open_to_all)
def get_service_at_location(request: HttpRequest, service_at_location_id: str) -> dict[str, Any]:
    """A location of an active service with its service; 404 for any other id."""
    return _found(service_at_location_id, feed.service_at_location_get, "service at location")


def _found(given: str, get: Callable[[str], dict[str, Any] | None], what: str) -> dict[str, Any]:
    """The document ``get`` finds by the UUID ``given``; 404 naming ``what`` otherwise."""
    try:
        key = str(uuid.UUID(given))
    except ValueError:
        raise Http404(f"No such {what}") from None
    document = get(key)
    if document is None:
        raise Http404(f"No such {what}")
    return document


@router.get(
    "/locations",
    response={200: dict[str, Any], 422: Problem},
    summary="The places of active services, each once, a page at a time",
)
@decorate_view(open_to_all)
def list_locations(request: HttpRequest, paging: Query[PageQuery]) -> dict[str, Any]:
    """Every HSDS location of an active service, once however many services are at it
    (decision 0154), by id."""
    places = feed.places_of(active_services())
    start = (paging.page - 1) * paging.per_page
    page = list(places[start : start + paging.per_page])
    return _page(request, paging, feed.location_documents(page), places.count())


@router.get(
    "/locations/{location_id}",
    response={200: dict[str, Any], 404: Problem},
    summary="One place of an active service",
)
@decorate_view(open_to_all)
def get_location(request: HttpRequest, location_id: str) -> dict[str, Any]:
    """A location of an active service; 404 for any other id."""
    return _found(location_id, feed.location_get, "location")


@router.get(
    "/taxonomies", response={200: dict[str, Any], 422: Problem}, summary="Bridgeway's taxonomies"
)
@decorate_view(open_to_all)
def list_taxonomies(request: HttpRequest, paging: Query[PageQuery]) -> dict[str, Any]:
    """The taxonomies Bridgeway's attributes use (``bridgeway:<vocabulary>``)."""
    names = list(hsds.TAXONOMY_DESCRIPTIONS)
    start = (paging.page - 1) * paging.per_page
    items = [hsds.taxonomy(n) for n in names[start : start + paging.per_page]]
    return _page(request, paging, items, len(names))


@router.get(
    "/taxonomies/{taxonomy_id}",
    response={200: dict[str, Any], 404: Problem},
    summary="One taxonomy",
)
@decorate_view(open_to_all)
def get_taxonomy(request: HttpRequest, taxonomy_id: str) -> dict[str, Any]:
    """One of Bridgeway's taxonomies by id; 404 for any other id."""
    for name in hsds.TAXONOMY_DESCRIPTIONS:
        if hsds.taxonomy_id(name) == taxonomy_id.lower():
            return hsds.taxonomy(name)
    raise Http404("No such taxonomy")


@router.get(
    "/taxonomy_terms",
    response={200: dict[str, Any], 422: Problem},
    summary="Bridgeway's taxonomy terms",
)
@decorate_view(open_to_all)
def list_taxonomy_terms(request: HttpRequest, paging: Query[PageQuery]) -> dict[str, Any]:
    """Every code Bridgeway's attributes can carry, a page at a time."""
    terms = hsds.bridgeway_terms()
    start = (paging.page - 1) * paging.per_page
    items = [hsds.taxonomy_term(t, c) for t, c in terms[start : start + paging.per_page]]
    return _page(request, paging, items, len(terms))


@router.get(
    "/taxonomy_terms/{term_id}",
    response={200: dict[str, Any], 404: Problem},
    summary="One taxonomy term",
)
@decorate_view(open_to_all)
def get_taxonomy_term(request: HttpRequest, term_id: str) -> dict[str, Any]:
    """One taxonomy term by id; 404 for any other id."""
    term = hsds.term_by_id().get(term_id.lower())
    if term is None:
        raise Http404("No such taxonomy term")
    return hsds.taxonomy_term(*term)


@router.post(
    "/match",
    # 400: a body that is not JSON at all; 422: JSON that is not a valid request.
    response={200: MatchAnswerOut, 400: Problem, 422: Problem},
    summary="Services that fit a person's needs, with reasons",
)
@decorate_view(reads_from_replica)
def match(request: HttpRequest, payload: MatchRequest) -> dict[str, Any]:
    """Services ranked for the needs given, each with reasons and cautions in the request's
    language (Accept-Language); ``fallback`` offers broad options when nothing fits."""
    prefs = payload.preferences
    try:
        found = services_matching(
            location=payload.postcode,
            harm_types=payload.harm_types,
            hate_strands=payload.hate_strands,
            languages=payload.languages,
            age=payload.age,
            ethnic_group=payload.ethnic_group,
            religion=payload.religion,
            preferences=prefs.as_preferences() if prefs else None,
            limit=payload.limit,
        )
    except (InvalidPostcode, LocationNotCovered) as error:
        raise NinjaValidationError(
            [
                {
                    "loc": ["body", "payload", "postcode"],
                    "msg": f"{payload.postcode.strip()!r}: {error}",
                    "type": "postcode",
                }
            ]
        ) from None
    return answer_as_dict(found)


# List routes older ORUK validators ask for with a trailing slash.
SLASHED_LISTS = (
    "services",
    "service_at_locations",
    "locations",
    "taxonomies",
    "taxonomy_terms",
)


@require_GET
def list_with_trailing_slash(request: HttpRequest, listing: str) -> HttpResponse:
    """``/api/v1/services/`` answers as ``/api/v1/services`` does (query included)."""
    match = resolve(f"/api/v1/{listing}")
    response: HttpResponse = match.func(request, *match.args, **match.kwargs)
    return response

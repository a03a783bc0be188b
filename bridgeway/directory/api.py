"""The directory's HTTP API (mounted under /api/v1/): services and matching. Public, read-only."""

from __future__ import annotations

import math
import uuid
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ConfigDict, StringConstraints, field_validator

from bridgeway.directory.answers import answer_as_dict, service_as_dict
from bridgeway.directory.selectors import (
    InvalidPostcode,
    LocationNotCovered,
    Preferences,
    service_get_public,
    services_matching,
    services_public,
)
from bridgeway.equality.vocabulary import vocabulary
from bridgeway.places.postcodes import parse_location

router = Router(tags=["directory"])

MAX_PAGE_SIZE = 100
MAX_CODES = 20

Code = Annotated[str, StringConstraints(max_length=60)]


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

    model_config = ConfigDict(extra="forbid")

    independent_of_police: bool = False
    same_community: bool = False
    worker_gender: Code | None = Field(None, description="A code of sexes.csv: female or male.")
    lived_experience: bool = False
    self_referral: bool = False

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
        ..., examples=["BD3 9AB", "LS6"]
    )
    harm_types: list[Code] = Field(default_factory=list, max_length=MAX_CODES)
    hate_strands: list[Code] = Field(default_factory=list, max_length=MAX_CODES)
    languages: list[Code] = Field(
        default_factory=list, max_length=MAX_CODES, description="ISO 639-3 codes, e.g. urd."
    )
    age: int | None = Field(None, ge=0, le=130)
    ethnic_group: Code | None = None
    religion: Code | None = None
    preferences: PreferencesIn | None = None
    limit: int = Field(10, ge=1, le=50)

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str) -> str:
        try:
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


class OrganisationOut(Schema):
    id: uuid.UUID
    name: str


class ServiceOut(Schema):
    id: uuid.UUID
    name: str
    description: str
    organisation: OrganisationOut
    url: str
    email: str
    phone: str
    status: str
    independence: str
    is_specialist: bool
    is_national: bool
    accepts_out_of_area: bool
    self_referral: bool
    third_party_reporting: bool
    lived_experience: bool
    worker_gender_choice: bool
    trauma_informed: bool
    minimum_age: int | None
    maximum_age: int | None
    waiting_weeks: int | None
    districts: list[PlaceOut]
    police_force_areas: list[PlaceOut]
    languages: list[str]
    harm_types: list[str]
    ethnic_groups: list[str]
    religions: list[str]
    is_synthetic: bool


class ServicePage(Schema):
    """Open Referral UK's paging shape."""

    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[ServiceOut]


class Problem(Schema):
    detail: Any


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    per_page: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


@router.get("/services", response=ServicePage, summary="Active services, a page at a time")
def list_services(request: HttpRequest, paging: Query[PageQuery]) -> dict[str, Any]:
    """Active services in name order, paged the way Open Referral UK pages them."""
    services = services_public()
    total = services.count()
    pages = max(1, math.ceil(total / paging.per_page))
    start = (paging.page - 1) * paging.per_page
    contents = [service_as_dict(s) for s in services[start : start + paging.per_page]]
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": paging.page,
        "size": len(contents),
        "first_page": paging.page == 1,
        "last_page": paging.page >= pages,
        "empty": not contents,
        "contents": contents,
    }


@router.get(
    "/services/{service_id}",
    response={200: ServiceOut, 404: Problem},
    summary="One active service",
)
def get_service(request: HttpRequest, service_id: str) -> dict[str, Any]:
    """An active service; 404 for an unknown, inactive or malformed id."""
    return service_as_dict(service_get_public(service_id))


@router.post(
    "/match",
    response={200: MatchAnswerOut, 422: Problem},
    summary="Services that fit a person's needs, with reasons",
)
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
            preferences=Preferences(**prefs.model_dump()) if prefs else None,
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

"""Reads for the directory: matching needs to services, public service pages, listings."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from bridgeway.accounts.access import LISTING_ROLES, memberships_of
from bridgeway.accounts.models import Organisation, User
from bridgeway.directory import matching
from bridgeway.directory.formats import check_formats
from bridgeway.directory.matching import Match, Need, Preferences, ServiceProfile
from bridgeway.directory.models import CostOption, Service
from bridgeway.directory.openreferral.hsds import FEATURES
from bridgeway.directory.profile_index import profile_index
from bridgeway.directory.reasons import describe_all
from bridgeway.equality.models import Term
from bridgeway.equality.vocabulary import check_code, check_codes
from bridgeway.places.models import DistrictNeighbour, LocalAuthorityDistrict
from bridgeway.places.selectors import (
    InvalidPostcode,
    LocationNotCovered,
    ResolvedLocation,
    resolve_location,
)

__all__ = [
    "InvalidPostcode",
    "LocationNotCovered",
    "MatchAnswer",
    "MatchedService",
    "Preferences",
    "service_get_for_listing",
    "service_get_public",
    "services_for_feed",
    "services_for_listing_admin",
    "services_for_organisation",
    "services_matching",
    "services_public",
]

MAX_LIMIT = 50


@dataclass(frozen=True)
class MatchedService:
    """A service offered to a person, with sentences already in the active language."""

    service: Service
    score: float
    reasons: list[str]
    cautions: list[str]
    covers_area: bool


@dataclass(frozen=True)
class MatchAnswer:
    """Where the person is, the services that fit, and fallback options when none do."""

    location: ResolvedLocation
    results: list[MatchedService]
    fallback: list[MatchedService]


def _with_profile_data(services: QuerySet[Service]) -> QuerySet[Service]:
    """Everything matching and the service pages read, in a fixed number of queries."""
    return services.select_related("organisation").prefetch_related(
        Prefetch("districts", queryset=LocalAuthorityDistrict.objects.only("code", "name")),
        "police_force_areas",
        Prefetch("languages", queryset=Term.objects.only("id", "code", "vocabulary")),
        Prefetch("harm_types", queryset=Term.objects.only("id", "code", "vocabulary")),
        Prefetch("ethnic_groups", queryset=Term.objects.only("id", "code", "vocabulary")),
        Prefetch("religions", queryset=Term.objects.only("id", "code", "vocabulary")),
        "cost_options",
    )


def active_services() -> QuerySet[Service]:
    """Services people may be offered (inactive, closed and defunct ones never are)."""
    return Service.objects.filter(status=Service.Status.ACTIVE, withdrawn_at__isnull=True)


def profile_of(service: Service) -> ServiceProfile:
    """The plain data matching reads; expects ``_with_profile_data`` prefetches."""
    return ServiceProfile(
        id=str(service.id),
        name=service.name,
        organisation_name=service.organisation.name,
        district_codes=frozenset(d.code for d in service.districts.all()),
        pfa_codes=frozenset(p.code for p in service.police_force_areas.all()),
        is_national=service.is_national,
        accepts_out_of_area=service.accepts_out_of_area,
        languages=frozenset(t.code for t in service.languages.all()),
        harm_types=frozenset(t.code for t in service.harm_types.all()),
        ethnic_groups=frozenset(t.code for t in service.ethnic_groups.all()),
        religions=frozenset(t.code for t in service.religions.all()),
        independence=service.independence,
        lived_experience=service.lived_experience,
        worker_gender_choice=service.worker_gender_choice,
        self_referral=service.self_referral,
        minimum_age=service.minimum_age,
        maximum_age=service.maximum_age,
        waiting_weeks=service.waiting_weeks,
        is_specialist=service.is_specialist,
        formats=frozenset(service.formats),
        trauma_informed=service.trauma_informed,
        restorative_justice=service.restorative_justice,
        cost=cost_of_options(service.cost_options.all()),
    )


def cost_of_options(options: Iterable[CostOption]) -> str:
    """``matching.cost_of`` for a listing's cost options."""
    return matching.cost_of(
        (
            None if option.amount is None else float(option.amount),
            f"{option.option} {option.amount_description}",
        )
        for option in options
    )


def _need_for(
    location: ResolvedLocation,
    *,
    harm_types: Iterable[str],
    hate_strands: Iterable[str],
    languages: Iterable[str],
    age: int | None,
    ethnic_group: str | None,
    religion: str | None,
    preferences: Preferences | None,
) -> Need:
    pfa_codes: list[str] = []
    for district in location.districts:
        if district.police_force_area_id not in pfa_codes:
            pfa_codes.append(district.police_force_area_id)
    return Need(
        district_codes=tuple(d.code for d in location.districts),
        pfa_codes=tuple(pfa_codes),
        district_shares=location.shares if len(location.districts) > 1 else (),
        district_pfa_codes=tuple(d.police_force_area_id for d in location.districts),
        harm_types=tuple(check_codes("harm_types", list(harm_types))),
        hate_strands=tuple(check_codes("hate_strands", list(hate_strands))),
        languages=tuple(check_codes("languages", list(languages))),
        age=age,
        ethnic_group=check_code("ethnic_groups", ethnic_group) if ethnic_group else None,
        religion=check_code("religions", religion) if religion else None,
        preferences=_checked(preferences or Preferences()),
    )


def _checked(preferences: Preferences) -> Preferences:
    """The preferences with their formats checked (``ValueError`` for an unknown one)."""
    formats = tuple(check_formats(list(preferences.formats)))
    return preferences if formats == preferences.formats else replace(preferences, formats=formats)


def services_matching(
    *,
    location: str,
    harm_types: Iterable[str] = (),
    hate_strands: Iterable[str] = (),
    languages: Iterable[str] = (),
    age: int | None = None,
    ethnic_group: str | None = None,
    religion: str | None = None,
    preferences: Preferences | None = None,
    limit: int = 10,
) -> MatchAnswer:
    """Services that fit a person's needs, best first, each with plain reasons.

    ``location`` is a full postcode or a postcode district. Raises ``InvalidPostcode`` when it
    is not a postcode, ``LocationNotCovered`` when it lies outside England and Wales, and
    ``UnknownCode`` for a code not in its vocabulary. When nothing fits, ``fallback`` holds
    the best national or universal options instead, so the answer is never empty while the
    directory has any active service.
    """
    if age is not None and not 0 <= age <= 130:
        raise ValueError("age must be between 0 and 130")
    limit = max(1, min(limit, MAX_LIMIT))
    resolved = resolve_location(location)
    need = _need_for(
        resolved,
        harm_types=harm_types,
        hate_strands=hate_strands,
        languages=languages,
        age=age,
        ethnic_group=ethnic_group,
        religion=religion,
        preferences=preferences,
    )
    neighbours = frozenset(
        DistrictNeighbour.objects.filter(district_id__in=need.district_codes).values_list(
            "neighbour_id", flat=True
        )
    ) - frozenset(need.district_codes)

    # Matching reads the in-process index of profiles; only the services shown are loaded,
    # in one query: everything else the answer says comes from the index.
    for _attempt in range(2):
        # A second look re-reads the version stamp and the listings changed since.
        index = profile_index()
        reaching = index.reaching(need.district_codes, need.pfa_codes)
        results = matching.rank_top(need, reaching, neighbours=neighbours, limit=limit)
        fallback: list[Match] = []
        if not results:
            # Fallback's first choices always reach the person; only without any of them
            # does it weigh services from afar, and then a bounded, precomputed few.
            broad = any(matching.is_broad_option(need, p, neighbours) for p in reaching)
            wider = reaching if broad else [*reaching, *index.fallback_candidates(need)]
            fallback = matching.fallback_top(need, wider, neighbours=neighbours, limit=limit)
        wanted = [m.service_id for m in (*results, *fallback)]
        services = {
            str(s.id): s
            for s in active_services().filter(id__in=wanted).select_related("organisation")
        }
        if len(services) == len(set(wanted)):
            break
        # A service changed between reading the index and loading it: read both again.

    place_names = _place_names(resolved, index.place_names)

    def present(match: Match) -> MatchedService:
        return MatchedService(
            service=services[match.service_id],
            score=match.score,
            reasons=describe_all(match.reasons, place_names),
            cautions=describe_all(match.cautions, place_names),
            covers_area=match.covers_area,
        )

    # A service closed at this very moment is left out rather than shown.
    return MatchAnswer(
        location=resolved,
        results=[present(m) for m in results if m.service_id in services],
        fallback=[present(m) for m in fallback if m.service_id in services],
    )


def _place_names(location: ResolvedLocation, known: dict[str, str]) -> dict[str, str]:
    names = dict(known)
    for district in location.districts:
        names[district.code] = district.name
        names[district.police_force_area.code] = district.police_force_area.name
    return names


def _service_uuid(service_id: object) -> uuid.UUID:
    if isinstance(service_id, uuid.UUID):
        return service_id
    try:
        return uuid.UUID(str(service_id))
    except (ValueError, TypeError, AttributeError):
        raise Http404("No such service") from None


def services_public() -> QuerySet[Service]:
    """Active services with everything their public pages and the API show."""
    return _with_profile_data(active_services()).order_by("name", "id")


def service_get_public(service_id: str | uuid.UUID) -> Service:
    """An active service for its public page; ``Http404`` for anything else or a bad id."""
    try:
        return (
            services_public()
            .select_related("source")
            .prefetch_related("locations", "phones", "schedules", "introductions")
            .get(id=_service_uuid(service_id))
        )
    except Service.DoesNotExist:
        raise Http404("No such service") from None


def services_for_feed(
    *,
    text: str = "",
    taxonomy: str | None = None,
    code: str | None = None,
    area_code: str | None = None,
    language: str | None = None,
) -> QuerySet[Service]:
    """Active services for the Open Referral feed, filtered as ``GET /api/v1/services`` asks.

    ``text`` is searched in names and descriptions; ``taxonomy``/``code`` a Bridgeway term
    (``bridgeway:harm_types``/``hate_crime``); ``area_code`` an ONS district or police force
    area code (national services cover every area); ``language`` an ISO 639-3 code.
    """
    services = active_services()
    if text:
        services = services.filter(Q(name__icontains=text) | Q(description__icontains=text))
    if taxonomy is not None and code is not None:
        services = _with_term(services, taxonomy, code)
    if area_code:
        services = services.filter(
            Q(is_national=True)
            | Q(districts__code=area_code)
            | Q(police_force_areas__code=area_code)
        )
    if language:
        services = services.filter(languages__vocabulary="languages", languages__code=language)
    return services.distinct().order_by("name", "id")


def _with_term(services: QuerySet[Service], taxonomy: str, code: str) -> QuerySet[Service]:
    relation = {
        "bridgeway:harm_types": "harm_types",
        "bridgeway:ethnic_groups": "ethnic_groups",
        "bridgeway:religions": "religions",
    }.get(taxonomy)
    if relation is not None:
        return services.filter(**{f"{relation}__code": code})
    if taxonomy == "bridgeway:independence":
        return services.filter(independence=code)
    if taxonomy == "bridgeway:features" and code in FEATURES:
        return services.filter(**{code: True})
    if taxonomy == "bridgeway:formats":
        # JSON containment is not portable to SQLite; the formats lists are a few codes long.
        ids = [pk for pk, formats in services.values_list("id", "formats") if code in formats]
        return services.filter(id__in=ids)
    return services.none()


def services_for_organisation(organisation: Organisation) -> QuerySet[Service]:
    """Every service of one organisation, whatever its status."""
    return _with_profile_data(Service.objects.filter(organisation=organisation)).order_by(
        "name", "id"
    )


def services_for_listing_admin(user: User) -> QuerySet[Service]:
    """Services whose listings the user may edit; ``PermissionDenied`` if they may edit none."""
    organisations = [m.organisation_id for m in memberships_of(user, LISTING_ROLES)]
    if not organisations:
        raise PermissionDenied("Only an organisation's administrators can edit its listings.")
    return (
        _with_profile_data(Service.objects.filter(organisation_id__in=organisations))
        .select_related("source")
        .order_by("name", "id")
    )


def service_get_for_listing(user: User, service_id: str | uuid.UUID) -> Service:
    """A service whose listing the user may edit.

    ``Http404`` when it does not exist or belongs to an organisation the user is not in;
    ``PermissionDenied`` when the user is in its organisation without the administrator role.
    """
    memberships = {m.organisation_id: m for m in memberships_of(user)}
    service = (
        _with_profile_data(Service.objects.filter(organisation_id__in=list(memberships)))
        .filter(id=_service_uuid(service_id))
        .first()
    )
    if service is None:
        raise Http404("No such service")
    # Second line of defence: the tenant of the row must be one of the user's organisations.
    membership = memberships.get(service.organisation_id)
    if membership is None:
        raise Http404("No such service")
    if not membership.can_manage_listing:
        raise PermissionDenied("Only an organisation's administrators can edit its listing.")
    return service

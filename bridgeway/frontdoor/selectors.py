"""Reads for the front door: services for someone who has not said where they are, and
which reporting centres can take a person's report."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from bridgeway.accounts.models import Organisation
from bridgeway.directory import matching
from bridgeway.directory.matching import Match, Need, Preferences
from bridgeway.directory.models import Service
from bridgeway.directory.reasons import describe_all
from bridgeway.directory.selectors import MatchedService, profile_of, services_public
from bridgeway.equality.vocabulary import check_code, check_codes
from bridgeway.places.models import PoliceForceArea
from bridgeway.places.selectors import InvalidPostcode, LocationNotCovered, resolve_location


def reporting_centres() -> QuerySet[Organisation]:
    """Every third-party reporting centre, by name, with the areas it covers."""
    return (
        Organisation.objects.filter(kind=Organisation.Kind.REPORTING_CENTRE)
        .prefetch_related("areas")
        .order_by("name", "id")
    )


def reporting_centre_get(organisation_id: str) -> Organisation | None:
    """The reporting centre with this id, or None (a tampered choice is simply not found)."""
    return reporting_centres().filter(pk=organisation_id).first()


def police_force_area_for(postcode: str) -> PoliceForceArea | None:
    """The police force area of a postcode or postcode district, or None if it does not resolve."""
    if not postcode.strip():
        return None
    try:
        return resolve_location(postcode).police_force_area
    except (InvalidPostcode, LocationNotCovered):
        return None


def reporting_centre_for(area: PoliceForceArea | None) -> Organisation | None:
    """The centre to send a report to when the person did not choose one.

    A centre covering the person's area first; else a national centre (one with no areas,
    which takes reports from anywhere); else the first centre, so a report is never refused
    for want of a local centre.
    """
    centres = list(reporting_centres())
    if area is not None:
        for centre in centres:
            if any(covered.pk == area.pk for covered in centre.areas.all()):
                return centre
    for centre in centres:
        if not centre.areas.all():
            return centre
    return centres[0] if centres else None


def services_anywhere(
    *,
    harm_types: Iterable[str] = (),
    languages: Iterable[str] = (),
    age: int | None = None,
    ethnic_group: str | None = None,
    preferences: Preferences | None = None,
    limit: int = 10,
) -> tuple[list[MatchedService], list[MatchedService]]:
    """Services for someone who has not said where they are: ``(results, fallback)``.

    Without a place, only services that take people from anywhere (national ones, or those
    accepting people from outside their area) can be offered, ranked by the same rules as
    ``directory.selectors.services_matching``. When none fits, ``fallback`` holds the best
    options from the whole directory, each with cautions, so the page is never a dead end
    while any service is listed. Raises ``UnknownCode`` for a code not in its vocabulary.
    """
    if age is not None and not 0 <= age <= 130:
        raise ValueError("age must be between 0 and 130")
    need = Need(
        district_codes=(),
        pfa_codes=(),
        harm_types=tuple(check_codes("harm_types", list(harm_types))),
        languages=tuple(check_codes("languages", list(languages))),
        age=age,
        ethnic_group=check_code("ethnic_groups", ethnic_group) if ethnic_group else None,
        preferences=preferences or Preferences(),
    )
    reachable = services_public().filter(Q(is_national=True) | Q(accepts_out_of_area=True))
    services = {str(s.id): s for s in reachable}
    results = matching.rank_top(
        need, [profile_of(s) for s in services.values()], neighbours=frozenset(), limit=limit
    )
    fallback: list[Match] = []
    if not results:
        services = {str(s.id): s for s in services_public()}
        fallback = matching.fallback_top(
            need, [profile_of(s) for s in services.values()], neighbours=frozenset(), limit=limit
        )
    place_names = _place_names(services.values())

    def present(match: Match) -> MatchedService:
        return MatchedService(
            service=services[match.service_id],
            score=match.score,
            reasons=describe_all(match.reasons, place_names),
            cautions=describe_all(match.cautions, place_names),
            covers_area=match.covers_area,
        )

    return [present(m) for m in results], [present(m) for m in fallback]


def _place_names(services: Iterable[Service]) -> dict[str, str]:
    names: dict[str, str] = {}
    for service in services:
        for district in service.districts.all():
            names.setdefault(district.code, district.name)
        for area in service.police_force_areas.all():
            names.setdefault(area.code, area.name)
    return names

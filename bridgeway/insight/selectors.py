"""Reads for insight: areas, their census population, and which areas a reader may see."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, Sum
from django.http import Http404

from bridgeway.accounts.access import INSIGHT_ROLES, organisations_for
from bridgeway.accounts.models import Organisation, User
from bridgeway.directory.models import Service, ServiceEthnicGroup
from bridgeway.insight.needs_assessment import AreaPopulation
from bridgeway.insight.scrutiny import DirectoryCoverage, Provider
from bridgeway.insight.snapshot import Pseudonymiser
from bridgeway.places.models import (
    CensusPopulation,
    DistrictNeighbour,
    LocalAuthorityDistrict,
    PoliceForceArea,
)


class UnknownArea(ValueError):
    """An area code that is neither a police force area nor a local authority district."""

    def __init__(self, code: str) -> None:
        super().__init__(
            f"{code!r} is not a police force area or local authority district code "
            "(for example E23000010 for West Yorkshire or E08000035 for Leeds)"
        )
        self.code = code


def area_population(code: str) -> AreaPopulation:
    """The area with ``code`` and its census 2021 residents by ethnic group.

    A police force area's population is the sum over its districts.
    """
    code = code.strip().upper()
    force = PoliceForceArea.objects.filter(code=code).first()
    if force is not None:
        rows = CensusPopulation.objects.filter(district__police_force_area=force)
        name, kind = force.name, "pfa"
    else:
        district = LocalAuthorityDistrict.objects.filter(code=code).first()
        if district is None:
            raise UnknownArea(code)
        rows = CensusPopulation.objects.filter(district=district)
        name, kind = district.name, "lad"
    population = {
        row["ethnic_group"]: int(row["residents"])
        for row in rows.values("ethnic_group").annotate(residents=Sum("count")).order_by()
    }
    return AreaPopulation(code=code, name=name, kind=kind, population=population)  # type: ignore[arg-type]


def force_area_populations() -> list[AreaPopulation]:
    """Every police force area, by code, with its census 2021 residents by ethnic group."""
    population: dict[str, dict[str, int]] = {}
    totals = (
        CensusPopulation.objects.values("district__police_force_area_id", "ethnic_group")
        .annotate(residents=Sum("count"))
        .order_by()
    )
    for row in totals:
        area = row["district__police_force_area_id"]
        population.setdefault(area, {})[row["ethnic_group"]] = int(row["residents"])
    return [
        AreaPopulation(code=code, name=name, kind="pfa", population=population.get(code, {}))
        for code, name in PoliceForceArea.objects.order_by("code").values_list("code", "name")
    ]


def insight_areas_for(user: User) -> list[PoliceForceArea]:
    """The police force areas whose insight the user may read, by name.

    Those of every organisation in which the user is a commissioner or analyst.
    """
    organisations = organisations_for(user, INSIGHT_ROLES)
    return list(
        PoliceForceArea.objects.filter(organisations__in=organisations).distinct().order_by("name")
    )


def insight_area_for_user(user: User, code: str) -> PoliceForceArea:
    """One area the user may read, or ``Http404`` (the same for "no such area" and "not yours")."""
    for area in insight_areas_for(user):
        if area.code == code:
            return area
    raise Http404("No such area.")


def provider_names(providers: list[Provider]) -> dict[Provider, str]:
    """Directory names for the providers in a snapshot, found by hashing the directory's ids.

    Only services and organisations (public directory entries) are hashed; no case record is
    read. A key that matches nothing (a service since deleted) gets no name.
    """
    pseudonyms = Pseudonymiser(settings.PSEUDONYM_KEY)
    services = {
        pseudonyms.key("service", service_id): name
        for service_id, name in Service.objects.values_list("id", "name")
    }
    organisations = {
        pseudonyms.key("organisation", organisation_id): name
        for organisation_id, name in Organisation.objects.values_list("id", "name")
    }
    names = {}
    for provider in providers:
        organisation = organisations.get(provider.organisation_key, "")
        service = services.get(provider.service_key, "") if provider.service_key else ""
        if organisation and service:
            names[provider] = f"{organisation}: {service}"
        else:
            names[provider] = service or organisation
    return names


def directory_coverage(area: AreaPopulation) -> DirectoryCoverage:
    """Active specialist services covering ``area`` per ethnic group they serve, and those
    in neighbouring districts that take people from outside their own area."""
    if area.kind == "pfa":
        districts = set(
            LocalAuthorityDistrict.objects.filter(police_force_area_id=area.code).values_list(
                "code", flat=True
            )
        )
        force: str | None = area.code
    else:
        districts = {area.code}
        force = (
            LocalAuthorityDistrict.objects.filter(code=area.code)
            .values_list("police_force_area_id", flat=True)
            .first()
        )
    specialists = Service.objects.filter(status=Service.Status.ACTIVE, is_specialist=True)
    covering = specialists.filter(
        Q(is_national=True) | Q(police_force_areas=force) | Q(districts__in=districts)
    ).distinct()
    neighbours = set(
        DistrictNeighbour.objects.filter(district_id__in=districts)
        .exclude(neighbour_id__in=districts)
        .values_list("neighbour_id", flat=True)
    )
    nearby = (
        specialists.filter(accepts_out_of_area=True, districts__in=neighbours)
        .exclude(pk__in=covering.values("pk"))
        .distinct()
    )

    def by_group(services: object) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        rows = ServiceEthnicGroup.objects.filter(
            service__in=services  # type: ignore[misc]
        ).values_list("term__code", "service__name")
        for code, name in rows:
            found.setdefault(code, []).append(name)
        return found

    return DirectoryCoverage(
        specialist_services=by_group(covering), nearby_services=by_group(nearby)
    )

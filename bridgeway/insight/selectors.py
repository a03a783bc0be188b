"""Reads for insight: areas, their census population, and which areas a reader may see."""

from __future__ import annotations

from django.db.models import Sum
from django.http import Http404

from bridgeway.accounts.access import INSIGHT_ROLES, organisations_for
from bridgeway.accounts.models import User
from bridgeway.insight.needs_assessment import AreaPopulation
from bridgeway.places.models import CensusPopulation, LocalAuthorityDistrict, PoliceForceArea


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

"""Reads for the front door: which reporting centres can take a person's report."""

from __future__ import annotations

from django.db.models import QuerySet

from bridgeway.accounts.models import Organisation
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

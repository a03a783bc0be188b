"""Writes for the directory: creating and updating service listings.

Every code is checked against the vocabulary and the loaded geography before anything is
saved; a bad one is a ``ValidationError`` naming the field and the code, and nothing changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.models import Organisation
from bridgeway.directory.formats import check_formats
from bridgeway.directory.listing_children import (
    LocationDetails,
    PhoneDetails,
    ScheduleDetails,
    children_replace,
)
from bridgeway.directory.models import Service
from bridgeway.directory.openreferral.listing import SERVICE_FIELDS
from bridgeway.equality.models import Term
from bridgeway.equality.vocabulary import vocabulary
from bridgeway.places.models import LocalAuthorityDistrict, PoliceForceArea


class _Unchanged:
    """The default of ``service_update``'s arguments: leave this field as it is."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = _Unchanged()

# Relation argument -> (model field, vocabulary name or None for places).
_TERM_RELATIONS = {
    "language_codes": ("languages", "languages"),
    "harm_type_codes": ("harm_types", "harm_types"),
    "ethnic_group_codes": ("ethnic_groups", "ethnic_groups"),
    "religion_codes": ("religions", "religions"),
}

# Fields ``service_update`` sets as given: the ones that travel on Open Referral (the one list,
# ``SERVICE_FIELDS``), the HSDS fields kept in ``extra``, and what Bridgeway keeps for itself,
# which an import never writes: the sealed address, when the organisation last confirmed the
# listing, and whether it is demo data. (The import adds the organisation instead, which
# ``service_update`` never changes; see ``openreferral.importing._IMPORTED_FIELDS``.)
_SCALAR_FIELDS = (
    *SERVICE_FIELDS,
    "extra",
    "area_not_known",
    "confidential_address",
    "last_confirmed_at",
    "is_synthetic",
)


def _codes(field: str, codes: Iterable[str]) -> list[str]:
    if isinstance(codes, str):
        # A lone string would otherwise be read one letter at a time.
        raise ValidationError({field: _("Give a list of codes, not a single string.")})
    unique: list[str] = []
    for code in codes:
        if not isinstance(code, str):
            raise ValidationError({field: _("%(code)r is not a code.") % {"code": code}})
        if code not in unique:
            unique.append(code)
    return unique


def _terms(field: str, vocabulary_name: str, codes: Iterable[str]) -> list[Term]:
    wanted = _codes(field, codes)
    known = vocabulary(vocabulary_name)
    for code in wanted:
        if code not in known:
            raise ValidationError(
                {
                    field: _("%(code)s is not a code in %(vocabulary)s. Use one of: %(codes)s.")
                    % {
                        "code": code,
                        "vocabulary": vocabulary_name,
                        "codes": ", ".join(known.ordered_codes()),
                    }
                }
            )
    terms = {t.code: t for t in Term.objects.filter(vocabulary=vocabulary_name, code__in=wanted)}
    missing = [code for code in wanted if code not in terms]
    if missing:
        raise ValidationError(
            {
                field: _("%(codes)s are not loaded yet: run bridgeway load-reference-data first.")
                % {"codes": ", ".join(missing)}
            }
        )
    return [terms[code] for code in wanted]


def _districts(codes: Iterable[str]) -> list[LocalAuthorityDistrict]:
    wanted = _codes("district_codes", codes)
    found = {d.code: d for d in LocalAuthorityDistrict.objects.filter(code__in=wanted)}
    for code in wanted:
        if code not in found:
            raise ValidationError(
                {
                    "district_codes": _(
                        "%(code)s is not a current local authority district code in England "
                        "or Wales (for example E08000035 for Leeds)."
                    )
                    % {"code": code}
                }
            )
    return [found[code] for code in wanted]


def _police_force_areas(codes: Iterable[str]) -> list[PoliceForceArea]:
    wanted = _codes("pfa_codes", codes)
    found = {p.code: p for p in PoliceForceArea.objects.filter(code__in=wanted)}
    for code in wanted:
        if code not in found:
            raise ValidationError(
                {
                    "pfa_codes": _(
                        "%(code)s is not a police force area code in England or Wales "
                        "(for example E23000010 for West Yorkshire)."
                    )
                    % {"code": code}
                }
            )
    return [found[code] for code in wanted]


def _check_independence(code: str) -> None:
    known = vocabulary("independence")
    if code not in known:
        raise ValidationError(
            {
                "independence": _("%(code)s is not an independence code. Use one of: %(codes)s.")
                % {"code": code, "codes": ", ".join(known.ordered_codes())}
            }
        )


def _save_with_relations(service: Service, relations: dict[str, Sequence[str] | None]) -> None:
    """Check every code, then validate and save the service and set its relations."""
    _check_independence(service.independence)
    try:
        service.formats = check_formats(service.formats)
    except ValueError as error:
        raise ValidationError({"formats": str(error)}) from None
    if not isinstance(service.extra, dict):
        raise ValidationError({"extra": _("Give the extra fields as a JSON object.")})
    resolved: dict[str, list[Any]] = {}
    if relations.get("district_codes") is not None:
        resolved["districts"] = _districts(relations["district_codes"] or ())
    if relations.get("pfa_codes") is not None:
        resolved["police_force_areas"] = _police_force_areas(relations["pfa_codes"] or ())
    for argument, (field, vocabulary_name) in _TERM_RELATIONS.items():
        if relations.get(argument) is not None:
            resolved[field] = _terms(argument, vocabulary_name, relations[argument] or ())
    service.full_clean()
    service.save()
    for field, objects in resolved.items():
        getattr(service, field).set(objects)


@transaction.atomic
def service_create(
    *,
    organisation: Organisation,
    service_id: uuid.UUID | None = None,
    name: str,
    description: str = "",
    url: str = "",
    email: str = "",
    phone: str = "",
    status: str = Service.Status.ACTIVE,
    independence: str = "independent",
    is_specialist: bool = False,
    accepts_out_of_area: bool = False,
    self_referral: bool = True,
    third_party_reporting: bool = False,
    lived_experience: bool = False,
    worker_gender_choice: bool = False,
    trauma_informed: bool = False,
    minimum_age: int | None = None,
    maximum_age: int | None = None,
    waiting_weeks: int | None = None,
    is_national: bool = False,
    is_synthetic: bool = False,
    assured_date: date | None = None,
    formats: Sequence[str] = (),
    restorative_justice: bool = False,
    confidential_address: str = "",
    last_confirmed_at: datetime | None = None,
    area_not_known: bool = False,
    extra: dict[str, Any] | None = None,
    district_codes: Sequence[str] = (),
    pfa_codes: Sequence[str] = (),
    language_codes: Sequence[str] = (),
    harm_type_codes: Sequence[str] = (),
    ethnic_group_codes: Sequence[str] = (),
    religion_codes: Sequence[str] = (),
) -> Service:
    """List a new service of ``organisation``.

    Codes: ``district_codes`` are current LAD codes (``E08000035``), ``pfa_codes`` PFA24 codes
    (``E23000010``); the others are codes of languages.csv (ISO 639-3, ``urd``),
    harm_types.csv, ethnic_groups.csv and religions.csv; ``independence`` a code of
    independence.csv. ``is_national`` means it takes people from anywhere in England and
    Wales; ``accepts_out_of_area`` that it takes people from outside its areas when asked.
    ``formats`` are codes of ``bridgeway.directory.formats``; ``self_referral`` means people
    can come without a police report. ``confidential_address`` is sealed and never shown or
    exported. ``last_confirmed_at`` defaults to now (whoever lists a service vouches for it);
    ``area_not_known`` flags an imported service whose area could not be worked out;
    ``extra`` keeps HSDS fields Bridgeway does not model; ``service_id`` keeps an imported
    service's HSDS id (a new one is made when it is not given).
    Raises ``ValidationError`` naming the field and the bad value; nothing is saved then.
    """
    service = Service(
        id=service_id or uuid.uuid4(),
        organisation=organisation,
        name=name,
        description=description,
        url=url,
        email=email,
        phone=phone,
        status=status,
        independence=independence,
        is_specialist=is_specialist,
        accepts_out_of_area=accepts_out_of_area,
        self_referral=self_referral,
        third_party_reporting=third_party_reporting,
        lived_experience=lived_experience,
        worker_gender_choice=worker_gender_choice,
        trauma_informed=trauma_informed,
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        waiting_weeks=waiting_weeks,
        is_national=is_national,
        is_synthetic=is_synthetic,
        assured_date=assured_date,
        formats=formats,
        restorative_justice=restorative_justice,
        confidential_address=confidential_address,
        last_confirmed_at=last_confirmed_at or timezone.now(),
        area_not_known=area_not_known,
        extra=dict(extra or {}),
    )
    _save_with_relations(
        service,
        {
            "district_codes": district_codes,
            "pfa_codes": pfa_codes,
            "language_codes": language_codes,
            "harm_type_codes": harm_type_codes,
            "ethnic_group_codes": ethnic_group_codes,
            "religion_codes": religion_codes,
        },
    )
    return service


@transaction.atomic
def service_update(
    *,
    service: Service,
    name: str | _Unchanged = UNCHANGED,
    description: str | _Unchanged = UNCHANGED,
    url: str | _Unchanged = UNCHANGED,
    email: str | _Unchanged = UNCHANGED,
    phone: str | _Unchanged = UNCHANGED,
    status: str | _Unchanged = UNCHANGED,
    independence: str | _Unchanged = UNCHANGED,
    is_specialist: bool | _Unchanged = UNCHANGED,
    accepts_out_of_area: bool | _Unchanged = UNCHANGED,
    self_referral: bool | _Unchanged = UNCHANGED,
    third_party_reporting: bool | _Unchanged = UNCHANGED,
    lived_experience: bool | _Unchanged = UNCHANGED,
    worker_gender_choice: bool | _Unchanged = UNCHANGED,
    trauma_informed: bool | _Unchanged = UNCHANGED,
    minimum_age: int | _Unchanged | None = UNCHANGED,
    maximum_age: int | _Unchanged | None = UNCHANGED,
    waiting_weeks: int | _Unchanged | None = UNCHANGED,
    is_national: bool | _Unchanged = UNCHANGED,
    is_synthetic: bool | _Unchanged = UNCHANGED,
    assured_date: date | _Unchanged | None = UNCHANGED,
    formats: Sequence[str] | _Unchanged = UNCHANGED,
    restorative_justice: bool | _Unchanged = UNCHANGED,
    confidential_address: str | _Unchanged = UNCHANGED,
    last_confirmed_at: datetime | _Unchanged | None = UNCHANGED,
    area_not_known: bool | _Unchanged = UNCHANGED,
    extra: dict[str, Any] | _Unchanged = UNCHANGED,
    confirmed: bool = False,
    district_codes: Sequence[str] | _Unchanged = UNCHANGED,
    pfa_codes: Sequence[str] | _Unchanged = UNCHANGED,
    language_codes: Sequence[str] | _Unchanged = UNCHANGED,
    harm_type_codes: Sequence[str] | _Unchanged = UNCHANGED,
    ethnic_group_codes: Sequence[str] | _Unchanged = UNCHANGED,
    religion_codes: Sequence[str] | _Unchanged = UNCHANGED,
    locations: Sequence[LocationDetails] | _Unchanged = UNCHANGED,
    phones: Sequence[PhoneDetails] | _Unchanged = UNCHANGED,
    schedules: Sequence[ScheduleDetails] | _Unchanged = UNCHANGED,
) -> Service:
    """Change a service's listing; arguments left out stay as they are.

    The codes are as for ``service_create``. ``confirmed=True`` records that the organisation
    has just said the listing is true (``last_confirmed_at`` becomes now). ``locations``,
    ``phones`` (besides the main ``phone``) and ``schedules`` (opening hours) each replace
    that set whole (see ``listing_children``). On a ``ValidationError`` nothing changes, in
    the database or on the ``service`` object passed in.
    """
    given = {
        key: value
        for key, value in locals().items()
        if key in _SCALAR_FIELDS and not isinstance(value, _Unchanged)
    }
    if confirmed:
        given["last_confirmed_at"] = timezone.now()
    relations: dict[str, Sequence[str] | None] = {
        "district_codes": None if isinstance(district_codes, _Unchanged) else district_codes,
        "pfa_codes": None if isinstance(pfa_codes, _Unchanged) else pfa_codes,
        "language_codes": None if isinstance(language_codes, _Unchanged) else language_codes,
        "harm_type_codes": None if isinstance(harm_type_codes, _Unchanged) else harm_type_codes,
        "ethnic_group_codes": (
            None if isinstance(ethnic_group_codes, _Unchanged) else ethnic_group_codes
        ),
        "religion_codes": None if isinstance(religion_codes, _Unchanged) else religion_codes,
    }
    # Work on a fresh copy so a rejected change leaves the caller's object untouched.
    fresh = Service.objects.select_for_update().get(pk=service.pk)
    for key, value in given.items():
        setattr(fresh, key, value)
    _save_with_relations(fresh, relations)
    children_replace(
        service=fresh,
        locations=None if isinstance(locations, _Unchanged) else locations,
        phones=None if isinstance(phones, _Unchanged) else phones,
        schedules=None if isinstance(schedules, _Unchanged) else schedules,
    )
    for key, value in given.items():
        setattr(service, key, value)
    service.updated_at = fresh.updated_at
    # Drop any prefetched relations on the caller's object; they may be stale now.
    getattr(service, "_prefetched_objects_cache", {}).clear()
    return service

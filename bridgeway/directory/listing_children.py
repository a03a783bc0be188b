"""The records a listing carries inside it, as its organisation edits them: where the service
is offered (locations), its other phone numbers and its opening hours (schedules).

``services.service_update`` takes them as plain values and replaces each set whole in its
transaction: a record named by an id this service has is updated in place (keeping the HSDS
fields Bridgeway does not model, in ``extra``), one without an id is added, and one left out
is removed. A location an import shares with other services (decision 0154) is copied on
write: changed from one service, it becomes that service's own place, under a new HSDS id,
and stays as it was for the others. Each is checked first; a bad one is a
``ValidationError`` naming the record, its field and what is wrong, and nothing changes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import fields
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from bridgeway.directory.models import Location, Phone, Schedule, Service
from bridgeway.directory.openreferral import listing

# The records' vocabularies: the forms and the front door's service page take them from here.
from bridgeway.directory.openreferral.listing import FREQUENCIES as FREQUENCIES
from bridgeway.directory.openreferral.listing import PHONE_TYPES as PHONE_TYPES
from bridgeway.directory.openreferral.listing import WEEKDAYS as WEEKDAYS
from bridgeway.places.postcodes import InvalidPostcode, Postcode, parse_location

# A monthly day may carry which one of the month it is: 2MO (second Monday), -1FR (last Friday).
_BYDAY_PART = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(Z|[+-]\d{2}:\d{2})?$")
_PHONE = re.compile(r"^\+?[0-9 ()\-]+$")
MIN_PHONE_DIGITS = 3  # 999 and 111 are numbers too
# How many of each a listing may have: far more than any service needs, and a bound on a post.
MAX_CHILDREN = 50

# An organisation's edits are the same records an Open Referral import reads and an export
# writes (one description of each, in ``openreferral.listing``); ``id`` names an existing
# record to change and is empty for a new one. The checks here are stricter than an
# import's, which keeps what a feed says as long as it fits: what staff type must be right.
LocationDetails = listing.Location
PhoneDetails = listing.Phone
ScheduleDetails = listing.Schedule


Details = LocationDetails | PhoneDetails | ScheduleDetails


def _at(position: int, field: str) -> str:
    """Which record and field a problem is in: its position in the list, from 1."""
    return f"{position}, {field}"


def _check_location(item: LocationDetails, position: int) -> LocationDetails:
    if item.location_type not in Location.Kind.values:
        raise ValidationError(
            {
                "locations": _at(position, "location_type")
                + ": "
                + _("use one of: %(kinds)s.") % {"kinds": ", ".join(Location.Kind.values)}
            }
        )
    postal_code = item.postal_code.strip()
    if postal_code:
        try:
            parsed = parse_location(postal_code)
        except InvalidPostcode:
            parsed = None
        if not isinstance(parsed, Postcode):
            raise ValidationError(
                {
                    "locations": _at(position, "postal_code")
                    + ": "
                    + _("%(value)s is not a full postcode, like LS6 1AA.")
                    % {"value": postal_code[:20]}
                }
            )
        postal_code = str(parsed)
    if (item.latitude is None) != (item.longitude is None):
        raise ValidationError(
            {
                "locations": _at(position, "latitude")
                + ": "
                + _("give both latitude and longitude, or neither.")
            }
        )
    # Coordinates alone will do: feeds publish places that way, and an admin saving the rest
    # of the listing should not be stopped by a record they did not touch.
    if not (
        item.address_1.strip() or postal_code or item.name.strip() or item.latitude is not None
    ):
        raise ValidationError(
            {
                "locations": _at(position, "address_1")
                + ": "
                + _("give the place a name, an address, a postcode or where it is on a map.")
            }
        )
    return LocationDetails(
        id=item.id,
        location_type=item.location_type,
        name=item.name.strip(),
        address_1=item.address_1.strip(),
        address_2=item.address_2.strip(),
        city=item.city.strip(),
        region=item.region.strip(),
        postal_code=postal_code,
        latitude=item.latitude,
        longitude=item.longitude,
    )


def _check_phone(item: PhoneDetails, position: int) -> PhoneDetails:
    number = " ".join(item.number.split())
    digits = sum(character.isdigit() for character in number)
    if not number or not _PHONE.match(number) or digits < MIN_PHONE_DIGITS:
        raise ValidationError(
            {
                "phones": _at(position, "number")
                + ": "
                + _("%(value)s is not a phone number: use digits, spaces and + only.")
                % {"value": number[:40] or '""'}
            }
        )
    if item.type and item.type not in PHONE_TYPES:
        raise ValidationError(
            {
                "phones": _at(position, "type")
                + ": "
                + _("use one of: %(types)s.") % {"types": ", ".join(PHONE_TYPES)}
            }
        )
    return PhoneDetails(
        id=item.id, number=number, type=item.type, description=item.description.strip()
    )


def _check_days(freq: str, byday: str, where: str) -> str:
    parts = [part.strip().upper() for part in byday.split(",") if part.strip()]
    for part in parts:
        match = _BYDAY_PART.match(part)
        if match is None or (match.group(1) and freq != "MONTHLY"):
            raise ValidationError(
                {
                    "schedules": where
                    + ": "
                    + _("%(value)s is not a day: use MO, TU, WE, TH, FR, SA or SU.")
                    % {"value": part[:10]}
                }
            )
    ordered = sorted(dict.fromkeys(parts), key=lambda p: (WEEKDAYS.index(p[-2:]), p))
    return ",".join(ordered)


def _check_schedule(item: ScheduleDetails, position: int) -> ScheduleDetails:
    freq = item.freq.strip().upper()
    if freq and freq not in FREQUENCIES:
        raise ValidationError(
            {
                "schedules": _at(position, "freq")
                + ": "
                + _("use one of: %(values)s.") % {"values": ", ".join(FREQUENCIES)}
            }
        )
    byday = _check_days(freq, item.byday, _at(position, "byday"))
    if byday and not freq:
        freq = "WEEKLY"
    times: dict[str, str] = {}
    for name in ("opens_at", "closes_at"):
        value = getattr(item, name).strip()
        if value and not _TIME.match(value):
            raise ValidationError(
                {
                    "schedules": _at(position, name)
                    + ": "
                    + _("%(value)s is not a time: use the 24-hour clock, like 09:30 or 17:00.")
                    % {"value": value[:20]}
                }
            )
        times[name] = value
    opens, closes = times["opens_at"], times["closes_at"]
    if opens and closes and closes[:5] <= opens[:5]:
        raise ValidationError(
            {
                "schedules": _at(position, "closes_at")
                + ": "
                + _("the closing time must be after the opening time.")
            }
        )
    dates: dict[str, date | None] = {}
    for name in ("valid_from", "valid_to"):
        value = getattr(item, name).strip()
        try:
            dates[name] = date.fromisoformat(value) if value else None
        except ValueError:
            raise ValidationError(
                {
                    "schedules": _at(position, name)
                    + ": "
                    + _("%(value)s is not a date: use YYYY-MM-DD, like 2026-04-01.")
                    % {"value": value[:20]}
                }
            ) from None
    start, end = dates["valid_from"], dates["valid_to"]
    if start and end and end < start:
        raise ValidationError(
            {
                "schedules": _at(position, "valid_to")
                + ": "
                + _("the last date must be on or after the first.")
            }
        )
    if not (byday or opens or closes or item.description.strip() or item.notes.strip()):
        raise ValidationError(
            {
                "schedules": _at(position, "byday")
                + ": "
                + _("give the days and times, or describe when it is open.")
            }
        )
    return ScheduleDetails(
        id=item.id,
        freq=freq,
        byday=byday,
        opens_at=opens,
        closes_at=closes,
        valid_from=start.isoformat() if start else "",
        valid_to=end.isoformat() if end else "",
        description=item.description.strip(),
        notes=item.notes.strip(),
    )


def _replace(
    service: Service,
    model: type[models.Model],
    related_name: str,
    argument: str,
    items: Sequence[Details],
) -> None:
    """Make the service's records of one kind exactly ``items`` (already checked)."""
    if len(items) > MAX_CHILDREN:
        raise ValidationError(
            {argument: _("At most %(count)d are allowed.") % {"count": MAX_CHILDREN}}
        )
    existing = {str(child.pk): child for child in getattr(service, related_name).all()}
    wanted = [item.id for item in items if item.id]
    if len(wanted) != len(set(wanted)):
        raise ValidationError({argument: _("The same record is given twice.")})
    for position, item in enumerate(items, start=1):
        if item.id and item.id not in existing:
            # Never another service's record, nor one that has gone: say so, change nothing.
            raise ValidationError(
                {argument: f"{position}: " + _("this record is not part of the listing any more.")}
            )
    model._default_manager.filter(service=service).exclude(pk__in=wanted).delete()
    names = [f.name for f in fields(type(items[0]))] if items else []
    for position, item in enumerate(items, start=1):
        # ``extra`` holds what an import kept from a feed; an organisation's edit never
        # carries it, so it is left as it was.
        values = {name: getattr(item, name) for name in names if name not in ("id", "extra")}
        child = existing[item.id] if item.id else model(service=service)
        changed = any(getattr(child, name) != value for name, value in values.items())
        for name, value in values.items():
            setattr(child, name, value)
        if isinstance(child, Location) and item.id and changed and _shared(child):
            # Copied on write (decision 0154): the place stays as it was for the other
            # services at it, and this service's changed place is a location of its own.
            child.hsds_id = uuid.uuid4()
        try:
            child.full_clean()
        except ValidationError as error:
            field, problems = next(iter(error.message_dict.items()))
            raise ValidationError(
                {argument: f"{position}, {field}: {' '.join(problems)}"}
            ) from None
        child.save()


def _shared(location: Location) -> bool:
    """Whether another service is at the same HSDS location (an import may share one)."""
    return Location.objects.filter(hsds_id=location.hsds_id).exclude(pk=location.pk).exists()


def children_replace(
    *,
    service: Service,
    locations: Sequence[LocationDetails] | None = None,
    phones: Sequence[PhoneDetails] | None = None,
    schedules: Sequence[ScheduleDetails] | None = None,
) -> None:
    """Check, then replace, each kind given (``None`` leaves that kind as it is).

    Called inside ``service_update``'s transaction; raises ``ValidationError`` naming the
    record (``locations``, ``phones`` or ``schedules``, with its position and field).
    """
    checked: list[tuple[type[models.Model], str, str, list[Details]]] = []
    if locations is not None:
        items: list[Details] = [_check_location(x, n) for n, x in enumerate(locations, start=1)]
        checked.append((Location, "locations", "locations", items))
    if phones is not None:
        items = [_check_phone(x, n) for n, x in enumerate(phones, start=1)]
        checked.append((Phone, "phones", "phones", items))
    if schedules is not None:
        items = [_check_schedule(x, n) for n, x in enumerate(schedules, start=1)]
        checked.append((Schedule, "schedules", "schedules", items))
    for model, related_name, argument, checked_items in checked:
        _replace(service, model, related_name, argument, checked_items)

"""What a service's public page says about how to reach it: the ways it offers support, where
to find it, its other phone numbers and its opening hours, in the person's words."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from bridgeway.directory.listing_children import WEEKDAYS
from bridgeway.directory.matching import UNKNOWN_INDEPENDENCE
from bridgeway.directory.models import UNVERIFIED_AFTER, Location, Service
from bridgeway.directory.selectors import service_get_public
from bridgeway.directory.stamped_cache import directory_cached
from bridgeway.equality.labels import public_label
from bridgeway.equality.vocabulary import languages
from bridgeway.frontdoor.forms import format_choices


@dataclass(frozen=True)
class OpeningHours:
    """One line of opening hours: which days, what times, and anything else said."""

    days: str
    times: str
    dates: str
    description: str


@dataclass(frozen=True)
class PhoneLine:
    number: str
    kind: str
    description: str


def _day_names() -> dict[str, str]:
    return dict(
        zip(
            WEEKDAYS,
            [
                _("Monday"),
                _("Tuesday"),
                _("Wednesday"),
                _("Thursday"),
                _("Friday"),
                _("Saturday"),
                _("Sunday"),
            ],
            strict=True,
        )
    )


def _day_text(byday: str) -> str:
    names = _day_names()
    days = [part for part in byday.split(",") if part]
    # Monthly days (2MO, the second Monday) are left to the description: said in codes they
    # would only confuse.
    if not days or not all(day in names for day in days):
        return ""
    if len(days) == 7:
        return _("Every day")
    return ", ".join(names[day] for day in days)


def _date_text(valid_from: str, valid_to: str) -> str:
    def shown(text: str) -> str:
        try:
            return date_format(date.fromisoformat(text), "j F Y")
        except ValueError:
            return text

    if valid_from and valid_to:
        return _("From %(start)s to %(end)s") % {
            "start": shown(valid_from),
            "end": shown(valid_to),
        }
    if valid_from:
        return _("From %(start)s") % {"start": shown(valid_from)}
    if valid_to:
        return _("Until %(end)s") % {"end": shown(valid_to)}
    return ""


def _times(opens: str, closes: str) -> str:
    opens, closes = opens[:5], closes[:5]
    if opens and closes:
        return _("%(opens)s to %(closes)s") % {"opens": opens, "closes": closes}
    if opens:
        return _("Opens at %(opens)s") % {"opens": opens}
    if closes:
        return _("Closes at %(closes)s") % {"closes": closes}
    return ""


def opening_hours(service: Service) -> list[OpeningHours]:
    """The service's opening hours, a line for each schedule, Monday's first."""
    lines = [
        OpeningHours(
            days=_day_text(schedule.byday),
            times=_times(schedule.opens_at, schedule.closes_at),
            dates=_date_text(schedule.valid_from, schedule.valid_to),
            description=schedule.description,
        )
        for schedule in sorted(
            service.schedules.all(),
            key=lambda s: (
                min((WEEKDAYS.index(d) for d in s.byday.split(",") if d in WEEKDAYS), default=7),
                s.opens_at,
                str(s.pk),
            ),
        )
    ]
    return [line for line in lines if line.days or line.times or line.description]


def places(service: Service) -> list[str]:
    """Addresses people can visit or write to, one line each (never a confidential one)."""
    found = []
    for location in service.locations.all():
        if location.location_type == Location.Kind.VIRTUAL:
            continue
        parts = [
            location.name,
            location.address_1,
            location.address_2,
            location.city,
            location.postal_code,
        ]
        line = ", ".join(part for part in parts if part)
        if line:
            found.append(line)
    return found


def phone_lines(service: Service) -> list[PhoneLine]:
    """Phone numbers besides the main one, with what each is for."""
    kinds = {
        "voice": _("Calls"),
        "text": _("Text messages"),
        "textphone": _("Textphone"),
        "video": _("Video calls"),
        "fax": _("Fax"),
    }
    return [
        PhoneLine(
            number=phone.number, kind=kinds.get(phone.type, ""), description=phone.description
        )
        for phone in service.phones.all()
    ]


def ways_of_support(service: Service) -> list[str]:
    """The formats the service offers, in the words the get-support journey uses."""
    words = dict(format_choices())
    return [words[code] for code in service.formats if code in words]


def page_context(service: Service) -> dict[str, Any]:
    """Everything the service's page (and the referral form beside it) shows of it."""
    return {
        "service": service,
        "independence": (
            _("We don't know if this service is independent of the police")
            if service.independence == UNKNOWN_INDEPENDENCE
            else public_label("independence", service.independence)
        ),
        # Each language named in itself, so each is marked with its own language and direction.
        "languages": [
            language
            for term in service.languages.all()
            if (language := languages().get(term.code)) is not None
        ],
        "harm_types": [public_label("harm_types", term.code) for term in service.harm_types.all()],
        "areas": [
            *(district.name for district in service.districts.all()),
            *(area.name for area in service.police_force_areas.all()),
        ],
        "takes_referrals": service.self_referral and service.status == Service.Status.ACTIVE,
        "ways_of_support": ways_of_support(service),
        "places": places(service),
        "phone_lines": phone_lines(service),
        "opening_hours": opening_hours(service),
    }


@dataclass(frozen=True)
class ServiceListing:
    """A service's public page, rendered once for everyone until the directory changes:
    what it says (above and below the unverified notice) and when it was last confirmed."""

    heading: SafeString
    body: SafeString
    last_confirmed_at: datetime | None

    def is_unverified(self, now: datetime | None = None) -> bool:
        """As ``Service.is_unverified``: worked out on each request, since time passes
        while the directory stays the same."""
        if self.last_confirmed_at is None:
            return True
        return (now or timezone.now()) - self.last_confirmed_at > UNVERIFIED_AFTER


def service_listing(service_id: str | uuid.UUID) -> ServiceListing:
    """An active service's page as ``ServiceListing``, kept under the directory's version
    stamp (decision 0153); ``Http404`` for anything else or a bad id."""

    def build() -> ServiceListing:
        service = service_get_public(service_id)
        context = page_context(service)
        return ServiceListing(
            heading=SafeString(render_to_string("frontdoor/service_heading.html", context)),
            body=SafeString(render_to_string("frontdoor/service_listing.html", context)),
            last_confirmed_at=service.last_confirmed_at,
        )

    return directory_cached("service-page", (str(service_id),), build)

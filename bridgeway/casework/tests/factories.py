"""Factories for casework tests: services to refer to, and referrals made through the services.

Referrals and reports are made with ``referral_create`` and ``report_create`` so that every
test record is one the real code could have written (sealed fields, timeline, audit entry).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import factory

from bridgeway.accounts.models import Organisation, User
from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.casework.models import Referral
from bridgeway.casework.services import (
    ContactDetails,
    PersonDetails,
    referral_advance,
    referral_create,
    report_create,
)
from bridgeway.directory.models import Service


class CaseworkServiceFactory(factory.django.DjangoModelFactory):
    """An active service taking referrals (named so as not to clash with directory's)."""

    class Meta:
        model = Service

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Casework Test Service {n}")
    status = Service.Status.ACTIVE


DEFAULT_DETAILS = PersonDetails(
    name="Amara Okafor",
    email="amara@example.org",
    phone="07700 900982",
    postcode="LS6 1AA",
    ethnic_group="black_african",
    age_band="18_24",
)
DEFAULT_CONTACT = ContactDetails(
    channels=("phone",),
    times="Weekday evenings",
    may_leave_message=False,
    others_may_see=False,
    name_to_use="Mara",
    safe_word="bluebell",
)


def make_referral(
    *,
    service: Service,
    details: PersonDetails | None = None,
    contact: ContactDetails | None = None,
    harm_types: tuple[str, ...] = ("hate_crime",),
    hate_strands: tuple[str, ...] = ("race",),
    narrative: str = "Someone shouted at me on the bus every morning for a week.",
    received_at: dt.datetime | None = None,
    **person: Any,
) -> Referral:
    """A referral to ``service``; keyword arguments override fields of the person's details."""
    return referral_create(
        service=service,
        details=replace(details or DEFAULT_DETAILS, **person),
        contact=contact or DEFAULT_CONTACT,
        harm_types=harm_types,
        hate_strands=hate_strands,
        narrative=narrative,
        received_at=received_at,
    )


def make_report(
    *,
    organisation: Organisation,
    is_anonymous: bool = False,
    details: PersonDetails | None = None,
    contact: ContactDetails | None = None,
    narrative: str = "Graffiti about my family was painted on our door.",
    **kwargs: Any,
) -> tuple[Referral, str]:
    """A hate report to ``organisation`` (a reporting centre) and its follow-up code."""
    return report_create(
        organisation=organisation,
        details=details or DEFAULT_DETAILS,
        contact=contact or DEFAULT_CONTACT,
        is_anonymous=is_anonymous,
        hate_strands=("religion",),
        narrative=narrative,
        **kwargs,
    )


def make_referral_at_stage(*, service: Service, stages: list[str], actor: User) -> Referral:
    """A referral moved through ``stages`` in order, as a practitioner would."""
    referral = make_referral(service=service)
    for stage in stages:
        reason = "service_full" if stage == "declined" else ""
        referral_advance(referral=referral, stage=stage, actor=actor, decline_reason=reason)
    return referral

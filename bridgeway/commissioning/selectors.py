"""Reads for commissioning: open rounds, a commissioner's rounds and an organisation's bids.

Applications are private between the applicant and the round's commissioner's office: a
round's applications are only read through ``funding_round_get_for_office``, which is a 404
for anyone outside that office.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import QuerySet
from django.http import Http404

from bridgeway.accounts.access import (
    CASEWORK_ROLES,
    INSIGHT_ROLES,
    LISTING_ROLES,
    organisations_for,
)
from bridgeway.accounts.models import Organisation, User
from bridgeway.commissioning.models import Application, FundingRound


def open_rounds(*, today: dt.date) -> QuerySet[FundingRound]:
    """Rounds taking applications on ``today``: open calls every member of staff may read."""
    return (
        FundingRound.objects.filter(opens_on__lte=today, closes_on__gte=today)
        .select_related("commissioner")
        .prefetch_related("areas")
    )


def rounds_of_office(user: User) -> QuerySet[FundingRound]:
    """Every round (open or not) of the offices where ``user`` is a commissioner or analyst."""
    offices = [
        o
        for o in organisations_for(user, INSIGHT_ROLES)
        if o.kind == Organisation.Kind.COMMISSIONER
    ]
    return (
        FundingRound.objects.filter(commissioner__in=offices)
        .select_related("commissioner")
        .prefetch_related("areas")
        .order_by("-closes_on", "title")
    )


def applying_organisations(user: User) -> list[Organisation]:
    """The organisations ``user`` may apply for: those they administer, except commissioners."""
    return [
        o
        for o in organisations_for(user, LISTING_ROLES)
        if o.kind != Organisation.Kind.COMMISSIONER
    ]


def applications_of_user(user: User) -> QuerySet[Application]:
    """Applications made by the organisations ``user`` works in, with any decision."""
    organisations = organisations_for(user, CASEWORK_ROLES)
    return (
        Application.objects.filter(applicant__in=organisations)
        .select_related("funding_round__commissioner", "applicant", "decision")
        .order_by("-submitted_at")
    )


def funding_round_get_for_office(user: User, round_id: uuid.UUID) -> FundingRound:
    """The round, for a commissioner or analyst of its office; otherwise ``Http404``."""
    offices = organisations_for(user, INSIGHT_ROLES)
    funding_round = (
        FundingRound.objects.filter(pk=round_id, commissioner__in=offices)
        .select_related("commissioner")
        .prefetch_related("areas")
        .first()
    )
    if funding_round is None:
        raise Http404("No such funding round.")
    return funding_round


def application_get_for_office(user: User, application_id: uuid.UUID) -> Application:
    """An application, for a commissioner or analyst of its round's office; else ``Http404``."""
    offices = organisations_for(user, INSIGHT_ROLES)
    application = (
        Application.objects.filter(pk=application_id, funding_round__commissioner__in=offices)
        .select_related("funding_round__commissioner", "applicant")
        .first()
    )
    if application is None:
        raise Http404("No such application.")
    return application


def open_round_get(round_id: uuid.UUID, *, today: dt.date) -> FundingRound:
    """A round open for applications on ``today``; ``Http404`` for any other."""
    funding_round = open_rounds(today=today).filter(pk=round_id).first()
    if funding_round is None:
        raise Http404("No such open funding round.")
    return funding_round


def round_applications(funding_round: FundingRound) -> QuerySet[Application]:
    """A round's applications with their decisions (callers have checked access)."""
    return funding_round.applications.select_related(
        "applicant", "decision", "submitted_by"
    ).order_by("submitted_at", "id")

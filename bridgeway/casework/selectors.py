"""Reads for casework: the inbox, one referral for a member of staff, its timeline.

Lists are filtered by membership; a single referral someone may not see is a 404, the same
as one that does not exist. Every successful read of a referral is written to the audit log.
"""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404

from bridgeway.accounts.access import CASEWORK_ROLES, organisations_for
from bridgeway.accounts.models import User
from bridgeway.casework.models import CaseEvent, Referral
from bridgeway.casework.references import normalise_reference
from bridgeway.casework.services import audit_record

INBOX_PAGE_SIZE = 50
INBOX_MAX_PAGE_SIZE = 200

# Until someone has been contacted, the inbox shows how long they have waited.
WAITING_STAGES = frozenset({"referred"})


def inbox_for_user(
    user: User,
    *,
    stage: str | None = None,
    kind: str | None = None,
    page: int | str = 1,
    per_page: int = INBOX_PAGE_SIZE,
) -> Page[Referral]:
    """One page of the referrals and reports in the user's casework organisations.

    Newest first, optionally only one ``stage`` or ``kind``. A page number past the end
    gives the last page. Sealed fields the list does not show are not read, so a page costs
    the same few queries however many rows it holds.
    """
    organisations = organisations_for(user, CASEWORK_ROLES)
    referrals = (
        Referral.objects.filter(organisation__in=organisations)
        .select_related("organisation", "service", "report", "assigned_to")
        .defer("narrative", "report__incident_place")
        .order_by("-received_at", "id")
    )
    if stage:
        referrals = referrals.filter(stage=stage)
    if kind:
        referrals = referrals.filter(kind=kind)
    size = max(1, min(per_page, INBOX_MAX_PAGE_SIZE))
    return Paginator(referrals, size).get_page(page)


def referral_waited(referral: Referral, *, now: dt.datetime) -> dt.timedelta | None:
    """How long the person has waited since the referral arrived, while nobody has contacted them."""
    if referral.stage not in WAITING_STAGES:
        return None
    return max(now - referral.received_at, dt.timedelta(0))


def _referrals_for_user(user: User) -> QuerySet[Referral]:
    return Referral.objects.filter(
        organisation__in=organisations_for(user, CASEWORK_ROLES)
    ).select_related(
        "organisation",
        "service",
        "report",
        "assigned_to",
        "person__contact_preference",
        "person__district",
        "person__police_force_area",
    )


def referral_for_user(user: User, reference: str) -> Referral:
    """The referral with ``reference`` in one of the user's casework organisations, or 404.

    Writes nothing: for changes whose service records its own audit entry. Anything that
    shows the referral to someone uses ``referral_get_for_user``.
    """
    normalised = normalise_reference(reference) if isinstance(reference, str) else ""
    if not normalised:
        raise Http404("No such referral")
    referral = _referrals_for_user(user).filter(reference=normalised).first()
    if referral is None:
        raise Http404("No such referral")
    return referral


def referral_get_for_user(user: User, reference: str) -> Referral:
    """The referral for a member of staff to read, or 404; the read is written to the audit log.

    404 for a reference that does not exist and for another organisation's referral alike.
    """
    referral = referral_for_user(user, reference)
    audit_record(
        actor=user,
        organisation=referral.organisation,
        action="referral.read",
        object_type="referral",
        object_id=str(referral.id),
        detail={"reference": referral.reference},
    )
    return referral


def referral_timeline(referral: Referral) -> list[CaseEvent]:
    """The referral's events, oldest first, with who recorded each."""
    return list(
        CaseEvent.objects.filter(referral=referral)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )

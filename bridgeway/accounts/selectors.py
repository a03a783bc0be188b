"""Reads for accounts: staff lists for administrators, and people's authenticator devices."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.access import STAFF_ADMIN_ROLES, require_role
from bridgeway.accounts.models import Membership, Organisation, User


@dataclass(frozen=True)
class StaffRow:
    """One member of staff as their administrator sees them."""

    membership: Membership
    has_authenticator: bool
    has_password: bool


@dataclass(frozen=True)
class OrganisationStaff:
    """An organisation and its members, for the staff page."""

    organisation: Organisation
    rows: list[StaffRow]


def confirmed_totp_devices(user: User) -> list[TOTPDevice]:
    """The authenticator devices ``user`` has proved they hold, newest first."""
    return list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id"))


def has_confirmed_totp_device(user: User) -> bool:
    """Whether ``user`` has finished setting up an authenticator app."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def administered_organisations(user: User) -> list[Organisation]:
    """Organisations whose staff ``user`` manages; ``PermissionDenied`` when there are none."""
    return require_role(user, STAFF_ADMIN_ROLES)


def staff_of(organisations: Sequence[Organisation]) -> list[OrganisationStaff]:
    """The members of each organisation, by name, in three queries whatever their number."""
    memberships = list(
        Membership.objects.filter(organisation__in=organisations)
        .select_related("user", "organisation")
        .order_by("user__full_name", "user__email")
    )
    with_authenticator = set(
        TOTPDevice.objects.filter(
            user_id__in=[membership.user_id for membership in memberships], confirmed=True
        ).values_list("user_id", flat=True)
    )
    groups = []
    for organisation in organisations:
        rows = [
            StaffRow(
                membership=membership,
                has_authenticator=membership.user_id in with_authenticator,
                has_password=membership.user.has_usable_password(),
            )
            for membership in memberships
            if membership.organisation_id == organisation.pk
        ]
        groups.append(OrganisationStaff(organisation=organisation, rows=rows))
    return groups


def administered_organisation_get(user: User, slug: str) -> Organisation:
    """The organisation ``slug`` if ``user`` administers it.

    ``Http404`` when it does not exist or ``user`` is not a member of it; ``PermissionDenied``
    when they are a member without the administrator role.
    """
    membership = (
        Membership.objects.filter(user=user, organisation__slug=slug)
        .select_related("organisation")
        .first()
    )
    if membership is None:
        raise Http404("No such organisation.")
    if membership.role not in STAFF_ADMIN_ROLES:
        raise PermissionDenied("Only the organisation's administrators may manage its staff.")
    return membership.organisation


def membership_get_for_admin(user: User, slug: str, member_id: uuid.UUID) -> Membership:
    """The membership of ``member_id`` in organisation ``slug``, for its administrator ``user``.

    ``Http404`` for a missing organisation or member and for an organisation ``user`` is not
    in (the same answer, so nothing is learnt about others' staff); ``PermissionDenied`` for
    a member of the organisation who does not administer it.
    """
    organisation = administered_organisation_get(user, slug)
    membership = (
        Membership.objects.filter(organisation=organisation, user_id=member_id)
        .select_related("user", "organisation")
        .first()
    )
    # Second line of defence: the row found belongs to the organisation that was checked.
    if membership is None or membership.organisation_id != organisation.pk:
        raise Http404("No such member.")
    return membership

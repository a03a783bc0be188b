"""Setting up second factors: enrolment links, recovery codes, and taking factors away.

A password alone never lets anyone add an authenticator app of their own: that needs an
enrolment link, single-use and expiring, issued by an administrator of one of the person's
organisations (or by the operator's command, or carried on from a used set-up link). Only a
SHA-256 digest of the link's random token is stored, so a copy of the database holds no
working link. When the app is confirmed the link is spent and the person is given recovery
codes (django-otp's static tokens), each good for one sign-in instead of a code from the app.
See docs/decisions/0062-enrolment-links-recovery-codes-passkeys.md.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from bridgeway.accounts.access import STAFF_ADMIN_ROLES, has_role_in
from bridgeway.accounts.models import EnrolmentLink, Membership, Organisation, User
from bridgeway.accounts.services import totp_device_confirm

logger = logging.getLogger(__name__)

# Where the enrol page finds the link the person opened (its id, never the token), so the
# token leaves the address bar at once and survives the password step.
SESSION_KEY = "bridgeway_enrolment_link"

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "Recovery codes"
# 32 bytes from the operating system's generator: far beyond guessing, so a plain digest
# (no salt, no slow hash) is enough to make a stolen table useless.
TOKEN_BYTES = 32


@dataclass(frozen=True)
class IssuedEnrolmentLink:
    """A new link: ``path`` holds the token and is shown once, to be passed on."""

    link: EnrolmentLink
    path: str


def token_digest(token: str) -> str:
    """The SHA-256 hex digest under which a link's token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _lifetime() -> timedelta:
    return timedelta(hours=settings.ENROLMENT_LINK_HOURS)


@transaction.atomic
def enrolment_link_issue(
    *, user: User, issued_by: User | None = None, organisation: Organisation | None = None
) -> IssuedEnrolmentLink:
    """A new enrolment link for ``user``; earlier unused ones stop working.

    The caller has checked the authority to issue it: ``staff_enrolment_link_issue`` for an
    administrator, the operator's commands, or a set-up link just used.
    """
    EnrolmentLink.objects.filter(user=user, used_at__isnull=True).delete()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = EnrolmentLink(
        user=user,
        token_hash=token_digest(token),
        issued_by=issued_by,
        organisation=organisation,
        expires_at=timezone.now() + _lifetime(),
    )
    link.full_clean()
    link.save()
    logger.info(
        "enrolment link issued",
        extra={
            "member": str(user.pk),
            "issued_by": str(issued_by.pk) if issued_by else None,
            "organisation": organisation.slug if organisation else None,
        },
    )
    return IssuedEnrolmentLink(
        link=link, path=reverse("accounts:enrol-link", kwargs={"token": token})
    )


@transaction.atomic
def staff_enrolment_link_issue(*, membership: Membership, issued_by: User) -> IssuedEnrolmentLink:
    """An administrator of ``membership``'s organisation lets its member set up a new app.

    Only for someone who has chosen a password (otherwise the set-up link does both) and has
    no authenticator app (otherwise the operator must reset it first, after checking who is
    asking).
    """
    user = membership.user
    if not has_role_in(issued_by, membership.organisation_id, STAFF_ADMIN_ROLES):
        raise PermissionDenied("Only the organisation's administrators may do this.")
    if not user.is_active:
        raise ValidationError(_("The account of %(name)s is switched off.") % {"name": user})
    if not user.has_usable_password():
        raise ValidationError(
            _("%(name)s has not chosen a password yet: give them a new set-up link instead.")
            % {"name": user.full_name}
        )
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(
            _(
                "%(name)s already has an authenticator app. If they have lost it, ask the "
                "Bridgeway operator to reset it first."
            )
            % {"name": user.full_name}
        )
    return enrolment_link_issue(
        user=user, issued_by=issued_by, organisation=membership.organisation
    )


def enrolment_link_find(token: str) -> EnrolmentLink | None:
    """The usable link whose token is ``token``, or ``None`` (unknown, used or expired)."""
    link = (
        EnrolmentLink.objects.filter(token_hash=token_digest(token)).select_related("user").first()
    )
    return link if link is not None and link.is_usable() else None


def enrolment_link_for(user: User, link_id: object) -> EnrolmentLink | None:
    """The usable link with id ``link_id`` if it was issued for ``user``; otherwise ``None``."""
    if not isinstance(link_id, str):
        return None
    try:
        link = EnrolmentLink.objects.filter(pk=link_id, user=user).select_related("user").first()
    except ValidationError:
        return None
    return link if link is not None and link.is_usable() else None


@transaction.atomic
def enrolment_complete(*, device: TOTPDevice, link: EnrolmentLink) -> list[str]:
    """Confirm ``device`` with ``link``, which is spent; returns new recovery codes.

    The link is locked and checked again, so two tabs cannot both use it.
    """
    locked = EnrolmentLink.objects.select_for_update().select_related("user").get(pk=link.pk)
    if locked.user_id != device.user_id or not locked.is_usable():
        raise ValidationError(
            _("This enrolment link has already been used or has expired. Ask an administrator.")
        )
    locked.used_at = timezone.now()
    locked.save(update_fields=["used_at", "updated_at"])
    totp_device_confirm(device=device)
    codes = recovery_codes_replace(user=locked.user)
    logger.info("authenticator app set up", extra={"member": str(locked.user_id)})
    return codes


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """New recovery codes for ``user`` (earlier ones stop working); shown once, then kept."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_devices(user: User) -> list[StaticDevice]:
    """``user``'s recovery codes, as the one django-otp device that holds them."""
    return list(StaticDevice.objects.filter(user=user, confirmed=True))


@transaction.atomic
def second_factors_remove(*, user: User) -> int:
    """Take away every second factor of ``user``: apps, recovery codes, passkeys, links.

    For a lost phone (``reset-authenticator``) and a switched-off account. Returns how many
    devices went. Their next enrolment needs a new enrolment link.
    """
    apps = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
    codes = StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
    passkeys = (
        WebAuthnCredential.objects.filter(user=user)
        .delete()[1]
        .get(WebAuthnCredential._meta.label, 0)
    )
    EnrolmentLink.objects.filter(user=user, used_at__isnull=True).delete()
    logger.info(
        "second factors removed",
        extra={"member": str(user.pk), "apps": apps, "recovery": codes, "passkeys": passkeys},
    )
    return apps + codes + passkeys

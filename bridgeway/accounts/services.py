"""Writes for accounts: staff accounts, memberships, passwords and authenticator devices.

Every change to who may sign in, and how, happens here: the staff pages, the
``create-staff`` command, the demo seeder and the tests all call these functions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from bridgeway.accounts.access import STAFF_ADMIN_ROLES, has_role_in, organisations_for
from bridgeway.accounts.models import STAFF_LANGUAGES, Membership, Organisation, User

logger = logging.getLogger(__name__)

# The roles an organisation's administrator may give; commissioners, analysts and platform
# administrators are set up by the operator (``bridgeway create-staff``).
ROLES_ADMINS_MAY_GRANT = (Membership.Role.PRACTITIONER, Membership.Role.ORGANISATION_ADMIN)

DEVICE_NAME = "Authenticator app"
EMAIL_MAX_LENGTH = 254
FULL_NAME_MAX_LENGTH = 150


@dataclass(frozen=True)
class StaffMemberAdded:
    """The outcome of adding someone to an organisation.

    ``set_up_path`` is the one-time link (a path on this site) with which the person
    chooses a password. It is only given when this call created or re-opened the account:
    someone who already signs in elsewhere keeps their own password.
    """

    membership: Membership
    created_account: bool
    set_up_path: str | None


def set_up_path_for(user: User) -> str:
    """A one-time path for ``user`` to choose a password.

    Django's token generator signs the current password hash and last sign-in, so the
    link stops working once it has been used, and after ``PASSWORD_RESET_TIMEOUT``.
    """
    return reverse(
        "accounts:set-password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def _clean_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not cleaned:
        raise ValidationError({"email": _("Enter their email address.")})
    if len(cleaned) > EMAIL_MAX_LENGTH:
        raise ValidationError(
            {
                "email": _("The email address must be %(limit)d characters or fewer.")
                % {"limit": EMAIL_MAX_LENGTH}
            }
        )
    try:
        validate_email(cleaned)
    except ValidationError:
        raise ValidationError(
            {"email": _("Enter an email address in the correct format, like name@example.org.")}
        ) from None
    return cleaned


def _clean_full_name(full_name: str) -> str:
    cleaned = " ".join(full_name.split())
    if not cleaned:
        raise ValidationError({"full_name": _("Enter their full name.")})
    if len(cleaned) > FULL_NAME_MAX_LENGTH:
        raise ValidationError(
            {
                "full_name": _("The name must be %(limit)d characters or fewer.")
                % {"limit": FULL_NAME_MAX_LENGTH}
            }
        )
    return cleaned


def _membership_add(
    *,
    organisation: Organisation,
    email: str,
    full_name: str,
    role: str,
    may_attach_existing: bool = True,
) -> StaffMemberAdded:
    """Create the account if needed and the membership; the callers have checked the role.

    Without ``may_attach_existing`` (an organisation's administrator) an account that is
    switched on, in use or waiting to be set up, is refused rather than attached: only the
    operator, who can check with both organisations, adds someone to a second one. A
    switched-off account that belongs nowhere any more is reopened as a new one.
    """
    email = _clean_email(email)
    full_name = _clean_full_name(full_name)
    user = User.objects.filter(email__iexact=email).first()
    created_account = False
    reopened = False
    if (
        user is not None
        and not may_attach_existing
        and user.is_active
        and not Membership.objects.filter(user=user, organisation=organisation).exists()
    ):
        # The same words whatever the state of that account, so an administrator learns no
        # more about another organisation's staff than that the address is in use.
        raise ValidationError(
            {
                "email": _(
                    "%(email)s already has a Bridgeway account. To add them to "
                    "%(organisation)s as well, ask the Bridgeway operator."
                )
                % {"email": email, "organisation": organisation.name}
            }
        )
    if user is None:
        # No usable password until the person chooses one through the set-up link.
        user = User.objects.create_user(email, password=None, full_name=full_name)
        created_account = True
    else:
        if Membership.objects.filter(user=user, organisation=organisation).exists():
            raise ValidationError(
                {
                    "email": _("%(email)s is already a member of %(organisation)s.")
                    % {"email": email, "organisation": organisation.name}
                }
            )
        if not user.is_active:
            if Membership.objects.filter(user=user).exists():
                # Switched off by the operator, not by being removed everywhere: not ours to undo.
                raise ValidationError(
                    {
                        "email": _(
                            "The account for %(email)s is switched off. Ask the Bridgeway "
                            "operator to look at it."
                        )
                        % {"email": email}
                    }
                )
            user.is_active = True
            user.full_name = full_name
            user.set_unusable_password()
            user.full_clean(exclude=["password"])
            user.save(update_fields=["is_active", "full_name", "password"])
            reopened = True
    membership = Membership(user=user, organisation=organisation, role=role)
    membership.full_clean()
    membership.save()
    set_up_path = set_up_path_for(user) if (created_account or reopened) else None
    return StaffMemberAdded(
        membership=membership, created_account=created_account, set_up_path=set_up_path
    )


@transaction.atomic
def staff_member_add(
    *,
    organisation: Organisation,
    email: str,
    full_name: str,
    role: str,
    added_by: User,
) -> StaffMemberAdded:
    """An organisation's administrator adds a practitioner or administrator.

    Creates the account (with no usable password) when the email address is new. An
    account another organisation uses, active or still waiting to be set up, is never
    attached: that would let one organisation capture another's staff (only the operator
    adds someone to a second organisation). Raises ``PermissionDenied`` unless ``added_by``
    administers ``organisation``, and ``ValidationError`` (by field) for bad input.
    """
    if not has_role_in(added_by, organisation, STAFF_ADMIN_ROLES):
        raise PermissionDenied("Only the organisation's administrators may add its staff.")
    if role not in ROLES_ADMINS_MAY_GRANT:
        raise ValidationError({"role": _("Choose practitioner or organisation administrator.")})
    added = _membership_add(
        organisation=organisation,
        email=email,
        full_name=full_name,
        role=role,
        may_attach_existing=False,
    )
    logger.info(
        "staff member added",
        extra={
            "organisation": organisation.slug,
            "member": str(added.membership.user_id),
            "role": role,
            "added_by": str(added_by.pk),
        },
    )
    return added


@transaction.atomic
def staff_account_create(
    *,
    organisation: Organisation,
    email: str,
    full_name: str,
    role: str,
    password: str | None = None,
) -> StaffMemberAdded:
    """The operator adds someone in any role (the ``create-staff`` command).

    With ``password`` the account can be signed in to at once (the person then sets up their
    authenticator app at first sign-in); without, the result carries a set-up link.
    """
    if role not in Membership.Role.values:
        raise ValidationError(
            {"role": _("Choose one of: %(roles)s.") % {"roles": ", ".join(Membership.Role.values)}}
        )
    existing = User.objects.filter(email__iexact=email.strip()).first()
    if password is not None and existing is not None and existing.has_usable_password():
        raise ValidationError(
            {
                "password": _(
                    "This person already has a password; leave the password out to add only "
                    "the membership."
                )
            }
        )
    added = _membership_add(organisation=organisation, email=email, full_name=full_name, role=role)
    if password is not None:
        staff_password_set(user=added.membership.user, password=password)
        added = StaffMemberAdded(
            membership=added.membership, created_account=added.created_account, set_up_path=None
        )
    logger.info(
        "staff account created by operator",
        extra={"organisation": organisation.slug, "member": str(added.membership.user_id)},
    )
    return added


@transaction.atomic
def staff_member_remove(*, membership: Membership, removed_by: User) -> bool:
    """An administrator removes someone from their organisation.

    When the person belongs to no organisation afterwards, their account is switched off:
    password and authenticator removed, so nothing left can be used to sign in. Returns
    whether that happened.
    """
    if not has_role_in(removed_by, membership.organisation_id, STAFF_ADMIN_ROLES):
        raise PermissionDenied("Only the organisation's administrators may remove its staff.")
    if membership.user_id == removed_by.pk:
        raise ValidationError(
            _("You cannot remove yourself. Ask another administrator of %(organisation)s.")
            % {"organisation": membership.organisation.name}
        )
    user = membership.user
    membership.delete()
    switched_off = not Membership.objects.filter(user=user).exists()
    if switched_off:
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        WebAuthnCredential.objects.filter(user=user).delete()
    logger.info(
        "staff member removed",
        extra={
            "organisation": membership.organisation.slug,
            "member": str(user.pk),
            "removed_by": str(removed_by.pk),
            "account_switched_off": switched_off,
        },
    )
    return switched_off


@transaction.atomic
def staff_set_up_link_issue(*, membership: Membership, issued_by: User) -> str:
    """A fresh set-up link for a member who has not yet chosen a password.

    Only for someone all of whose memberships ``issued_by`` administers: otherwise one
    organisation's administrator could take over an account another organisation set up.
    """
    user = membership.user
    if not has_role_in(issued_by, membership.organisation_id, STAFF_ADMIN_ROLES):
        raise PermissionDenied("Only the organisation's administrators may do this.")
    if user.has_usable_password():
        raise ValidationError(
            _("%(name)s has already chosen a password.") % {"name": user.full_name}
        )
    administered = {o.pk for o in organisations_for(issued_by, STAFF_ADMIN_ROLES)}
    theirs = set(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
    if not theirs <= administered:
        raise ValidationError(
            _(
                "%(name)s also belongs to an organisation you do not administer. Ask the "
                "Bridgeway operator for a new link."
            )
            % {"name": user.full_name}
        )
    # A new unusable password invalidates every link issued before this one.
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return set_up_path_for(user)


@transaction.atomic
def staff_password_set(*, user: User, password: str) -> None:
    """Set ``user``'s password after checking it against the password rules.

    Raises ``ValidationError`` (field ``password``) listing what is wrong with it.
    """
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def totp_device_create(
    user: User, *, key: str | None = None, confirmed: bool, name: str = DEVICE_NAME
) -> TOTPDevice:
    """A TOTP authenticator device for ``user``.

    ``key`` is the hex-encoded secret (a random 20-byte key when left out); the demo seeder
    passes a fixed one so its sign-ins can be reproduced. A confirmed device is one the
    person has proved they hold by entering a code from it.
    """
    device = TOTPDevice(user=user, name=name, confirmed=confirmed)
    if key is not None:
        device.key = key.strip().lower()
    try:
        device.full_clean()
    except ValidationError as error:
        if "key" in error.message_dict:
            raise ValidationError(
                {"key": _("The key must be hexadecimal text of up to 40 bytes.")}
            ) from None
        raise
    device.save()
    return device


@transaction.atomic
def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device a person is setting up, made on first asking.

    The same device (and so the same QR code) comes back until it is confirmed, so a wrong
    code or a reload does not make the person scan again.
    """
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-id")
        .first()
    )
    return device or totp_device_create(user, confirmed=False)


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice) -> TOTPDevice:
    """Mark ``device`` confirmed (its code was right) and drop other half-finished set-ups."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=device.user_id, confirmed=False).exclude(
        pk=device.pk
    ).delete()
    return device


@transaction.atomic
def totp_devices_remove(*, user: User) -> int:
    """Remove all of ``user``'s authenticator devices (a lost phone); returns how many.

    Their next sign-in sends them to set up a new app. Sessions already verified with an
    old device stop being verified, because django-otp looks the device up on each request.
    """
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    logger.info("authenticator devices removed", extra={"member": str(user.pk), "count": removed})
    return removed


def user_language_save(user: User, language: str) -> None:
    """Keep the person's choice of language for the staff pages on their account."""
    if language not in STAFF_LANGUAGES:
        raise ValueError(f"Staff pages are not translated into {language!r}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])

"""Passkeys (WebAuthn) as a second factor, through django-otp-webauthn.

The package's own views answer the browser's registration and authentication ceremonies
(under ``/sign-in/passkeys/``); this module holds what Bridgeway decides about them.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.urls import reverse
from django_otp_webauthn import exceptions
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from bridgeway.accounts.access import is_fully_signed_in
from bridgeway.accounts.models import User

logger = logging.getLogger(__name__)


def relying_party_id(request: HttpRequest) -> str:
    """The domain passkeys are bound to: the host this page was asked for, without a port.

    ``get_host`` has already checked the host against ``ALLOWED_HOSTS``, so a forged
    ``Host`` header cannot choose another domain.
    """
    domain, _port = split_domain_port(request.get_host())
    return domain


class PasskeyRegistrationBegin(BeginCredentialRegistrationView):
    """Registration options, for someone who has already passed both sign-in steps.

    The package lets an account with no second factor at all register a passkey straight
    after the password; in Bridgeway that would undo the enrolment link, so only a verified
    session may add one.
    """

    def check_can_register(self) -> None:
        _require_verified(self.request)


class PasskeyRegistrationComplete(CompleteCredentialRegistrationView):
    """Save the new passkey, for someone who has already passed both sign-in steps."""

    def check_can_register(self) -> None:
        _require_verified(self.request)

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post(*args, **kwargs)
        logger.info("passkey added", extra={"member": str(self.request.user.pk)})
        return response


class PasskeyAuthenticationBegin(BeginCredentialAuthenticationView):
    """The challenge for the second step: only after the password (passwordless is off)."""


class PasskeyAuthenticationComplete(CompleteCredentialAuthenticationView):
    """Check the passkey's answer and finish signing in, as a code from the app would."""

    def check_device_usable(self, device: Any) -> None:
        super().check_device_usable(device)
        # A second line of defence: the passkey belongs to the person who gave the password.
        if device.user_id != self.request.user.pk:
            raise exceptions.CredentialUserMismatch()

    def complete_auth(self, device: Any) -> None:
        super().complete_auth(device)
        # A new session key at each rise in privilege, as after a code from the app.
        self.request.session.cycle_key()

    def get_success_url(self) -> str:
        return self.get_redirect_url() or reverse("accounts:home")


def _require_verified(request: HttpRequest) -> None:
    if not is_fully_signed_in(request.user):
        raise exceptions.NotVerified()


def passkeys_of(user: User) -> list[WebAuthnCredential]:
    """``user``'s passkeys, newest first."""
    return list(WebAuthnCredential.objects.filter(user=user).order_by("-created_at"))

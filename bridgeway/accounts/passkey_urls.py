"""The browser's passkey ceremonies, under the names django-otp-webauthn's scripts expect.

Included at the root under the ``otp_webauthn`` namespace, since the package's template tags
reverse ``otp_webauthn:...``. Registration needs a fully signed-in person (the middleware
and the views both check); authentication is the second sign-in step, so it is open to a
session that has given only the password (the package refuses anyone without one, because
passwordless sign-in is off).
"""

from __future__ import annotations

from django.urls import URLPattern, path
from django.views.i18n import JavaScriptCatalog

from bridgeway.accounts.middleware import public
from bridgeway.accounts.passkeys import (
    PasskeyAuthenticationBegin,
    PasskeyAuthenticationComplete,
    PasskeyRegistrationBegin,
    PasskeyRegistrationComplete,
)

app_name = "otp_webauthn"

urlpatterns: list[URLPattern] = [
    path(
        "registration/begin/",
        PasskeyRegistrationBegin.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        PasskeyRegistrationComplete.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        public(PasskeyAuthenticationBegin.as_view()),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        public(PasskeyAuthenticationComplete.as_view()),
        name="credential-authentication-complete",
    ),
    # The scripts' own words (button labels, errors); nothing about anyone.
    path(
        "jsi18n/",
        public(JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])),
        name="js-i18n-catalog",
    ),
]

"""A passkey added and used in a real browser, with Chromium's virtual authenticator.

Headless Chromium has no fingerprint reader or security key; the DevTools protocol's
WebAuthn domain gives the page a software authenticator that says yes by itself, so the
package's own JavaScript, our Content-Security-Policy and the server's checks all run.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from bridgeway.accounts.models import Membership
from bridgeway.accounts.services import totp_device_create
from bridgeway.accounts.tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory
from bridgeway.frontdoor.tests.test_journey_browser import current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Not the other browser tests' keys, so none share a code within one 30-second step.
AUTHENTICATOR_KEY = "5152535455565758595a5b5c5d5e5f6061626364"


def _password_step(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/staff/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()


# Seconds the scripts' words (Django's JavaScript catalog) are held back: a cold or busy server
# answered them after the package's scripts had run, which then failed on their first word
# ("gettext is not defined") and left the button doing nothing.
CATALOG_LATE = 3.0


@pytest.fixture(params=[0.0, CATALOG_LATE], ids=["catalog_prompt", "catalog_late"])
def catalog_delay(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> float:
    """How long the live server takes to answer the JavaScript catalog."""
    delay: float = request.param
    if delay:
        answer = JavaScriptCatalog.get

        def late(view: JavaScriptCatalog, *args: Any, **kwargs: Any) -> Any:
            time.sleep(delay)
            return answer(view, *args, **kwargs)

        monkeypatch.setattr(JavaScriptCatalog, "get", late)
    return delay


def test_a_passkey_is_added_then_finishes_signing_in(
    live_server: Any, live_reference_data: None, page: Any, settings: Any, catalog_delay: float
) -> None:
    # WebAuthn needs a secure context and a domain name: http://localhost is both.
    base = live_server.url.replace("127.0.0.1", "localhost")
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [base]
    organisation = OrganisationFactory(name="Chapeltown Community Support", slug="chapeltown")
    membership = MembershipFactory(organisation=organisation, role=Membership.Role.PRACTITIONER)
    device = totp_device_create(membership.user, key=AUTHENTICATOR_KEY, confirmed=True)
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    scripts_failed: list[str] = []
    page.on("pageerror", lambda error: scripts_failed.append(str(error)))
    scripts_blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            scripts_blocked.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )

    _password_step(page, base, membership.user.email)
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/staff/passkeys/")
    page.get_by_role("button", name="Add a passkey").click()
    # Waited for through the DOM: the page's CSP forbids evaluating strings as script.
    expect(page.locator("#passkey-register-status-message")).to_have_text(re.compile(r"\S"))

    assert WebAuthnCredential.objects.filter(user=membership.user).count() == 1

    page.get_by_role("button", name="Sign out").click()
    _password_step(page, base, membership.user.email)
    page.get_by_role("button", name="Use a passkey instead").click()
    page.wait_for_url(f"{base}/staff/inbox/**")

    assert scripts_blocked == []
    assert scripts_failed == []

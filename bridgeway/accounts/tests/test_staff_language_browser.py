# ruff: noqa: RUF001 - Welsh is written with the typographic apostrophe.
"""In Chromium: a member of staff switches to Welsh in the header, and it stays Welsh.

On the next page, on the sign-in page after signing out, after signing in again, and on
another computer (a browser with no cookies) once they have signed in (decision 0070).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.models import Membership, User
from bridgeway.accounts.services import totp_device_create
from bridgeway.accounts.tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory
from bridgeway.casework.tests.factories import CaseworkServiceFactory, make_referral
from bridgeway.conftest import axe_violations
from bridgeway.frontdoor.tests.test_journey_browser import AUTHENTICATOR_KEY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Time steps either side of now the test's authenticator device accepts (django-otp's default
# is one): enough for three sign-ins without waiting for the clock.
TOLERANCE = 2


class Codes:
    """The code the person's authenticator app shows, as django-otp will next accept it.

    django-otp takes each time step's code once and learns the app's clock drift, so a
    second sign-in within the same half-minute needs the next step's code, which is within
    its tolerance; when no step is both unused and within it, wait for the clock, as a
    person would. The test's device allows two steps either side (``TOLERANCE``), so its
    three sign-ins need no wait of up to half a minute for the clock: codes and their reuse
    are tested in test_sign_in.py, not here.
    """

    def __init__(self, device: TOTPDevice) -> None:
        self.device = device

    def next(self) -> str:
        device = TOTPDevice.objects.get(pk=self.device.pk)
        while True:
            now = time.time()
            step = int(now - device.t0) // device.step
            drift, tolerance = device.drift, device.tolerance
            accepted = range(step + drift - tolerance, step + drift + tolerance + 1)
            for candidate in range(step, step + tolerance + 1):
                if candidate > device.last_t and candidate in accepted:
                    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
                    totp.time = now + (candidate - step) * device.step
                    return f"{totp.token():06d}"
            time.sleep(1)


@pytest.fixture
def practitioner(live_reference_data: None) -> tuple[User, Codes, str]:
    organisation = OrganisationFactory(name="Chapeltown Community Support", slug="chapeltown")
    membership = MembershipFactory(organisation=organisation, role=Membership.Role.PRACTITIONER)
    device = totp_device_create(membership.user, key=AUTHENTICATOR_KEY, confirmed=True)
    device.tolerance = TOLERANCE
    device.save(update_fields=["tolerance"])
    referral = make_referral(service=CaseworkServiceFactory(organisation=organisation))
    return membership.user, Codes(device), referral.reference


def _sign_in(page: Any, url: str, user: User, code: str, *, welsh: bool) -> None:
    """The password step in the browser's language, then the code step in the account's."""
    page.goto(f"{url}/staff/sign-in/")
    page.get_by_label("Cyfeiriad e-bost" if welsh else "Email address").fill(user.email)
    page.get_by_label("Cyfrinair" if welsh else "Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Parhau" if welsh else "Continue").click()
    user.refresh_from_db()
    account_welsh = user.language == "cy"
    page.get_by_label(
        "Cod o’ch ap dilysu" if account_welsh else "Code from your authenticator app"
    ).fill(code)
    page.get_by_role("button", name="Mewngofnodi" if account_welsh else "Sign in").click()


def _heading(page: Any) -> str:
    return str(page.locator("h1").first.inner_text()).strip()


def test_a_member_of_staff_switches_to_welsh_and_it_stays_welsh(
    live_server: Any, browser: Any, page: Any, practitioner: tuple[User, Codes, str]
) -> None:
    user, codes, reference = practitioner
    url = live_server.url
    _sign_in(page, url, user, codes.next(), welsh=False)
    assert page.locator("html").get_attribute("lang") == "en"
    assert _heading(page) == "Inbox"

    # The header's switcher names Welsh in Welsh; choosing it comes back to the same page.
    page.get_by_role("navigation", name="Choose a language").get_by_role(
        "button", name="Cymraeg"
    ).click()
    page.wait_for_url(f"{url}/staff/inbox/")
    assert page.locator("html").get_attribute("lang") == "cy"
    assert _heading(page) == "Mewnflwch"
    assert page.get_by_role("link", name="Mewnflwch").count() == 1  # the staff menu
    assert axe_violations(page) == []

    # The next page is Welsh too.
    page.get_by_role("link", name=reference).click()
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("heading", name="Caniatâd a rhannu").count() == 1
    assert "Consent and sharing" not in page.content()

    # Signed out, the sign-in page speaks Welsh; signed in again, so does every page.
    page.get_by_role("button", name="Allgofnodi").click()
    assert _heading(page) == "Mewngofnodi i Bridgeway"
    _sign_in(page, url, user, codes.next(), welsh=True)
    assert _heading(page) == "Mewnflwch"
    user.refresh_from_db()
    assert user.language == "cy"

    # On another computer the sign-in page is in English until they give their password,
    # then the code step and every page after it are Welsh.
    context = browser.new_context(locale="en-GB")
    try:
        elsewhere = context.new_page()
        elsewhere.goto(f"{url}/staff/sign-in/")
        assert _heading(elsewhere) == "Sign in to Bridgeway"
        _sign_in(elsewhere, url, user, codes.next(), welsh=False)
        assert elsewhere.locator("html").get_attribute("lang") == "cy"
        assert _heading(elsewhere) == "Mewnflwch"
        # And back to English from the Welsh header, which the account keeps.
        elsewhere.get_by_role("navigation", name="Dewiswch iaith").get_by_role(
            "button", name="English"
        ).click()
        assert _heading(elsewhere) == "Inbox"
    finally:
        context.close()
    user.refresh_from_db()
    assert user.language == "en"

"""The whole first journey in a real browser: get support, refer oneself, arrive in the inbox.

A person in Leeds looks for support after a hate incident, chooses a service, asks it for
support with safe-contact preferences, and a practitioner of that organisation signs in with
both factors and finds the referral, with those preferences, in the inbox.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django_otp.oath import TOTP

from bridgeway.accounts.models import Membership
from bridgeway.accounts.services import totp_device_create
from bridgeway.accounts.tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory
from bridgeway.casework.models import Referral
from bridgeway.directory.models import CostOption
from bridgeway.directory.services import service_create
from bridgeway.equality.labels import public_label

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AUTHENTICATOR_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key


def current_code(device: Any) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_person_finds_a_service_refers_themselves_and_it_reaches_the_inbox(
    live_server: Any, live_reference_data: None, page: Any
) -> None:
    organisation = OrganisationFactory(name="Chapeltown Community Support", slug="chapeltown")
    service_create(
        organisation=organisation,
        name="Chapeltown Hate Incident Support",
        description="Support after hate, from people who live here.",
        district_codes=["E08000035"],
        language_codes=["eng", "urd"],
        harm_type_codes=["hate_incident", "hate_crime"],
        independence="independent",
        formats=["audio"],
    )
    # One that charges, which the person asking for free services only must not be shown.
    paid = service_create(
        organisation=organisation,
        name="Leeds Paid Counselling",
        district_codes=["E08000035"],
        harm_type_codes=["hate_incident"],
    )
    CostOption.objects.create(service=paid, option="Per session", amount=Decimal("40"))
    membership = MembershipFactory(organisation=organisation, role=Membership.Role.PRACTITIONER)
    device = totp_device_create(membership.user, key=AUTHENTICATOR_KEY, confirmed=True)

    # The person: one question a page. Where they are, what happened in plain words, and
    # the rest skipped. No answer ever appears in the address (and so in the history).
    page.goto(f"{live_server.url}/en/get-support/")
    page.get_by_label("Where are you?").fill("ls6 1aa")
    page.get_by_role("button", name="Continue").click()
    visited = [page.url]
    page.get_by_label(str(public_label("harm_types", "hate_incident"))).check()
    page.get_by_role("button", name="Continue").click()
    visited.append(page.url)
    page.get_by_role("button", name="Skip this question").click()  # language
    # How they would like support: one question of its own, answered with a click.
    visited.append(page.url)
    assert page.get_by_role("heading", name="How would you like to get support?").is_visible()
    page.get_by_label("Talking and listening, not reading").check()
    page.get_by_role("button", name="Continue").click()
    visited.append(page.url)
    page.get_by_role("button", name="Skip this question").click()  # age
    # What matters: free services only, a plain checkbox.
    visited.append(page.url)
    page.get_by_label("Only services that are free").check()
    page.get_by_role("button", name="Continue").click()
    visited.append(page.url)
    assert page.url == f"{live_server.url}/en/get-support/results/"
    assert page.get_by_text("You can talk or listen to them, instead of reading").is_visible()
    assert page.get_by_text("Does not say whether it is free").first.is_visible()
    assert page.get_by_text("Leeds Paid Counselling").count() == 0
    for url in visited:
        assert "?" not in url
        assert "ls6" not in url.lower()
        assert "hate_incident" not in url
        assert "audio" not in url
        assert "free" not in url
    page.get_by_role("link", name="Chapeltown Hate Incident Support", exact=True).click()
    page.get_by_role("button", name="Ask for support").click()

    page.get_by_label("What should we call you?").fill("Sam")
    page.get_by_label("Text message").check()
    page.get_by_label("Phone number").fill("07700 900123")
    page.get_by_label("When is it safe to contact you?").fill("Weekdays after 6pm")
    page.get_by_role("button", name="Send").click()

    reference = page.locator(".bw-code").inner_text().strip()
    assert re.fullmatch(r"BW-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    assert reference not in page.url
    referral = Referral.objects.get(reference=reference)
    assert referral.organisation == organisation
    assert referral.person.contact_preference.may_leave_message is False

    # The practitioner, in a browser of their own: password, then authenticator code.
    staff = page.context.browser.new_context(locale="en-GB")
    try:
        staff_page = staff.new_page()
        staff_page.goto(f"{live_server.url}/staff/sign-in/")
        staff_page.get_by_label("Email address").fill(membership.user.email)
        staff_page.get_by_label("Password").fill(TEST_PASSWORD)
        staff_page.get_by_role("button", name="Continue").click()
        staff_page.get_by_label("Code from your authenticator app").fill(current_code(device))
        staff_page.get_by_role("button", name="Sign in").click()

        staff_page.goto(f"{live_server.url}/staff/inbox/")
        staff_page.get_by_role("link", name=reference).click()
        body = staff_page.locator("main").inner_text()
        assert "Sam" in body
        assert "Weekdays after 6pm" in body
    finally:
        staff.close()

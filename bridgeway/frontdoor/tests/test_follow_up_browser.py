"""Anonymous two-way reporting in a real browser, with no account, email or phone.

A person reports a hate incident anonymously with a screenshot chosen in the form's plain file
box, writes down the reference and code, opens the follow-up page with them and writes to the
centre; a practitioner of the centre, signed in with both factors, finds the screenshot on the
case, reads the message and replies; the person reads the reply. Then the quick exit
closes the report, so the next person at that browser cannot read it.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from bridgeway.accounts.models import Membership, Organisation
from bridgeway.accounts.services import totp_device_create
from bridgeway.accounts.tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory
from bridgeway.casework.models import CaseEvent, Consent, Referral
from bridgeway.casework.services import consent_record, share_with_police
from bridgeway.conftest import WEST_YORKSHIRE, axe_violations
from bridgeway.frontdoor.tests.test_journey_browser import current_code
from bridgeway.places.models import PoliceForceArea

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEUTRAL_SITE = "https://www.bbc.co.uk/weather"
# Not the journey test's key, so the two never share a code within one 30-second step.
AUTHENTICATOR_KEY = "4142434445464748494a4b4c4d4e4f5051525354"


def _screenshot() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _report_anonymously(page: Any, live_server: Any) -> tuple[str, str]:
    page.goto(f"{live_server.url}/en/report/")
    page.get_by_label("What happened?", exact=True).fill(
        "Two men shouted at me about my headscarf outside the library."
    )
    # A screenshot of the abuse, chosen in the plain file box the report form has.
    page.get_by_label("Screenshots or photos").set_input_files(
        {"name": "group chat.png", "mimeType": "image/png", "buffer": _screenshot()}
    )
    page.get_by_label("No, I want to stay anonymous").check()
    page.get_by_role("button", name="Send report").click()
    assert "Screenshots or photos sent with your report: 1." in page.locator("main").inner_text()
    reference = page.locator(".govuk-panel .bw-code").inner_text().strip()
    code = page.locator("#follow-up-code").inner_text().strip()
    return reference, code


def _open_follow_up(page: Any, live_server: Any, reference: str, code: str) -> None:
    page.goto(f"{live_server.url}/en/report/follow-up/")
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Follow-up code").fill(code)
    page.get_by_role("button", name="Check").click()


def _staff_signed_in(page: Any, live_server: Any, membership: Membership) -> Any:
    device = totp_device_create(membership.user, key=AUTHENTICATOR_KEY, confirmed=True)
    staff = page.context.browser.new_context(locale="en-GB")
    staff_page = staff.new_page()
    staff_page.goto(f"{live_server.url}/staff/sign-in/")
    staff_page.get_by_label("Email address").fill(membership.user.email)
    staff_page.get_by_label("Password").fill(TEST_PASSWORD)
    staff_page.get_by_role("button", name="Continue").click()
    staff_page.get_by_label("Code from your authenticator app").fill(current_code(device))
    staff_page.get_by_role("button", name="Sign in").click()
    return staff


def test_a_person_and_a_centre_write_to_each_other_without_an_account(
    live_server: Any, live_reference_data: None, page: Any
) -> None:
    centre: Organisation = OrganisationFactory(
        name="West Yorkshire Hate Reporting Centre",
        slug="wy-hate-reporting",
        kind=Organisation.Kind.REPORTING_CENTRE,
        area_codes=[WEST_YORKSHIRE],
    )
    membership = MembershipFactory(organisation=centre, role=Membership.Role.PRACTITIONER)
    page.route(
        "https://www.bbc.co.uk/**",
        lambda route: route.fulfill(body="<title>Weather</title>", content_type="text/html"),
    )

    reference, code = _report_anonymously(page, live_server)
    _open_follow_up(page, live_server, reference, code)
    assert page.url == f"{live_server.url}/en/report/follow-up/"
    assert "There are no messages yet." in page.locator("main").inner_text()
    page.get_by_label("Write a message").fill("It happened again this morning.")
    page.get_by_role("button", name="Send message").click()
    main = page.locator("main").inner_text()
    assert "Your message has been sent." in main
    assert "It happened again this morning." in main
    assert code not in page.content()

    staff = _staff_signed_in(page, live_server, membership)
    try:
        staff_page = staff.pages[0]
        staff_page.goto(f"{live_server.url}/staff/inbox/")
        staff_page.get_by_role("link", name=reference).click()
        assert "It happened again this morning." in staff_page.locator("main").inner_text()
        # The screenshot sent with the report is on the case, and opens as the picture.
        referral_page = staff_page.url
        staff_page.get_by_role("link", name="Screenshots and photos").click()
        picture = staff_page.locator("[data-evidence] a")
        assert picture.count() == 1
        assert "added by the person" in staff_page.locator("[data-evidence]").inner_text()
        shown = staff_page.request.get(live_server.url + picture.get_attribute("href"))
        assert shown.status == 200
        assert shown.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(shown.body())).size == (40, 30)
        staff_page.goto(referral_page)
        staff_page.locator("#message-text").fill("We are sorry. We can talk whenever you like.")
        with staff_page.expect_navigation():
            staff_page.get_by_role("button", name="Send reply").click()
    finally:
        staff.close()
    referral = Referral.objects.get(reference=reference)
    assert referral.events.filter(kind=CaseEvent.Kind.MESSAGE_OUT).count() == 1

    page.reload()
    main = page.locator("main").inner_text()
    assert "West Yorkshire Hate Reporting Centre wrote" in main
    assert "We are sorry. We can talk whenever you like." in main
    assert code not in page.url
    assert reference not in page.url

    # The centre records the person's consent to tell the police and passes the report on;
    # the person sees it, and stops it themselves.
    police = PoliceForceArea.objects.get(code=WEST_YORKSHIRE)
    consent_record(
        person=referral.person,
        scope=Consent.Scope.POLICE,
        actor=membership.user,
        given_how=Consent.GivenHow.ONLINE,
        recipient_police_force_area=police,
    )
    share_with_police(referral=referral, actor=membership.user, police_force_area=police)
    page.reload()
    sharing = page.locator("[data-consent]").inner_text()
    assert "Sharing with the police (West Yorkshire)" in sharing
    assert "we shared:" in sharing
    assert axe_violations(page) == []
    page.get_by_role("button", name="Stop sharing with the police (West Yorkshire)").click()
    main = page.locator("main").inner_text()
    assert "You stopped sharing with the police (West Yorkshire)." in main
    assert "Stopped on" in page.locator("[data-consent-state]").inner_text()
    assert page.url == f"{live_server.url}/en/report/follow-up/"
    with pytest.raises(ValidationError):
        share_with_police(referral=referral, actor=membership.user, police_force_area=police)

    # Leaving quickly also closes the report: back at the follow-up page, only the form.
    page.get_by_role("link", name="Leave this site quickly").click()
    page.wait_for_url(NEUTRAL_SITE)
    # The exit waits for the server to forget before it navigates (and tries again on
    # pagehide): the report is closed at once, with no waiting or retrying here.
    page.goto(f"{live_server.url}/en/report/follow-up/")
    main = page.locator("main").inner_text()
    assert "We are sorry." not in main
    assert "Follow-up code" in main

"""The staff side as a person meets it, in Chromium: a readable menu, pages that fit a phone.

An organisation's administrator signs in with both factors and opens the inbox, a referral
and the listing editor at a desktop width (1280 px) and a phone's (390 px). On each: the menu's
links contrast with their background by at least 4.5:1 (WCAG 2.2 AA, computed from the styles
the browser applied), axe-core finds nothing serious, and on the phone nothing is wider than
the screen.
"""

from __future__ import annotations

from typing import Any

import pytest

from bridgeway.accounts.models import Membership
from bridgeway.accounts.services import totp_device_create
from bridgeway.accounts.tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory
from bridgeway.casework.services import ContactDetails
from bridgeway.casework.tests.factories import make_referral
from bridgeway.conftest import axe_violations
from bridgeway.directory.services import service_create
from bridgeway.frontdoor.tests.test_journey_browser import AUTHENTICATOR_KEY, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1280, "phone": 390}

# The contrast of each menu link's text with the first background behind it that is not
# transparent, by WCAG 2's relative luminance.
MENU_CONTRASTS = """
() => {
  const channel = (value) => {
    const c = value / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const rgba = (text) => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour.length < 4 || colour[3] > 0) return colour;
    }
    return [255, 255, 255];
  };
  const links = document.querySelectorAll(
    ".govuk-header a, .govuk-header button, .govuk-service-navigation a, .govuk-service-navigation button"
  );
  return Array.from(links).map((link) => {
    const [light, dark] = [luminance(rgba(getComputedStyle(link).color)), luminance(background(link))]
      .sort((a, b) => b - a);
    return { text: link.innerText.trim(), ratio: (light + 0.05) / (dark + 0.05) };
  });
}
"""


@pytest.fixture
def administrator_page(live_server: Any, live_reference_data: None, page: Any) -> dict[str, Any]:
    """An organisation administrator, signed in with both factors, and their records."""
    organisation = OrganisationFactory(name="Chapeltown Community Support", slug="chapeltown")
    service = service_create(
        organisation=organisation,
        name="Chapeltown Hate Incident Support",
        description="Support after hate, from people who live here.",
        district_codes=["E08000035"],
        language_codes=["eng", "urd"],
        harm_type_codes=["hate_incident", "hate_crime"],
        independence="independent",
    )
    membership = MembershipFactory(
        organisation=organisation, role=Membership.Role.ORGANISATION_ADMIN
    )
    device = totp_device_create(membership.user, key=AUTHENTICATOR_KEY, confirmed=True)
    referrals = [
        make_referral(
            service=service,
            harm_types=("hate_crime", "hate_incident"),
            hate_strands=("race", "religion"),
            contact=ContactDetails(channels=("phone", "text"), times="after 5pm"),
        )
        for _ in range(3)
    ]
    page.goto(f"{live_server.url}/staff/sign-in/")
    page.get_by_label("Email address").fill(membership.user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Sign in").click()
    return {"page": page, "service": service, "referral": referrals[0], "url": live_server.url}


def _pages(records: dict[str, Any]) -> dict[str, str]:
    return {
        "inbox": "/staff/inbox/",
        "referral": f"/staff/referrals/{records['referral'].reference}/",
        "listing editor": f"/staff/directory/{records['service'].pk}/edit/",
    }


@pytest.mark.parametrize("size", list(WIDTHS))
def test_staff_pages_are_readable_accessible_and_fit_the_screen(
    administrator_page: dict[str, Any], size: str
) -> None:
    page = administrator_page["page"]
    width = WIDTHS[size]
    page.set_viewport_size({"width": width, "height": 900})

    for name, path in _pages(administrator_page).items():
        page.goto(administrator_page["url"] + path)
        # Every disclosure open, so axe and the width check see the forms inside them too.
        page.evaluate("() => document.querySelectorAll('details').forEach((d) => (d.open = true))")

        contrasts = page.evaluate(MENU_CONTRASTS)
        assert {item["text"] for item in contrasts} >= {"Inbox", "Your listings", "Sign out"}
        too_faint = [item for item in contrasts if item["ratio"] < 4.5]
        assert too_faint == [], f"{name} at {width}px: {too_faint}"

        assert axe_violations(page, impacts=("minor", "moderate", "serious", "critical")) == [], (
            f"{name} at {width}px"
        )

        if size == "phone":
            scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
            assert scroll_width <= width, f"{name} is {scroll_width}px wide on a {width}px phone"


def test_administrator_menu_links_to_their_listings_and_staff(
    administrator_page: dict[str, Any],
) -> None:
    page = administrator_page["page"]
    page.goto(administrator_page["url"] + "/staff/inbox/")
    menu = page.get_by_role("navigation", name="Staff menu")

    menu.get_by_role("link", name="Your listings").click()
    assert page.url.endswith("/staff/directory/")
    assert menu.get_by_role("link", name="Your listings").get_attribute("aria-current") == "true"

    menu.get_by_role("link", name="Your staff").click()
    assert page.url.endswith("/staff/organisation/")


def test_listing_editor_filters_the_districts_as_you_type(
    administrator_page: dict[str, Any],
) -> None:
    page = administrator_page["page"]
    page.goto(
        administrator_page["url"] + f"/staff/directory/{administrator_page['service'].pk}/edit/"
    )
    districts = page.get_by_role("group", name="Local authority districts it covers")

    # The one district the service covers is ticked, and nothing else is.
    assert districts.get_by_label("Leeds").is_checked()
    assert districts.locator("input:checked").count() == 1

    districts.get_by_label("Filter the districts").fill("brad")
    visible = [
        label.strip()
        for label in districts.locator(".govuk-checkboxes__item:visible label").all_inner_texts()
    ]
    assert visible == ["Bradford"]

    districts.get_by_label("Filter the districts").fill("")
    districts.get_by_label("Filter the districts").fill("kirk")
    districts.get_by_label("Kirklees").check()
    page.get_by_role("button", name="Save listing").click()

    service = administrator_page["service"]
    assert sorted(service.districts.values_list("name", flat=True)) == ["Kirklees", "Leeds"]

"""Quick exit on the new language pages and the follow-up page, right to left included."""

from __future__ import annotations

from typing import Any

import pytest

from bridgeway.accounts.models import Organisation
from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.conftest import WEST_YORKSHIRE, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEUTRAL_SITE = "https://www.bbc.co.uk/weather"
PAGES = [
    ("/ur/", "یہ سائٹ جلدی سے چھوڑیں"),
    ("/ur/report/", "یہ سائٹ جلدی سے چھوڑیں"),
    ("/ur/report/follow-up/", "یہ سائٹ جلدی سے چھوڑیں"),
    ("/pl/get-support/", "Szybko opuść tę stronę"),
    ("/pa/report/", "ਇਹ ਸਾਈਟ ਜਲਦੀ ਛੱਡੋ"),
]


@pytest.fixture
def requested(page: Any) -> list[str]:
    """Stands in for the BBC so no request leaves the machine; records what was asked of it."""
    asked: list[str] = []

    def fulfil(route: Any) -> None:
        asked.append(route.request.url)
        route.fulfill(body="<title>Weather</title>", content_type="text/html")

    page.route("https://www.bbc.co.uk/**", fulfil)
    return asked


@pytest.fixture
def centre(live_reference_data: None) -> Organisation:
    return OrganisationFactory(
        name="West Yorkshire Hate Reporting Centre",
        slug="wy-hate-reporting",
        kind=Organisation.Kind.REPORTING_CENTRE,
        area_codes=[WEST_YORKSHIRE],
    )


def _assert_gone_for_good(page: Any, live_server: Any, requested: list[str]) -> None:
    page.wait_for_url(NEUTRAL_SITE)
    assert requested == [NEUTRAL_SITE]
    page.go_back()
    assert not page.url.startswith(live_server.url)


@pytest.mark.parametrize(("path", "button"), PAGES)
def test_the_quick_exit_button_is_on_screen_and_leaves(
    page: Any, live_server: Any, centre: Organisation, requested: list[str], path: str, button: str
) -> None:
    page.goto(live_server.url + path)
    exit_link = page.get_by_role("link", name=button)
    box = exit_link.bounding_box()
    width = page.viewport_size["width"]
    # Fully on screen, in the right-to-left layout as well as the left-to-right one.
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width
    exit_link.click()
    _assert_gone_for_good(page, live_server, requested)


@pytest.mark.parametrize("path", ["/ur/report/", "/pa/report/follow-up/"])
def test_escape_twice_leaves_in_every_language(
    page: Any, live_server: Any, centre: Organisation, requested: list[str], path: str
) -> None:
    page.goto(live_server.url + path)
    page.get_by_role("textbox").first.focus()
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    _assert_gone_for_good(page, live_server, requested)


def test_the_urdu_pages_are_right_to_left_with_no_serious_accessibility_faults(
    page: Any, live_server: Any, centre: Organisation
) -> None:
    for path in ("/ur/", "/ur/report/", "/ur/get-support/"):
        page.goto(live_server.url + path)
        assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
        assert axe_violations(page) == [], path

"""Quick exit in a real browser: the button and Escape twice both leave, and leave no way back."""

from __future__ import annotations

import os
from typing import Any

import pytest

from bridgeway.accounts.models import Organisation
from bridgeway.conftest import axe_violations

pytestmark = [pytest.mark.browser]

NEUTRAL_SITE = "https://www.bbc.co.uk/weather"
# The home page, and a page that is not there (its 404 page is a public page too).
PUBLIC_PAGES = ["/en/", "/en/no-such-page/"]


@pytest.fixture
def neutral_site(page: Any) -> list[str]:
    """Stands in for the BBC so no request leaves the machine; records what was asked of it."""
    requested: list[str] = []

    def fulfil(route: Any) -> None:
        requested.append(route.request.url)
        route.fulfill(body="<title>Weather</title>", content_type="text/html")

    page.route("https://www.bbc.co.uk/**", fulfil)
    return requested


def _open(page: Any, live_server: Any, path: str) -> None:
    page.goto(live_server.url + path)
    page.wait_for_load_state("load")
    assert page.locator("[data-quick-exit-link]").is_visible()


def _assert_left_for_good(page: Any, live_server: Any, requested: list[str]) -> None:
    page.wait_for_url(NEUTRAL_SITE)
    assert page.title() == "Weather"
    assert requested == [NEUTRAL_SITE]
    # The Bridgeway page's history entry was replaced: Back does not return to it.
    page.go_back()
    assert not page.url.startswith(live_server.url)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_quick_exit_button_leaves_and_back_does_not_return(
    page, live_server, live_reference_data, neutral_site, path
):
    _open(page, live_server, path)
    page.get_by_role("button", name="Leave this site quickly").or_(
        page.get_by_role("link", name="Leave this site quickly")
    ).click()
    _assert_left_for_good(page, live_server, neutral_site)


def test_escape_pressed_twice_leaves_and_back_does_not_return(
    page, live_server, live_reference_data, neutral_site
):
    _open(page, live_server, "/en/")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    _assert_left_for_good(page, live_server, neutral_site)


def test_escape_pressed_once_stays_on_the_page(
    page, live_server, live_reference_data, neutral_site
):
    # While Playwright runs, browser tests may still use the ORM from the test thread.
    assert os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE") == "true"
    assert Organisation.objects.count() >= 0
    _open(page, live_server, "/en/no-such-page/")
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert page.url == live_server.url + "/en/no-such-page/"
    assert neutral_site == []


def test_back_after_quick_exit_does_not_return_to_an_earlier_bridgeway_page(
    page, live_server, live_reference_data, neutral_site
):
    # Two Bridgeway pages in the history: leaving from the second replaces only that entry,
    # so Back lands on the first. This shows the check above can fail: history is real here.
    _open(page, live_server, "/en/no-such-page/")
    _open(page, live_server, "/en/another-missing-page/")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(NEUTRAL_SITE)
    page.go_back()
    assert page.url == live_server.url + "/en/no-such-page/"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_serious_accessibility_violations(
    page, live_server, live_reference_data, path
):
    _open(page, live_server, path)
    assert axe_violations(page) == []

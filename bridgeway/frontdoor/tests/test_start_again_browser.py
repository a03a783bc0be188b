"""Clearing the answers, as a person meets it in Chromium (issue 12, item 6): the button is a
grey secondary action, not red like the quick exit beside it, and it asks before it clears."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BACKGROUND = "(element) => getComputedStyle(element).backgroundColor"


def test_clearing_answers_looks_unlike_the_exit_and_asks_first(
    live_server: Any, live_reference_data: None, page: Any
) -> None:
    page.goto(f"{live_server.url}/en/get-support/")
    page.get_by_label("Where are you?").fill("LS6 1AA")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/get-support/what/")

    exit_colour = page.get_by_role("link", name="Leave this site quickly").evaluate(BACKGROUND)
    clear = page.get_by_role("button", name="Clear my answers and start again")
    clear_colour = clear.evaluate(BACKGROUND)
    # The quick exit is GOV.UK's warning red; clearing is the grey secondary button.
    assert exit_colour == "rgb(202, 53, 53)"
    assert clear_colour != exit_colour
    red, green, blue = (int(part) for part in clear_colour[4:-1].split(","))
    assert max(red, green, blue) - min(red, green, blue) < 20, clear_colour

    # Pressed by mistake: it asks, and "No" keeps every answer.
    clear.click()
    assert page.get_by_role("heading", name="Clear your answers and start again?").is_visible()
    page.get_by_role("link", name="No, keep my answers").click()
    page.goto(f"{live_server.url}/en/get-support/")
    assert page.get_by_label("Where are you?").input_value() == "LS6 1AA"

    # Asked again and confirmed, the answers are gone.
    page.goto(f"{live_server.url}/en/get-support/what/")
    page.get_by_role("button", name="Clear my answers and start again").click()
    page.get_by_role("button", name="Yes, clear my answers").click()
    page.wait_for_url("**/en/get-support/")
    assert page.get_by_label("Where are you?").input_value() == ""

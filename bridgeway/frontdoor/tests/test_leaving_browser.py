"""Quick exit in Chromium: Back shows nothing entered, and history titles say nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from bridgeway.accounts.models import Membership, Organisation
from bridgeway.accounts.tests.factories import MembershipFactory, OrganisationFactory
from bridgeway.casework.models import Referral
from bridgeway.conftest import WEST_YORKSHIRE, sign_in
from bridgeway.directory.services import service_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEUTRAL_SITE = "https://www.bbc.co.uk/weather"


def _neutral(page: Any) -> None:
    page.route(
        "https://www.bbc.co.uk/**",
        lambda route: route.fulfill(body="<title>Weather</title>", content_type="text/html"),
    )


def _history_titles(page: Any) -> list[str]:
    session = page.context.new_cdp_session(page)
    history = session.send("Page.getNavigationHistory")
    return [entry["title"] for entry in history["entries"]]


def test_back_after_quick_exit_shows_nothing_entered(
    live_server: Any, live_reference_data: None, page: Any
) -> None:
    _neutral(page)
    OrganisationFactory(
        name="West Yorkshire Hate Reporting Centre",
        slug="wy-hate-reporting",
        kind=Organisation.Kind.REPORTING_CENTRE,
        area_codes=[WEST_YORKSHIRE],
    )
    page.goto(f"{live_server.url}/en/get-support/")
    page.get_by_label("Where are you?").fill("LS6 1AA")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Someone hurt or threatened me", exact=False).check()
    page.get_by_role("button", name="Continue").click()
    page.goto(f"{live_server.url}/en/report/")
    page.get_by_label("What happened?", exact=True).fill("They spat at me on the bus.")
    assert Session.objects.count() == 1

    page.get_by_role("link", name="Leave this site quickly").click()
    page.wait_for_url(NEUTRAL_SITE)
    # The server forgot the journey before the browser left.
    assert Session.objects.count() == 0
    titles = _history_titles(page)
    for title in titles:
        for word in ("hate", "report", "crime", "spat", "ls6"):
            assert word not in title.lower(), titles

    # Back lands on the last question before the report: nothing is chosen or filled.
    page.go_back()
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    assert page.url.startswith(live_server.url)
    assert page.locator("input:checked").count() == 0
    page.go_back()
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    # One more Back: the "what happened" question, with nothing ticked.
    assert "/get-support/what/" in page.url
    assert page.locator("input:checked").count() == 0
    assert page.locator("select[name=language], input[name=what]").count() >= 1


def test_an_idle_journey_is_forgotten_by_the_server(
    live_server: Any, live_reference_data: None, page: Any, settings: Any
) -> None:
    page.goto(f"{live_server.url}/en/get-support/")
    page.get_by_label("Where are you?").fill("LS6 1AA")
    page.get_by_role("button", name="Continue").click()
    session = Session.objects.get()
    data = session.get_decoded()
    data["frontdoor.last_seen"] = "2020-01-01T00:00:00+00:00"
    Session.objects.filter(pk=session.pk).update(session_data=Session.objects.encode(data))
    page.goto(f"{live_server.url}/en/get-support/")
    assert page.locator("input[name=where]").input_value() == ""


def test_an_urdu_journey_fills_the_referral_form(
    live_server: Any, live_reference_data: None, page: Any
) -> None:
    organisation = OrganisationFactory(name="Bradford Support", slug="bradford-support")
    service = service_create(
        organisation=organisation,
        name="Bradford Hate Crime Support",
        district_codes=["E08000032"],
        language_codes=["urd", "eng"],
        harm_type_codes=["hate_crime"],
    )
    page.goto(f"{live_server.url}/ur/get-support/")
    page.locator("input[name=where]").fill("BD3")
    page.locator("button[value=continue]").click()
    page.locator("input[value=hate_crime]").check()
    page.locator("button[value=continue]").click()
    page.locator("select[name=language]").select_option("urd")
    page.locator("button[value=continue]").click()
    page.locator("button[value=skip]").click()
    page.locator("input[name=age]").fill("17")
    page.locator("button[value=continue]").click()
    page.locator("button[value=skip]").click()
    page.goto(f"{live_server.url}/ur/services/{service.id}/refer/")
    assert page.locator("input[name=what][value=hate_crime]").is_checked()
    assert page.locator("select[name=language]").input_value() == "urd"
    assert page.locator("input[name=postcode]").input_value() == "BD3"
    assert page.locator("input[name=age_band][value=under_18]").is_checked()
    page.locator("input[name=channels][value=none]").check()
    page.locator("form[method=post] button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/ur/refer/done/")
    referral = Referral.objects.get()
    assert referral.harm_types == ["hate_crime"]
    assert referral.person.language == "urd"
    assert referral.person.age_band == "under_18"
    # The practitioner reads the person's answers, not "English" and "Not said".
    practitioner = MembershipFactory(organisation=organisation, role=Membership.Role.PRACTITIONER)
    staff = sign_in(Client(), practitioner.user)
    detail = staff.get(f"/staff/referrals/{referral.reference}/").content.decode()
    language = detail.split("Language</dt>", 1)[1].split("</dd>", 1)[0]
    assert "Urdu" in language, language
    about = detail.split("What it is about</dt>", 1)[1].split("</dd>", 1)[0]
    assert "Hate crime" in about, about

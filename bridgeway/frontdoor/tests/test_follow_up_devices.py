"""Strangers who know a reference pause it for a day; the reporter's own device still opens it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client

from bridgeway.accounts.models import Organisation
from bridgeway.casework.models import Referral, Report
from bridgeway.casework.services import PersonDetails, report_create
from bridgeway.frontdoor.tests.test_report import _answers as report_answers
from bridgeway.frontdoor.views import FOLLOW_UP_GRANT_KEY

URL = "/en/report/follow-up/"
COOKIE = "bridgeway_device_follow_up"
PAUSED = "We have paused checking this report for a day"


def _report(reporting_centre: Organisation) -> tuple[Referral, str]:
    return report_create(
        organisation=reporting_centre,
        details=PersonDetails(),
        contact=None,
        is_anonymous=True,
        narrative="Shouted at on the bus.",
        hate_strands=["race"],
    )


def attack(reference: str, tries: int) -> None:
    """Wrong codes for one reference, each from a different address."""
    for number in range(tries):
        Client().post(
            URL, {"reference": reference, "code": "WRONG"}, REMOTE_ADDR=f"198.51.100.{number}"
        )


def try_code(client: Client, reference: str, code: str, address: str = "192.0.2.50") -> Any:
    return client.post(URL, {"reference": reference, "code": code}, REMOTE_ADDR=address)


def test_strangers_from_many_addresses_pause_the_report_at_exactly_the_limit(
    reporting_centre: Organisation,
) -> None:
    referral, code = _report(reporting_centre)
    attack(referral.reference, settings.FOLLOW_UP_FAILURE_LIMIT - 1)
    assert Report.objects.get(pk=referral.pk).follow_up_locked_until is None

    attack(referral.reference, 1)

    html = try_code(Client(), referral.reference, code, "192.0.2.99").content.decode()
    assert PAUSED in html
    assert "Shouted at" not in html


def test_the_browser_the_report_was_made_on_still_opens_it_while_it_is_paused(
    reporting_centre: Organisation,
) -> None:
    reporter = Client()
    made = reporter.post("/en/report/", report_answers(), REMOTE_ADDR="192.0.2.50")
    assert made.status_code == 302
    assert made.cookies[COOKIE]["httponly"]
    referral = Referral.objects.get()
    code = reporter.get("/en/report/done/").content.decode().split('id="follow-up-code">')[1]
    code = code.split("<")[0]
    attack(referral.reference, settings.FOLLOW_UP_FAILURE_LIMIT * 3)
    assert PAUSED in try_code(Client(), referral.reference, code).content.decode()

    response = try_code(reporter, referral.reference, code)

    assert response.status_code == 302
    assert FOLLOW_UP_GRANT_KEY in reporter.session


def test_a_browser_that_opened_the_report_once_is_recognised_afterwards(
    reporting_centre: Organisation,
) -> None:
    referral, code = _report(reporting_centre)
    reporter = Client()
    assert try_code(reporter, referral.reference, code).status_code == 302
    reporter.post(URL, {"action": "finish"})
    attack(referral.reference, settings.FOLLOW_UP_FAILURE_LIMIT)

    assert try_code(reporter, referral.reference, code).status_code == 302


def test_wrong_codes_on_the_reporters_device_do_not_count_against_the_report(
    reporting_centre: Organisation,
) -> None:
    referral, code = _report(reporting_centre)
    reporter = Client()
    try_code(reporter, referral.reference, code)
    for _ in range(settings.FOLLOW_UP_DEVICE_LIMIT - 1):
        try_code(reporter, referral.reference, "WRONG")

    assert Report.objects.get(pk=referral.pk).failed_follow_ups == 0
    assert try_code(reporter, referral.reference, code).status_code == 302


def test_the_reporters_device_has_its_own_few_tries_then_counts_as_a_stranger(
    reporting_centre: Organisation,
) -> None:
    referral, code = _report(reporting_centre)
    reporter = Client()
    try_code(reporter, referral.reference, code)
    attack(referral.reference, settings.FOLLOW_UP_FAILURE_LIMIT)
    for _ in range(settings.FOLLOW_UP_DEVICE_LIMIT):
        assert try_code(reporter, referral.reference, "WRONG").status_code == 200

    assert PAUSED in try_code(reporter, referral.reference, code).content.decode()


def test_a_device_known_to_one_report_is_a_stranger_to_another(
    reporting_centre: Organisation,
) -> None:
    mine, my_code = _report(reporting_centre)
    theirs, their_code = _report(reporting_centre)
    browser = Client()
    try_code(browser, mine.reference, my_code)
    attack(theirs.reference, settings.FOLLOW_UP_FAILURE_LIMIT)

    assert PAUSED in try_code(browser, theirs.reference, their_code).content.decode()
    assert COOKIE in browser.cookies
    assert mine.reference not in browser.cookies[COOKIE].value

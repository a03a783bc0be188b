"""Checking on a report with its reference and follow-up code."""

from __future__ import annotations

import pytest
from django.test import Client

from bridgeway.accounts.models import Organisation
from bridgeway.casework.models import Referral
from bridgeway.casework.services import (
    FOLLOW_UP_FAILURE_LIMIT,
    PersonDetails,
    referral_advance,
    report_create,
)

VAGUE = "We could not find a report with that reference and code."


@pytest.fixture
def made_report(reporting_centre: Organisation) -> tuple[Referral, str]:
    return report_create(
        organisation=reporting_centre,
        details=PersonDetails(),
        contact=None,
        is_anonymous=True,
        narrative="Graffiti on the mosque wall.",
        hate_strands=["religion"],
    )


def test_the_follow_up_page_shows_an_empty_form(client: Client) -> None:
    html = client.get("/en/report/follow-up/").content.decode()
    assert '<label class="govuk-label govuk-label--s" for="id_reference">Reference</label>' in html
    assert "Follow-up code" in html
    assert VAGUE not in html


def test_the_right_code_shows_where_the_report_is_in_plain_words(
    client: Client, made_report: tuple[Referral, str], practitioner: object
) -> None:
    referral, code = made_report
    referral_advance(referral=referral, stage="contacted", actor=None)
    response = client.post(
        "/en/report/follow-up/",
        {"reference": referral.reference.lower(), "code": code},
        follow=True,
    )
    html = response.content.decode()
    # POST-redirect-GET: no form holding the code is left in history to be sent again.
    assert response.redirect_chain == [("/en/report/follow-up/", 302)]
    assert response.status_code == 200
    assert "Someone has been in touch." in html
    assert "West Yorkshire Hate Reporting Centre" in html
    assert code not in html


def test_the_status_is_in_welsh_on_the_welsh_site(
    client: Client, made_report: tuple[Referral, str]
) -> None:
    referral, code = made_report
    html = client.post(
        "/cy/report/follow-up/", {"reference": referral.reference, "code": code}, follow=True
    ).content.decode()
    assert "Mae gennym ni fe. Does neb wedi cysylltu eto." in html


def test_a_tampered_code_gets_one_vague_message_and_changes_nothing(
    client: Client, made_report: tuple[Referral, str]
) -> None:
    referral, code = made_report
    tampered = ("0" if code[0] != "0" else "1") + code[1:]
    response = client.post(
        "/en/report/follow-up/", {"reference": referral.reference, "code": tampered}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert VAGUE in html
    assert tampered not in html
    assert "Graffiti" not in html
    referral.refresh_from_db()
    assert referral.stage == "referred"


def test_an_unknown_reference_gets_the_same_vague_message(client: Client) -> None:
    html = client.post(
        "/en/report/follow-up/", {"reference": "BW-0000-0000", "code": "AAAA-BBBB-CCCC-DDDD"}
    ).content.decode()
    assert VAGUE in html


def test_too_many_tries_lock_the_reference_with_a_clear_message(
    client: Client, made_report: tuple[Referral, str]
) -> None:
    referral, code = made_report
    for _try in range(FOLLOW_UP_FAILURE_LIMIT):
        client.post("/en/report/follow-up/", {"reference": referral.reference, "code": "WRONG"})
    html = client.post(
        "/en/report/follow-up/", {"reference": referral.reference, "code": code}
    ).content.decode()
    assert "too many tries" in html
    # A day's pause, on devices the report was not made or opened on (0061).
    assert "We have paused checking this report for a day" in html
    assert "On the phone or computer you made the report on, you can still check it." in html
    assert "You can try again here after" in html
    assert "Someone has been in touch." not in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reference": "", "code": "X"}, "Enter the reference of your report."),
        ({"reference": "BW-0000-0000", "code": ""}, "Enter your follow-up code."),
        ({"reference": "hello", "code": "X"}, "Enter the reference as it was given"),
        (
            {"reference": "BW-0000-0000", "code": "x" * 10_000},
            "The follow-up code must be 40 characters or fewer.",
        ),
    ],
)
def test_bad_input_is_explained(client: Client, data: dict[str, str], message: str) -> None:
    response = client.post("/en/report/follow-up/", data)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_code_is_never_accepted_in_the_url(
    client: Client, made_report: tuple[Referral, str]
) -> None:
    referral, code = made_report
    response = client.get(
        "/en/report/follow-up/", {"reference": referral.reference, "code": code}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain == [("/en/report/follow-up/", 302)]
    assert "Where it is now" not in html
    assert code not in html

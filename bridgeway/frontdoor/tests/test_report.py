"""Third-party hate-incident reports: named or anonymous, answered with a reference and a code."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from bridgeway.accounts.models import Organisation
from bridgeway.casework.models import Referral
from bridgeway.casework.references import normalise_code
from bridgeway.frontdoor.forms import ReportForm
from bridgeway.frontdoor.views import add_service_errors


def _answers(**changes: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "narrative": "A man shouted racist abuse at my neighbour at the bus stop.",
        "incident_day": "3",
        "incident_month": "2",
        "incident_year": "2025",
        "incident_place": "Bus stop on Otley Road",
        "postcode": "LS6",
        "hate_strands": ["race"],
        "identity": "anonymous",
        "wants_police_told": "no",
    }
    answers.update(changes)
    return answers


def _code_in(html: str) -> str | None:
    found = re.search(r'id="follow-up-code">([^<]+)<', html)
    return found.group(1) if found else None


def test_the_form_explains_anonymity_and_the_police(
    client: Client, reporting_centre: Organisation
) -> None:
    html = client.get("/en/report/").content.decode()
    assert "Do you want to tell us who you are?" in html
    assert "No, I want to stay anonymous" in html
    assert "will not pass your report to the police unless you choose yes" in html
    assert "Race, ethnicity, nationality or skin colour" in html


def test_an_anonymous_report_gets_a_reference_and_a_code_shown_once(
    client: Client, reporting_centre: Organisation
) -> None:
    response = client.post("/en/report/", _answers())
    assert response.status_code == 302
    assert response["Location"] == "/en/report/done/"
    referral = Referral.objects.get()
    assert referral.kind == Referral.Kind.REPORT
    assert referral.organisation == reporting_centre
    assert referral.hate_strands == ["race"]
    assert referral.report.is_anonymous is True
    assert referral.report.wants_police_told is False
    assert referral.report.incident_date == dt.date(2025, 2, 3)
    assert referral.report.incident_place == "Bus stop on Otley Road"

    first = client.get("/en/report/done/").content.decode()
    code = _code_in(first)
    assert code
    assert referral.reference in first
    assert "Write this code down now" in first
    assert check_password(normalise_code(code), referral.report.follow_up_code_hash)
    assert code not in referral.report.follow_up_code_hash

    again = client.get("/en/report/done/").content.decode()
    assert referral.reference in again
    assert code not in again
    assert "cannot be shown again" in again


def test_an_anonymous_report_keeps_no_name_or_contact_even_if_typed(
    client: Client, reporting_centre: Organisation
) -> None:
    client.post(
        "/en/report/",
        _answers(name_to_use="Sam", channels=["email"], email="not-an-email", phone="12"),
    )
    person = Referral.objects.get().person
    assert person.name == ""
    assert person.email == ""
    assert person.phone == ""
    assert person.contact_preference.channels == ["none"]


def test_a_named_report_keeps_how_to_contact_the_person(
    client: Client, reporting_centre: Organisation
) -> None:
    response = client.post(
        "/en/report/",
        _answers(
            identity="named",
            name_to_use="Sam",
            channels=["email"],
            email="sam@example.org",
            times="Mornings",
            wants_police_told="yes",
        ),
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.report.is_anonymous is False
    assert referral.report.wants_police_told is True
    assert referral.person.email == "sam@example.org"
    assert referral.person.contact_preference.channels == ["email"]
    assert referral.person.contact_preference.name_to_use == "Sam"


def test_a_named_report_checks_the_contact_answers(
    client: Client, reporting_centre: Organisation
) -> None:
    html = client.post(
        "/en/report/", _answers(identity="named", channels=["email"], email="")
    ).content.decode()
    assert "Enter an email address, as you chose email." in html
    assert not Referral.objects.exists()


def test_the_report_goes_to_the_centre_covering_the_postcode(
    client: Client, national_centre: Organisation, reporting_centre: Organisation
) -> None:
    client.post("/en/report/", _answers(postcode="LS6 1AA"))
    assert Referral.objects.get().organisation == reporting_centre


def test_without_a_local_centre_the_report_goes_to_the_national_one(
    client: Client, national_centre: Organisation, reporting_centre: Organisation
) -> None:
    client.post("/en/report/", _answers(postcode="B1 1AA"))
    assert Referral.objects.get().organisation == national_centre


def test_the_person_can_choose_the_centre(
    client: Client, national_centre: Organisation, reporting_centre: Organisation
) -> None:
    client.post("/en/report/", _answers(postcode="LS6 1AA", centre=str(national_centre.pk)))
    assert Referral.objects.get().organisation == national_centre


def test_a_tampered_centre_choice_is_refused(
    client: Client, reporting_centre: Organisation, organisation: Organisation
) -> None:
    html = client.post("/en/report/", _answers(centre=str(organisation.pk))).content.decode()
    assert "Choose a reporting centre from the list." in html
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"narrative": ""}, "Tell us what happened, in your own words."),
        (
            {"narrative": "x" * 10_000},
            "What happened must be 5000 characters or fewer. You have entered 10000.",
        ),
        ({"incident_day": "31", "incident_month": "2"}, "Enter a real date, like 27 3 2025."),
        ({"incident_day": "a"}, "Enter the date as numbers"),
        ({"incident_place": "x" * 201}, "Where it happened must be 200 characters or fewer."),
        ({"hate_strands": ["bame"]}, "Choose what it was about from the list."),
        ({"identity": "maybe"}, "Choose whether to stay anonymous."),
        ({"wants_police_told": "perhaps"}, "Choose yes or no."),
        ({"postcode": "not a postcode"}, "Enter a full postcode"),
    ],
)
def test_bad_answers_are_explained_and_nothing_is_saved(
    client: Client, reporting_centre: Organisation, changes: dict[str, Any], message: str
) -> None:
    response = client.post("/en/report/", _answers(**changes))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    assert not Referral.objects.exists()


def test_a_date_in_the_future_is_refused(client: Client, reporting_centre: Organisation) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    html = client.post(
        "/en/report/",
        _answers(
            incident_day=str(tomorrow.day),
            incident_month=str(tomorrow.month),
            incident_year=str(tomorrow.year),
        ),
    ).content.decode()
    assert "The date cannot be in the future." in html
    assert not Referral.objects.exists()


def test_a_missing_narrative_is_explained_in_welsh(
    client: Client, reporting_centre: Organisation
) -> None:
    html = client.post("/cy/report/", _answers(narrative="")).content.decode()
    assert "Dywedwch wrthym beth ddigwyddodd, yn eich geiriau eich hun." in html


def test_the_confirmation_page_without_a_report_goes_to_the_start(client: Client) -> None:
    response = client.get("/cy/report/done/")
    assert response.status_code == 302
    assert response["Location"] == "/cy/"


def test_with_no_reporting_centre_the_page_says_so(client: Client) -> None:
    response = client.post("/en/report/", _answers())
    assert response.status_code == 200
    assert "Reports cannot be taken here at the moment." in response.content.decode()
    assert not Referral.objects.exists()


def test_a_casework_error_is_shown_against_the_question_it_is_about(
    reporting_centre: Organisation,
) -> None:
    form = ReportForm(_answers(), centres=[reporting_centre])
    assert form.is_valid()
    add_service_errors(
        form,
        ValidationError({"incident_date": "Bad date.", "organisation": "No reports here."}),
    )
    assert form.errors["incident_day"] == ["Bad date."]
    assert form.errors["centre"] == ["No reports here."]

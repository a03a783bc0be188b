"""Words a person and staff read that must not contradict what happened."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.accounts.tests.factories import MembershipFactory
from bridgeway.casework.models import Referral
from bridgeway.casework.services import PersonDetails, message_to_reporter, report_create
from bridgeway.conftest import sign_in


def _report(**changes: Any) -> dict[str, Any]:
    return {
        "narrative": "Someone kicked my door and shouted about my religion.",
        "identity": "anonymous",
        "wants_police_told": "no",
        **changes,
    }


@pytest.fixture
def centre_worker(practitioner: User, reporting_centre: Organisation) -> User:
    MembershipFactory(
        user=practitioner, organisation=reporting_centre, role=Membership.Role.PRACTITIONER
    )
    return practitioner


def test_the_report_form_asks_whether_it_was_a_crime(
    client: Client, reporting_centre: Organisation
) -> None:
    html = client.get("/en/report/").content.decode()
    assert "Do you think it was a crime?" in html
    for answer in ('value="yes"', 'value="no"', 'value="not_sure"'):
        assert f'name="thinks_crime" type="radio" {answer}' in html


@pytest.mark.parametrize(
    ("answer", "harm_type"),
    [("yes", "hate_crime"), ("no", "hate_incident"), ("not_sure", "hate_incident")],
)
def test_the_reporters_view_is_kept_and_decides_the_label(
    client: Client, reporting_centre: Organisation, answer: str, harm_type: str
) -> None:
    response = client.post("/en/report/", _report(thinks_crime=answer))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.report.thinks_crime == answer
    assert referral.harm_types == [harm_type]


def test_a_report_that_does_not_say_keeps_nothing_for_it(
    client: Client, reporting_centre: Organisation
) -> None:
    client.post("/en/report/", _report())
    referral = Referral.objects.get()
    assert referral.report.thinks_crime == ""
    assert referral.harm_types == ["hate_incident"]


def test_an_unknown_answer_is_refused(client: Client, reporting_centre: Organisation) -> None:
    response = client.post("/en/report/", _report(thinks_crime="maybe"))
    assert response.status_code == 200
    assert "Choose yes, no or not sure." in response.content.decode()
    assert not Referral.objects.exists()


def test_staff_read_the_reporters_own_words(
    client: Client, reporting_centre: Organisation, centre_worker: User
) -> None:
    client.post("/en/report/", _report(thinks_crime="yes"))
    referral = Referral.objects.get()
    staff = sign_in(Client(), centre_worker)
    page = staff.get(
        reverse("casework:referral-detail", args=[referral.reference])
    ).content.decode()
    assert "They think it was a crime" in page
    assert "Hate incident (not a crime)" not in page


def test_a_reply_means_someone_has_been_in_touch(
    client: Client, reporting_centre: Organisation, centre_worker: User
) -> None:
    referral, code = report_create(
        organisation=reporting_centre,
        details=PersonDetails(),
        contact=None,
        is_anonymous=True,
        narrative="Stones thrown at our window.",
    )
    before = client.post(
        "/en/report/follow-up/", {"reference": referral.reference, "code": code}, follow=True
    ).content.decode()
    assert "No one has been in touch yet" in before
    message_to_reporter(referral=referral, actor=centre_worker, text="We can help.")
    after = client.get("/en/report/follow-up/").content.decode()
    assert "We can help." in after
    assert "No one has been in touch yet" not in after
    assert "Someone has been in touch." in after


def test_staff_stage_words_agree_with_waiting_for_first_contact(
    client: Client, reporting_centre: Organisation, centre_worker: User
) -> None:
    client.post("/en/report/", _report())
    staff = sign_in(Client(), centre_worker)
    page = staff.get(reverse("casework:inbox")).content.decode()
    assert "Waiting for first contact" in page
    assert "Referred or reported, not contacted yet" in page
    assert "first contact received" not in page


def test_clearing_answers_is_not_red_and_asks_first(client: Client) -> None:
    client.post("/en/get-support/", {"where": "LS6 1AA", "action": "continue"})
    question = client.get("/en/get-support/what/").content.decode()
    # Only the quick exit is red.
    assert question.count("govuk-button--warning") == 1
    assert 'href="/en/get-support/start-again/check/"' in question
    check = client.get("/en/get-support/start-again/check/").content.decode()
    assert "Clear your answers and start again?" in check
    assert 'action="/en/get-support/start-again/"' in check
    assert "No, keep my answers" in check
    assert client.session.get("frontdoor.get_support")
    response = client.post("/en/get-support/start-again/")
    assert response["Location"] == "/en/get-support/"
    assert not client.session.get("frontdoor.get_support")


def test_the_check_page_sends_people_back_to_their_results(client: Client) -> None:
    client.post("/en/get-support/", {"where": "LS6 1AA", "action": "continue"})
    check = client.get("/en/get-support/start-again/check/").content.decode()
    assert 'href="/en/get-support/results/"' in check
    fresh = Client().get("/en/get-support/start-again/check/").content.decode()
    assert 'href="/en/get-support/"' in fresh

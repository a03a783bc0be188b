"""The funding pages: who sees what, applying, deciding, and feedback reaching applicants."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from bridgeway.commissioning.models import Application, Decision
from bridgeway.commissioning.tests.factories import (
    ClosedFundingRoundFactory,
    DeclinedApplicationFactory,
)

ROUNDS = reverse("commissioning:rounds")


def _round_url(funding_round):
    return reverse("commissioning:round", args=[funding_round.id])


def _apply_url(funding_round):
    return reverse("commissioning:apply", args=[funding_round.id])


def _decide_url(application):
    return reverse("commissioning:decide", args=[application.id])


# --- signed out ---------------------------------------------------------------------


def test_unauthenticated_person_is_sent_to_sign_in_from_the_funding_list(db):
    response = Client().get(ROUNDS)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_unauthenticated_person_cannot_see_a_round(funding_round):
    response = Client().get(_round_url(funding_round))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_unauthenticated_person_cannot_apply(funding_round):
    response = Client().post(_apply_url(funding_round), {"summary": "x", "amount_requested": "1"})

    assert response.status_code == 302
    assert not Application.objects.exists()


def test_unauthenticated_person_cannot_decide(application):
    response = Client().post(_decide_url(application), {"outcome": "awarded"})

    assert response.status_code == 302
    assert not Decision.objects.exists()


# --- the list of open rounds ----------------------------------------------------------


def test_any_staff_member_sees_open_rounds_but_not_closed_ones(
    funding_round, commissioner_office, outsider_client
):
    ClosedFundingRoundFactory(commissioner=commissioner_office, title="Last year's round")

    response = outsider_client.get(ROUNDS)

    assert response.status_code == 200
    assert "Reaching communities: small grants" in response.content.decode()
    assert "Last year&#x27;s round" not in response.content.decode()


def test_organisation_admin_sees_an_apply_form(funding_round, admin_client_of_organisation):
    response = admin_client_of_organisation.get(ROUNDS)

    assert "Apply to this round" in response.content.decode()
    assert _apply_url(funding_round) in response.content.decode()


def test_practitioner_sees_no_apply_form(funding_round, practitioner_client):
    response = practitioner_client.get(ROUNDS)

    assert "Reaching communities: small grants" in response.content.decode()
    assert "Apply to this round" not in response.content.decode()


def test_applicant_sees_the_outcome_and_feedback(funding_round, organisation, practitioner_client):
    DeclinedApplicationFactory(funding_round=funding_round, applicant=organisation)

    page = practitioner_client.get(ROUNDS).content.decode()

    assert "Declined" in page
    assert "The budget did not show how the post continues after the grant." in page


def test_other_organisations_do_not_see_an_applicants_feedback(
    funding_round, organisation, outsider_client
):
    DeclinedApplicationFactory(funding_round=funding_round, applicant=organisation)

    page = outsider_client.get(ROUNDS).content.decode()

    assert "The budget did not show" not in page


# --- applying ---------------------------------------------------------------------


def test_organisation_admin_applies(funding_round, organisation, admin_client_of_organisation):
    response = admin_client_of_organisation.post(
        _apply_url(funding_round),
        {
            "applicant": organisation.pk,
            "summary": "Two mentors.",
            "amount_requested": "12000",
            "areas_served": funding_round.areas.get().code,
            "action": "submit",
        },
    )

    assert response.status_code == 302
    application = Application.objects.get()
    assert application.applicant == organisation
    assert str(application.amount_requested) == "12000.00"
    assert (
        "has been submitted"
        in admin_client_of_organisation.get(response["Location"]).content.decode()
    )


def test_bad_amount_is_refused_with_a_message_and_nothing_saved(
    funding_round, organisation, admin_client_of_organisation
):
    response = admin_client_of_organisation.post(
        _apply_url(funding_round),
        {"applicant": organisation.pk, "summary": "Two mentors.", "amount_requested": "lots"},
    )

    assert response.status_code == 400
    assert "Enter an amount in pounds, like 12500." in response.content.decode()
    assert not Application.objects.exists()


def test_amount_over_the_round_is_refused_with_a_message(
    funding_round, organisation, admin_client_of_organisation
):
    response = admin_client_of_organisation.post(
        _apply_url(funding_round),
        {"applicant": organisation.pk, "summary": "Everything.", "amount_requested": "250000"},
    )

    assert response.status_code == 400
    assert "ask for that or less" in response.content.decode()
    assert not Application.objects.exists()


def test_admin_cannot_apply_for_an_organisation_they_do_not_administer(
    funding_round, other_organisation, admin_client_of_organisation
):
    response = admin_client_of_organisation.post(
        _apply_url(funding_round),
        {"applicant": other_organisation.pk, "summary": "Theirs.", "amount_requested": "100"},
    )

    assert response.status_code == 400
    assert "Choose one of the organisations you administer." in response.content.decode()
    assert not Application.objects.exists()


def test_practitioner_gets_403_when_applying(funding_round, organisation, practitioner_client):
    response = practitioner_client.post(
        _apply_url(funding_round),
        {"applicant": organisation.pk, "summary": "x", "amount_requested": "100"},
    )

    assert response.status_code == 403
    assert not Application.objects.exists()


def test_commissioner_gets_403_when_applying(funding_round, commissioner_client):
    assert commissioner_client.get(_apply_url(funding_round)).status_code == 403


def test_closed_round_apply_page_is_404(commissioner_office, admin_client_of_organisation):
    closed = ClosedFundingRoundFactory(commissioner=commissioner_office)

    assert admin_client_of_organisation.get(_apply_url(closed)).status_code == 404


# --- a round's applications and decisions ---------------------------------------------


def test_commissioner_sees_the_rounds_applications_with_a_decide_form(
    application, commissioner_client
):
    page = commissioner_client.get(_round_url(application.funding_round)).content.decode()

    assert "Leeds Community Support" in page
    assert "A part-time caseworker who speaks Urdu and Panjabi." in page
    assert _decide_url(application) in page


def test_analyst_sees_applications_but_no_decide_form(application, analyst_client):
    response = analyst_client.get(_round_url(application.funding_round))

    assert response.status_code == 200
    assert "Leeds Community Support" in response.content.decode()
    assert _decide_url(application) not in response.content.decode()


def test_outsider_gets_404_for_a_round(application, outsider_client):
    assert outsider_client.get(_round_url(application.funding_round)).status_code == 404


def test_applicant_gets_404_for_the_rounds_applications(application, admin_client_of_organisation):
    assert (
        admin_client_of_organisation.get(_round_url(application.funding_round)).status_code == 404
    )


def test_commissioner_of_another_office_gets_404_for_a_round(
    application, other_commissioner_client
):
    assert other_commissioner_client.get(_round_url(application.funding_round)).status_code == 404


def test_declining_without_feedback_shows_what_to_fix_and_changes_nothing(
    application, commissioner_client
):
    prefix = str(application.id)

    response = commissioner_client.post(
        _decide_url(application), {f"{prefix}-outcome": "declined", f"{prefix}-feedback": ""}
    )

    assert response.status_code == 400
    assert "Tell the organisation why it was declined" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not Decision.objects.exists()


def test_commissioner_declines_with_feedback_and_the_applicant_reads_it(
    application, commissioner_client, admin_client_of_organisation
):
    prefix = str(application.id)

    response = commissioner_client.post(
        _decide_url(application),
        {
            f"{prefix}-outcome": "declined",
            f"{prefix}-feedback": "Add outcome measures; let us meet.",
        },
    )

    assert response.status_code == 302
    page = admin_client_of_organisation.get(ROUNDS).content.decode()
    assert "Add outcome measures; let us meet." in page


def test_commissioner_awards_part_of_the_request(application, commissioner_client):
    prefix = str(application.id)

    commissioner_client.post(
        _decide_url(application),
        {f"{prefix}-outcome": "awarded", f"{prefix}-amount_awarded": "20000"},
    )

    assert str(Decision.objects.get().amount_awarded) == "20000.00"


def test_missing_outcome_is_refused_with_a_message(application, commissioner_client):
    response = commissioner_client.post(_decide_url(application), {})

    assert response.status_code == 400
    assert "Choose award or decline." in response.content.decode()


def test_analyst_gets_403_when_deciding(application, analyst_client):
    prefix = str(application.id)

    response = analyst_client.post(_decide_url(application), {f"{prefix}-outcome": "awarded"})

    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_outsider_gets_404_when_deciding(application, outsider_client, other_commissioner_client):
    prefix = str(application.id)
    data = {f"{prefix}-outcome": "awarded"}

    assert outsider_client.post(_decide_url(application), data).status_code == 404
    assert other_commissioner_client.post(_decide_url(application), data).status_code == 404
    assert not Decision.objects.exists()


def test_commissioner_starts_review(application, commissioner_client, practitioner_client):
    response = commissioner_client.post(reverse("commissioning:review", args=[application.id]))

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.UNDER_REVIEW
    assert "Under review" in practitioner_client.get(ROUNDS).content.decode()


def test_outsider_gets_404_when_starting_review(application, outsider_client):
    assert (
        outsider_client.post(reverse("commissioning:review", args=[application.id])).status_code
        == 404
    )

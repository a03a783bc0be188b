"""Staff pages for consent, police shares and onward referral."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bridgeway.casework.models import AuditEntry, Consent, Referral, Share
from bridgeway.casework.services import consent_record, onward_referral_create
from bridgeway.conftest import WEST_YORKSHIRE
from bridgeway.directory.tests.factories import NationalServiceFactory


def _detail(client, referral):
    return client.get(reverse("casework:referral-detail", args=[referral.reference]))


def _consent_post(client, referral, **data):
    fields = {"scope": "onward_referral", "given_how": "phone", **data}
    return client.post(
        reverse("casework:consent-record", args=[referral.reference]),
        {f"consent-{key}": value for key, value in fields.items()},
        follow=True,
    )


def test_practitioner_records_consent_and_sees_it_live(
    practitioner_client, referral, other_organisation
):
    response = _consent_post(
        practitioner_client,
        referral,
        recipient_organisation=other_organisation.pk,
        includes=["narrative"],
    )

    page = response.content.decode()
    assert "The person&#x27;s consent was recorded." in page
    assert "Refer to another organisation" in page
    assert "Birmingham Outreach" in page
    assert "What happened, in their words" in page
    assert "Live" in page
    assert Consent.objects.get(person=referral.person).includes == ["narrative"]


def test_consent_form_names_the_missing_field_and_records_nothing(practitioner_client, referral):
    response = practitioner_client.post(
        reverse("casework:consent-record", args=[referral.reference]),
        {"consent-scope": "named_worker", "consent-given_how": "phone"},
    )

    assert response.status_code == 400
    assert "Choose the organisation the person agreed to." in response.content.decode()
    assert not Consent.objects.exists()


def test_consent_form_rejects_a_bad_date(practitioner_client, referral, other_organisation):
    response = practitioner_client.post(
        reverse("casework:consent-record", args=[referral.reference]),
        {
            "consent-scope": "onward_referral",
            "consent-given_how": "phone",
            "consent-recipient_organisation": other_organisation.pk,
            "consent-expires": "next tuesday",
        },
    )

    assert response.status_code == 400
    assert "Enter the end date like 2027-03-31." in response.content.decode()
    assert not Consent.objects.exists()


def test_practitioner_withdraws_a_consent(
    practitioner, practitioner_client, referral, other_organisation
):
    consent = consent_record(
        person=referral.person,
        scope="onward_referral",
        actor=practitioner,
        given_how="phone",
        recipient_organisation=other_organisation,
    )

    response = practitioner_client.post(
        reverse("casework:consent-revoke", args=[referral.reference, consent.pk]), follow=True
    )

    assert "The consent was withdrawn." in response.content.decode()
    consent.refresh_from_db()
    assert consent.revoked_at is not None


def test_withdrawing_another_persons_consent_by_id_is_404(
    practitioner, practitioner_client, referral, service, other_organisation
):
    from bridgeway.casework.tests.factories import make_referral

    someone_else = make_referral(service=service, name="Someone Else")
    consent = consent_record(
        person=someone_else.person,
        scope="onward_referral",
        actor=practitioner,
        given_how="phone",
        recipient_organisation=other_organisation,
    )

    response = practitioner_client.post(
        reverse("casework:consent-revoke", args=[referral.reference, consent.pk])
    )

    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.revoked_at is None


@pytest.mark.parametrize("consent_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_withdrawing_a_missing_consent_is_404(practitioner_client, referral, consent_id):
    response = practitioner_client.post(
        reverse("casework:consent-revoke", args=[referral.reference, consent_id])
    )

    assert response.status_code == 404


def test_police_share_without_consent_is_refused_on_the_page(practitioner_client, referral):
    response = practitioner_client.post(
        reverse("casework:police-share", args=[referral.reference]),
        {"police-police_force_area": WEST_YORKSHIRE},
    )

    assert response.status_code == 400
    assert "has not agreed to this (Pass to the police)" in response.content.decode()
    assert not Share.objects.exists()


def test_police_share_with_consent_is_listed_as_shared(practitioner, practitioner_client, referral):
    from bridgeway.places.models import PoliceForceArea

    consent_record(
        person=referral.person,
        scope="police",
        actor=practitioner,
        given_how="written",
        recipient_police_force_area=PoliceForceArea.objects.get(code=WEST_YORKSHIRE),
    )

    response = practitioner_client.post(
        reverse("casework:police-share", args=[referral.reference]),
        {"police-police_force_area": WEST_YORKSHIRE},
        follow=True,
    )

    page = response.content.decode()
    assert "Recorded as passed to the police." in page
    assert "Nothing has been shared." not in page
    assert Share.objects.filter(referral=referral, scope="police").count() == 1


def test_refer_on_page_lists_matching_services_of_other_organisations(
    practitioner_client, referral, other_organisation
):
    NationalServiceFactory(organisation=other_organisation, name="National Hate Crime Line")

    response = practitioner_client.get(reverse("casework:refer-on", args=[referral.reference]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "National Hate Crime Line" in page
    assert "Leeds Hate Crime Support" not in page


def test_refer_on_page_says_what_is_wrong_with_a_bad_postcode(practitioner_client, referral):
    response = practitioner_client.get(
        reverse("casework:refer-on", args=[referral.reference]), {"postcode": "nowhere"}
    )

    assert response.status_code == 400
    assert "Enter a postcode like LS6 1AA" in response.content.decode()


def test_refer_on_without_consent_is_refused_and_creates_nothing(
    practitioner_client, referral, other_service
):
    response = practitioner_client.post(
        reverse("casework:refer-on", args=[referral.reference]), {"service": other_service.pk}
    )

    assert response.status_code == 400
    assert "Record their consent first" in response.content.decode()
    assert not Referral.objects.filter(organisation=other_service.organisation).exists()


def test_refer_on_with_consent_and_both_sides_see_it(
    practitioner, practitioner_client, outsider_client, referral, other_organisation, other_service
):
    consent_record(
        person=referral.person,
        scope="onward_referral",
        actor=practitioner,
        given_how="phone",
        recipient_organisation=other_organisation,
    )

    response = practitioner_client.post(
        reverse("casework:refer-on", args=[referral.reference]),
        {"service": other_service.pk},
        follow=True,
    )

    received = Referral.objects.get(organisation=other_organisation)
    sender_page = response.content.decode()
    assert "Referred on to Birmingham Outreach Team." in sender_page
    assert received.reference in sender_page
    receiver_page = _detail(outsider_client, received).content.decode()
    assert "Referred on by Leeds Community Support" in receiver_page
    assert "Someone shouted at me" not in receiver_page
    assert "Amara" not in receiver_page
    assert "Do not contact this person." in receiver_page


def test_receiving_organisation_cannot_open_the_original_referral(
    practitioner, outsider_client, referral, other_organisation, other_service
):
    consent_record(
        person=referral.person,
        scope="onward_referral",
        actor=practitioner,
        given_how="phone",
        recipient_organisation=other_organisation,
    )
    onward_referral_create(referral=referral, service=other_service, actor=practitioner)

    assert _detail(outsider_client, referral).status_code == 404
    assert not AuditEntry.objects.filter(
        action="referral.read", object_id=str(referral.pk)
    ).exists()


def test_consent_form_uses_govuk_fieldsets_radios_checkboxes_and_selects(
    practitioner_client, referral
):
    page = _detail(practitioner_client, referral).content.decode()
    form = page[
        page.index('action="' + reverse("casework:consent-record", args=[referral.reference])) :
    ]
    form = form[: form.index("</form>")]

    for legend in (
        "What the person agreed to",
        "What may be shared besides the kinds of harm and the area",
        "How the person gave consent",
    ):
        assert (
            f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>'
            in form
        )
    assert (
        '<input class="govuk-radios__input" id="id_consent-scope_0" name="consent-scope" type="radio"'
        in form
    )
    assert 'class="govuk-checkboxes__input" id="id_consent-includes_0"' in form
    assert '<select name="consent-recipient_organisation" class="govuk-select"' in form
    assert 'class="govuk-input govuk-input--width-10" id="id_consent-expires"' in form
    # No bare Django widget list is left in the form.
    assert "<ul" not in form


def test_consent_form_errors_mark_the_fieldset_and_link_to_the_first_option(
    practitioner_client, referral
):
    response = practitioner_client.post(
        reverse("casework:consent-record", args=[referral.reference]), {}
    )

    page = response.content.decode()
    assert '<a href="#id_consent-scope_0">Choose what the person agreed to.</a>' in page
    assert 'aria-describedby="id_consent-scope-error"' in page
    assert '<p id="id_consent-scope-error" class="govuk-error-message">' in page

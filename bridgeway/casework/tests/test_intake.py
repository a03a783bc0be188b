"""Staff intake: a referral that arrived by phone, from the police, a school ..."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridgeway.accounts.models import User
from bridgeway.casework.models import AuditEntry, Person, Referral
from bridgeway.directory.models import Service

pytestmark = pytest.mark.django_db

URL = reverse("casework:intake")


def _form(service: Service, **overrides: str | list[str]) -> dict[str, str | list[str]]:
    today = timezone.localdate()
    data: dict[str, str | list[str]] = {
        "service": str(service.pk),
        "channel": "police",
        "received_on": today.strftime("%d/%m/%Y"),
        "referred_by": "PC Jane Smith, Leeds district",
        "police_reference": "WY-2026-0412",
        "police_passed_on": (today - dt.timedelta(days=1)).strftime("%d/%m/%Y"),
        "name": "Muhammad Hussain",
        "phone": "07700 900982",
        "email": "",
        "postcode": "",
        "channels": ["phone"],
        "times": "Weekday evenings",
        "harm_types": ["hate_crime"],
        "hate_strands": ["race"],
        "narrative": "Threatened outside his shop.",
        "ethnic_group": "asian_pakistani",
        "age_band": "not_asked",
        "sex": "prefer_not_to_say",
        "sexual_orientation": "not_recorded",
        "religion": "not_asked",
        "disability_status": "not_asked",
    }
    data.update(overrides)
    return data


def test_a_police_referral_entered_by_staff_is_sealed_kept_apart_and_audited(
    practitioner_client: Client, practitioner: User, service: Service
) -> None:
    response = practitioner_client.post(URL, _form(service))

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:referral-detail", args=[referral.reference])
    assert referral.channel == "police"
    assert referral.police_reference == "WY-2026-0412"
    assert referral.police_passed_on == timezone.localdate() - dt.timedelta(days=1)
    assert referral.referred_by == "PC Jane Smith, Leeds district"
    person = referral.person
    assert person.name == "Muhammad Hussain"
    # The three "not known" answers stay apart.
    assert (person.age_band, person.sex, person.sexual_orientation) == (
        "not_asked",
        "prefer_not_to_say",
        "not_recorded",
    )
    assert person.ethnic_group == "asian_pakistani"
    # Sealed: the database holds none of it in clear.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT police_reference, referred_by FROM casework_referral WHERE id = %s",
            [referral.pk.hex if connection.vendor == "sqlite" else str(referral.pk)],
        )
        raw = cursor.fetchone()
    assert "WY-2026" not in str(raw)
    assert "Jane" not in str(raw)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"referral.create", "referral.intake"} <= actions
    assert AuditEntry.objects.get(action="referral.intake").actor == practitioner


@pytest.mark.parametrize(
    "channel", ["phone", "drop_in", "email", "school", "health", "other_agency"]
)
def test_each_channel_can_be_entered(
    practitioner_client: Client, service: Service, channel: str
) -> None:
    data = _form(service, channel=channel, police_reference="", police_passed_on="")
    response = practitioner_client.post(URL, data)
    assert response.status_code == 302
    assert Referral.objects.get().channel == channel


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"police_reference": ""}, "police_reference", "Enter the police reference"),
        ({"police_passed_on": ""}, "police_passed_on", "Enter the date the police passed"),
        ({"police_passed_on": "31/02/2026"}, "police_passed_on", "as a real date"),
        ({"channel": "self"}, "channel", "from the list"),
        ({"channel": "carrier_pigeon"}, "channel", "from the list"),
        ({"received_on": "01/01/2999"}, "received_on", "cannot be in the future"),
        ({"phone": "not a number"}, "phone", "Enter a phone number"),
        ({"channels": ["email"]}, "email", "Enter an email address"),
        ({"ethnic_group": "martian"}, "ethnic_group", "from the list"),
        ({"name": "x" * 201}, "name", "200 characters or fewer"),
        (
            {"disabilities": ["autism"], "disability_status": "prefer_not_to_say"},
            "disabilities",
            "Choose one",
        ),
        ({"postcode": "12345"}, "postcode", "postcode"),
    ],
)
def test_bad_input_names_the_field_and_records_nothing(
    practitioner_client: Client,
    service: Service,
    overrides: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = practitioner_client.post(URL, _form(service, **overrides))

    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert not Referral.objects.exists()
    assert not Person.objects.exists()
    assert b"govuk-error-summary" in response.content


def test_a_police_reference_on_a_phone_referral_is_refused(
    practitioner_client: Client, service: Service
) -> None:
    response = practitioner_client.post(URL, _form(service, channel="phone"))
    assert response.status_code == 400
    assert "police_reference" in response.context["form"].errors
    assert not Referral.objects.exists()


def test_another_organisations_service_cannot_be_chosen(
    outsider_client: Client, service: Service
) -> None:
    response = outsider_client.post(URL, _form(service))
    assert response.status_code == 400
    assert "service" in response.context["form"].errors
    assert not Referral.objects.exists()


def test_the_form_offers_only_ones_own_services_and_staff_channels(
    practitioner_client: Client, service: Service, other_service: Service
) -> None:
    page = practitioner_client.get(URL).content.decode()
    assert service.name in page
    assert other_service.name not in page
    assert 'value="police"' in page
    assert 'value="self"' not in page


def test_the_page_and_its_messages_are_in_welsh(
    practitioner_client: Client, service: Service
) -> None:
    page = practitioner_client.get(URL, HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert "Cofnodi atgyfeiriad" in page
    response = practitioner_client.post(
        URL, _form(service, police_reference=""), HTTP_ACCEPT_LANGUAGE="cy"
    )
    assert "Rhowch gyfeirnod yr heddlu" in " ".join(
        response.context["form"].errors["police_reference"]
    )

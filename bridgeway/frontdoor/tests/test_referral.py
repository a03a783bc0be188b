"""Referring yourself to a service, with safe-contact choices."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from bridgeway.casework.models import Referral
from bridgeway.directory.models import Service


def _refer_url(service: Service, language: str = "en") -> str:
    return f"/{language}/services/{service.id}/refer/"


def _answers(**changes: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "what": ["hate_incident"],
        "narrative": "People shout at me on the way to work.",
        "name_to_use": "Mara",
        "channels": ["phone", "text"],
        "phone": "07700 900 123",
        "email": "",
        "times": "Weekdays after 6pm",
        "may_leave_message": "no",
        "others_may_see": "no",
        "safe_word": "bluebell",
        "postcode": "LS6 1AA",
        "ethnic_group": "black_caribbean",
        "ethnic_group_description": "Jamaican heritage",
        "age_band": "25_34",
        "language": "eng",
    }
    answers.update(changes)
    return answers


def test_the_form_asks_about_safe_contact(client: Client, leeds_service: Service) -> None:
    html = client.get(_refer_url(leeds_service)).content.decode()
    assert "How may we contact you?" in html
    assert "May we leave a voicemail or a message?" in html
    assert "Is it all right if someone else sees or hears our messages to you?" in html
    assert "A safe word" in html
    # The ethnic groups are grouped under the ONS high-level headings.
    assert '<optgroup label="Black, Black British, Black Welsh, Caribbean or African">' in html
    assert "Prefer not to say" in html


def test_a_self_referral_reaches_the_services_organisation_with_its_contact_preferences(
    client: Client, leeds_service: Service
) -> None:
    response = client.post(_refer_url(leeds_service), _answers())
    assert response.status_code == 302
    assert response["Location"] == "/en/refer/done/"
    referral = Referral.objects.get()
    assert referral.organisation == leeds_service.organisation
    assert referral.service == leeds_service
    assert referral.channel == "self"
    assert referral.harm_types == ["hate_incident"]
    assert referral.narrative == "People shout at me on the way to work."
    person = referral.person
    assert person.ethnic_group == "black_caribbean"
    assert person.ethnic_group_description == "Jamaican heritage"
    assert person.age_band == "25_34"
    assert person.phone == "07700900123"
    preference = person.contact_preference
    assert preference.channels == ["phone", "text"]
    assert preference.times == "Weekdays after 6pm"
    assert preference.may_leave_message is False
    assert preference.others_may_see is False
    assert preference.name_to_use == "Mara"
    assert preference.safe_word == "bluebell"


def test_the_confirmation_shows_the_reference_without_it_being_in_the_url(
    client: Client, leeds_service: Service
) -> None:
    response = client.post(_refer_url(leeds_service), _answers(), follow=True)
    reference = Referral.objects.get().reference
    html = response.content.decode()
    assert reference in html
    assert "What happens next" in html
    assert all(reference not in url for url, _status in response.redirect_chain)


def test_equality_questions_left_blank_are_stored_as_prefer_not_to_say(
    client: Client, leeds_service: Service
) -> None:
    client.post(
        _refer_url(leeds_service),
        _answers(ethnic_group="", ethnic_group_description="", age_band="", language=""),
    )
    person = Referral.objects.get().person
    assert person.ethnic_group == "prefer_not_to_say"
    assert person.age_band == "prefer_not_to_say"
    assert person.language == "eng"


def test_a_welsh_referral_with_no_language_chosen_is_recorded_in_welsh(
    client: Client, leeds_service: Service
) -> None:
    client.post(_refer_url(leeds_service, "cy"), _answers(language=""))
    assert Referral.objects.get().person.language == "cym"


def test_asking_not_to_be_contacted_needs_no_phone_or_email(
    client: Client, leeds_service: Service
) -> None:
    response = client.post(
        _refer_url(leeds_service), _answers(channels=["none"], phone="", name_to_use="")
    )
    assert response.status_code == 302
    preference = Referral.objects.get().person.contact_preference
    assert preference.channels == ["none"]


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        (
            {"channels": []},
            "Choose how we may contact you, or choose “Do not contact me”.",
            "id_channels_0",
        ),
        (
            {"channels": ["none", "email"], "email": "a@example.org"},
            "You chose “Do not contact me” and a way to contact you.",
            "id_channels_0",
        ),
        ({"phone": ""}, "Enter a phone number, as you chose a call or text.", "id_phone"),
        ({"phone": "12345"}, "Enter a UK phone number, like 07700 900123.", "id_phone"),
        ({"phone": "0113 496 0000"}, "Text messages need a mobile number", "id_phone"),
        (
            {"channels": ["email"], "email": "not an address"},
            "Enter an email address in the right form",
            "id_email",
        ),
        (
            {"channels": ["email"], "email": ""},
            "Enter an email address, as you chose email.",
            "id_email",
        ),
        (
            {"name_to_use": "x" * 10_000},
            "The name must be 100 characters or fewer. You have entered 10000.",
            "id_name_to_use",
        ),
        ({"narrative": "x" * 5001}, "must be 5000 characters or fewer", "id_narrative"),
        ({"ethnic_group": "bame"}, "Choose an ethnic group from the list.", "id_ethnic_group"),
        ({"age_band": "ancient"}, "Choose an age from the list.", "id_age_band_0"),
        ({"language": "xx"}, "Choose a language from the list.", "id_language"),
        (
            {"channels": ["carrier_pigeon"]},
            "Choose how we may contact you from the list.",
            "id_channels_0",
        ),
        (
            {"postcode": "EH1 1YZ"},
            "We could not find that postcode in England or Wales",
            "id_postcode",
        ),
    ],
)
def test_bad_answers_are_explained_at_the_top_and_by_the_question_and_nothing_is_saved(
    client: Client, leeds_service: Service, changes: dict[str, Any], message: str, field: str
) -> None:
    response = client.post(_refer_url(leeds_service), _answers(**changes))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    assert f'href="#{field}"' in html
    assert not Referral.objects.exists()


def test_errors_are_in_welsh_on_the_welsh_site(client: Client, leeds_service: Service) -> None:
    html = client.post(_refer_url(leeds_service, "cy"), _answers(channels=[])).content.decode()
    assert "Mae problem" in html
    assert "Dewiswch sut y cawn gysylltu â chi" in html
    assert not Referral.objects.exists()


def test_a_service_that_takes_no_self_referrals_says_so_and_saves_nothing(
    client: Client, leeds_service: Service
) -> None:
    leeds_service.self_referral = False
    leeds_service.save(update_fields=["self_referral"])
    response = client.post(_refer_url(leeds_service), _answers())
    assert response.status_code == 200
    assert "does not take requests through this site" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_confirmation_page_without_a_referral_goes_to_the_start(client: Client) -> None:
    response = client.get("/en/refer/done/")
    assert response.status_code == 302
    assert response["Location"] == "/en/"


def test_a_referral_to_an_unknown_service_is_not_found(client: Client) -> None:
    response = client.post("/en/services/00000000-0000-0000-0000-000000000000/refer/", _answers())
    assert response.status_code == 404
    assert not Referral.objects.exists()

# ruff: noqa: RUF001 - Welsh is written with the typographic apostrophe.
"""Staff choose English or Welsh in the header; the choice stays with them (decision 0070)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bridgeway.accounts.models import User
from bridgeway.conftest import sign_in

pytestmark = pytest.mark.django_db

INBOX = reverse("casework:inbox")
SIGN_IN = reverse("accounts:sign-in")
LANGUAGE = reverse("accounts:language")
COOKIE = settings.LANGUAGE_COOKIE_NAME


def _choose(client: Client, language: str, next_path: str) -> None:
    response = client.post(LANGUAGE, {"language": language, "next": next_path})
    assert response.status_code == 302
    assert response["Location"] == next_path


def test_the_header_offers_welsh_and_choosing_it_is_saved_on_the_account(
    practitioner_client: Client, practitioner: User
) -> None:
    html = practitioner_client.get(INBOX).content.decode()
    assert 'name="language" value="cy" lang="cy"' in html
    assert '<html lang="en"' in html
    _choose(practitioner_client, "cy", INBOX)
    practitioner.refresh_from_db()
    assert practitioner.language == "cy"
    response = practitioner_client.get(INBOX)
    html = response.content.decode()
    assert '<html lang="cy"' in html
    assert response["Content-Language"] == "cy"
    assert "Mewnflwch" in html
    assert 'name="language" value="en" lang="en"' in html


def test_the_account_choice_follows_the_person_to_a_new_browser(practitioner: User) -> None:
    practitioner.language = "cy"
    practitioner.save()
    client = sign_in(Client(), practitioner)
    response = client.get(INBOX)
    assert '<html lang="cy"' in response.content.decode()
    # ... and this browser remembers it for the sign-in page after signing out.
    assert response.cookies[COOKIE].value == "cy"
    client.post(reverse("accounts:sign-out"))
    assert '<html lang="cy"' in client.get(SIGN_IN).content.decode()


def test_a_choice_on_the_sign_in_page_is_saved_as_the_person_signs_in(
    practitioner: User,
) -> None:
    practitioner.language = "en"
    practitioner.save()
    client = Client()
    _choose(client, "cy", SIGN_IN)
    assert '<html lang="cy"' in client.get(SIGN_IN).content.decode()
    sign_in(client, practitioner)
    assert '<html lang="cy"' in client.get(INBOX).content.decode()
    practitioner.refresh_from_db()
    assert practitioner.language == "cy"


def test_another_persons_choice_left_in_a_shared_browser_does_not_change_an_account(
    practitioner: User,
) -> None:
    practitioner.language = "en"
    practitioner.save()
    client = Client()
    client.cookies[COOKIE] = "cy"
    assert '<html lang="cy"' in client.get(SIGN_IN).content.decode()
    sign_in(client, practitioner)
    assert '<html lang="en"' in client.get(INBOX).content.decode()
    practitioner.refresh_from_db()
    assert practitioner.language == "en"


def test_staff_pages_speak_only_english_or_welsh(client: Client) -> None:
    # A browser asking for Polish gets the English staff pages, not half-Polish ones ...
    html = client.get(SIGN_IN, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert '<html lang="en"' in html
    # ... a browser asking for Welsh gets Welsh before anyone has chosen ...
    assert '<html lang="cy"' in client.get(SIGN_IN, HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    # ... and public pages keep the language in their address.
    assert '<html lang="pl"' in client.get("/pl/", HTTP_ACCEPT_LANGUAGE="cy").content.decode()


@pytest.mark.parametrize("language", ["pl", "xx", ""])
def test_a_language_staff_pages_do_not_speak_is_refused(
    practitioner_client: Client, practitioner: User, language: str
) -> None:
    response = practitioner_client.post(LANGUAGE, {"language": language, "next": INBOX})
    assert response.status_code == 400
    practitioner.refresh_from_db()
    assert practitioner.language == ""


def test_the_switcher_goes_back_only_to_this_site(practitioner_client: Client) -> None:
    response = practitioner_client.post(
        LANGUAGE, {"language": "cy", "next": "https://elsewhere.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")


def test_choosing_needs_a_post(client: Client) -> None:
    assert client.get(LANGUAGE).status_code == 405


def test_a_staff_error_page_wears_the_staff_header_and_speaks_the_staff_language(
    practitioner_client: Client, practitioner: User
) -> None:
    _choose(practitioner_client, "cy", INBOX)
    response = practitioner_client.get("/staff/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="cy"' in html
    assert "Heb ddod o hyd i’r dudalen" in html  # "Page not found"
    assert 'name="language" value="en" lang="en"' in html  # the staff switcher
    assert "Allgofnodi" in html  # the staff menu's sign out
    # A public page's error keeps the public shell, with its quick exit.
    public = Client().get("/cy/no-such-page/").content.decode()
    assert "data-quick-exit-link" in public
    assert 'name="language"' not in public


def test_the_passkey_buttons_messages_are_welsh_too(
    practitioner_client: Client, practitioner: User
) -> None:
    # django-otp-webauthn's script reads its words from this catalogue; the package has no Welsh.
    _choose(practitioner_client, "cy", INBOX)
    script = practitioner_client.get(reverse("otp_webauthn:js-i18n-catalog")).content.decode()
    assert "Llwyddodd y cofrestru!" in script  # "Registration successful!"
    assert "Yn dilysu..." in script  # "Verifying..."

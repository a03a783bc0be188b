# ruff: noqa: RUF001 - the site writes apostrophes as typographic ones, and so do these tests.
"""The privacy notice, accessibility statement and contact page (issue 12, item 5).

Each is in every language, reads this installation's settings (the retention periods that
`bridgeway retention` applies, who runs the site, how to reach them) and is linked from the
footer of every public page, found by walking the URL resolver.
"""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.test import Client, override_settings
from django.utils import translation

from bridgeway.accounts.middleware import is_public
from bridgeway.accounts.models import Organisation
from bridgeway.directory.models import Service
from bridgeway.site.tests.test_every_route import project_routes

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "cy", "ur", "pa", "pl"]
PAGES = {
    "privacy/": "Privacy notice",
    "accessibility/": "Accessibility statement",
    "contact/": "Contact us",
}
FOOTER_LINKS = ["privacy/", "accessibility/", "contact/", "cover-your-tracks/"]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_page_renders_in_the_language_with_its_heading(client: Client, language: str) -> None:
    for path, english in PAGES.items():
        response = client.get(f"/{language}/{path}")
        assert response.status_code == 200, path
        with translation.override(language):
            heading = translation.gettext(english)
        if language != "en":
            assert heading != english, (language, path)
        assert f'<h1 class="govuk-heading-xl">{heading}</h1>' in response.content.decode()


@pytest.mark.parametrize(
    ("language", "closed", "declined"),
    [
        ("en", "6 years", "2 years"),
        ("cy", "6 blynedd", "2 flynedd"),
        ("pl", "6 lat", "2 lata"),
        ("ur", "6 سال", "2 سال"),
        ("pa", "6 ਸਾਲ", "2 ਸਾਲ"),
    ],
)
def test_the_privacy_notice_shows_the_default_retention_periods(
    client: Client, language: str, closed: str, declined: str
) -> None:
    text = _text(client.get(f"/{language}/privacy/").content.decode())
    assert closed in text
    assert declined in text
    assert "25" in text


@override_settings(
    RETENTION_CLOSED_CASE_DAYS=3 * 365,
    RETENTION_DECLINED_DAYS=400,
    RETENTION_YOUNG_PERSON_AGE=21,
    FRONTDOOR_IDLE_MINUTES=12,
)
def test_the_privacy_notice_reads_the_retention_settings(client: Client) -> None:
    text = _text(client.get("/en/privacy/").content.decode())
    assert "it keeps your information for 3 years" in text
    assert "it keeps it for 400 days" in text
    assert "at least until you are 21" in text
    assert "when you stop for 12 minutes" in text
    assert "6 years" not in text
    polish = _text(client.get("/pl/privacy/").content.decode())
    assert "przez 3 lata" in polish
    assert "przez 400 dni" in polish


def test_the_privacy_notice_covers_what_article_13_asks(client: Client) -> None:
    text = _text(client.get("/en/privacy/").content.decode())
    for words in [
        "Who holds your information",
        "Article 6(1)(e)",
        "Article 9(2)(a)",
        "Article 9(2)(g)",
        "Schedule 1, paragraph 8",
        "only if you agree",
        "for a copy of the information held about you",
        "for wrong information to be corrected",
        "for your information to be deleted",
        "object to how it is used",
        "Information Commissioner’s Office (ICO)",
        "0303 123 1113",
    ]:
        assert words in text, words


def test_without_an_operator_the_notice_says_so(client: Client) -> None:
    text = _text(client.get("/en/privacy/").content.decode())
    assert "has not added its name here yet" in text


@override_settings(
    OPERATOR_NAME="Example Victims’ Hub CIC",
    OPERATOR_ADDRESS="1 Example Street, Leeds LS1 1AA",
    CONTACT_EMAIL="hello@example.org",
    CONTACT_PHONE="0113 000 0000",
    DATA_PROTECTION_EMAIL="dpo@example.org",
)
def test_the_operator_and_its_contact_details_come_from_settings(client: Client) -> None:
    privacy = client.get("/ur/privacy/").content.decode()
    assert "Example Victims’ Hub CIC" in html_lib.unescape(privacy)
    assert 'href="mailto:dpo@example.org" lang="en" dir="ltr"' in privacy
    assert "has not added its name" not in _text(client.get("/en/privacy/").content.decode())

    contact = client.get("/en/contact/").content.decode()
    assert 'href="mailto:hello@example.org"' in contact
    assert "0113 000 0000" in contact
    assert "1 Example Street, Leeds LS1 1AA" in contact
    assert "Please do not send details of what happened by email" in _text(contact)

    statement = _text(client.get("/en/accessibility/").content.decode())
    assert "This website is run by Example Victims’ Hub CIC" in statement
    assert "hello@example.org" in statement


def test_without_contact_details_the_contact_page_points_to_the_services(client: Client) -> None:
    text = _text(client.get("/en/contact/").content.decode())
    assert "has not added its contact details yet" in text
    assert "mailto:" not in client.get("/en/contact/").content.decode()


def test_the_accessibility_statement_follows_the_govuk_model(client: Client) -> None:
    text = _text(client.get("/en/accessibility/").content.decode())
    for words in [
        "partially compliant with the Web Content Accessibility Guidelines (WCAG) 2.2 AA standard",
        "Reporting problems with this website",
        "Enforcement procedure",
        "Equality and Human Rights Commission (EHRC)",
        "Equality Advisory and Support Service (EASS)",
        "How we tested this website",
        "This statement was prepared on 5 December 2026",
    ]:
        assert words in text, words


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_links_to_them_in_its_footer(
    client: Client, leeds_service: Service, reporting_centre: Organisation, language: str
) -> None:
    # Every public page reached by GET under the language prefix, from the URL resolver, so a
    # new public page is checked without being listed here.
    checked = []
    for route in project_routes():
        if not route.route.startswith(f"{language}/") or not is_public(route.callback):
            continue
        url = "/" + route.route.replace("<uuid:service_id>", str(leeds_service.pk))
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue  # a POST-only address, or one that redirects to the start of a journey
        footer = response.content.decode().split('<footer class="govuk-footer"', 1)[1]
        for link in FOOTER_LINKS:
            assert f'href="/{language}/{link}"' in footer, (url, link)
        checked.append(url)
    assert len(checked) >= 10, checked

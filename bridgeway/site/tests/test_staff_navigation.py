"""The staff menu: GOV.UK service navigation, with an administrator's own links."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from bridgeway.accounts.tests.factories import UserFactory
from bridgeway.conftest import sign_in

pytestmark = pytest.mark.django_db


def menu(page: str) -> str:
    found = re.search(r'<nav aria-label="Staff menu".*?</nav>', page, re.DOTALL)
    assert found is not None
    return found.group(0)


def test_menu_is_service_navigation_below_the_header_not_the_old_header_links(
    practitioner_client,
):
    page = practitioner_client.get(reverse("casework:inbox")).content.decode()

    assert "govuk-header__navigation" not in page
    assert page.index("</header>") < page.index('class="govuk-service-navigation')
    assert 'class="govuk-service-navigation__wrapper"' in menu(page)


def test_current_section_is_marked_in_the_menu(practitioner_client):
    page = practitioner_client.get(reverse("casework:inbox")).content.decode()

    assert re.search(
        r'<a class="govuk-service-navigation__link" href="/staff/inbox/" aria-current="true">'
        r'<strong class="govuk-service-navigation__active-fallback">Inbox</strong></a>',
        menu(page),
    )
    assert menu(page).count("aria-current") == 1


def test_organisation_administrator_gets_links_to_their_listings_and_staff(
    admin_client_of_organisation,
):
    page = menu(admin_client_of_organisation.get(reverse("casework:inbox")).content.decode())

    assert f'href="{reverse("directory:listings")}">Your listings<' in page
    assert f'href="{reverse("accounts:staff")}">Your staff<' in page


def test_practitioner_gets_no_administrator_links(practitioner_client):
    page = menu(practitioner_client.get(reverse("casework:inbox")).content.decode())

    assert "Inbox" in page
    assert "Your listings" not in page
    assert "Your staff" not in page
    assert "Sign out" in page


def test_account_with_no_role_is_offered_only_the_way_out():
    client = sign_in(Client(), UserFactory())

    page = menu(client.get(reverse("accounts:home")).content.decode())

    assert "Sign out" in page
    assert "<a " not in page


def test_sign_in_page_has_no_menu_for_someone_not_signed_in(client):
    page = client.get(reverse("accounts:sign-in")).content.decode()

    assert "Staff menu" not in page

"""Setting up an authenticator app after the password step."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.authenticator import key_from_secret
from bridgeway.accounts.enrolment import staff_enrolment_link_issue
from bridgeway.accounts.tests.conftest import code_for, password_step
from bridgeway.accounts.tests.factories import MembershipFactory

ENROL = reverse("accounts:enrol")
VERIFY = reverse("accounts:verify")


@pytest.fixture
def newcomer(organisation):
    """A practitioner who has a password but has not set up an authenticator app."""
    return MembershipFactory(organisation=organisation).user


@pytest.fixture
def newcomer_client(newcomer, organisation_admin):
    """The newcomer past the password step, having first opened an enrolment link."""
    client = Client()
    membership = newcomer.memberships.get()
    issued = staff_enrolment_link_issue(membership=membership, issued_by=organisation_admin)
    assert client.get(issued.path)["Location"] == ENROL
    response = password_step(client, newcomer)
    assert response.status_code == 302
    assert response["Location"] == ENROL
    return client


def _shown_secret(page: str) -> str:
    match = re.search(r'<code class="bw-code" id="secret">([A-Z2-7 ]+)</code>', page)
    assert match, "the page shows the key as text"
    return match.group(1)


def test_enrolment_page_shows_the_key_and_an_inline_qr_code(newcomer_client, newcomer):
    response = newcomer_client.get(ENROL)

    page = response.content.decode()
    device = TOTPDevice.objects.get(user=newcomer)
    assert response.status_code == 200
    assert not device.confirmed
    assert key_from_secret(_shown_secret(page)) == device.key
    assert "<svg" in page
    assert "<title>QR code to add Bridgeway to your authenticator app</title>" in page
    assert "<img" not in page.split('<div class="bw-qr-code">')[1].split("</div>")[0]
    assert 'inputmode="numeric"' in page


def test_reloading_the_enrolment_page_keeps_the_same_key(newcomer_client, newcomer):
    first = _shown_secret(newcomer_client.get(ENROL).content.decode())
    second = _shown_secret(newcomer_client.get(ENROL).content.decode())

    assert first == second
    assert TOTPDevice.objects.filter(user=newcomer).count() == 1


def test_right_code_from_the_shown_key_confirms_the_app_and_signs_in(newcomer_client, newcomer):
    page = newcomer_client.get(ENROL).content.decode()
    # Compute the code exactly as the person's app would, from the key on the page.
    device = TOTPDevice(key=key_from_secret(_shown_secret(page)))

    response = newcomer_client.post(ENROL, {"code": code_for(device)})

    # The recovery codes are shown once, with the way on to where they were going.
    assert response.status_code == 200
    assert f'href="{reverse("accounts:home")}"' in response.content.decode()
    stored = TOTPDevice.objects.get(user=newcomer)
    assert stored.confirmed
    assert newcomer_client.session[DEVICE_ID_SESSION_KEY] == stored.persistent_id


def test_wrong_code_leaves_the_app_unconfirmed(newcomer_client, newcomer):
    newcomer_client.get(ENROL)
    device = TOTPDevice.objects.get(user=newcomer)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = newcomer_client.post(ENROL, {"code": wrong})

    assert response.status_code == 400
    assert "The code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert DEVICE_ID_SESSION_KEY not in newcomer_client.session


def test_empty_code_says_what_to_enter(newcomer_client):
    response = newcomer_client.post(ENROL, {"code": ""})

    assert response.status_code == 400
    assert "Enter the 6-digit code from your authenticator app." in response.content.decode()


def test_person_with_an_app_cannot_add_another_with_only_a_password(
    half_signed_in_client, practitioner
):
    response = half_signed_in_client.get(ENROL)

    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert TOTPDevice.objects.filter(user=practitioner).count() == 1


def test_verify_sends_someone_without_an_app_to_set_one_up(newcomer_client):
    response = newcomer_client.get(VERIFY + "?next=/staff/organisation/")

    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2Fstaff%2Forganisation%2F"


def test_enrolment_needs_the_password_step(client):
    response = client.get(ENROL)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:sign-in")


def test_next_is_honoured_after_enrolment(newcomer_client, newcomer):
    newcomer_client.get(ENROL)
    device = TOTPDevice.objects.get(user=newcomer)

    response = newcomer_client.post(
        ENROL, {"code": code_for(device), "next": "/staff/organisation/"}
    )

    assert 'href="/staff/organisation/"' in response.content.decode()

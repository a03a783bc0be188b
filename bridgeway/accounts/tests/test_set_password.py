"""The one-time link with which a new member of staff chooses a password."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from bridgeway.accounts.models import Membership
from bridgeway.accounts.services import set_up_path_for, staff_member_add

GOOD_PASSWORD = "plum orchard kettle 1987"


@pytest.fixture
def added(organisation, organisation_admin):
    return staff_member_add(
        organisation=organisation,
        email="Amara.Okafor@Example.org",
        full_name="  Amara   Okafor ",
        role=Membership.Role.PRACTITIONER,
        added_by=organisation_admin,
    )


def test_new_account_is_stored_tidily_and_cannot_sign_in_yet(added):
    user = added.membership.user

    assert user.email == "amara.okafor@example.org"
    assert user.full_name == "Amara Okafor"
    assert not user.has_usable_password()
    assert added.created_account


def test_choosing_a_password_signs_in_and_goes_to_set_up_the_app(client, added):
    response = client.post(
        added.set_up_path, {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:enrol")
    user = added.membership.user
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)
    assert user.password.startswith("argon2")
    assert client.session[SESSION_KEY] == str(user.pk)
    # Signed in with the password only: staff pages still want the second factor.
    assert client.get(reverse("accounts:staff"))["Location"].startswith(reverse("accounts:verify"))


def test_link_works_only_once(client, added):
    client.post(added.set_up_path, {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})

    response = client.get(added.set_up_path)

    assert response.status_code == 404
    assert "This link no longer works" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/staff/set-password/bm90LWEtdXNlcg/abc-123/",
        "/staff/set-password/!!!/abc/",
        "/staff/set-password/MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw/abc/",
    ],
)
def test_made_up_links_are_refused(client, db, path):
    response = client.get(path)

    assert response.status_code == 404
    assert "This link no longer works" in response.content.decode()


def test_tampered_token_is_refused(client, added):
    response = client.get(added.set_up_path.rstrip("/") + "x/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("password", "again", "message"),
    [
        ("", "", "Enter a password."),
        ("short", "short", "This password is too short"),
        ("password1234", "password1234", "This password is too common"),
        (GOOD_PASSWORD, "something else entirely", "The two passwords are not the same."),
        ("123456789012345", "123456789012345", "This password is entirely numeric"),
    ],
)
def test_unsuitable_password_is_refused_with_the_reason(client, added, password, again, message):
    response = client.post(added.set_up_path, {"password": password, "password_again": again})

    assert response.status_code == 400
    assert message in response.content.decode()
    added.membership.user.refresh_from_db()
    assert not added.membership.user.has_usable_password()
    assert SESSION_KEY not in client.session


def test_link_for_a_switched_off_account_is_refused(client, added):
    user = added.membership.user
    path = set_up_path_for(user)
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert client.get(path).status_code == 404

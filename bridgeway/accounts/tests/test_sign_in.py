"""Two-step sign-in: password, then a code from the authenticator app."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.models import Membership, User
from bridgeway.accounts.tests.conftest import code_for, password_step
from bridgeway.accounts.tests.factories import TEST_PASSWORD, MembershipFactory
from bridgeway.conftest import sign_in

SIGN_IN = reverse("accounts:sign-in")
VERIFY = reverse("accounts:verify")
HOME = reverse("accounts:home")
WRONG_DETAILS = "The email address or password is not right"


def _device(user):
    return TOTPDevice.objects.get(user=user, confirmed=True)


def test_sign_in_page_asks_for_email_and_password(client, db):
    response = client.get(SIGN_IN)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'autocomplete="username"' in page
    assert 'autocomplete="current-password"' in page
    assert (
        response["Cache-Control"].startswith("no-store") or "no-cache" in response["Cache-Control"]
    )


def test_full_sign_in_with_password_and_real_code_reaches_the_inbox(client, practitioner):
    response = password_step(client, practitioner)
    assert response.status_code == 302
    assert response["Location"] == VERIFY

    response = client.post(VERIFY, {"code": code_for(_device(practitioner))})

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert client.session[DEVICE_ID_SESSION_KEY] == _device(practitioner).persistent_id
    home = client.get(HOME)
    assert home.status_code == 302
    assert home["Location"] == reverse("casework:inbox")


def test_code_may_be_typed_with_spaces(client, practitioner):
    password_step(client, practitioner)
    code = code_for(_device(practitioner))

    response = client.post(VERIFY, {"code": f"{code[:3]} {code[3:]}"})

    assert response.status_code == 302
    assert response["Location"] == HOME


def test_commissioner_home_is_the_insight_dashboard(client, commissioner):
    password_step(client, commissioner)
    client.post(VERIFY, {"code": code_for(_device(commissioner))})

    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"] == "/insight/"


def test_session_key_changes_when_the_second_factor_is_done(client, practitioner):
    password_step(client, practitioner)
    key_after_password = client.session.session_key

    client.post(VERIFY, {"code": code_for(_device(practitioner))})

    assert client.session.session_key != key_after_password


def test_wrong_password_is_refused_without_signing_in(client, practitioner):
    response = client.post(SIGN_IN, {"email": practitioner.email, "password": "not the password"})

    assert response.status_code == 400
    assert WRONG_DETAILS in response.content.decode()
    assert SESSION_KEY not in client.session


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, practitioner):
    wrong_password = client.post(
        SIGN_IN, {"email": practitioner.email, "password": "not the password"}
    )
    unknown = Client().post(SIGN_IN, {"email": "nobody@example.org", "password": "whatever"})

    assert unknown.status_code == wrong_password.status_code == 400
    assert WRONG_DETAILS in unknown.content.decode()
    # Apart from the CSRF token, nothing about the two pages differs.
    assert unknown.content.decode().count(
        "govuk-error-message"
    ) == wrong_password.content.decode().count("govuk-error-message")


def test_email_is_matched_whatever_its_case(client, practitioner):
    response = client.post(
        SIGN_IN, {"email": practitioner.email.upper(), "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == VERIFY


def test_empty_sign_in_form_says_what_is_missing(client, db):
    response = client.post(SIGN_IN, {"email": "", "password": ""})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter your email address." in page
    assert "Enter your password." in page
    assert 'href="#id_email"' in page


def test_badly_formed_email_is_refused_with_an_example(client, db):
    response = client.post(SIGN_IN, {"email": "not-an-email", "password": "x"})

    assert response.status_code == 400
    assert "like name@example.org" in response.content.decode()


def test_switched_off_account_cannot_sign_in(client, practitioner):
    practitioner.is_active = False
    practitioner.save(update_fields=["is_active"])

    response = password_step(client, practitioner)

    assert response.status_code == 400
    assert WRONG_DETAILS in response.content.decode()


def test_wrong_code_is_refused_and_leaves_the_person_unverified(
    half_signed_in_client, practitioner
):
    right = code_for(_device(practitioner))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = half_signed_in_client.post(VERIFY, {"code": wrong})

    assert response.status_code == 400
    assert "The code is not right" in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in half_signed_in_client.session
    assert half_signed_in_client.get(reverse("accounts:staff")).status_code == 302


def test_code_that_is_not_six_digits_is_explained(half_signed_in_client):
    response = half_signed_in_client.post(VERIFY, {"code": "12ab"})

    assert response.status_code == 400
    assert "The code must be 6 digits, like 123456." in response.content.decode()


def test_verify_page_asks_for_a_numeric_one_time_code(half_signed_in_client):
    page = half_signed_in_client.get(VERIFY).content.decode()

    assert 'inputmode="numeric"' in page
    assert 'autocomplete="one-time-code"' in page


@override_settings(OTP_TOTP_THROTTLE_FACTOR=60)
def test_after_a_wrong_code_even_the_right_code_must_wait(half_signed_in_client, practitioner):
    device = _device(practitioner)
    right = code_for(device)
    half_signed_in_client.post(VERIFY, {"code": f"{(int(right) + 1) % 1_000_000:06d}"})

    response = half_signed_in_client.post(VERIFY, {"code": right})

    page = response.content.decode()
    assert response.status_code == 400
    assert "too many wrong codes" in page
    assert "wait 60 seconds" in page
    assert DEVICE_ID_SESSION_KEY not in half_signed_in_client.session


def test_a_code_cannot_be_used_twice(client, practitioner):
    code = code_for(_device(practitioner))
    password_step(client, practitioner)
    client.post(VERIFY, {"code": code})

    second = Client()
    password_step(second, practitioner)
    response = second.post(VERIFY, {"code": code})

    assert response.status_code == 400
    assert DEVICE_ID_SESSION_KEY not in second.session


def test_lockout_after_five_failures_refuses_even_the_right_password(client, practitioner):
    for _attempt in range(4):
        response = client.post(SIGN_IN, {"email": practitioner.email, "password": "wrong"})
        assert response.status_code == 400

    fifth = client.post(SIGN_IN, {"email": practitioner.email, "password": "wrong"})
    right = password_step(client, practitioner)

    assert fifth.status_code == 429
    assert right.status_code == 429
    page = right.content.decode()
    assert "Signing in is paused" in page
    # The account's tries are used up for the day on devices it does not know.
    assert "before you try again on this device" in page
    assert "signed in on before" in page
    assert SESSION_KEY not in client.session


def test_lockout_looks_the_same_for_an_email_with_no_account(client, practitioner):
    for _attempt in range(5):
        response = client.post(SIGN_IN, {"email": "nobody@example.org", "password": "wrong"})

    assert response.status_code == 429
    assert "Signing in is paused" in response.content.decode()


def test_lockout_of_one_account_does_not_stop_another(client, practitioner, organisation_admin):
    for _attempt in range(5):
        client.post(SIGN_IN, {"email": practitioner.email, "password": "wrong"})

    response = password_step(client, organisation_admin)

    assert response.status_code == 302


def test_next_is_carried_through_both_steps(client, practitioner):
    response = password_step(client, practitioner, next="/staff/organisation/")
    assert response["Location"] == f"{VERIFY}?next=%2Fstaff%2Forganisation%2F"

    response = client.post(
        VERIFY, {"code": code_for(_device(practitioner)), "next": "/staff/organisation/"}
    )

    assert response["Location"] == "/staff/organisation/"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "///evil.example",
        "javascript:alert(1)",
        "http:\\\\evil.example",
    ],
)
def test_next_pointing_elsewhere_is_ignored(client, practitioner, target):
    response = password_step(client, practitioner, next=target)
    assert response["Location"] == VERIFY

    response = client.post(VERIFY, {"code": code_for(_device(practitioner)), "next": target})

    assert response["Location"] == HOME


def test_anonymous_person_is_sent_to_sign_in_from_staff_pages(client):
    response = client.get(reverse("accounts:staff"))

    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next=%2Fstaff%2Forganisation%2F"


def test_password_only_person_is_sent_to_verify_from_staff_pages(half_signed_in_client):
    response = half_signed_in_client.get(HOME)

    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fstaff%2F"


def test_verify_without_the_password_step_goes_to_sign_in(client):
    response = client.get(VERIFY)

    assert response.status_code == 302
    assert response["Location"] == SIGN_IN


def test_signed_in_person_visiting_sign_in_goes_home(practitioner_client):
    response = practitioner_client.get(SIGN_IN)

    assert response.status_code == 302
    assert response["Location"] == HOME


def test_sign_out_only_accepts_post(practitioner_client):
    response = practitioner_client.get(reverse("accounts:sign-out"))

    assert response.status_code == 405
    assert SESSION_KEY in practitioner_client.session


def test_sign_out_ends_the_session(practitioner_client):
    response = practitioner_client.post(reverse("accounts:sign-out"))

    assert response.status_code == 302
    assert response["Location"] == SIGN_IN
    assert SESSION_KEY not in practitioner_client.session
    assert practitioner_client.get(HOME)["Location"].startswith(SIGN_IN)


def test_account_without_a_role_is_told_so(client, db):
    membership = MembershipFactory(role=Membership.Role.PLATFORM_ADMIN)
    sign_in(client, membership.user)

    response = client.get(HOME)

    assert response.status_code == 403
    assert "Your account has no role yet" in response.content.decode()


def test_passwords_are_stored_with_argon2(practitioner):
    practitioner.refresh_from_db()

    assert practitioner.password.startswith("argon2")


def test_production_settings_hash_with_full_strength_argon2(db):
    from bridgeway import settings as production

    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        user = User.objects.create_user("strong@example.org", TEST_PASSWORD, full_name="S")

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert user.password.startswith("argon2$argon2id$v=19$m=102400,")
    assert user.check_password(TEST_PASSWORD)

"""Enrolment links, recovery codes and passkeys (docs/decisions/0062)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from bridgeway.accounts.enrolment import (
    RECOVERY_CODE_COUNT,
    SESSION_KEY,
    enrolment_link_issue,
    staff_enrolment_link_issue,
    token_digest,
)
from bridgeway.accounts.models import EnrolmentLink, Membership, User
from bridgeway.accounts.services import staff_member_add
from bridgeway.accounts.tests.conftest import code_for, password_step
from bridgeway.accounts.tests.factories import MembershipFactory, totp_device_for
from bridgeway.conftest import sign_in

ENROL = reverse("accounts:enrol")
VERIFY = reverse("accounts:verify")
RECOVERY = reverse("accounts:recovery")
GOOD_PASSWORD = "plum orchard kettle 1987"


@pytest.fixture
def reset_member(organisation, organisation_admin):
    """A practitioner whose authenticator the operator has just reset."""
    membership = MembershipFactory(organisation=organisation)
    totp_device_for(membership.user)
    call_command("reset_authenticator", "--email", membership.user.email, stdout=StringIO())
    return membership


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def _enrol_with(client: Client, user: User) -> tuple[Any, list[str]]:
    """Finish the enrol step with a right code; the response and the codes it shows."""
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"code": code_for(device)})
    codes = re.findall(r'<code class="bw-code">([a-z0-9]+)</code>', response.content.decode())
    return response, codes


def test_after_a_reset_the_password_alone_cannot_set_up_an_app(reset_member):
    client = Client()
    response = password_step(client, reset_member.user)
    assert response["Location"] == ENROL

    page = client.get(ENROL)
    posted = client.post(ENROL, {"code": "123456"})

    assert page.status_code == 403
    assert "You need an enrolment link" in page.content.decode()
    assert posted.status_code == 403
    assert not TOTPDevice.objects.filter(user=reset_member.user).exists()


def test_reset_removes_apps_recovery_codes_and_passkeys(organisation):
    user = MembershipFactory(organisation=organisation).user
    totp_device_for(user)
    StaticDevice.objects.create(user=user, name="Recovery codes")
    out = StringIO()

    call_command("reset_authenticator", "--email", user.email, stdout=out)

    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    assert "Removed 2 authenticator device(s)" in out.getvalue()
    assert "enrolment link" in out.getvalue()


def test_an_admin_issues_a_link_stored_only_as_a_digest(reset_member, organisation_admin):
    issued = staff_enrolment_link_issue(membership=reset_member, issued_by=organisation_admin)

    token = _token(issued.path)
    stored = EnrolmentLink.objects.get(user=reset_member.user)
    assert stored.token_hash == token_digest(token)
    assert token not in stored.token_hash
    assert stored.issued_by == organisation_admin
    assert stored.organisation == reset_member.organisation
    assert stored.expires_at == pytest.approx(
        timezone.now() + timedelta(hours=72), abs=timedelta(minutes=1)
    )


def test_with_the_link_and_password_the_app_is_set_up_and_the_link_is_spent(
    reset_member, organisation_admin
):
    issued = staff_enrolment_link_issue(membership=reset_member, issued_by=organisation_admin)
    client = Client()

    opened = client.get(issued.path)
    password_step(client, reset_member.user)
    response, codes = _enrol_with(client, reset_member.user)

    assert opened.status_code == 302
    assert opened["Location"] == ENROL
    assert response.status_code == 200
    assert TOTPDevice.objects.get(user=reset_member.user).confirmed
    assert EnrolmentLink.objects.get(user=reset_member.user).used_at is not None
    assert SESSION_KEY not in client.session
    assert len(codes) == RECOVERY_CODE_COUNT
    # Spent: the same link opened again is refused with a clear page.
    again = Client().get(issued.path)
    assert again.status_code == 404
    assert "This enrolment link does not work" in again.content.decode()


def test_an_expired_link_is_refused(reset_member, organisation_admin):
    issued = staff_enrolment_link_issue(membership=reset_member, issued_by=organisation_admin)
    EnrolmentLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = Client().get(issued.path)

    assert response.status_code == 404


def test_a_link_expiring_between_opening_and_enrolling_is_refused(reset_member, organisation_admin):
    issued = staff_enrolment_link_issue(membership=reset_member, issued_by=organisation_admin)
    client = Client()
    client.get(issued.path)
    password_step(client, reset_member.user)
    client.get(ENROL)
    EnrolmentLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    device = TOTPDevice.objects.get(user=reset_member.user)

    response = client.post(ENROL, {"code": code_for(device)})

    assert response.status_code == 403
    assert not TOTPDevice.objects.get(user=reset_member.user).confirmed


def test_a_link_for_someone_else_does_not_let_another_account_enrol(
    reset_member, organisation_admin, organisation
):
    issued = staff_enrolment_link_issue(membership=reset_member, issued_by=organisation_admin)
    other = MembershipFactory(organisation=organisation).user
    client = Client()
    client.get(issued.path)
    password_step(client, other)

    assert client.get(ENROL).status_code == 403


def test_a_new_link_replaces_the_earlier_one(reset_member, organisation_admin):
    first = staff_enrolment_link_issue(membership=reset_member, issued_by=organisation_admin)
    staff_enrolment_link_issue(membership=reset_member, issued_by=organisation_admin)

    assert Client().get(first.path).status_code == 404


def test_an_outsider_admin_cannot_issue_a_link(reset_member, other_organisation):
    outsider_admin = MembershipFactory(
        organisation=other_organisation, role=Membership.Role.ORGANISATION_ADMIN
    ).user

    with pytest.raises(PermissionDenied):
        staff_enrolment_link_issue(membership=reset_member, issued_by=outsider_admin)
    client = sign_in(Client(), outsider_admin)
    url = reverse(
        "accounts:staff-enrolment-link",
        args=[reset_member.organisation.slug, reset_member.user_id],
    )
    assert client.post(url).status_code == 404
    assert not EnrolmentLink.objects.exists()


def test_a_practitioner_cannot_issue_a_link(reset_member, practitioner):
    with pytest.raises(PermissionDenied):
        staff_enrolment_link_issue(membership=reset_member, issued_by=practitioner)


def test_no_link_for_someone_who_still_has_an_app(organisation, organisation_admin):
    membership = MembershipFactory(organisation=organisation)
    totp_device_for(membership.user)

    with pytest.raises(ValidationError, match="already has an authenticator app"):
        staff_enrolment_link_issue(membership=membership, issued_by=organisation_admin)


def test_the_staff_page_shows_the_link_once(reset_member, organisation_admin):
    client = sign_in(Client(), organisation_admin)
    listing = client.get(reverse("accounts:staff")).content.decode()
    url = reverse(
        "accounts:staff-enrolment-link",
        args=[reset_member.organisation.slug, reset_member.user_id],
    )

    response = client.post(url)

    page = response.content.decode()
    assert url in listing
    assert response.status_code == 200
    match = re.search(r'<code class="bw-code" id="enrolment-link">([^<]+)</code>', page)
    assert match
    assert match.group(1).startswith("http://testserver/staff/sign-in/set-up/")
    assert EnrolmentLink.objects.get().token_hash == token_digest(_token(match.group(1)))


def test_a_new_member_enrols_through_their_set_up_link(client, organisation, organisation_admin):
    added = staff_member_add(
        organisation=organisation,
        email="amara@example.org",
        full_name="Amara Okafor",
        role=Membership.Role.PRACTITIONER,
        added_by=organisation_admin,
    )
    assert added.set_up_path is not None
    client.post(added.set_up_path, {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})

    response, codes = _enrol_with(client, added.membership.user)

    assert response.status_code == 200
    assert len(codes) == RECOVERY_CODE_COUNT


def test_a_new_member_who_left_before_enrolling_needs_a_link_later(
    organisation, organisation_admin
):
    added = staff_member_add(
        organisation=organisation,
        email="amara@example.org",
        full_name="Amara Okafor",
        role=Membership.Role.PRACTITIONER,
        added_by=organisation_admin,
    )
    assert added.set_up_path is not None
    Client().post(added.set_up_path, {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})
    client = Client()
    client.post(
        reverse("accounts:sign-in"), {"email": "amara@example.org", "password": GOOD_PASSWORD}
    )

    assert client.get(ENROL).status_code == 403


def test_a_recovery_code_signs_in_once(reset_member, organisation_admin):
    issued = staff_enrolment_link_issue(membership=reset_member, issued_by=organisation_admin)
    first = Client()
    first.get(issued.path)
    password_step(first, reset_member.user)
    _response, codes = _enrol_with(first, reset_member.user)
    client = Client()
    password_step(client, reset_member.user)

    response = client.post(RECOVERY, {"code": codes[0].upper()})
    again = Client()
    password_step(again, reset_member.user)
    reused = again.post(RECOVERY, {"code": codes[0]})

    assert response.status_code == 302
    assert DEVICE_ID_SESSION_KEY in client.session
    assert StaticToken.objects.filter(device__user=reset_member.user).count() == 9
    assert reused.status_code == 400
    assert "not right, or it has been used already" in reused.content.decode()
    assert DEVICE_ID_SESSION_KEY not in again.session


def test_a_recovery_code_needs_the_password_first(client):
    assert client.post(RECOVERY, {"code": "abcd2345"})["Location"].startswith(
        reverse("accounts:sign-in")
    )


def test_the_code_step_offers_recovery_codes(half_signed_in_client):
    assert RECOVERY in half_signed_in_client.get(VERIFY).content.decode()


def test_recovery_codes_are_not_kept_in_the_session(reset_member, organisation_admin):
    issued = staff_enrolment_link_issue(membership=reset_member, issued_by=organisation_admin)
    client = Client()
    client.get(issued.path)
    password_step(client, reset_member.user)

    _response, codes = _enrol_with(client, reset_member.user)

    stored = json.dumps(dict(client.session.items()))
    assert not any(code in stored for code in codes)


def test_the_operator_can_print_a_link_for_a_sole_administrator(organisation):
    admin = MembershipFactory(
        organisation=organisation, role=Membership.Role.ORGANISATION_ADMIN
    ).user
    totp_device_for(admin)
    out = StringIO()

    call_command("reset_authenticator", "--email", admin.email, "--enrolment-link", stdout=out)

    path = re.search(r"(/staff/sign-in/set-up/\S+/)", out.getvalue())
    assert path
    assert Client().get(path.group(1)).status_code == 302


def test_a_link_for_a_switched_off_account_does_not_work(reset_member):
    issued = enrolment_link_issue(user=reset_member.user)
    reset_member.user.is_active = False
    reset_member.user.save(update_fields=["is_active"])

    assert Client().get(issued.path).status_code == 404


# Passkeys: the browser ceremonies need an authenticator, so the server side is tested here.

REGISTER_BEGIN = reverse("otp_webauthn:credential-registration-begin")
AUTH_BEGIN = reverse("otp_webauthn:credential-authentication-begin")


def test_registration_options_are_refused_with_only_a_password(reset_member):
    client = Client()
    password_step(client, reset_member.user)

    response = client.post(REGISTER_BEGIN, content_type="application/json")

    assert response.status_code in {302, 403}
    assert "challenge" not in response.content.decode()


def test_registration_options_are_refused_to_anonymous_people(client):
    response = client.post(REGISTER_BEGIN, content_type="application/json")

    assert response.status_code in {302, 403}
    assert "challenge" not in response.content.decode()


def test_registration_options_answer_a_fully_signed_in_person(practitioner):
    client = sign_in(Client(), practitioner)

    response = client.post(REGISTER_BEGIN, content_type="application/json")

    options = response.json()
    assert response.status_code == 200
    assert options["rp"]["id"] == "testserver"
    assert options["rp"]["name"] == "Bridgeway"
    assert options["challenge"]


def test_passkey_sign_in_is_off_for_anonymous_people(client):
    response = client.post(AUTH_BEGIN, content_type="application/json")

    assert response.status_code == 403
    assert "challenge" not in response.content.decode()


def test_passkey_page_offers_registration_from_our_own_static_files(practitioner):
    client = sign_in(Client(), practitioner)

    page = client.get(reverse("accounts:passkeys")).content.decode()

    assert 'id="passkey-registration-placeholder"' in page
    assert "/static/django_otp_webauthn/otp_webauthn_register.js" in page
    assert "https://" not in page.split("<main", 1)[1]


def _catalog_then_module(page: str, module: str) -> None:
    """Django's catalog (which defines gettext) is deferred and comes before the passkey
    module, so it runs first: an async catalog may arrive after the module has run, and the
    buttons then throw on their first word (test_passkeys_browser.py's catalog_late)."""
    catalog = re.search(r"<script[^>]*src=\"/staff/sign-in/passkeys/jsi18n/\"[^>]*>", page)
    assert catalog is not None
    assert " defer" in catalog.group(0)
    assert " async" not in catalog.group(0)
    assert catalog.end() < page.index(f"/static/django_otp_webauthn/{module}")


def test_passkey_page_loads_the_scripts_words_before_the_scripts(practitioner):
    client = sign_in(Client(), practitioner)

    page = client.get(reverse("accounts:passkeys")).content.decode()

    _catalog_then_module(page, "otp_webauthn_register.js")


def test_code_step_loads_the_scripts_words_before_the_passkey_script(practitioner):
    WebAuthnCredential.objects.create(
        user=practitioner, name="Laptop", credential_id=b"laptop", public_key=b"key", sign_count=0
    )
    client = Client()
    password_step(client, practitioner)

    page = client.get(reverse("accounts:verify")).content.decode()

    _catalog_then_module(page, "otp_webauthn_auth.js")

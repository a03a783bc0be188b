"""The accounts services other parts call directly (the demo seeder, the staff pages)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.models import Membership, User
from bridgeway.accounts.services import (
    staff_account_create,
    staff_member_add,
    staff_member_remove,
    totp_device_create,
    totp_devices_remove,
)
from bridgeway.accounts.tests.conftest import code_for
from bridgeway.accounts.tests.factories import MembershipFactory, UserFactory

FIXED_KEY = "3132333435363738393031323334353637383930"


def test_device_with_a_fixed_key_gives_reproducible_codes(db):
    first = totp_device_create(UserFactory(), key=FIXED_KEY, confirmed=True)
    second = totp_device_create(UserFactory(), key=FIXED_KEY.upper(), confirmed=True)

    assert first.key == second.key == FIXED_KEY
    assert first.confirmed
    assert code_for(first) == code_for(second)
    assert first.verify_token(code_for(first))


def test_device_without_a_key_gets_a_random_20_byte_key(db):
    user = UserFactory()

    one = totp_device_create(user, confirmed=False)
    two = totp_device_create(user, confirmed=False)

    assert len(one.key) == 40
    assert one.key != two.key
    assert not one.confirmed


@pytest.mark.parametrize("key", ["not hex", "abc", "", "00" * 41])
def test_device_key_that_is_not_hex_bytes_is_refused(db, key):
    user = UserFactory()

    with pytest.raises(ValidationError) as problem:
        totp_device_create(user, key=key, confirmed=True)

    assert "key" in problem.value.message_dict
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_only_admins_of_the_organisation_may_add_staff(organisation, practitioner, outsider):
    for someone in (practitioner, outsider):
        with pytest.raises(PermissionDenied):
            staff_member_add(
                organisation=organisation,
                email="x@example.org",
                full_name="X",
                role=Membership.Role.PRACTITIONER,
                added_by=someone,
            )
    assert not User.objects.filter(email="x@example.org").exists()


def test_admins_cannot_grant_commissioner_roles(organisation, organisation_admin):
    with pytest.raises(ValidationError) as problem:
        staff_member_add(
            organisation=organisation,
            email="x@example.org",
            full_name="X",
            role=Membership.Role.COMMISSIONER,
            added_by=organisation_admin,
        )

    assert "role" in problem.value.message_dict


def test_removing_needs_an_admin_of_that_organisation(practitioner, outsider):
    with pytest.raises(PermissionDenied):
        staff_member_remove(
            membership=Membership.objects.get(user=practitioner), removed_by=outsider
        )


def test_someone_removed_everywhere_can_be_added_back_with_a_fresh_link(
    organisation, organisation_admin, practitioner
):
    staff_member_remove(
        membership=Membership.objects.get(user=practitioner), removed_by=organisation_admin
    )

    added = staff_member_add(
        organisation=organisation,
        email=practitioner.email,
        full_name="Back Again",
        role=Membership.Role.PRACTITIONER,
        added_by=organisation_admin,
    )

    practitioner.refresh_from_db()
    assert practitioner.is_active
    assert practitioner.full_name == "Back Again"
    assert not practitioner.has_usable_password()
    assert added.set_up_path is not None
    assert not added.created_account


def test_account_switched_off_by_the_operator_is_not_reopened_by_an_admin(
    organisation, organisation_admin, outsider
):
    outsider.is_active = False
    outsider.save(update_fields=["is_active"])

    with pytest.raises(ValidationError) as problem:
        staff_member_add(
            organisation=organisation,
            email=outsider.email,
            full_name="X",
            role=Membership.Role.PRACTITIONER,
            added_by=organisation_admin,
        )

    assert "switched off" in problem.value.message_dict["email"][0]
    assert not Membership.objects.filter(user=outsider, organisation=organisation).exists()


def test_operator_may_create_any_role_with_a_password(commissioner_office):
    added = staff_account_create(
        organisation=commissioner_office,
        email="analyst@example.org",
        full_name="An Analyst",
        role=Membership.Role.ANALYST,
        password="plum orchard kettle 1987",
    )

    assert added.set_up_path is None
    assert added.membership.user.check_password("plum orchard kettle 1987")


def test_operator_cannot_overwrite_an_existing_password(organisation, outsider):
    with pytest.raises(ValidationError) as problem:
        staff_account_create(
            organisation=organisation,
            email=outsider.email,
            full_name="X",
            role=Membership.Role.PRACTITIONER,
            password="plum orchard kettle 1987",
        )

    assert "password" in problem.value.message_dict
    assert not Membership.objects.filter(user=outsider, organisation=organisation).exists()


def test_removing_devices_makes_the_person_set_up_again(practitioner):
    assert totp_devices_remove(user=practitioner) == 1
    assert not TOTPDevice.objects.filter(user=practitioner).exists()


def test_removing_devices_ends_the_second_factor_of_open_sessions(
    practitioner, practitioner_client
):
    assert practitioner_client.get("/staff/")["Location"] == reverse("casework:inbox")

    totp_devices_remove(user=practitioner)

    response = practitioner_client.get("/staff/")
    assert response["Location"].startswith("/staff/sign-in/verify/")


@pytest.mark.parametrize("state", ["pending", "active"])
def test_an_admin_cannot_capture_another_organisations_account(
    organisation, organisation_admin, other_organisation, state
):
    """Only invite, never capture: org A's admin cannot attach org B's member (issue 11)."""
    theirs = MembershipFactory(organisation=other_organisation).user
    if state == "pending":
        theirs.set_unusable_password()
        theirs.save(update_fields=["password"])

    with pytest.raises(ValidationError) as problem:
        staff_member_add(
            organisation=organisation,
            email=theirs.email,
            full_name="Taken Over",
            role=Membership.Role.ORGANISATION_ADMIN,
            added_by=organisation_admin,
        )

    assert "already has a Bridgeway account" in problem.value.message_dict["email"][0]
    assert list(Membership.objects.filter(user=theirs).values_list("organisation", flat=True)) == [
        other_organisation.pk
    ]
    theirs.refresh_from_db()
    assert theirs.full_name != "Taken Over"
    assert (state == "pending") != theirs.has_usable_password()


def test_the_operator_may_still_add_someone_to_a_second_organisation(
    organisation, other_organisation
):
    theirs = MembershipFactory(organisation=other_organisation).user

    added = staff_account_create(
        organisation=organisation,
        email=theirs.email,
        full_name=theirs.full_name,
        role=Membership.Role.PRACTITIONER,
    )

    assert added.membership.user == theirs
    assert Membership.objects.filter(user=theirs).count() == 2

"""Organisation administrators list, add and remove their staff."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.models import Membership, User
from bridgeway.accounts.tests.factories import MembershipFactory, UserFactory
from bridgeway.conftest import sign_in
from bridgeway.site.tests.error_links import error_summary_links, unreachable_errors

STAFF = reverse("accounts:staff")
ADD = reverse("accounts:staff-add")


def _remove_url(membership: Membership) -> str:
    return reverse(
        "accounts:staff-remove",
        kwargs={"slug": membership.organisation.slug, "member_id": membership.user_id},
    )


def _link_url(membership: Membership) -> str:
    return reverse(
        "accounts:staff-set-up-link",
        kwargs={"slug": membership.organisation.slug, "member_id": membership.user_id},
    )


def _shown_link(page: str) -> str:
    match = re.search(r'id="set-up-link">([^<]+)<', page)
    assert match, "the page shows the set-up link"
    return match.group(1)


def _new_member(organisation, email="new.person@example.org"):
    return {
        "organisation": organisation.slug,
        "full_name": "New Person",
        "email": email,
        "role": Membership.Role.PRACTITIONER,
    }


# --- the list ---------------------------------------------------------------------------


def test_admin_sees_their_organisations_staff(admin_client_of_organisation, practitioner, outsider):
    response = admin_client_of_organisation.get(STAFF)

    page = response.content.decode()
    assert response.status_code == 200
    assert practitioner.full_name in page
    assert practitioner.email in page
    assert outsider.email not in page


def test_staff_list_redirects_anonymous_people_to_sign_in(client):
    response = client.get(STAFF)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_practitioner_gets_403_for_the_staff_list(practitioner_client):
    assert practitioner_client.get(STAFF).status_code == 403


def test_commissioner_gets_403_for_the_staff_list(commissioner_client):
    assert commissioner_client.get(STAFF).status_code == 403


def test_staff_list_queries_do_not_grow_with_staff(
    admin_client_of_organisation, organisation, django_assert_max_num_queries
):
    MembershipFactory.create_batch(5, organisation=organisation)

    with django_assert_max_num_queries(12):
        response = admin_client_of_organisation.get(STAFF)

    assert response.status_code == 200


# --- adding -----------------------------------------------------------------------------


def test_admin_adds_a_practitioner_and_gets_a_one_time_link(
    admin_client_of_organisation, organisation
):
    response = admin_client_of_organisation.post(ADD, _new_member(organisation))

    page = response.content.decode()
    assert response.status_code == 200
    user = User.objects.get(email="new.person@example.org")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, organisation=organisation).role == "practitioner"
    link = re.search(r'id="set-up-link">(http://testserver/staff/set-password/[^<]+)<', page)
    assert link, "the page shows the full set-up link"

    # The link works for the new person, once.
    newcomer = Client()
    form = newcomer.get(link.group(1))
    assert form.status_code == 200
    assert "Choose a password" in form.content.decode()


def test_adding_someone_who_already_has_an_account_elsewhere_is_refused_not_attached(
    admin_client_of_organisation, organisation, outsider
):
    response = admin_client_of_organisation.post(
        ADD, _new_member(organisation, email=outsider.email.upper())
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "set-up-link" not in page
    assert "already has a Bridgeway account. To add them to Leeds Community Support" in page
    assert "ask the Bridgeway operator" in page
    assert Membership.objects.filter(user=outsider).count() == 1
    outsider.refresh_from_db()
    assert outsider.has_usable_password()


def test_adding_an_existing_member_again_is_refused(
    admin_client_of_organisation, organisation, practitioner
):
    response = admin_client_of_organisation.post(
        ADD, _new_member(organisation, email=practitioner.email)
    )

    assert response.status_code == 400
    assert "is already a member of Leeds Community Support" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "", "Enter their email address."),
        ("email", "no-at-sign", "Enter an email address in the correct format"),
        ("full_name", "", "Enter their full name."),
        ("role", "commissioner", "Choose practitioner or organisation administrator."),
        ("role", "platform_admin", "Choose practitioner or organisation administrator."),
        ("organisation", "birmingham-outreach", "Choose one of the organisations you administer."),
    ],
)
def test_bad_input_when_adding_is_refused_with_a_message_and_nothing_changes(
    admin_client_of_organisation, organisation, other_organisation, field, value, message
):
    before = User.objects.count()
    data = {**_new_member(organisation), field: value}

    response = admin_client_of_organisation.post(ADD, data)

    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert "There is a problem" in page
    assert User.objects.count() == before


def test_practitioner_gets_403_for_adding_staff(practitioner_client, organisation):
    response = practitioner_client.post(ADD, _new_member(organisation))

    assert response.status_code == 403
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_adding_staff_redirects_anonymous_people_to_sign_in(client, organisation):
    response = client.post(ADD, _new_member(organisation))

    assert response.status_code == 302
    assert not User.objects.filter(email="new.person@example.org").exists()


# --- removing ---------------------------------------------------------------------------


def test_admin_removes_a_practitioner_and_their_account_is_switched_off(
    admin_client_of_organisation, practitioner
):
    membership = Membership.objects.get(user=practitioner)
    assert admin_client_of_organisation.get(_remove_url(membership)).status_code == 200

    response = admin_client_of_organisation.post(_remove_url(membership))

    assert response.status_code == 302
    assert response["Location"] == STAFF
    practitioner.refresh_from_db()
    assert not Membership.objects.filter(user=practitioner).exists()
    assert not practitioner.is_active
    assert not practitioner.has_usable_password()
    assert not TOTPDevice.objects.filter(user=practitioner).exists()
    page = admin_client_of_organisation.get(STAFF).content.decode()
    assert "their account is switched off" in page


def test_removed_persons_open_session_stops_working(
    admin_client_of_organisation, practitioner, practitioner_client
):
    admin_client_of_organisation.post(_remove_url(Membership.objects.get(user=practitioner)))

    response = practitioner_client.get(reverse("accounts:home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_member_of_another_organisation_keeps_their_account_when_removed_from_one(
    admin_client_of_organisation, organisation, outsider
):
    MembershipFactory(user=outsider, organisation=organisation)
    membership = Membership.objects.get(user=outsider, organisation=organisation)

    admin_client_of_organisation.post(_remove_url(membership))

    outsider.refresh_from_db()
    assert outsider.is_active
    assert Membership.objects.filter(user=outsider).count() == 1


def test_admin_cannot_remove_themselves(admin_client_of_organisation, organisation_admin):
    membership = Membership.objects.get(user=organisation_admin)

    response = admin_client_of_organisation.post(_remove_url(membership))

    assert response.status_code == 400
    assert "You cannot remove yourself" in response.content.decode()
    assert Membership.objects.filter(user=organisation_admin).exists()


def test_outsider_gets_404_for_removing_another_organisations_member(outsider_client, practitioner):
    membership = Membership.objects.get(user=practitioner)

    response = outsider_client.post(_remove_url(membership))

    assert response.status_code == 404
    assert Membership.objects.filter(user=practitioner).exists()


def test_admin_of_another_organisation_gets_404_for_removing_our_member(
    client, other_organisation, practitioner
):
    other_admin = MembershipFactory(
        organisation=other_organisation, role=Membership.Role.ORGANISATION_ADMIN
    ).user
    sign_in(client, other_admin)
    membership = Membership.objects.get(user=practitioner)
    # The organisation in the address is theirs, but the member is ours.
    url = reverse(
        "accounts:staff-remove",
        kwargs={"slug": other_organisation.slug, "member_id": practitioner.pk},
    )

    assert client.post(_remove_url(membership)).status_code == 404
    assert client.post(url).status_code == 404
    assert Membership.objects.filter(user=practitioner).exists()


def test_practitioner_gets_403_for_removing_a_colleague(practitioner_client, organisation_admin):
    membership = Membership.objects.get(user=organisation_admin)

    response = practitioner_client.post(_remove_url(membership))

    assert response.status_code == 403
    assert Membership.objects.filter(user=organisation_admin).exists()


def test_removing_redirects_anonymous_people_to_sign_in(client, practitioner):
    response = client.post(_remove_url(Membership.objects.get(user=practitioner)))

    assert response.status_code == 302
    assert Membership.objects.filter(user=practitioner).exists()


def test_removing_an_unknown_member_is_404(admin_client_of_organisation, organisation):
    url = reverse(
        "accounts:staff-remove",
        kwargs={
            "slug": organisation.slug,
            "member_id": "00000000-0000-0000-0000-000000000000",
        },
    )

    assert admin_client_of_organisation.post(url).status_code == 404


# --- new set-up links -------------------------------------------------------------------


def test_admin_issues_a_new_link_and_the_old_one_stops_working(
    admin_client_of_organisation, organisation
):
    first = admin_client_of_organisation.post(ADD, _new_member(organisation)).content.decode()
    old_link = _shown_link(first)
    membership = Membership.objects.get(user__email="new.person@example.org")

    response = admin_client_of_organisation.post(_link_url(membership))

    new_link = _shown_link(response.content.decode())
    assert new_link != old_link
    assert Client().get(old_link).status_code == 404
    assert Client().get(new_link).status_code == 200


def test_no_new_link_for_someone_who_has_a_password(admin_client_of_organisation, practitioner):
    response = admin_client_of_organisation.post(
        _link_url(Membership.objects.get(user=practitioner)), follow=True
    )

    assert "has already chosen a password" in response.content.decode()


def test_no_new_link_for_someone_who_also_belongs_elsewhere(
    admin_client_of_organisation, organisation, other_organisation
):
    user = UserFactory(password=None)
    user.set_unusable_password()
    user.save()
    MembershipFactory(user=user, organisation=organisation)
    MembershipFactory(user=user, organisation=other_organisation)

    response = admin_client_of_organisation.post(
        _link_url(Membership.objects.get(user=user, organisation=organisation)), follow=True
    )

    assert "also belongs to an organisation you do not administer" in response.content.decode()


def test_set_up_link_is_post_only_and_needs_an_admin(practitioner_client, organisation_admin):
    url = _link_url(Membership.objects.get(user=organisation_admin))

    assert practitioner_client.post(url).status_code == 403


def test_missing_role_error_links_to_the_first_role_radio(
    admin_client_of_organisation, organisation, other_organisation
):
    # Two organisations administered, so the organisation is a choice too; the role is left out.
    MembershipFactory(
        organisation=other_organisation,
        user=Membership.objects.get(organisation=organisation).user,
        role=Membership.Role.ORGANISATION_ADMIN,
    )
    details = _new_member(organisation)
    del details["role"]

    page = admin_client_of_organisation.post(ADD, details).content.decode()

    assert error_summary_links(page) == ["#id_role_0"]
    assert 'id="id_role_0"' in page
    assert unreachable_errors(page) == []

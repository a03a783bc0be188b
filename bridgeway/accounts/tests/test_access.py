"""The one access vocabulary: who holds which role where, and who is asking."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from bridgeway.accounts.access import (
    CASEWORK_ROLES,
    INSIGHT_ROLES,
    STAFF_ADMIN_ROLES,
    has_role_in,
    signed_in_user,
)
from bridgeway.accounts.models import Membership
from bridgeway.accounts.tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_has_role_in_is_true_for_a_role_held_in_that_organisation(
    practitioner, organisation
) -> None:
    assert has_role_in(practitioner, organisation, CASEWORK_ROLES)
    assert has_role_in(practitioner, organisation, [Membership.Role.PRACTITIONER])


def test_has_role_in_takes_the_organisations_id_as_well(practitioner, organisation) -> None:
    assert has_role_in(practitioner, organisation.pk, CASEWORK_ROLES)


def test_has_role_in_is_false_for_another_role_in_the_same_organisation(
    practitioner, organisation
) -> None:
    assert not has_role_in(practitioner, organisation, STAFF_ADMIN_ROLES)
    assert not has_role_in(practitioner, organisation, INSIGHT_ROLES)


def test_has_role_in_is_false_for_the_role_held_in_another_organisation(
    outsider, organisation
) -> None:
    assert not has_role_in(outsider, organisation, CASEWORK_ROLES)
    assert not has_role_in(outsider, organisation.pk, CASEWORK_ROLES)


def test_has_role_in_looks_at_each_organisation_of_someone_in_two(organisation) -> None:
    membership = MembershipFactory(organisation=organisation, role=Membership.Role.PRACTITIONER)
    elsewhere = OrganisationFactory()
    MembershipFactory(
        user=membership.user, organisation=elsewhere, role=Membership.Role.ORGANISATION_ADMIN
    )
    assert has_role_in(membership.user, organisation, [Membership.Role.PRACTITIONER])
    assert not has_role_in(membership.user, organisation, STAFF_ADMIN_ROLES)
    assert has_role_in(membership.user, elsewhere, STAFF_ADMIN_ROLES)
    assert not has_role_in(membership.user, elsewhere, [Membership.Role.PRACTITIONER])


def test_has_role_in_no_roles_is_always_false(practitioner, organisation) -> None:
    assert not has_role_in(practitioner, organisation, [])


def test_signed_in_user_is_the_account_behind_the_request(practitioner) -> None:
    request = RequestFactory().get("/staff/")
    request.user = practitioner
    assert signed_in_user(request) == practitioner


def test_signed_in_user_refuses_an_anonymous_request() -> None:
    request = RequestFactory().get("/staff/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        signed_in_user(request)

"""The inbox filters by harm, age, waiting time and assignee, in a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bridgeway.accounts.models import Membership
from bridgeway.accounts.tests.factories import MembershipFactory
from bridgeway.casework.models import AuditEntry
from bridgeway.casework.services import referral_advance, referral_assign
from bridgeway.casework.tests.factories import make_referral


def _inbox(client, **query):
    response = client.get(reverse("casework:inbox"), query)
    return response, response.content.decode()


def test_inbox_filters_by_harm(practitioner_client, service):
    hate = make_referral(service=service, harm_types=("hate_crime",))
    incident = make_referral(service=service, harm_types=("hate_incident",))
    abuse = make_referral(service=service, harm_types=("domestic_abuse", "harassment_stalking"))

    _response, page = _inbox(practitioner_client, harm="harassment_stalking")
    _response, hate_page = _inbox(practitioner_client, harm="hate_crime")

    assert abuse.reference in page
    assert hate.reference not in page
    assert hate.reference in hate_page
    assert incident.reference not in hate_page


def test_inbox_filters_by_age(practitioner_client, service):
    young = make_referral(service=service, age_band="under_18")
    adult = make_referral(service=service, age_band="35_44")

    _response, page = _inbox(practitioner_client, age="under_18")

    assert young.reference in page
    assert adult.reference not in page


def test_inbox_filters_by_waiting_time(practitioner, practitioner_client, service):
    now = timezone.now()
    long_wait = make_referral(service=service, received_at=now - dt.timedelta(days=8))
    short_wait = make_referral(service=service, received_at=now - dt.timedelta(days=2))
    contacted = make_referral(service=service, received_at=now - dt.timedelta(days=10))
    referral_advance(referral=contacted, stage="contacted", actor=practitioner)

    _response, page = _inbox(practitioner_client, waited="7")

    assert long_wait.reference in page
    assert short_wait.reference not in page
    assert contacted.reference not in page


def test_inbox_filters_by_assignee(practitioner, organisation_admin, practitioner_client, service):
    mine = make_referral(service=service)
    theirs = make_referral(service=service)
    nobodys = make_referral(service=service)
    referral_assign(referral=mine, actor=practitioner, assignee=practitioner)
    referral_assign(referral=theirs, actor=practitioner, assignee=organisation_admin)

    _r, me = _inbox(practitioner_client, assignee="me")
    _r, unassigned = _inbox(practitioner_client, assignee="unassigned")
    _r, colleague = _inbox(practitioner_client, assignee=str(organisation_admin.pk))

    assert mine.reference in me
    assert theirs.reference not in me
    assert nobodys.reference not in me
    assert nobodys.reference in unassigned
    assert mine.reference not in unassigned
    assert theirs.reference in colleague
    assert mine.reference not in colleague


def test_inbox_does_not_offer_or_accept_someone_from_another_organisation(
    practitioner_client, outsider, referral
):
    response, page = _inbox(practitioner_client, assignee=str(outsider.pk))

    assert response.status_code == 400
    assert "Choose someone from the list." in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"harm": "sadness"}, "Choose a kind of harm from the list."),
        ({"age": "ancient"}, "Choose an age group from the list."),
        ({"waited": "forever"}, "Choose a waiting time from the list."),
        ({"assignee": "somebody"}, "Choose someone from the list."),
    ],
)
def test_bad_inbox_filters_say_what_is_wrong(practitioner_client, referral, query, message):
    response, page = _inbox(practitioner_client, **query)

    assert response.status_code == 400
    assert message in page
    assert referral.reference in page


def test_filtered_inbox_query_count_does_not_grow_with_rows(
    practitioner, practitioner_client, service, django_assert_max_num_queries
):
    filters = {"harm": "hate_crime", "age": "18_24", "waited": "1", "assignee": "me"}
    old = timezone.now() - dt.timedelta(days=3)
    referral_assign(
        referral=make_referral(service=service, received_at=old),
        actor=practitioner,
        assignee=practitioner,
    )
    with django_assert_max_num_queries(14) as few:
        practitioner_client.get(reverse("casework:inbox"), filters)
    for _ in range(6):
        referral_assign(
            referral=make_referral(service=service, received_at=old),
            actor=practitioner,
            assignee=practitioner,
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = practitioner_client.get(reverse("casework:inbox"), filters)
    assert response.content.decode().count("/staff/referrals/BW-") == 7


# --- assignment -----------------------------------------------------------------------------


def test_practitioner_assigns_a_referral_from_its_page(practitioner, practitioner_client, referral):
    response = practitioner_client.post(
        reverse("casework:referral-assign", args=[referral.reference]),
        {"assign-assignee": str(practitioner.pk)},
        follow=True,
    )

    assert "The referral&#x27;s assignment was saved." in response.content.decode()
    referral.refresh_from_db()
    assert referral.assigned_to == practitioner
    assert AuditEntry.objects.filter(action="referral.assign", object_id=str(referral.pk)).exists()


def test_assigning_to_someone_outside_the_organisation_is_refused(
    practitioner, practitioner_client, outsider, referral
):
    response = practitioner_client.post(
        reverse("casework:referral-assign", args=[referral.reference]),
        {"assign-assignee": str(outsider.pk)},
    )

    assert response.status_code == 400
    assert "Choose someone from the list." in response.content.decode()
    with pytest.raises(ValidationError, match="works cases for this organisation"):
        referral_assign(referral=referral, actor=practitioner, assignee=outsider)
    referral.refresh_from_db()
    assert referral.assigned_to is None


def test_commissioner_member_is_not_someone_to_assign_to(practitioner, referral, organisation):
    membership = MembershipFactory(organisation=organisation, role=Membership.Role.COMMISSIONER)

    with pytest.raises(ValidationError):
        referral_assign(referral=referral, actor=practitioner, assignee=membership.user)


def test_outsider_cannot_assign(outsider, referral):
    with pytest.raises(PermissionDenied):
        referral_assign(referral=referral, actor=outsider, assignee=None)

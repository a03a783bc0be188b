"""Staff pages where an organisation's administrators edit their own service listings."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from bridgeway.accounts.models import Membership
from bridgeway.accounts.tests.factories import MembershipFactory, totp_device_for
from bridgeway.conftest import sign_in

pytestmark = pytest.mark.django_db

LISTINGS = "/staff/directory/"


def edit_url(service) -> str:
    return reverse("directory:listing-edit", args=[service.id])


def form_data(**changes):
    data = {
        "name": "Bradford Urdu Hate Support",
        "description": "Support after hate, in Urdu.",
        "url": "",
        "email": "",
        "phone": "",
        "districts": ["E08000032", "E08000035"],
        "languages": ["urd", "eng"],
        "harm_types": ["hate_incident"],
        "independence": "independent",
        "minimum_age": "11",
        "maximum_age": "25",
        "waiting_weeks": "2",
        "accepts_out_of_area": "on",
    }
    data.update(changes)
    return data


def test_listings_url_names_are_stable():
    assert reverse("directory:listings") == LISTINGS
    some_id = uuid.uuid4()
    assert reverse("directory:listing-edit", args=[some_id]) == f"/staff/directory/{some_id}/edit/"


def test_unauthenticated_people_are_sent_to_sign_in(client, directory):
    for url in (LISTINGS, edit_url(directory["urdu"])):
        response = client.get(url)
        assert response.status_code == 302
        assert "/sign-in/" in response["Location"]


def test_password_without_second_factor_is_sent_to_verify(organisation_admin, directory):
    client = Client()
    client.force_login(organisation_admin)
    response = client.get(LISTINGS)
    assert response.status_code == 302
    assert "verify" in response["Location"]


def test_admin_sees_only_their_own_organisations_services(admin_client_of_organisation, directory):
    response = admin_client_of_organisation.get(LISTINGS)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bradford Urdu Hate Support" in page
    assert "Closed Leeds Service" in page  # their own, even when closed
    assert "Birmingham Advice" not in page
    assert "Hate Crime Unit" not in page


def test_practitioner_gets_403_for_listings_and_for_their_own_services_edit_page(
    practitioner_client, directory
):
    assert practitioner_client.get(LISTINGS).status_code == 403
    assert practitioner_client.get(edit_url(directory["urdu"])).status_code == 403


def test_commissioner_gets_403_for_listings(commissioner_client, directory):
    assert commissioner_client.get(LISTINGS).status_code == 403


def test_outsider_gets_404_for_another_organisations_service(outsider_client, directory):
    assert outsider_client.get(edit_url(directory["urdu"])).status_code == 404


def test_admin_of_another_organisation_gets_404_and_changes_nothing(other_organisation, directory):
    membership = MembershipFactory(
        organisation=other_organisation, role=Membership.Role.ORGANISATION_ADMIN
    )
    totp_device_for(membership.user)
    client = sign_in(Client(), membership.user)
    service = directory["urdu"]
    assert client.get(edit_url(service)).status_code == 404
    assert client.post(edit_url(service), form_data(name="Hijacked")).status_code == 404
    service.refresh_from_db()
    assert service.name == "Bradford Urdu Hate Support"


def test_unknown_service_is_404(admin_client_of_organisation):
    response = admin_client_of_organisation.get(f"/staff/directory/{uuid.uuid4()}/edit/")
    assert response.status_code == 404
    assert admin_client_of_organisation.get("/staff/directory/not-a-uuid/edit/").status_code == 404


def test_edit_page_shows_the_current_listing(admin_client_of_organisation, directory):
    page = admin_client_of_organisation.get(edit_url(directory["urdu"])).content.decode()
    assert 'value="Bradford Urdu Hate Support"' in page
    assert 'value="urd" checked' in page
    # The area picker is checkboxes now (a one-row select showed unchosen areas as chosen).
    assert 'type="checkbox" value="E08000032" checked' in page


def test_admin_saves_a_changed_listing(admin_client_of_organisation, directory):
    service = directory["urdu"]
    response = admin_client_of_organisation.post(
        edit_url(service), form_data(name="Bradford Hate Support", languages=["urd", "pan"])
    )
    assert response.status_code == 302
    assert response["Location"] == LISTINGS
    service.refresh_from_db()
    assert service.name == "Bradford Hate Support"
    assert sorted(t.code for t in service.languages.all()) == ["pan", "urd"]
    assert sorted(d.code for d in service.districts.all()) == ["E08000032", "E08000035"]
    assert (service.minimum_age, service.maximum_age, service.waiting_weeks) == (11, 25, 2)
    assert service.accepts_out_of_area


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"minimum_age": "30", "maximum_age": "18"}, "The oldest age must be"),
        ({"languages": ["klingon"]}, "Select a valid choice"),
        ({"districts": ["S12000036"]}, "Select a valid choice"),
        ({"independence": "sort_of"}, "Select a valid choice"),
        ({"waiting_weeks": "-1"}, "greater than or equal to 0"),
        ({"url": "not a url"}, "Enter a valid URL"),
    ],
)
def test_bad_input_is_shown_and_nothing_changes(
    admin_client_of_organisation, directory, changes, message
):
    service = directory["urdu"]
    response = admin_client_of_organisation.post(edit_url(service), form_data(**changes))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    service.refresh_from_db()
    assert service.waiting_weeks is None

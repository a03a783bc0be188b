"""The listing fields matching and Open Referral need: formats, confirmation, secrets, places."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bridgeway.directory.models import Location, Service
from bridgeway.directory.services import service_create, service_update
from bridgeway.directory.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

LISTINGS = "/staff/directory/"


def test_formats_are_kept_in_order_without_repeats(organisation):
    service = ServiceFactory(organisation=organisation, formats=["bsl", "audio", "bsl"])
    service.refresh_from_db()
    assert service.formats == ["bsl", "audio"]


def test_unknown_format_is_refused_naming_the_field_and_nothing_is_saved(organisation):
    with pytest.raises(ValidationError) as error:
        service_create(organisation=organisation, name="Signs", formats=["semaphore"])
    assert "semaphore" in str(error.value.message_dict["formats"])
    assert not Service.objects.filter(name="Signs").exists()


def test_a_single_string_of_formats_is_refused(organisation):
    with pytest.raises(ValidationError) as error:
        service_create(organisation=organisation, name="Signs", formats="bsl")
    assert "formats" in error.value.message_dict


def test_confidential_address_is_sealed_at_rest(organisation):
    service = ServiceFactory(organisation=organisation, confidential_address="1 Safe Street")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT confidential_address FROM directory_service WHERE id = %s",
            [service.id.hex if connection.vendor == "sqlite" else service.id],
        )
        (raw,) = cursor.fetchone()
    assert raw.startswith("fernet:")
    assert "Safe Street" not in raw
    assert Service.objects.get(pk=service.pk).confidential_address == "1 Safe Street"


def test_confidential_address_is_not_in_the_public_api(client, organisation):
    service = ServiceFactory(organisation=organisation, confidential_address="1 Safe Street")
    response = client.get(f"/api/v1/services/{service.id}")
    assert response.status_code == 200
    assert "Safe Street" not in response.content.decode()


def test_a_new_listing_counts_as_confirmed_now(organisation):
    service = ServiceFactory(organisation=organisation)
    assert service.last_confirmed_at is not None
    assert not service.is_unverified()


def test_a_listing_unconfirmed_for_six_months_is_unverified(organisation):
    service = ServiceFactory(
        organisation=organisation, last_confirmed_at=timezone.now() - timedelta(days=200)
    )
    assert service.is_unverified()
    assert not service.is_unverified(now=service.last_confirmed_at + timedelta(days=150))


def test_service_update_with_confirmed_sets_last_confirmed_at_to_now(organisation):
    old = timezone.now() - timedelta(days=400)
    service = ServiceFactory(organisation=organisation, last_confirmed_at=old)
    service_update(service=service, restorative_justice=True, confirmed=True)
    service.refresh_from_db()
    assert service.restorative_justice is True
    assert service.last_confirmed_at > old + timedelta(days=399)


def test_organisation_sees_unverified_and_area_not_known_flags(
    admin_client_of_organisation, organisation
):
    ServiceFactory(
        organisation=organisation,
        name="Old Listing",
        last_confirmed_at=timezone.now() - timedelta(days=200),
    )
    ServiceFactory(organisation=organisation, name="Imported Listing", area_not_known=True)
    page = admin_client_of_organisation.get(LISTINGS).content.decode()
    assert "Some listings need your attention" in page
    assert "Unverified: confirm it" in page
    assert "Area not known" in page


def test_fresh_listings_raise_no_flag(admin_client_of_organisation, organisation):
    ServiceFactory(organisation=organisation, name="Fresh Listing", district_codes=["E08000035"])
    page = admin_client_of_organisation.get(LISTINGS).content.decode()
    assert "Fresh Listing" in page
    assert "need your attention" not in page
    assert "Area not known" not in page


def test_saving_the_edit_form_confirms_the_listing_and_keeps_formats(
    admin_client_of_organisation, organisation
):
    service = ServiceFactory(
        organisation=organisation, last_confirmed_at=timezone.now() - timedelta(days=300)
    )
    response = admin_client_of_organisation.post(
        f"/staff/directory/{service.id}/edit/",
        {
            "name": service.name,
            "independence": "independent",
            "harm_types": ["hate_incident"],
            "formats": ["bsl", "easy_read"],
            "restorative_justice": "on",
            "self_referral": "on",
        },
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.formats == ["bsl", "easy_read"]
    assert service.restorative_justice is True
    assert not service.is_unverified()


def test_edit_form_refuses_an_unknown_format(admin_client_of_organisation, organisation):
    service = ServiceFactory(organisation=organisation)
    response = admin_client_of_organisation.post(
        f"/staff/directory/{service.id}/edit/",
        {"name": service.name, "independence": "independent", "formats": ["semaphore"]},
    )
    assert response.status_code == 200
    assert "semaphore" in response.content.decode()
    service.refresh_from_db()
    assert service.formats == []


@pytest.mark.parametrize(("latitude", "longitude"), [(91, 0), (-90.5, 0), (0, 181), (0, -200)])
def test_location_coordinates_out_of_range_are_refused(organisation, latitude, longitude):
    service = ServiceFactory(organisation=organisation)
    location = Location(service=service, latitude=latitude, longitude=longitude)
    with pytest.raises(ValidationError) as error:
        location.full_clean()
    assert set(error.value.message_dict) & {"latitude", "longitude"}


def test_public_page_marks_a_listing_unconfirmed_for_six_months_as_unverified(client, organisation):
    stale = ServiceFactory(
        organisation=organisation, last_confirmed_at=timezone.now() - timedelta(days=200)
    )
    fresh = ServiceFactory(organisation=organisation)
    stale_page = client.get(reverse("frontdoor:service", args=[stale.id])).content.decode()
    fresh_page = client.get(reverse("frontdoor:service", args=[fresh.id])).content.decode()
    assert "Unverified" in stale_page
    assert "not confirmed these details in the last 6 months" in stale_page
    assert "Unverified" not in fresh_page


def test_public_page_never_shows_the_confidential_address(client, organisation):
    service = ServiceFactory(organisation=organisation, confidential_address="1 Safe Street")
    page = client.get(reverse("frontdoor:service", args=[service.id])).content.decode()
    assert service.name in page
    assert "Safe Street" not in page

"""The feed's list pages and a service's public page are kept under the directory's version
stamp (decision 0153): cheap to serve again, never stale after a change, never one person's."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.safestring import SafeString

from bridgeway.accounts.models import Organisation
from bridgeway.directory.introductions import introduction_remove, introduction_upload
from bridgeway.directory.listing_children import LocationDetails, PhoneDetails, ScheduleDetails
from bridgeway.directory.models import Service
from bridgeway.directory.services import service_create, service_update
from bridgeway.directory.tests.test_introductions import MP3_ID3
from bridgeway.frontdoor.service_page import ServiceListing

pytestmark = pytest.mark.django_db

LEEDS = "E08000035"
FEED = "/api/v1/services"


def _service(organisation: Organisation, name: str, *, children: int = 0) -> Service:
    service = service_create(
        organisation=organisation,
        name=name,
        description="Support after hate.",
        district_codes=[LEEDS],
        language_codes=["eng", "urd"],
        harm_type_codes=["hate_crime"],
    )
    if not children:
        return service
    return service_update(
        service=service,
        phones=[PhoneDetails(number=f"0113 496 00{n:02d}") for n in range(children)],
        schedules=[ScheduleDetails(byday="MO", opens_at=f"{9 + n:02d}:00") for n in range(3)],
        locations=[LocationDetails(name=f"Hub {n}", city="Leeds") for n in range(children)],
    )


def _feed_names(client: Client, query: str = "") -> list[str]:
    answer = client.get(f"{FEED}{query}")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    return [service["name"] for service in answer.json()["contents"]]


def test_a_change_to_a_service_shows_at_once_on_its_page_and_in_the_feed(
    client: Client, organisation: Organisation
) -> None:
    service = _service(organisation, "Leeds Hate Support")
    page = f"/en/services/{service.id}/"
    for _ in range(2):  # the second answer of each is the kept one
        assert "Leeds Hate Support" in client.get(page).content.decode()
        assert _feed_names(client) == ["Leeds Hate Support"]

    service_update(service=service, name="Leeds Support After Hate", phone="0113 496 0999")

    shown = client.get(page).content.decode()
    assert "Leeds Support After Hate" in shown
    assert "0113 496 0999" in shown
    assert "Leeds Hate Support" not in shown
    assert _feed_names(client) == ["Leeds Support After Hate"]

    service_update(service=service, status=Service.Status.INACTIVE)

    assert client.get(page).status_code == 404
    assert _feed_names(client) == []


def test_a_new_service_joins_a_kept_feed_page_at_once(
    client: Client, organisation: Organisation
) -> None:
    _service(organisation, "B Support")
    assert _feed_names(client, "?per_page=5") == ["B Support"]
    _service(organisation, "A Support")
    assert _feed_names(client, "?per_page=5") == ["A Support", "B Support"]
    # Each page size and page is kept apart.
    assert _feed_names(client, "?per_page=1&page=2") == ["B Support"]


def test_an_introduction_shows_and_goes_at_once_on_a_kept_page(
    client: Client, organisation: Organisation, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    service = _service(organisation, "Leeds Hate Support")
    page = f"/en/services/{service.id}/"
    assert "Listen to a short introduction" not in client.get(page).content.decode()
    introduction = introduction_upload(
        service=service,
        kind="audio",
        upload=io.BytesIO(MP3_ID3),
        name="welcome.mp3",
        size=len(MP3_ID3),
        transcript="Hello, we are a helpline.",
        language="eng",
        uploaded_by=None,
    )
    assert "Listen to a short introduction" in client.get(page).content.decode()
    introduction_remove(introduction=introduction)
    assert "Listen to a short introduction" not in client.get(page).content.decode()


def test_each_language_has_its_own_kept_page(client: Client, organisation: Organisation) -> None:
    service = _service(organisation, "Leeds Hate Support")
    english = client.get(f"/en/services/{service.id}/").content.decode()
    welsh = client.get(f"/cy/services/{service.id}/").content.decode()
    assert "Who runs it" in english
    assert "Who runs it" not in welsh
    assert 'href="/cy/get-support/"' in welsh


def test_the_unverified_notice_is_worked_out_on_each_visit() -> None:
    now = timezone.now()
    kept = ServiceListing(
        heading=SafeString(), body=SafeString(), last_confirmed_at=now - timedelta(days=180)
    )
    assert not kept.is_unverified(now)
    assert kept.is_unverified(now + timedelta(days=10))
    assert ServiceListing(
        heading=SafeString(), body=SafeString(), last_confirmed_at=None
    ).is_unverified(now)


def test_the_feed_list_page_reads_a_bounded_number_of_queries_whatever_its_size(
    client: Client, organisation: Organisation
) -> None:
    for number in range(12):
        _service(organisation, f"Support {number:02d}", children=number % 4)
    counts = {}
    for per_page in (2, 12):
        _feed_names(client, f"?per_page={per_page}&page=1")  # reference data read once
        client.get(f"/api/v1/services?per_page={per_page}&page=1&text=Support")  # warm
        with CaptureQueriesContext(connection) as built:
            assert len(_feed_names(client, f"?per_page={per_page}&text=Supp")) == per_page
        with CaptureQueriesContext(connection) as kept:
            assert len(_feed_names(client, f"?per_page={per_page}&text=Supp")) == per_page
        counts[per_page] = (len(built.captured_queries), len(kept.captured_queries))
    assert counts[2] == counts[12]
    built_count, kept_count = counts[12]
    # Built: the stamp twice, the count, the page and one read per kind of child.
    assert built_count <= 16
    assert kept_count == 1  # the directory's stamp, nothing else


def test_an_organisation_renamed_shows_at_once_on_its_listings_kept_pages(
    client: Client, organisation: Organisation
) -> None:
    service = _service(organisation, "Leeds Hate Support")
    page = f"/en/services/{service.id}/"
    for _ in range(2):  # the second answer of each is the kept one
        client.get(page)
        client.get(FEED)
    organisation.name = "Leeds Community Voices"
    organisation.save()

    assert "Leeds Community Voices" in client.get(page).content.decode()
    feed = client.get(FEED).json()["contents"]
    assert feed[0]["organization"]["name"] == "Leeds Community Voices"

"""The public service page says how to reach the service: ways of support, places, phones, hours."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bridgeway.accounts.models import Organisation
from bridgeway.directory.listing_children import LocationDetails, PhoneDetails, ScheduleDetails
from bridgeway.directory.models import Service
from bridgeway.directory.services import service_create, service_update
from bridgeway.frontdoor.tests.conftest import LEEDS


@pytest.fixture
def reachable(organisation: Organisation) -> Service:
    service = service_create(
        organisation=organisation,
        name="Reachable Support",
        district_codes=[LEEDS],
        formats=["audio", "bsl"],
        restorative_justice=True,
        confidential_address="7 Hidden Street",
    )
    return service_update(
        service=service,
        locations=[
            LocationDetails(
                name="Chapeltown Hub", address_1="1 Leeds Road", city="Leeds", postal_code="LS7 3AA"
            ),
            LocationDetails(location_type="virtual", name="Online chat"),
        ],
        phones=[PhoneDetails(number="07700 900123", type="text", description="Texts only")],
        schedules=[
            ScheduleDetails(byday="SA", opens_at="10:00", closes_at="13:00"),
            ScheduleDetails(
                byday="MO,TU,WE", opens_at="09:30", closes_at="17:00", description="Drop in"
            ),
            ScheduleDetails(freq="MONTHLY", byday="2MO", description="Evening group"),
            ScheduleDetails(
                byday="FR", opens_at="18:00", valid_from="2026-06-01", valid_to="2026-08-31"
            ),
        ],
    )


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_page_says_how_when_and_where_to_reach_the_service(
    client: Client, reachable: Service
) -> None:
    html = client.get(f"/en/services/{reachable.id}/").content.decode()
    text = _text(html)
    assert "Ways to get support Talking and listening, not reading British Sign Language (BSL)" in (
        text
    )
    assert "Text messages 07700 900123 Texts only" in text
    assert "Opening hours Monday, Tuesday, Wednesday: 09:30 to 17:00 Drop in" in text
    assert "Saturday: 10:00 to 13:00" in text
    assert "Friday: Opens at 18:00 (From 1 June 2026 to 31 August 2026)" in text
    assert "Evening group" in text
    assert "2MO" not in text
    # Monday's hours come first, Saturday's after Friday's.
    assert text.index("Monday, Tuesday") < text.index("Friday:") < text.index("Saturday:")
    assert "Where to find them Chapeltown Hub, 1 Leeds Road, Leeds, LS7 3AA" in text
    assert "Online chat" not in text
    assert "(restorative justice)" in text


def test_the_confidential_address_never_reaches_the_page(
    client: Client, reachable: Service
) -> None:
    html = client.get(f"/en/services/{reachable.id}/").content.decode()
    assert "Hidden Street" not in html


def test_a_service_with_none_of_these_shows_no_empty_headings(
    client: Client, leeds_service: Service
) -> None:
    text = _text(client.get(f"/en/services/{leeds_service.id}/").content.decode())
    for heading in ("Ways to get support", "Opening hours", "Where to find them"):
        assert heading not in text


def test_the_service_page_reads_in_a_fixed_number_of_queries(
    client: Client, reachable: Service
) -> None:
    url = f"/en/services/{reachable.id}/"
    client.get(url)  # once first, so one-off reads (reference data) are not counted
    with CaptureQueriesContext(connection) as kept:
        assert client.get(url).status_code == 200
    cache.clear()  # built again, as after a change of the directory
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    service_update(
        service=reachable,
        phones=[PhoneDetails(number=f"0113 496 00{n:02d}") for n in range(8)],
        schedules=[ScheduleDetails(byday=day, opens_at="09:00") for day in ("MO", "TU", "WE")],
        locations=[LocationDetails(name=f"Hub {n}") for n in range(5)],
    )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    # The page and each kind of record once, and the directory's stamp before and after.
    assert len(many.captured_queries) == len(few.captured_queries) <= 14
    # Kept under the directory's stamp (decision 0153): only the stamp is read.
    assert len(kept.captured_queries) == 1

"""One location used by several services (HSDS's service_at_location; decision 0154): a
community centre that hosts two services of a council's feed. Both services are imported,
each with the place; the feed and the exports give the location once under its own id and
each service at location under the id the feed gave; a round trip over HTTP keeps it."""

from __future__ import annotations

import copy
import uuid
from dataclasses import replace
from typing import Any

import pytest

from bridgeway.directory.forms import LocationForm
from bridgeway.directory.listing_children import LocationDetails, children_replace
from bridgeway.directory.models import FeedSource, Location, Service
from bridgeway.directory.openreferral.exchange import directory_export_tabular, location_of
from bridgeway.directory.openreferral.fetching import Limits, http_json, read_feed
from bridgeway.directory.openreferral.importing import content_hash, directory_import
from bridgeway.directory.openreferral.terms import service_at_location_id
from bridgeway.directory.selectors import services_matching
from bridgeway.directory.tests.test_exchange import exported
from bridgeway.directory.tests.test_harvest import LEEDS, a_service
from bridgeway.directory.tests.test_listing_whole import edit_url, everything, rows
from bridgeway.directory.tests.test_openreferral_api import get, page_validator
from bridgeway.directory.tests.test_tabular_export import read_tables

# About 300 m from the centre of the LS6 postcode district.
HEADINGLEY = (53.8200, -1.5700)


def sharing() -> tuple[list[dict[str, Any]], str, list[str]]:
    """Three services; the first two at one community centre, each by its own link id."""
    services = [a_service(n) for n in range(3)]
    place = services[0]["service_at_locations"][0]["location"]
    place.update(name="Headingley Community Centre", latitude=HEADINGLEY[0])
    place["longitude"] = HEADINGLEY[1]
    place["addresses"][0]["postal_code"] = "LS6 3AA"
    services[1]["service_at_locations"][0]["location"] = copy.deepcopy(place)
    links = [services[n]["service_at_locations"][0]["id"] for n in (0, 1)]
    return services, place["id"], links


def held() -> dict[str, list[tuple[str, str]]]:
    """Each service's name -> its locations' (HSDS id, name)."""
    return {
        s.name: [(str(x.hsds_id), x.name) for x in s.locations.all()]
        for s in Service.objects.prefetch_related("locations")
    }


@pytest.mark.django_db
def test_two_services_at_one_location_are_both_imported_and_it_is_exported_once(client, tmp_path):
    services, shared, links = sharing()
    report = directory_import(services)
    assert not report.problems
    assert report.created == 3
    centre = [(shared, "Headingley Community Centre")]
    assert held()["Council Service 000"] == centre
    assert held()["Council Service 001"] == centre

    # The compiled services each nest the place under its own id, by the link ids given.
    documents = {d["id"]: d for d in exported()}
    for number, link in enumerate(links):
        (given,) = documents[services[number]["id"]]["service_at_locations"]
        assert (given["id"], given["location_id"], given["location"]["id"]) == (
            link,
            shared,
            shared,
        )

    # The tabular export: one location row, two services at it.
    directory_export_tabular(tmp_path)
    tables = read_tables(tmp_path)
    assert [r["id"] for r in tables["location"]].count(shared) == 1
    at = {r["id"]: r["location_id"] for r in tables["service_at_location"]}
    assert at[links[0]] == at[links[1]] == shared

    # The feed: each service, each service at location by its own id, the location once.
    for number, link in enumerate(links):
        service = get(client, f"/api/v1/services/{services[number]['id']}")
        assert service["service_at_locations"][0]["location"]["id"] == shared
        by_id = get(client, f"/api/v1/service_at_locations/{link}")
        assert (by_id["id"], by_id["service"]["id"]) == (link, services[number]["id"])
    listed = get(client, "/api/v1/service_at_locations")
    assert sorted(x["id"] for x in listed["contents"] if x["location_id"] == shared) == sorted(
        links
    )
    locations = get(client, "/api/v1/locations")
    assert [x["id"] for x in locations["contents"]].count(shared) == 1
    assert locations["total_items"] == 2  # three services at two places
    assert not list(page_validator().iter_errors(locations))
    assert (
        get(client, "/api/v1/locations/?per_page=1&page=2")["contents"] == locations["contents"][1:]
    )
    place = get(client, f"/api/v1/locations/{shared}")
    assert (place["id"], place["name"]) == (shared, "Headingley Community Centre")

    # Search by place finds both services there.
    near = get(client, "/api/v1/service_at_locations?postcode=LS6&proximity=2000")
    assert sorted(x["id"] for x in near["contents"]) == sorted(links)


@pytest.mark.django_db
def test_both_services_at_a_shared_place_are_matched_by_its_postcode():
    services, _, _ = sharing()
    for given in services:
        del given["service_areas"]  # so each service's area is its places' districts
    directory_import(services)
    for number in (0, 1):
        service = Service.objects.get(id=services[number]["id"])
        assert [d.code for d in service.districts.all()] == [LEEDS]
    found = [m.service.name for m in services_matching(location="LS6 3AA").results]
    assert {"Council Service 000", "Council Service 001"} <= set(found)


def as_edited(row: Location, **changes: Any) -> LocationDetails:
    """A location row as its organisation's edit page posts it back."""
    return replace(location_of(row), id=str(row.pk), **changes)


@pytest.mark.django_db
def test_a_shared_location_edited_from_one_service_is_copied_for_it_alone():
    services, shared, _ = sharing()
    directory_import(services)
    first, second = (Service.objects.get(id=services[n]["id"]) for n in (0, 1))
    # Saved as it was, a place stays shared.
    children_replace(service=second, locations=[as_edited(second.locations.get())])
    assert Location.objects.filter(hsds_id=shared).count() == 2
    row = first.locations.get()
    children_replace(service=first, locations=[as_edited(row, name="Headingley Library")])
    moved, kept = first.locations.get(), second.locations.get()
    assert (moved.pk, moved.name, kept.name) == (
        row.pk,
        "Headingley Library",
        "Headingley Community Centre",
    )
    assert (str(kept.hsds_id), str(moved.hsds_id) != shared) == (shared, True)
    documents = {d["id"]: d for d in exported()}
    assert documents[services[1]["id"]]["service_at_locations"][0]["location_id"] == shared
    assert documents[services[0]["id"]]["service_at_locations"][0]["location_id"] == str(
        moved.hsds_id
    )


@pytest.mark.django_db
def test_a_service_at_a_location_another_service_already_has_is_imported():
    services, shared, _ = sharing()
    directory_import([services[0]])
    report = directory_import([services[1]])
    assert not report.problems
    assert Location.objects.filter(hsds_id=shared).count() == 2


@pytest.mark.django_db
def test_a_location_id_twice_in_one_service_is_still_refused():
    services, shared, _ = sharing()
    link = copy.deepcopy(services[1]["service_at_locations"][0])
    link["id"] = str(uuid.uuid4())
    services[1]["service_at_locations"].append(link)
    report = directory_import(services)
    assert [(p.position, p.field) for p in report.problems] == [
        (2, f"service_at_locations {shared}")
    ]
    assert "given twice" in report.problems[0].message


@pytest.mark.django_db
def test_a_service_at_location_id_under_two_services_is_refused():
    services, _, links = sharing()
    services[1]["service_at_locations"][0]["id"] = links[0]
    report = directory_import(services)
    assert [(p.position, p.field) for p in report.problems] == [
        (2, f"service_at_locations {links[0]}")
    ]


@pytest.mark.django_db
def test_a_service_at_location_id_another_service_holds_is_refused():
    services, _, links = sharing()
    directory_import(services[:1])
    # Another feed (or a later harvest) gives a service of its own the same link id.
    services[2]["service_at_locations"][0]["id"] = links[0]
    report = directory_import(services[2:])
    assert [(p.field, p.message) for p in report.problems] == [
        (f"service_at_locations {links[0]}", "id is used by another service")
    ]
    # Made up from the place's id when a feed gives none: the same for both, refused too.
    place = services[0]["service_at_locations"][0]["location"]["id"]
    services[1]["service_at_locations"][0]["id"] = service_at_location_id(place)
    services[0]["service_at_locations"][0]["id"] = service_at_location_id(place)
    directory_import(services[:1])
    report = directory_import(services[1:2])
    assert [p.field for p in report.problems] == [
        f"service_at_locations {service_at_location_id(place)}"
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("live_reference_data")
def test_a_shared_location_survives_a_round_trip_over_http(live_server):
    services, shared, _ = sharing()
    directory_import(services)
    before, feed = held(), exported()
    read = read_feed(
        f"{live_server.url}/api/v1",
        lambda url: http_json(url, Limits(per_page=2)),
        per_page=2,
        hash_of=content_hash,
    )
    Service.objects.all().delete()
    source = FeedSource.objects.create(name="first", publisher="First Bridgeway", url="http://x")
    report = directory_import(read.services, source=source, keys=read.keys)
    assert report.created == 3
    assert not report.problems
    assert held() == before
    assert exported() == feed
    assert Location.objects.filter(hsds_id=shared).count() == 2


@pytest.mark.django_db
def test_the_staff_page_copies_a_shared_place_on_write(admin_client_of_organisation, directory):
    ours, theirs = directory["urdu"], directory["panjabi"]
    shared = uuid.uuid4()
    centre = {"name": "Bradford Community Centre", "postal_code": "BD3 9AB", "city": "Bradford"}
    row = Location.objects.create(service=ours, hsds_id=shared, **centre)
    Location.objects.create(service=theirs, hsds_id=shared, **centre)

    def post(**changes: Any) -> None:
        form = {k: v for k, v in LocationForm.initial_for(row).items() if v is not None}
        response = admin_client_of_organisation.post(
            edit_url(ours),
            everything(**rows("locations", {**form, **changes}, initial=1)),
        )
        assert response.status_code == 302, response.content.decode()[:3000]

    post()  # saved as it was: still one place for both
    assert Location.objects.filter(hsds_id=shared).count() == 2
    post(name="Bradford Library")
    mine, other = ours.locations.get(), theirs.locations.get()
    assert (mine.pk, mine.name, other.name) == (row.pk, "Bradford Library", centre["name"])
    assert (other.hsds_id, mine.hsds_id != shared) == (shared, True)

"""A child record's id (a location's, a phone's...) given to two services of one feed, or
twice in one service (issue 13, bad input): Bridgeway keeps each service's children as its
own rows, keyed by the id the feed gives, so the later service is refused, named with the
record and the service that has the id first, and the rest imported (decision 0151). A
location may be shared, but not a service at location's id (decision 0154). It never ends
in a database error that undoes the whole import."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest
from django.core.management import call_command

from bridgeway.directory.models import Location, Phone, Service
from bridgeway.directory.openreferral.harvest import feed_add, feed_harvest
from bridgeway.directory.openreferral.importing import DirectoryImportError, directory_import
from bridgeway.directory.tests.feed_server import Feed, serving
from bridgeway.directory.tests.test_harvest import a_service

pytestmark = pytest.mark.django_db

# The child arrays whose ids Bridgeway keeps as the primary keys of its rows.
CHILDREN: dict[str, dict[str, Any]] = {
    "phones": {"number": "0113 496 0000"},
    "schedules": {"description": "Mondays 9 to 5"},
    "cost_options": {"option": "Free", "amount": 0},
    "funding": {"source": "Leeds City Council"},
}


def three_services() -> list[dict[str, Any]]:
    return [a_service(n) for n in range(3)]


def names() -> list[str]:
    return sorted(Service.objects.values_list("name", flat=True))


def test_a_service_at_location_id_under_two_services_refuses_the_second_naming_both(
    tmp_path, capsys
):
    # A location may be shared (decision 0154); each service's link to it may not.
    services = three_services()
    shared = services[0]["service_at_locations"][0]["id"]
    services[2]["service_at_locations"][0]["id"] = shared
    target = tmp_path / "feed.json"
    target.write_text(json.dumps(services))
    call_command("import_directory", str(target))
    err = capsys.readouterr().err
    assert f"Refused service 3 (id {services[2]['id']}): service_at_locations {shared}" in err
    assert f"service 1 (id {services[0]['id']})" in err
    assert names() == ["Council Service 000", "Council Service 001"]
    place = services[0]["service_at_locations"][0]["location"]["id"]
    assert Location.objects.get(hsds_id=place).service_id == uuid.UUID(services[0]["id"])


@pytest.mark.parametrize("array", sorted(CHILDREN))
def test_any_child_id_under_two_services_is_refused_not_a_database_error(array):
    services = three_services()
    child_id = str(uuid.uuid4())
    for service in services[0], services[1]:
        service[array] = [{"id": child_id, **CHILDREN[array]}]
    report = directory_import(services)
    assert [(p.position, p.field) for p in report.problems] == [(2, f"{array} {child_id}")]
    assert report.created == 2
    assert names() == ["Council Service 000", "Council Service 002"]


def test_a_child_id_given_twice_in_one_service_is_refused():
    services = three_services()
    phone = services[1]["phones"][0]
    services[1]["phones"].append(dict(phone, number="0113 496 9999"))
    report = directory_import(services)
    assert [(p.position, p.field) for p in report.problems] == [(2, f"phones {phone['id']}")]
    assert "given twice" in report.problems[0].message
    assert names() == ["Council Service 000", "Council Service 002"]


def test_a_strict_import_with_a_repeated_child_id_changes_nothing():
    services = three_services()
    services[1]["phones"] = copy.deepcopy(services[0]["phones"])
    with pytest.raises(DirectoryImportError) as raised:
        directory_import(services, strict=True)
    assert [p.position for p in raised.value.problems] == [2]
    assert not Service.objects.exists()


def test_a_harvest_refuses_the_later_service_and_leaves_its_listing_as_it_was():
    with serving(Feed(services=three_services(), max_per_page=2)) as feed:
        source = feed_add(url=feed.base, name="leeds")
        feed_harvest(source)
        first, second = feed.services[0], feed.services[1]
        before = Service.objects.get(id=second["id"])
        # Both change, and both now give a phone of an id Bridgeway has not seen.
        phone = {"id": str(uuid.uuid4()), "number": "0113 496 1234"}
        for service in first, second:
            service["name"] += " (moved)"
            service["last_modified"] = "2027-06-01T00:00:00Z"
            service["phones"] = [dict(phone)]
        report = feed_harvest(source)
    assert report.refused == [2]
    assert report.problems[0].field == f"phones {phone['id']}"
    assert f"service 1 (id {first['id']})" in report.problems[0].message
    assert Phone.objects.get(id=phone["id"]).service_id == uuid.UUID(first["id"])
    after = Service.objects.get(id=second["id"])
    assert (after.name, after.updated_at, after.withdrawn_at) == (
        before.name,
        before.updated_at,
        None,
    )
    assert Phone.objects.filter(service_id=second["id"]).count() == 1
    source.refresh_from_db()
    assert source.last_result["refused"] == 1

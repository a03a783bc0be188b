"""Open Referral UK feeds as councils publish them: what the standard allows is accepted,
what is wrong is named, and an import keeps what it is given (issue 13)."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from bridgeway.accounts.models import Organisation
from bridgeway.directory.models import Service
from bridgeway.directory.openreferral.exchange import directory_export
from bridgeway.directory.openreferral.importing import DirectoryImportError, directory_import

pytestmark = pytest.mark.django_db

UK = Path(settings.BASE_DIR).parent / "shared" / "data" / "openreferral" / "uk" / "examples"
LEEDS = "E08000035"
ONS = "http://statistics.data.gov.uk/id/statistical-geography/"


def service_full() -> dict[str, Any]:
    return json.loads((UK / "service_full.json").read_text())


def a_feed_service(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "name": "Council Advice Line",
        "status": "active",
        "organization": {"id": str(uuid.uuid4()), "name": "Kirklees Council"},
        "service_areas": [{"id": str(uuid.uuid4()), "uri": ONS + LEEDS}],
    }
    document.update(changes)
    return document


def a_location(**place: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "location": {"id": str(uuid.uuid4()), "location_type": "physical", **place},
    }


def exported() -> list[dict[str, Any]]:
    return json.loads(json.dumps(list(directory_export())))


def test_the_uk_example_service_full_imports_with_warnings():
    report = directory_import([service_full()])
    assert report.created == 1
    assert not report.problems
    fields = {w.field for w in report.warnings}
    # Its one location is at latitude 100, longitude 101: dropped, named, the rest kept.
    assert "service_at_locations[0].location.latitude" in fields
    service = Service.objects.get()
    location = service.locations.get()
    assert location.latitude is None
    assert location.name == "MyCity Civic Center"


def test_a_dfe_style_feed_with_latitude_100_imports_every_service():
    feed = [
        a_feed_service(service_at_locations=[a_location(latitude=100, longitude=-1.5)]),
        a_feed_service(name="Second"),
    ]
    report = directory_import(feed)
    assert report.created == 2
    assert [(w.position, w.field) for w in report.warnings] == [
        (1, "service_at_locations[0].location.latitude")
    ]
    assert "100" in report.warnings[0].message


def test_languages_given_only_by_id_are_accepted():
    document = a_feed_service(languages=[{"id": str(uuid.uuid4())}])
    report = directory_import([document])
    assert report.created == 1


def test_a_list_page_leaves_a_services_children_in_place():
    full = a_feed_service(
        service_at_locations=[a_location(name="Drop-in", latitude=53.8, longitude=-1.5)],
        phones=[{"id": str(uuid.uuid4()), "number": "0113 000 0000"}],
        schedules=[{"id": str(uuid.uuid4()), "freq": "WEEKLY", "byday": "MO"}],
        cost_options=[{"id": str(uuid.uuid4()), "option": "Free", "amount": 0}],
        funding=[{"id": str(uuid.uuid4()), "source": "Council"}],
    )
    directory_import([full])
    # A list page carries only the one-to-one fields.
    page_entry = {k: v for k, v in full.items() if not isinstance(v, list)}
    page_entry["name"] = "Council Advice Line (renamed)"
    directory_import([page_entry])
    service = Service.objects.get()
    assert service.name == "Council Advice Line (renamed)"
    assert service.locations.count() == 1
    assert service.phones.count() == 1
    assert service.schedules.count() == 1
    assert service.cost_options.count() == 1
    assert service.funding.count() == 1
    assert service.districts.count() == 1
    # An array given empty removes them.
    directory_import([page_entry | {"phones": []}])
    assert not service.phones.exists()
    assert service.locations.count() == 1


def test_javascript_in_an_unmodelled_field_never_reaches_the_feed():
    document = a_feed_service(fees="javascript:alert(1)", accreditations="<script>x</script>ok")
    report = directory_import([document])
    assert {"fees", "accreditations"} <= {w.field for w in report.warnings}
    text = json.dumps(exported())
    assert "javascript:" not in text
    assert "<script" not in text


def test_ids_addresses_and_location_details_are_kept_and_served_back():
    document = service_full()
    document["service_at_locations"][0]["location"]["latitude"] = 51.5
    document["service_at_locations"][0]["location"]["longitude"] = -0.1
    directory_import([document])
    (served,) = exported()
    given = document["service_at_locations"][0]
    (link,) = served["service_at_locations"]
    assert link["id"] == given["id"]
    assert link["location"]["id"] == given["location"]["id"]
    (address,) = link["location"]["addresses"]
    assert address["id"] == given["location"]["addresses"][0]["id"]
    assert address["country"] == "US"
    assert address["address_type"] == "postal"
    assert link["location"]["accessibility"][0]["details"].startswith("Switch hearing aid")


def test_an_organisations_new_name_is_applied_and_reported():
    document = a_feed_service()
    directory_import([document])
    document["organization"]["name"] = "Kirklees Metropolitan Council"
    report = directory_import([document])
    assert Organisation.objects.get(id=document["organization"]["id"]).name == (
        "Kirklees Metropolitan Council"
    )
    assert any(w.field == "organization.name" for w in report.warnings)


def test_independence_is_unknown_when_the_feed_does_not_say():
    document = a_feed_service(name="Police Victim Care Unit")
    directory_import([document])
    service = Service.objects.get()
    assert service.independence == "unknown"


def test_an_import_does_not_count_as_confirmation_by_the_organisation():
    directory_import([a_feed_service()])
    assert Service.objects.get().last_confirmed_at is None


def test_strict_turns_warnings_into_errors_and_changes_nothing():
    feed = [a_feed_service(service_at_locations=[a_location(latitude=100)])]
    with pytest.raises(DirectoryImportError) as error:
        directory_import(copy.deepcopy(feed), strict=True)
    assert error.value.problems[0].field == "service_at_locations[0].location.latitude"
    assert not Service.objects.exists()


def test_a_service_missing_its_name_is_refused_and_the_rest_imported():
    feed = [a_feed_service(), {k: v for k, v in a_feed_service().items() if k != "name"}]
    report = directory_import(feed)
    assert report.created == 1
    assert report.refused == [2]
    assert [(p.position, p.field) for p in report.problems] == [(2, "name")]

"""Open Referral in and out: the export validates, the import refuses bad feeds, round trips."""

from __future__ import annotations

import copy
import json
import uuid
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs published
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from bridgeway.directory.models import CostOption, Funding, Location, Phone, Schedule, Service
from bridgeway.directory.openreferral.exchange import (
    directory_export,
    listing_of,
    services_for_export,
)
from bridgeway.directory.openreferral.importing import DirectoryImportError, directory_import
from bridgeway.directory.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

OPENREFERRAL = Path(settings.BASE_DIR).parent / "shared" / "data" / "openreferral"
LEEDS, BRADFORD, WEST_YORKSHIRE = "E08000035", "E08000032", "E23000010"


@cache
def hsds_validator() -> Any:
    schema = json.loads(
        (OPENREFERRAL / "hsds" / "schema" / "service_with_definitions.compiled.json").read_text()
    )
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid_hsds(document: dict[str, Any]) -> None:
    errors = sorted(hsds_validator().iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


@pytest.fixture
def full_service(organisation) -> Service:
    """A service with every field the exchange carries, children included."""
    service = ServiceFactory(
        organisation=organisation,
        name="Leeds & Bradford Hate Support",
        description="<p>Support after <strong>hate</strong>.</p>",
        url="https://example.org/support",
        email="help@example.org",
        phone="0113 496 0000",
        independence="commissioned",
        is_specialist=True,
        accepts_out_of_area=True,
        self_referral=True,
        third_party_reporting=True,
        lived_experience=True,
        worker_gender_choice=True,
        trauma_informed=True,
        restorative_justice=True,
        minimum_age=11,
        maximum_age=25,
        waiting_weeks=3,
        formats=["bsl", "audio"],
        confidential_address="1 Safe Street, Leeds",
        district_codes=[LEEDS, BRADFORD],
        pfa_codes=[WEST_YORKSHIRE],
        language_codes=["urd", "eng"],
        harm_type_codes=["hate_incident", "hate_crime"],
        ethnic_group_codes=["asian_pakistani"],
        religion_codes=["muslim"],
    )
    Location.objects.create(
        service=service,
        name="Drop-in centre",
        address_1="2 Park Row",
        city="Leeds",
        region="West Yorkshire",
        postal_code="LS1 5HD",
        latitude=53.797,
        longitude=-1.546,
    )
    Phone.objects.create(service=service, number="0800 000 000", type="freephone")
    Schedule.objects.create(
        service=service, freq="WEEKLY", byday="MO,TU", opens_at="09:00", closes_at="17:00"
    )
    CostOption.objects.create(
        service=service, option="Free", amount=Decimal("0.00"), currency="GBP"
    )
    Funding.objects.create(service=service, source="Police and Crime Commissioner")
    return service


def exported() -> list[dict[str, Any]]:
    return json.loads(json.dumps(list(directory_export())))


def listings() -> list[Any]:
    return [listing_of(s) for s in services_for_export()]


def test_export_of_a_full_service_validates_against_the_hsds_3_schema(full_service):
    (document,) = exported()
    assert_valid_hsds(document)
    assert document["id"] == str(full_service.id)
    assert {a["uri"] for a in document["service_areas"]} == {
        f"http://statistics.data.gov.uk/id/statistical-geography/{code}"
        for code in (LEEDS, BRADFORD, WEST_YORKSHIRE)
    }
    assert sorted(lang["code"] for lang in document["languages"]) == ["eng", "urd"]
    terms = {
        (a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["code"]) for a in document["attributes"]
    }
    assert ("bridgeway:harm_types", "hate_incident") in terms
    assert ("bridgeway:independence", "commissioned") in terms
    assert ("bridgeway:formats", "bsl") in terms
    assert ("bridgeway:features", "restorative_justice") in terms
    assert document["wait_time"] == "3 weeks"


def test_export_never_contains_the_confidential_address(full_service):
    text = json.dumps(exported())
    assert "Safe Street" not in text


def test_a_minimal_service_exports_valid_hsds(organisation):
    ServiceFactory(organisation=organisation, name="Bare")
    (document,) = exported()
    assert_valid_hsds(document)


def test_round_trip_import_of_export_gives_the_same_listings(full_service, organisation):
    ServiceFactory(organisation=organisation, name="Second", is_national=True)
    before, feed = listings(), exported()
    Service.objects.all().delete()
    report = directory_import(feed)
    assert report.created == 2
    assert not report.problems
    assert listings() == before
    assert exported() == feed


def test_reimport_updates_in_place_and_removes_children_gone_from_the_feed(full_service):
    (document,) = exported()
    document["name"] = "Renamed Service"
    document["phones"] = [p for p in document["phones"] if p["number"] != "0800 000 000"]
    document["funding"] = []
    report = directory_import([document])
    assert (report.created, report.updated) == (0, 1)
    service = Service.objects.get()
    assert service.name == "Renamed Service"
    assert not service.phones.exists()
    assert not service.funding.exists()
    assert service.phone == "0113 496 0000"
    assert service.locations.count() == 1


def a_feed_service(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "name": "Council Advice Line",
        "status": "active",
        "organization": {"id": str(uuid.uuid4()), "name": "Kirklees Council", "description": ""},
        "service_areas": [
            {
                "id": str(uuid.uuid4()),
                "uri": f"http://statistics.data.gov.uk/id/statistical-geography/{LEEDS}",
            }
        ],
    }
    document.update(changes)
    return document


def test_the_schema_check_itself_rejects_a_bad_document():
    with pytest.raises(AssertionError):
        assert_valid_hsds({"id": "not-a-uuid", "name": "x", "status": "open"})


def test_a_feed_in_an_api_page_creates_its_organisation_and_service(tmp_path):
    feed = {"total_items": 1, "contents": [a_feed_service()]}
    target = tmp_path / "feed.json"
    target.write_text(json.dumps(feed))
    call_command("import_directory", str(target))
    service = Service.objects.get()
    assert service.organisation.name == "Kirklees Council"
    assert [d.code for d in service.districts.all()] == [LEEDS]


def test_iso_639_1_language_codes_are_stored_as_639_3():
    directory_import(
        [
            a_feed_service(
                languages=[
                    {"id": str(uuid.uuid4()), "code": "ur"},
                    {"id": str(uuid.uuid4()), "code": "pol"},
                ]
            )
        ]
    )
    assert sorted(t.code for t in Service.objects.get().languages.all()) == ["pol", "urd"]


def test_html_is_sanitised_and_javascript_links_never_kept():
    directory_import(
        [
            a_feed_service(
                name="<b>Advice</b> &amp; support",
                description='<p onclick="x()">Hi <a href="javascript:alert(1)">click</a>'
                "<script>alert(2)</script></p>",
            )
        ]
    )
    service = Service.objects.get()
    assert service.name == "Advice & support"
    assert "javascript" not in service.description
    assert "script" not in service.description
    assert "onclick" not in service.description
    assert "<p>" in service.description


def test_area_comes_from_location_postcode_when_no_ons_code():
    directory_import(
        [
            a_feed_service(
                service_areas=[{"id": str(uuid.uuid4()), "name": "Leeds"}],
                service_at_locations=[
                    {
                        "id": str(uuid.uuid4()),
                        "location": {
                            "id": str(uuid.uuid4()),
                            "location_type": "physical",
                            "addresses": [
                                {
                                    "id": str(uuid.uuid4()),
                                    "address_1": "Bradford City Hall",
                                    "city": "Bradford",
                                    "state_province": "",
                                    "postal_code": "BD1 1HY",
                                    "country": "GB",
                                    "address_type": "physical",
                                }
                            ],
                        },
                    }
                ],
            )
        ]
    )
    service = Service.objects.get()
    assert [d.code for d in service.districts.all()] == [BRADFORD]
    assert service.area_not_known is False


def test_service_with_no_placeable_area_is_kept_and_flagged():
    report = directory_import(
        [a_feed_service(service_areas=[{"id": str(uuid.uuid4()), "name": "North"}])]
    )
    service = Service.objects.get()
    assert service.area_not_known is True
    assert report.area_not_known == [str(service.id)]


def test_unknown_extra_fields_are_kept_and_exported_again():
    document = a_feed_service(alternate_name="CAL", x_council_ref="K-123")
    directory_import([document])
    assert Service.objects.get().extra == {"alternate_name": "CAL", "x_council_ref": "K-123"}
    (again,) = exported()
    assert again["alternate_name"] == "CAL"
    assert again["x_council_ref"] == "K-123"


def test_a_strict_import_of_a_bad_file_changes_nothing_and_names_every_problem(full_service):
    before = listings()
    good = a_feed_service()
    wrong_type = a_feed_service(minimum_age="eleven")
    bad_place = a_feed_service(
        service_at_locations=[
            {
                "id": str(uuid.uuid4()),
                "location": {
                    "id": str(uuid.uuid4()),
                    "location_type": "physical",
                    "latitude": 91.5,
                },
            }
        ]
    )
    bad_code = a_feed_service(
        attributes=[
            {
                "id": str(uuid.uuid4()),
                "taxonomy_term": {
                    "id": str(uuid.uuid4()),
                    "taxonomy": "bridgeway:harm_types",
                    "code": "shoplifting",
                },
            }
        ]
    )
    renamed = copy.deepcopy(exported()[0]) | {"name": "Should not stick"}
    with pytest.raises(DirectoryImportError) as error:
        directory_import(
            [good, wrong_type, bad_place, bad_code, renamed, "not a service"], strict=True
        )
    problems = {(p.position, p.field) for p in error.value.problems}
    assert (2, "minimum_age") in problems
    assert (3, "service_at_locations[0].location.latitude") in problems
    assert (4, "attributes[0].taxonomy_term.code") in problems
    assert (6, "service") in problems
    messages = " ".join(str(p) for p in error.value.problems)
    assert wrong_type["id"] in messages
    assert "shoplifting" in messages
    assert "91.5" in messages
    assert listings() == before
    assert Service.objects.count() == 1


def test_an_import_refuses_a_service_that_cannot_stand_and_imports_the_rest():
    report = directory_import(
        [
            a_feed_service(name="Good"),
            a_feed_service(name=None),
            a_feed_service(name="Also good", url="ftp://nope"),
        ]
    )
    assert report.created == 2
    assert report.skipped_positions == [2]
    assert [(w.position, w.field) for w in report.warnings] == [(3, "url")]
    assert sorted(Service.objects.values_list("name", flat=True)) == ["Also good", "Good"]


def test_unknown_ons_code_is_left_out_with_a_warning_naming_service_areas():
    report = directory_import(
        [a_feed_service(service_areas=[{"id": str(uuid.uuid4()), "uri": "E08999999"}])]
    )
    assert [p.field for p in report.warnings] == ["service_areas"]
    assert "E08999999" in report.warnings[0].message
    assert not Service.objects.get().districts.exists()


def test_a_service_of_another_organisation_cannot_be_taken_over(full_service, other_organisation):
    (document,) = exported()
    document["organization"] = {"id": str(other_organisation.id), "name": "x", "description": ""}
    document["organization_id"] = str(other_organisation.id)
    report = directory_import([document])
    assert report.problems[0].field == "id"
    assert report.refused == [1]
    assert Service.objects.get().organisation_id == full_service.organisation_id


def test_import_command_refuses_a_bad_file_and_says_nothing_was_imported(tmp_path, capsys):
    target = tmp_path / "feed.json"
    target.write_text(json.dumps([a_feed_service(minimum_age=True)]))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_directory", str(target), "--strict")
    assert "minimum_age" in capsys.readouterr().err
    assert not Service.objects.exists()


def test_import_command_refuses_a_file_that_is_not_json(tmp_path):
    target = tmp_path / "feed.json"
    target.write_text("{not json")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("import_directory", str(target))


def test_export_command_writes_a_file_of_valid_services(full_service, tmp_path):
    target = tmp_path / "out.json"
    call_command("export_directory", "--format", "hsds-json", "--out", str(target))
    documents = json.loads(target.read_text())
    assert [d["id"] for d in documents] == [str(full_service.id)]
    for document in documents:
        assert_valid_hsds(document)


def test_import_command_shows_progress_for_large_files(tmp_path, capsys, monkeypatch):
    from bridgeway.directory.management.commands import import_directory

    monkeypatch.setattr(import_directory, "PROGRESS_FROM", 2)
    target = tmp_path / "feed.json"
    target.write_text(json.dumps([a_feed_service(name=f"Service {n}") for n in range(3)]))
    call_command("import_directory", str(target))
    captured = capsys.readouterr()
    assert "3/3 services read" in captured.err
    assert "Imported 3 services: 3 created, 0 updated, 0 unchanged" in captured.out


def test_a_repeated_service_id_in_one_feed_is_named():
    document = a_feed_service()
    with pytest.raises(DirectoryImportError) as error:
        directory_import([document, dict(document, name="Again")], strict=True)
    assert [(p.position, p.field) for p in error.value.problems] == [(2, "id")]
    assert not Service.objects.exists()

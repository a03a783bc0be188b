"""HSDS 3 tabular export: the CSV package validates against the official one and says what the
JSON export says."""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from frictionless import Package

from bridgeway.directory.models import CostOption, Funding, Location, Phone, Schedule, Service
from bridgeway.directory.openreferral import tabular
from bridgeway.directory.openreferral.exchange import directory_export
from bridgeway.directory.openreferral.importing import directory_import
from bridgeway.directory.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

OFFICIAL = Path(settings.BASE_DIR).parent / "shared" / "data" / "openreferral" / "hsds"
LEEDS, BRADFORD, WEST_YORKSHIRE = "E08000035", "E08000032", "E23000010"
ONS = "http://statistics.data.gov.uk/id/statistical-geography/"


@pytest.fixture
def services(organisation, other_organisation) -> dict[str, Service]:
    """A full service, a bare one, and one imported from a council feed with extra records."""
    full = ServiceFactory(
        organisation=organisation,
        name="Leeds & Bradford Hate Support",
        description='<p>Support after <strong>hate</strong>, "in confidence".</p>\nSecond line',
        url="https://example.org/support",
        email="help@example.org",
        phone="0113 496 0000",
        independence="commissioned",
        self_referral=True,
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
        service=full,
        name="Drop-in centre",
        address_1="2 Park Row",
        city="Leeds",
        region="West Yorkshire",
        postal_code="LS1 5HD",
        latitude=53.797,
        longitude=-1.546,
    )
    # Only a postcode: HSDS requires address_1 and city, so the address row cannot be written.
    Location.objects.create(service=full, name="Postbox", postal_code="LS2 7AA")
    Location.objects.create(
        service=full, address_1="5 York Road", city="Leeds", postal_code="LS9 8AB"
    )
    Phone.objects.create(service=full, number="0800 000 000", type="freephone")
    Schedule.objects.create(
        service=full, freq="weekly", byday="MO,TU", opens_at="09:00", closes_at="17:00"
    )
    Schedule.objects.create(service=full, byday="WE", opens_at="9am", description="Mornings")
    CostOption.objects.create(service=full, option="Free", amount=Decimal("0.00"), currency="GBP")
    Funding.objects.create(service=full, source="Police and Crime Commissioner")
    bare = ServiceFactory(organisation=organisation, name="Bare")
    council_term = str(uuid.uuid4())
    directory_import(
        [
            {
                "id": str(uuid.uuid4()),
                "name": "Kirklees Advice Line",
                "status": "active",
                "alternate_name": "KAL",
                "organization": {"id": str(uuid.uuid4()), "name": "Kirklees Council"},
                "service_areas": [{"id": str(uuid.uuid4()), "uri": ONS + LEEDS}],
                "contacts": [
                    {"id": str(uuid.uuid4()), "name": "Duty desk", "email": "duty@example.org"}
                ],
                "attributes": [
                    {
                        "id": str(uuid.uuid4()),
                        "link_type": "service",
                        "link_entity": "service",
                        "taxonomy_term_id": council_term,
                        "taxonomy_term": {
                            "id": council_term,
                            "code": "advice",
                            "name": "Advice",
                            "description": "Advice and guidance",
                            "taxonomy": "kirklees",
                            # A taxonomy the feed never describes.
                            "taxonomy_id": str(uuid.uuid4()),
                        },
                    }
                ],
            }
        ]
    )
    council = Service.objects.get(name="Kirklees Advice Line")
    return {"full": full, "bare": bare, "council": council}


def read_tables(folder: Path) -> dict[str, list[dict[str, str]]]:
    return {
        table.name: list(csv.DictReader((folder / table.path).open(encoding="utf-8", newline="")))
        for table in tabular.tables().values()
    }


def export_csv(out: Path) -> str:
    errors = io.StringIO()
    call_command("export_directory", "--format", "csv", "--out", str(out), stderr=errors)
    return errors.getvalue()


def assert_valid_against_official_package(folder: Path) -> None:
    """frictionless checks every CSV against the official descriptor's table schemas:
    headers and their order, types and formats, required, unique, enums, foreign keys."""
    descriptor = json.loads((OFFICIAL / "datapackage.json").read_text())
    report = Package(descriptor, basepath=str(folder)).validate()
    problems = [
        f"{task.name}: {error.message}" for task in report.tasks for error in task.errors
    ] + [error.message for error in report.errors]
    assert report.valid, problems[:20]


def test_the_shipped_descriptor_is_the_official_one():
    official = json.loads((OFFICIAL / "datapackage.json").read_text())
    assert tabular.datapackage() == official


def test_csv_package_validates_against_the_official_tabular_schema(services, tmp_path):
    out = tmp_path / "package"
    export_csv(out)
    assert_valid_against_official_package(out)
    # The package's own descriptor is the official one and validates the same files.
    written = json.loads((out / "datapackage.json").read_text())
    assert written == json.loads((OFFICIAL / "datapackage.json").read_text())
    assert Package(str(out / "datapackage.json")).validate().valid
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["datapackage.json", *(t.path for t in tabular.tables().values())]
    )


def test_the_validation_itself_rejects_a_broken_package(services, tmp_path):
    out = tmp_path / "package"
    export_csv(out)
    rows = (out / "services.csv").read_text().splitlines()
    # A service naming an organisation that is not in organizations.csv.
    header, first = rows[0], rows[1].split(",")
    first[1] = str(uuid.uuid4())
    (out / "services.csv").write_text("\n".join([header, ",".join(first), *rows[2:]]) + "\n")
    with pytest.raises(AssertionError, match="foreign key"):
        assert_valid_against_official_package(out)


def test_headers_follow_the_official_field_order(services, tmp_path):
    out = tmp_path / "package"
    export_csv(out)
    official = json.loads((OFFICIAL / "datapackage.json").read_text())
    for resource in official["resources"]:
        with (out / resource["path"]).open(encoding="utf-8", newline="") as handle:
            assert next(csv.reader(handle)) == [f["name"] for f in resource["schema"]["fields"]]
    # The same files, with the same headers, as the official example package.
    for example in (OFFICIAL / "examples" / "csv").glob("*.csv"):
        with example.open(encoding="utf-8", newline="") as theirs:
            with (out / example.name).open(encoding="utf-8", newline="") as ours:
                assert next(csv.reader(ours)) == next(csv.reader(theirs)), example.name


def test_csv_holds_the_same_services_as_the_json_export(services, tmp_path):
    out = tmp_path / "package"
    export_csv(out)
    rows = read_tables(out)
    documents = json.loads(json.dumps(list(directory_export())))

    assert [(s["id"], s["name"], s["status"]) for s in rows["service"]] == [
        (d["id"], d["name"], d["status"]) for d in documents
    ]
    by_id = {d["id"]: d for d in documents}
    for service in rows["service"]:
        document = by_id[service["id"]]
        assert service["organization_id"] == document["organization_id"]
        assert service["description"] == document.get("description", "")
        assert service["minimum_age"] == str(document.get("minimum_age", ""))
        assert service["wait_time"] == document.get("wait_time", "")

    def grouped(table: str, key: str, value: str) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for row in rows[table]:
            found[row[key]].add(row[value])
        return found

    areas = grouped("service_area", "service_id", "uri")
    languages = grouped("language", "service_id", "code")
    terms = {t["id"]: (t["taxonomy"], t["code"]) for t in rows["taxonomy_term"]}
    attributes: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for attribute in rows["attribute"]:
        attributes[attribute["link_id"]].add(terms[attribute["taxonomy_term_id"]])
    for document in documents:
        sid = document["id"]
        assert areas[sid] == {a["uri"] for a in document.get("service_areas", [])}
        assert languages[sid] == {lang["code"] for lang in document.get("languages", [])}
        assert attributes[sid] == {
            (a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["code"])
            for a in document.get("attributes", [])
        }
    full = str(services["full"].id)
    assert ("bridgeway:harm_types", "hate_crime") in attributes[full]
    assert ("bridgeway:formats", "bsl") in attributes[full]
    assert ("bridgeway:independence", "commissioned") in attributes[full]
    assert ("bridgeway:features", "restorative_justice") in attributes[full]
    assert languages[full] == {"urd", "eng"}


def test_extra_records_from_a_feed_travel_in_their_own_tables(services, tmp_path):
    out = tmp_path / "package"
    warnings = export_csv(out)
    rows = read_tables(out)
    council = str(services["council"].id)
    (service,) = [s for s in rows["service"] if s["id"] == council]
    assert service["alternate_name"] == "KAL"
    assert [(c["service_id"], c["name"]) for c in rows["contact"]] == [(council, "Duty desk")]
    (term,) = [t for t in rows["taxonomy_term"] if t["taxonomy"] == "kirklees"]
    # The term's taxonomy is not in the feed, so the dangling reference is left out, saying so.
    assert term["code"] == "advice"
    assert term["taxonomy_id"] == ""
    assert "taxonomy_terms.csv: taxonomy_id" in warnings


def test_values_are_written_in_the_tables_types_or_left_out_with_a_warning(services, tmp_path):
    out = tmp_path / "package"
    warnings = export_csv(out)
    rows = read_tables(out)
    full = str(services["full"].id)
    schedules = {s["byday"]: s for s in rows["schedule"] if s["service_id"] == full}
    assert (schedules["MO,TU"]["opens_at"], schedules["MO,TU"]["closes_at"]) == (
        "09:00:00",
        "17:00:00",
    )
    assert schedules["MO,TU"]["freq"] == "WEEKLY"
    assert schedules["WE"]["opens_at"] == ""
    assert schedules["WE"]["description"] == "Mornings"
    assert f"service {full}: schedules.csv: opens_at '9am' is not a time" in warnings
    # The postcode-only address lacks HSDS's required parts: its location stays, it does not.
    postbox = Location.objects.get(name="Postbox")
    assert str(postbox.id) in {loc["id"] for loc in rows["location"]}
    assert str(postbox.id) not in {a["location_id"] for a in rows["address"]}
    assert "addresses.csv" in warnings
    assert "address_1, city, state_province required" in warnings
    # HSDS requires a state or province, which English addresses rarely give: the town.
    (no_region,) = [a for a in rows["address"] if a["postal_code"] == "LS9 8AB"]
    assert (no_region["city"], no_region["state_province"]) == ("Leeds", "Leeds")
    (organisation,) = [o for o in rows["organization"] if o["name"] == "Kirklees Council"]
    assert organisation["description"] == "Kirklees Council"
    assert len(rows["organization"]) == 2  # written once however many services it has


def test_confidential_addresses_never_leave_in_the_csv_package(services, tmp_path):
    out = tmp_path / "package.zip"
    export_csv(out)
    with zipfile.ZipFile(out) as archive:
        text = "".join(archive.read(name).decode() for name in archive.namelist())
    assert "Safe Street" not in text
    assert "Park Row" in text  # the public address does travel


def test_a_zip_path_gives_the_same_package_zipped(services, tmp_path):
    export_csv(tmp_path / "folder")
    export_csv(tmp_path / "package.ZIP")
    with zipfile.ZipFile(tmp_path / "package.ZIP") as archive:
        names = archive.namelist()
        assert names[0] == "datapackage.json"
        assert sorted(names) == sorted(p.name for p in (tmp_path / "folder").iterdir())
        for name in names:
            assert archive.read(name) == (tmp_path / "folder" / name).read_bytes()
        archive.extractall(tmp_path / "unzipped")
    assert_valid_against_official_package(tmp_path / "unzipped")


def test_an_empty_directory_gives_a_valid_package_of_headers_and_vocabulary(db, tmp_path):
    out = tmp_path / "package"
    export_csv(out)
    assert_valid_against_official_package(out)
    rows = read_tables(out)
    assert rows["service"] == []
    assert {t["name"] for t in rows["taxonomy"]} >= {"bridgeway:harm_types", "bridgeway:formats"}


def test_a_second_export_replaces_the_first_whole(services, tmp_path):
    out = tmp_path / "package"
    export_csv(out)
    Service.objects.filter(name="Bare").delete()
    export_csv(out)
    assert "Bare" not in (out / "services.csv").read_text()
    assert sorted(os.listdir(tmp_path)) == ["package"]  # nothing left beside it


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--format", "xml", "--out", "x"], "xml"),
        (["--format", "csv"], "--out"),
        (["--format", "csv", "--out", "missing/package"], "does not exist"),
        (["--format", "csv", "--out", "a-file"], "is a file"),
        (["--format", "csv", "--out", "other"], "other files"),
        (["--format", "csv", "--out", "locked/package"], "cannot write"),
        (["--format", "csv", "--out", "/proc/bridgeway-package"], "cannot write"),
        (["--format", "hsds-json", "--out", "/proc/bridgeway.json"], "cannot write"),
        (["--format", "hsds-json", "--out", "other"], "is a folder"),
    ],
)
def test_bad_arguments_are_a_clear_error_and_write_nothing(
    services, tmp_path, monkeypatch, arguments, message
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("keep me")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("keep me")
    (tmp_path / "locked").mkdir(mode=0o500)
    if arguments[-1].startswith("locked") and os.access(tmp_path / "locked", os.W_OK):
        pytest.skip("running as root, who may write in a folder without write permission")
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    try:
        with pytest.raises(CommandError, match=message):
            call_command("export_directory", *arguments)
    finally:
        (tmp_path / "locked").chmod(0o700)
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before
    assert (tmp_path / "a-file").read_text() == "keep me"


def test_a_failed_export_leaves_the_previous_package_and_no_partial_files(
    services, tmp_path, monkeypatch
):
    out = tmp_path / "package"
    export_csv(out)
    before = (out / "services.csv").read_bytes()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tabular.TabularPackage, "add", broken)
    with pytest.raises(CommandError, match="No space left"):
        export_csv(out)
    assert (out / "services.csv").read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["package"]


def test_bridgeway_cli_exits_non_zero_on_a_bad_format(db, capsys):
    from bridgeway.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["bridgeway", "export-directory", "--format", "xml"])
    assert exited.value.code != 0
    assert "xml" in capsys.readouterr().err


def test_unknown_references_are_left_out_and_required_ones_drop_their_row(tmp_path):
    """The pure layer: references resolve within a service or to rows written before."""
    organisation = str(uuid.uuid4())
    service = {
        "id": str(uuid.uuid4()),
        "name": "S",
        "status": "active",
        "organization": {"id": organisation, "name": "O"},
        "phones": [{"id": str(uuid.uuid4()), "number": "1", "contact_id": str(uuid.uuid4())}],
        "service_at_locations": [{"id": str(uuid.uuid4()), "location_id": str(uuid.uuid4())}],
    }
    with tabular.TabularPackage(tmp_path) as package:
        package.add(service)
        # A second service of the same organisation refers to the row written before.
        package.add(
            {
                "id": str(uuid.uuid4()),
                "name": "T",
                "status": "active",
                "organization_id": organisation,
            }
        )
        # HSDS requires a status: a service without one is left out, saying so.
        package.add({"id": "3f1c2e0a-0000-4000-8000-000000000000", "name": "U"})
    rows = read_tables(tmp_path)
    assert [p["contact_id"] for p in rows["phone"]] == [""]
    assert rows["service_at_location"] == []  # its required location is nowhere
    assert [(s["name"], s["organization_id"]) for s in rows["service"]] == [
        ("S", organisation),
        ("T", organisation),
    ]
    assert package.counts["organization"] == 1
    assert any("location_id" in w and "names no location" in w for w in package.warnings)
    assert any("3f1c2e0a" in w and "status required" in w for w in package.warnings)


def test_a_formula_like_name_is_written_exactly_as_the_json_export_has_it(organisation, tmp_path):
    # The tabular package is data for machines: the exact text is the data, so it is not
    # quoted against spreadsheets as the reports' downloads are (docs/decisions/0064).
    hostile = '=HYPERLINK("http://x","y")'
    organisation.name = hostile
    organisation.save(update_fields=["name"])
    ServiceFactory(organisation=organisation, name=hostile)
    out = tmp_path / "package"
    export_csv(out)
    rows = read_tables(out)
    assert [s["name"] for s in rows["service"]] == [hostile]
    assert hostile in [o["name"] for o in rows["organization"]]
    assert_valid_against_official_package(out)

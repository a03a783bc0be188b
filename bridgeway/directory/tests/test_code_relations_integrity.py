"""The six code relations keep their integrity with the reference tables' key held by Django
only, not by a database constraint (decision 0162): the import writes no code the reference
tables do not hold, the relations read both ways, and deleting a reference row leaves no code
row pointing nowhere."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection

from bridgeway.directory.models import (
    Service,
    ServiceDistrict,
    ServiceEthnicGroup,
    ServiceHarmType,
    ServiceLanguage,
    ServicePoliceForceArea,
    ServiceReligion,
)
from bridgeway.directory.openreferral.importing import DirectoryImportError, directory_import
from bridgeway.directory.tests.test_exchange import a_feed_service
from bridgeway.equality.models import Term
from bridgeway.places.models import LocalAuthorityDistrict, PoliceForceArea

pytestmark = pytest.mark.django_db

ONS = "http://statistics.data.gov.uk/id/statistical-geography/"
LEEDS, WEST_YORKSHIRE = "E08000035", "E23000010"

# Each code relation's through model, the name of its key to the reference table, and that table.
CODE_RELATIONS: list[tuple[Any, str, Any]] = [
    (ServiceDistrict, "localauthoritydistrict_id", LocalAuthorityDistrict),
    (ServicePoliceForceArea, "policeforcearea_id", PoliceForceArea),
    (ServiceLanguage, "term_id", Term),
    (ServiceHarmType, "term_id", Term),
    (ServiceEthnicGroup, "term_id", Term),
    (ServiceReligion, "term_id", Term),
]


def an_attribute(taxonomy: str, code: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "taxonomy_term": {"id": str(uuid.uuid4()), "taxonomy": taxonomy, "code": code},
    }


def a_coded_service(**changes: Any) -> dict[str, Any]:
    """A feed's service carrying a code of each of the six relations."""
    coded: dict[str, Any] = {
        "service_areas": [
            {"id": str(uuid.uuid4()), "uri": ONS + LEEDS},
            {"id": str(uuid.uuid4()), "uri": ONS + WEST_YORKSHIRE},
        ],
        "languages": [{"id": str(uuid.uuid4()), "code": "urd", "name": "Urdu"}],
        "attributes": [
            an_attribute("bridgeway:harm_types", "hate_crime"),
            an_attribute("bridgeway:ethnic_groups", "asian_pakistani"),
            an_attribute("bridgeway:religions", "muslim"),
        ],
    }
    return a_feed_service(**{**coded, **changes})


def code_rows() -> int:
    return sum(through.objects.count() for through, _, _ in CODE_RELATIONS)


def rows_pointing_nowhere() -> int:
    """Code rows whose district, force area or term is not in its reference table."""
    return sum(
        through.objects.exclude(**{f"{key}__in": reference.objects.values("pk")}).count()
        for through, key, reference in CODE_RELATIONS
    )


def test_a_code_the_reference_table_does_not_hold_refuses_its_service_by_row_and_field():
    # The vocabulary file knows hate_crime, the database no longer does (reference data out of
    # date): with no constraint to catch it, the import's own check must.
    Term.objects.filter(vocabulary="harm_types", code="hate_crime").delete()
    good = a_coded_service(name="Good", attributes=[an_attribute("bridgeway:religions", "sikh")])
    missing = a_coded_service(name="Missing code")
    report = directory_import([good, missing])
    assert report.refused == [2]
    (problem,) = report.problems
    assert (problem.position, problem.service_id) == (2, missing["id"])
    assert problem.field == "attributes (bridgeway:harm_types)"
    assert "hate_crime is not loaded yet" in str(problem)
    assert list(Service.objects.values_list("name", flat=True)) == ["Good"]
    # Nothing of the refused service was written, and no row points at a missing term.
    assert not any(
        through.objects.filter(service_id=missing["id"]).exists()
        for through, _, _ in CODE_RELATIONS
    )
    assert code_rows() == 4  # the good service's district, force area, language and religion
    assert rows_pointing_nowhere() == 0


def test_a_strict_import_with_a_code_nobody_holds_writes_nothing():
    Term.objects.filter(vocabulary="religions", code="muslim").delete()
    not_loaded = a_coded_service()
    unknown = a_coded_service(attributes=[an_attribute("bridgeway:harm_types", "shoplifting")])
    with pytest.raises(DirectoryImportError) as error:
        directory_import([a_coded_service(), not_loaded, unknown], strict=True)
    where = {(p.position, p.field) for p in error.value.problems}
    assert (2, "attributes (bridgeway:religions)") in where
    assert (3, "attributes[0].taxonomy_term.code") in where
    assert "shoplifting" in " ".join(str(p) for p in error.value.problems)
    assert not Service.objects.exists()
    assert code_rows() == 0


def test_an_unknown_code_is_left_out_by_row_and_field_and_written_nowhere():
    report = directory_import(
        [
            a_coded_service(
                service_areas=[{"id": str(uuid.uuid4()), "uri": ONS + "E08999999"}],
                languages=[{"id": str(uuid.uuid4()), "code": "zzz", "name": "Nothing"}],
                attributes=[an_attribute("bridgeway:harm_types", "shoplifting")],
            )
        ]
    )
    assert {(w.position, w.field) for w in report.warnings} == {
        (1, "service_areas"),
        (1, "languages[0].code"),
        (1, "attributes[0].taxonomy_term.code"),
    }
    service = Service.objects.get()
    assert not service.districts.exists()
    assert not service.harm_types.exists()
    assert rows_pointing_nowhere() == 0


def test_imported_codes_read_both_ways_through_the_orm():
    document = a_coded_service(name="Coded")
    directory_import([document])
    service = Service.objects.get(pk=document["id"])
    assert list(service.districts.values_list("code", flat=True)) == [LEEDS]
    assert list(service.police_force_areas.values_list("code", flat=True)) == [WEST_YORKSHIRE]
    assert list(service.languages.values_list("code", flat=True)) == ["urd"]
    assert list(service.harm_types.values_list("code", flat=True)) == ["hate_crime"]
    assert list(service.ethnic_groups.values_list("code", flat=True)) == ["asian_pakistani"]
    assert list(service.religions.values_list("code", flat=True)) == ["muslim"]
    # From the reference rows back to the service, and in a join.
    assert list(LocalAuthorityDistrict.objects.get(code=LEEDS).services.all()) == [service]
    assert list(PoliceForceArea.objects.get(code=WEST_YORKSHIRE).services.all()) == [service]
    urdu = Term.objects.get(vocabulary="languages", code="urd")
    assert list(urdu.services_by_language.all()) == [service]
    hate_crime = Term.objects.get(vocabulary="harm_types", code="hate_crime")
    assert list(hate_crime.services_by_harm.all()) == [service]
    assert list(Service.objects.filter(religions__code="muslim")) == [service]
    assert list(Service.objects.filter(ethnic_groups__code="asian_pakistani")) == [service]
    assert not Service.objects.filter(languages__code="eng").exists()


def test_deleting_a_term_or_district_in_use_deletes_its_code_rows_and_keeps_the_service():
    document = a_coded_service(name="Coded")
    directory_import([document])
    Term.objects.filter(vocabulary="languages", code="urd").delete()
    LocalAuthorityDistrict.objects.filter(code=LEEDS).delete()
    service = Service.objects.get(pk=document["id"])
    assert not service.languages.exists()
    assert not service.districts.exists()
    assert list(service.harm_types.values_list("code", flat=True)) == ["hate_crime"]
    assert rows_pointing_nowhere() == 0


def test_the_code_tables_keep_only_their_service_key_as_a_database_constraint():
    with connection.cursor() as cursor:
        for through, _, _ in CODE_RELATIONS:
            constraints = connection.introspection.get_constraints(cursor, through._meta.db_table)
            targets = [c["foreign_key"][0] for c in constraints.values() if c["foreign_key"]]
            assert targets == [Service._meta.db_table], through.__name__

"""service_create and service_update: every code checked, nothing saved on a bad one."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from bridgeway.directory.models import Service
from bridgeway.directory.services import service_create, service_update

pytestmark = pytest.mark.django_db


def test_service_create_saves_the_listing_with_its_codes(organisation):
    service = service_create(
        organisation=organisation,
        name="Leeds Hate Support",
        district_codes=["E08000035"],
        pfa_codes=["E23000010"],
        language_codes=["urd", "pan", "urd"],
        harm_type_codes=["hate_incident"],
        ethnic_group_codes=["asian_pakistani"],
        religion_codes=["muslim"],
        minimum_age=11,
        maximum_age=25,
    )
    service.refresh_from_db()
    assert service.organisation == organisation
    assert sorted(t.code for t in service.languages.all()) == ["pan", "urd"]
    assert [d.name for d in service.districts.all()] == ["Leeds"]
    assert [p.name for p in service.police_force_areas.all()] == ["West Yorkshire"]
    assert [t.code for t in service.religions.all()] == ["muslim"]


@pytest.mark.parametrize(
    ("arguments", "field", "code"),
    [
        ({"language_codes": ["xx"]}, "language_codes", "xx"),
        ({"harm_type_codes": ["murder"]}, "harm_type_codes", "murder"),
        ({"ethnic_group_codes": ["bame"]}, "ethnic_group_codes", "bame"),
        ({"religion_codes": ["jedi"]}, "religion_codes", "jedi"),
        ({"district_codes": ["S12000036"]}, "district_codes", "S12000036"),
        ({"pfa_codes": ["E99999999"]}, "pfa_codes", "E99999999"),
        ({"independence": "sort_of"}, "independence", "sort_of"),
        ({"language_codes": "urd"}, "language_codes", "list"),
    ],
)
def test_service_create_refuses_unknown_codes_naming_field_and_code(
    organisation, arguments, field, code
):
    with pytest.raises(ValidationError) as caught:
        service_create(organisation=organisation, name="Bad", **arguments)
    assert field in caught.value.message_dict
    assert code in " ".join(caught.value.message_dict[field])
    assert not Service.objects.filter(name="Bad").exists()


def test_service_create_refuses_an_age_range_upside_down(organisation):
    with pytest.raises(ValidationError):
        service_create(organisation=organisation, name="Bad", minimum_age=30, maximum_age=18)
    assert not Service.objects.exists()


def test_service_create_refuses_an_empty_name(organisation):
    with pytest.raises(ValidationError) as caught:
        service_create(organisation=organisation, name="")
    assert "name" in caught.value.message_dict


def test_service_update_changes_only_what_is_given(organisation):
    service = service_create(
        organisation=organisation,
        name="Old name",
        language_codes=["urd"],
        district_codes=["E08000035"],
        waiting_weeks=4,
    )
    service_update(service=service, name="New name", language_codes=["pan"], waiting_weeks=None)
    service.refresh_from_db()
    assert service.name == "New name"
    assert service.waiting_weeks is None
    assert [t.code for t in service.languages.all()] == ["pan"]
    assert [d.code for d in service.districts.all()] == ["E08000035"]


def test_service_update_with_a_bad_code_changes_nothing(organisation):
    service = service_create(organisation=organisation, name="Keep me", language_codes=["urd"])
    with pytest.raises(ValidationError) as caught:
        service_update(service=service, name="Changed", language_codes=["urd", "nope"])
    assert "nope" in str(caught.value)
    assert service.name == "Keep me"
    service.refresh_from_db()
    assert service.name == "Keep me"
    assert [t.code for t in service.languages.all()] == ["urd"]

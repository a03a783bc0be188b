"""Resolving a postcode or postcode district to districts and a police force area."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from bridgeway.places.models import (
    CensusPopulation,
    DistrictNeighbour,
    LocalAuthorityDistrict,
    PoliceForceArea,
    PostcodeDistrict,
    PostcodeDistrictArea,
)
from bridgeway.places.selectors import InvalidPostcode, LocationNotCovered, resolve_location

pytestmark = pytest.mark.django_db


def test_ls6_1aa_is_in_leeds_in_west_yorkshire():
    location = resolve_location("LS6 1AA")
    assert location.is_full_postcode
    assert location.district.name == "Leeds"
    assert location.police_force_area.name == "West Yorkshire"


def test_a_full_postcode_resolves_in_any_case_and_spacing():
    assert resolve_location(" ls61aa ").district.code == "E08000035"


def test_bd3_resolves_to_bradford_first_then_leeds():
    location = resolve_location("BD3")
    assert not location.is_full_postcode
    names = [d.name for d in location.districts]
    assert names[:2] == ["Bradford", "Leeds"]
    assert location.district.name == "Bradford"


def test_a_postcode_district_in_one_district_has_just_that_one():
    assert [d.name for d in resolve_location("LS6").districts] == ["Leeds"]


def test_merged_2023_districts_are_current_for_a_full_postcode():
    assert resolve_location("CA3 8QG").district.name == "Cumberland"
    assert resolve_location("HG1 2RH").district.name == "North Yorkshire"


def test_scottish_postcode_is_not_covered():
    with pytest.raises(LocationNotCovered):
        resolve_location("EH1 1YZ")


def test_scottish_postcode_district_is_not_covered():
    with pytest.raises(LocationNotCovered):
        resolve_location("EH1")


def test_text_that_is_not_a_postcode_is_invalid():
    with pytest.raises(InvalidPostcode):
        resolve_location("not a postcode")


def test_bradford_and_leeds_are_neighbours_both_ways():
    assert DistrictNeighbour.objects.filter(district="E08000032", neighbour="E08000035").exists()
    assert DistrictNeighbour.objects.filter(district="E08000035", neighbour="E08000032").exists()


def test_every_district_is_in_a_police_force_area_of_england_or_wales():
    assert LocalAuthorityDistrict.objects.count() > 300
    assert set(PoliceForceArea.objects.values_list("country", flat=True)) == {"E", "W"}
    assert not LocalAuthorityDistrict.objects.filter(police_force_area__isnull=True).exists()


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            PoliceForceArea,
            LocalAuthorityDistrict,
            PostcodeDistrict,
            PostcodeDistrictArea,
            DistrictNeighbour,
            CensusPopulation,
        )
    }


def test_loading_reference_data_again_changes_no_counts():
    before = _counts()
    call_command("load_reference_data", verbosity=0, stdout=open("/dev/null", "w"))
    assert _counts() == before
    assert resolve_location("BD3").district.name == "Bradford"


def test_bd3_weighs_bradford_and_leeds_by_their_share_of_its_postcodes():
    # The shared data's ONSPD sample: 33 of BD3's postcodes in Bradford, 1 in Leeds.
    location = resolve_location("BD3")
    shares = dict(zip((d.name for d in location.districts), location.shares, strict=True))
    assert shares["Bradford"] == pytest.approx(33.5 / 35)
    assert shares["Leeds"] == pytest.approx(1.5 / 35)
    assert sum(location.shares) == pytest.approx(1.0)


def test_a_full_postcode_is_wholly_in_its_district():
    assert resolve_location("BD3 9AA").shares == (1.0,)

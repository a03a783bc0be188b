"""services_matching and the public service look-up, against the database."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.utils import translation

from bridgeway.directory.models import Service
from bridgeway.directory.profile_index import profile_index
from bridgeway.directory.selectors import (
    InvalidPostcode,
    LocationNotCovered,
    Preferences,
    _with_profile_data,
    active_services,
    profile_of,
    service_get_public,
    services_matching,
)
from bridgeway.directory.services import service_update
from bridgeway.directory.tests.factories import NationalServiceFactory, ServiceFactory
from bridgeway.equality.vocabulary import UnknownCode

pytestmark = pytest.mark.django_db


def _names(matches):
    return [m.service.name for m in matches]


def test_leeds_panjabi_hate_search_ranks_local_panjabi_service_first(directory):
    answer = services_matching(location="LS6 1AA", harm_types=["hate_incident"], languages=["pan"])
    assert answer.location.district.name == "Leeds"
    # Both local services speak Panjabi and handle the harm; the waiting list separates them.
    assert _names(answer.results) == [
        "Hate Crime Unit",
        "Leeds Panjabi Helpline",
        "Bradford Urdu Hate Support",
    ]
    first = answer.results[1]
    assert first.covers_area
    assert "Covers Leeds" in first.reasons
    assert "Workers speak Panjabi" in first.reasons
    assert "Waiting time about 6 weeks" in first.cautions
    bradford = answer.results[2]
    assert not bradford.covers_area
    assert "Based nearby in Bradford and takes people from your area" in bradford.reasons
    assert answer.fallback == []


def test_inactive_and_out_of_area_services_never_appear(directory):
    answer = services_matching(location="LS6 1AA", harm_types=["hate_incident"])
    names = _names(answer.results)
    assert "Closed Leeds Service" not in names
    assert "Birmingham Advice" not in names


def test_independent_of_police_puts_the_police_unit_last(directory):
    answer = services_matching(
        location="LS6 1AA",
        harm_types=["hate_incident"],
        languages=["pan"],
        preferences=Preferences(independent_of_police=True),
    )
    assert _names(answer.results)[-1] == "Hate Crime Unit"
    assert "Run by or with the police" in answer.results[-1].cautions


def test_postcode_district_covers_every_district_it_touches(directory):
    answer = services_matching(location="BD3", harm_types=["hate_incident"], languages=["urd"])
    assert [d.name for d in answer.location.districts][:2] == ["Bradford", "Leeds"]
    # The force-wide unit covers all of BD3; the Bradford service the 96% of it in Bradford
    # (decision 0132), so it follows the unit it tied with before; the Leeds one is last.
    assert _names(answer.results) == [
        "Hate Crime Unit",
        "Bradford Urdu Hate Support",
        "Leeds Panjabi Helpline",
    ]
    assert "Covers Bradford" in answer.results[1].reasons
    assert "Covers Leeds" in answer.results[2].reasons
    assert (
        "Most of the postcode area you gave is outside the area it covers"
        in answer.results[2].cautions
    )


def test_reasons_are_in_the_active_language(directory):
    with translation.override("cy"):
        answer = services_matching(location="LS6 1AA", languages=["pan"])
    # Outside English, a language is named in itself.
    assert any("ਪੰਜਾਬੀ" in reason for reason in answer.results[0].reasons)


def test_limit_caps_results(directory):
    answer = services_matching(location="LS6 1AA", limit=1)
    assert len(answer.results) == 1


def test_nothing_fitting_gives_fallback_never_an_empty_answer(directory, organisation):
    NationalServiceFactory(organisation=organisation, name="National Support Line")
    answer = services_matching(location="LS6 1AA", harm_types=["fraud"])
    assert answer.results == []
    names = _names(answer.fallback)
    assert "National Support Line" in names
    # Universal services that reach Leeds; specialist and faraway ones are not offered.
    assert "Bradford Urdu Hate Support" not in names
    assert "Birmingham Advice" not in names
    assert all(any("Does not list" in c for c in m.cautions) for m in answer.fallback)


def test_fallback_reaches_beyond_the_area_when_nothing_else_is_listed(directory):
    answer = services_matching(location="B1 1AA", harm_types=["fraud"])
    assert answer.results == []
    assert answer.fallback, "a search must never come back empty while services are listed"


def test_matching_reads_the_directory_in_a_fixed_number_of_queries(
    organisation, django_assert_max_num_queries
):
    for n in range(15):
        ServiceFactory(
            organisation=organisation,
            name=f"Leeds Service {n}",
            district_codes=["E08000035"],
            language_codes=["pan", "urd"],
            harm_type_codes=["hate_incident"],
            religion_codes=["sikh"],
            ethnic_group_codes=["asian_indian"],
        )
    # The first match after a change also rebuilds the in-process index of profiles
    # (ten more queries, however many services there are); later ones only read it.
    with django_assert_max_num_queries(15):
        services_matching(location="LS6 1AA", harm_types=["hate_incident"], limit=50)
    with django_assert_max_num_queries(4):
        answer = services_matching(
            location="LS6 1AA", harm_types=["hate_incident"], languages=["pan"], limit=50
        )
    assert len(answer.results) == 15


def test_matching_sees_a_change_made_after_the_index_was_built(organisation):
    service = ServiceFactory(
        organisation=organisation,
        name="Leeds Service",
        district_codes=["E08000035"],
        harm_type_codes=["hate_incident"],
    )
    first = services_matching(location="LS6 1AA", harm_types=["hate_incident"])
    assert [m.service.name for m in first.results] == ["Leeds Service"]
    service_update(service=service, harm_type_codes=["fraud"])
    second = services_matching(location="LS6 1AA", harm_types=["hate_incident"])
    assert second.results == []
    service_update(service=service, status=Service.Status.INACTIVE)
    third = services_matching(location="LS6 1AA", harm_types=["fraud"])
    assert "Leeds Service" not in [m.service.name for m in (*third.results, *third.fallback)]


def test_index_profiles_are_the_profiles_of_the_services(directory):
    index = profile_index(rebuild=True)
    expected = {str(s.id): profile_of(s) for s in _with_profile_data(active_services())}
    assert index.profiles == expected


def test_malformed_postcode_propagates_invalid_postcode(directory):
    with pytest.raises(InvalidPostcode):
        services_matching(location="not a postcode")


def test_scottish_postcode_propagates_location_not_covered(directory):
    with pytest.raises(LocationNotCovered):
        services_matching(location="EH1 1YZ")


def test_unknown_code_is_refused(directory):
    with pytest.raises(UnknownCode):
        services_matching(location="LS6 1AA", harm_types=["bame"])


def test_service_get_public_returns_an_active_service(directory):
    service = service_get_public(str(directory["urdu"].id))
    assert service.name == "Bradford Urdu Hate Support"


@pytest.mark.parametrize(
    "bad_id", ["not-a-uuid", "", "1' OR '1'='1", "0b7f3c1e-5d2a-4c8e-9f61-2a4d7e9b0c35"]
)
def test_service_get_public_is_404_for_unknown_or_malformed_ids(directory, bad_id):
    with pytest.raises(Http404):
        service_get_public(bad_id)


def test_service_get_public_is_404_for_an_inactive_service(directory):
    with pytest.raises(Http404):
        service_get_public(directory["closed"].id)

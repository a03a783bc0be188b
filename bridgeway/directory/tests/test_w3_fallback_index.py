"""The profile index's precomputed fallback candidates, and matching served from the index."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bridgeway.directory.matching import Need, ServiceProfile
from bridgeway.directory.profile_index import ProfileIndex, profile_index
from bridgeway.directory.selectors import services_matching
from bridgeway.directory.tests.conftest import BIRMINGHAM, LEEDS
from bridgeway.directory.tests.factories import ServiceFactory

CARDIFF = "W06000015"


def _index(*profiles: ServiceProfile) -> ProfileIndex:
    """An index as ``build_index`` lays it out, without a database."""
    ordered = sorted(
        profiles,
        key=lambda p: (0 if p.is_national else 1 if not p.is_specialist else 2, p.name, p.id),
    )
    by_harm: dict[str, list[str]] = {}
    for profile in ordered:
        for code in profile.harm_types:
            by_harm.setdefault(code, []).append(profile.id)
    return ProfileIndex(
        version=0,
        profiles={p.id: p for p in profiles},
        fallback_order=tuple(p.id for p in ordered),
        fallback_by_harm={code: tuple(ids) for code, ids in by_harm.items()},
    )


def _profile(name: str, **fields: Any) -> ServiceProfile:
    return ServiceProfile(
        id=name.lower().replace(" ", "-"), name=name, organisation_name="Org", **fields
    )


def _need(**fields: Any) -> Need:
    return Need(district_codes=(LEEDS,), pfa_codes=(), **fields)


def _names(profiles: list[ServiceProfile]) -> list[str]:
    return [p.name for p in profiles]


def test_fallback_candidates_put_national_then_universal_before_specialist_services():
    index = _index(
        _profile("A specialist", harm_types=frozenset({"fraud"}), is_specialist=True),
        _profile("B universal", harm_types=frozenset({"fraud"})),
        _profile("C national", harm_types=frozenset({"fraud"}), is_national=True),
    )
    found = index.fallback_candidates(_need(harm_types=("fraud",)), size=2)
    assert _names(found) == ["C national", "B universal"]


def test_fallback_candidates_give_each_harm_its_own_share():
    common = [_profile(f"Common {n}", harm_types=frozenset({"fraud"})) for n in range(5)]
    rare = _profile("Rare", harm_types=frozenset({"harassment_stalking"}), is_specialist=True)
    index = _index(*common, rare)
    found = index.fallback_candidates(_need(harm_types=("fraud", "harassment_stalking")), size=2)
    assert _names(found) == ["Common 0", "Common 1", "Rare"]


def test_fallback_candidates_leave_out_services_that_do_not_take_the_persons_age():
    index = _index(
        _profile("Adults", harm_types=frozenset({"fraud"}), minimum_age=18),
        _profile("Young people", harm_types=frozenset({"fraud"}), maximum_age=25),
    )
    assert _names(index.fallback_candidates(_need(harm_types=("fraud",), age=15))) == [
        "Young people"
    ]


def test_fallback_candidates_widen_to_other_harms_then_to_any_age():
    index = _index(
        _profile("Fraud adults", harm_types=frozenset({"fraud"}), minimum_age=18),
        _profile("Stalking adults", harm_types=frozenset({"harassment_stalking"}), minimum_age=18),
        _profile("Stalking all ages", harm_types=frozenset({"harassment_stalking"})),
    )
    # Nobody handling fraud takes a 15-year-old: any service that does is weighed instead.
    assert _names(index.fallback_candidates(_need(harm_types=("fraud",), age=15))) == [
        "Stalking all ages"
    ]
    only_adults = _index(_profile("Fraud adults", harm_types=frozenset({"fraud"}), minimum_age=18))
    # Nobody takes them at all: the service is still offered (fallback cautions about age).
    assert _names(only_adults.fallback_candidates(_need(harm_types=("fraud",), age=15))) == [
        "Fraud adults"
    ]


def test_fallback_candidates_are_bounded_however_big_the_directory():
    index = _index(*(_profile(f"Service {n:04d}") for n in range(1000)))
    found = index.fallback_candidates(_need(), size=50)
    assert len(found) == 50
    assert _names(found)[0] == "Service 0000"


def test_an_empty_directory_has_no_fallback_candidates():
    assert _index().fallback_candidates(_need(harm_types=("fraud",))) == []


@pytest.mark.django_db
def test_index_orders_fallback_national_then_universal_then_specialist(organisation):
    ServiceFactory(
        organisation=organisation,
        name="A specialist",
        district_codes=[BIRMINGHAM],
        harm_type_codes=["fraud"],
        is_specialist=True,
    )
    ServiceFactory(
        organisation=organisation,
        name="B universal",
        district_codes=[BIRMINGHAM],
        harm_type_codes=["fraud"],
    )
    ServiceFactory(
        organisation=organisation, name="C national", is_national=True, harm_type_codes=["fraud"]
    )
    index = profile_index(rebuild=True)
    names = [index.profiles[i].name for i in index.fallback_by_harm["fraud"]]
    assert names == ["C national", "B universal", "A specialist"]
    assert index.place_names[LEEDS] == "Leeds"


@pytest.mark.django_db
def test_fallback_from_afar_offers_faraway_services_handling_the_harm(organisation):
    # Nothing reaches Cardiff: fallback weighs services from afar that handle the harm.
    ServiceFactory(
        organisation=organisation,
        name="Birmingham Stalking",
        district_codes=[BIRMINGHAM],
        harm_type_codes=["harassment_stalking"],
    )
    ServiceFactory(
        organisation=organisation,
        name="Birmingham Fraud",
        district_codes=[BIRMINGHAM],
        harm_type_codes=["fraud"],
        is_specialist=True,
    )
    answer = services_matching(location="CF10 1AA", harm_types=["fraud"])
    assert answer.results == []
    assert [m.service.name for m in answer.fallback] == ["Birmingham Fraud"]
    assert any("outside" in caution.lower() for caution in answer.fallback[0].cautions)


@pytest.mark.django_db
def test_results_load_the_services_shown_in_one_query(organisation):
    for n in range(12):
        ServiceFactory(
            organisation=organisation,
            name=f"Leeds Service {n}",
            district_codes=[LEEDS],
            harm_type_codes=["hate_incident"],
            language_codes=["pan"],
        )
    services_matching(location="LS6 1AA", harm_types=["hate_incident"])  # builds the index
    with CaptureQueriesContext(connection) as queries:
        answer = services_matching(location="LS6 1AA", harm_types=["hate_incident"], limit=50)
    assert len(answer.results) == 12
    # Where the person is, the neighbouring districts, the directory's version, the services.
    assert len(queries) <= 4
    reading_services = [q["sql"] for q in queries if "directory_" in q["sql"]]
    assert len(reading_services) == 2  # the version and the services shown
    # Place names in the reasons come from the index, not a query per service.
    assert "Covers Leeds" in answer.results[0].reasons

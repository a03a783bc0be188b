"""The matching index follows the directory by its version stamp, reading only what changed.

A listing added, changed, withdrawn or deleted, through the services, a plain ORM write, an
import or another process, is in the very next match, and no match after the first reads
the whole directory again.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
import uuid
from dataclasses import replace
from typing import Any

import pytest
from django.db import connection

from bridgeway.directory import profile_index as profile_index_module
from bridgeway.directory.models import Service
from bridgeway.directory.openreferral import hsds
from bridgeway.directory.openreferral.exchange import listing_of, services_for_export
from bridgeway.directory.openreferral.importing import directory_import
from bridgeway.directory.profile_index import ProfileIndex, build_index, profile_index
from bridgeway.directory.selectors import services_matching
from bridgeway.directory.services import service_create, service_update
from bridgeway.directory.stamps import directory_stamp
from bridgeway.directory.tests.conftest import BIRMINGHAM, BRADFORD, LEEDS, WEST_YORKSHIRE
from bridgeway.directory.tests.factories import ServiceFactory
from bridgeway.equality.models import Term

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The versions the whole index was read at, from here on (the real ``build_index``)."""
    versions: list[int] = []

    def counted(version: int) -> ProfileIndex:
        versions.append(version)
        return build_index(version)

    monkeypatch.setattr(profile_index_module, "build_index", counted)
    return versions


def _names(**query: Any) -> list[str]:
    answer = services_matching(location="LS6 1AA", **query)
    return [m.service.name for m in answer.results]


@pytest.fixture
def leeds(organisation: Any) -> Service:
    ServiceFactory(
        organisation=organisation,
        name="Leeds Advice",
        district_codes=[LEEDS],
        harm_type_codes=["hate_incident"],
    )
    return ServiceFactory(
        organisation=organisation,
        name="Leeds Hate Support",
        district_codes=[LEEDS],
        harm_type_codes=["hate_incident"],
        language_codes=["eng"],
    )


def test_a_changed_listing_is_in_the_next_match_without_a_rebuild(leeds, builds):
    assert _names(harm_types=["hate_incident"]) == ["Leeds Advice", "Leeds Hate Support"]
    assert len(builds) == 1
    service_update(service=leeds, language_codes=["pan"])
    assert _names(harm_types=["hate_incident"], languages=["pan"])[0] == "Leeds Hate Support"
    service_update(service=leeds, harm_type_codes=["fraud"])
    assert _names(harm_types=["hate_incident"]) == ["Leeds Advice"]
    assert len(builds) == 1


def test_a_withdrawn_listing_leaves_the_next_match_without_a_rebuild(leeds, builds):
    assert "Leeds Hate Support" in _names(harm_types=["hate_incident"])
    service_update(service=leeds, status=Service.Status.TEMPORARILY_CLOSED)
    assert _names(harm_types=["hate_incident"]) == ["Leeds Advice"]
    service_update(service=leeds, status=Service.Status.ACTIVE)
    assert "Leeds Hate Support" in _names(harm_types=["hate_incident"])
    assert len(builds) == 1


def test_an_added_listing_is_in_the_next_match_without_a_rebuild(leeds, organisation, builds):
    assert _names(harm_types=["hate_incident"]) == ["Leeds Advice", "Leeds Hate Support"]
    service_create(
        organisation=organisation,
        name="A New Leeds Line",
        district_codes=[LEEDS],
        harm_type_codes=["hate_incident"],
    )
    assert _names(harm_types=["hate_incident"])[0] == "A New Leeds Line"
    assert len(builds) == 1


def test_plain_orm_writes_are_stamped_and_seen(leeds, builds):
    assert _names(harm_types=["hate_incident"], languages=["urd"])[0] == "Leeds Advice"
    # A field saved directly (an admin or a shell): the service now has a waiting list.
    advice = Service.objects.get(name="Leeds Advice")
    advice.waiting_weeks = 10
    advice.save()
    assert _names(harm_types=["hate_incident"]) == ["Leeds Hate Support", "Leeds Advice"]
    # A code added from either side of the relation.
    urdu = Term.objects.get(vocabulary="languages", code="urd")
    leeds.languages.add(urdu)
    assert _names(harm_types=["hate_incident"], languages=["urd"])[0] == "Leeds Hate Support"
    urdu.services_by_language.remove(leeds)
    urdu.services_by_language.add(advice)
    assert _names(harm_types=["hate_incident"], languages=["urd"])[0] == "Leeds Advice"
    # Deleted outright, not withdrawn: the row is gone, its tombstone tells the index.
    advice.delete()
    assert _names(harm_types=["hate_incident"]) == ["Leeds Hate Support"]
    assert len(builds) == 1


def test_an_import_is_in_the_next_match_without_a_rebuild(leeds, organisation, builds):
    assert _names(harm_types=["hate_incident"]) == ["Leeds Advice", "Leeds Hate Support"]
    listing = listing_of(services_for_export().get(pk=leeds.pk))
    directory_import([hsds.listing_to_hsds(replace(listing, harm_types=("fraud",)), {})])
    assert _names(harm_types=["hate_incident"]) == ["Leeds Advice"]
    assert _names(harm_types=["fraud"]) == ["Leeds Hate Support"]
    assert len(builds) == 1


def test_a_new_imported_listing_is_in_the_next_match_without_a_rebuild(leeds, builds):
    # The importer writes a new listing's row with its stamp in it (decision 0152).
    assert _names(harm_types=["fraud"]) == []
    listing = listing_of(services_for_export().get(pk=leeds.pk))
    new = replace(
        listing,
        id=str(uuid.uuid4()),
        name="Imported Leeds Line",
        harm_types=("fraud",),
        phone="",
        locations=(),
        phones=(),
        schedules=(),
        cost_options=(),
        funding=(),
    )
    assert directory_import([hsds.listing_to_hsds(new, {})]).created == 1
    assert _names(harm_types=["fraud"]) == ["Imported Leeds Line"]
    assert Service.objects.get(name="Imported Leeds Line").stamp == directory_stamp()
    assert len(builds) == 1


def test_an_unchanged_directory_costs_one_small_read_before_matching(leeds):
    services_matching(location="LS6 1AA", harm_types=["hate_incident"])
    version = directory_stamp()
    index = profile_index()
    assert profile_index() is index
    assert index.version == version


def _layout(index: ProfileIndex) -> dict[str, Any]:
    """What matching reads of an index, with the order that matters kept."""
    return {
        "profiles": index.profiles,
        "by_district": {code: set(keys) for code, keys in index.by_district.items()},
        "by_force": {code: set(keys) for code, keys in index.by_police_force_area.items()},
        "anywhere": set(index.anywhere),
        "fallback_order": index.fallback_order,
        "fallback_by_harm": index.fallback_by_harm,
    }


def test_a_patched_index_is_the_index_a_rebuild_would_read(organisation):
    rng = random.Random(96)
    places = [LEEDS, BRADFORD, BIRMINGHAM]
    harms = ["hate_incident", "fraud", "domestic_abuse"]
    services = [
        ServiceFactory(
            organisation=organisation,
            name=f"Service {n % 7}",
            district_codes=rng.sample(places, rng.randint(0, 2)),
            pfa_codes=[WEST_YORKSHIRE] if rng.random() < 0.3 else [],
            harm_type_codes=rng.sample(harms, rng.randint(1, 2)),
            is_national=rng.random() < 0.1,
            accepts_out_of_area=rng.random() < 0.2,
            is_specialist=rng.random() < 0.5,
        )
        for n in range(30)
    ]
    profile_index()
    for step in range(24):
        service = rng.choice(services)
        if not Service.objects.filter(pk=service.pk).exists():
            continue  # deleted at an earlier step
        change = step % 4
        if change == 0:
            service_update(
                service=service,
                name=f"Renamed {rng.randint(0, 9)}",
                is_national=rng.random() < 0.3,
                is_specialist=rng.random() < 0.5,
            )
        elif change == 1:
            service_update(
                service=service,
                district_codes=rng.sample(places, rng.randint(0, 2)),
                harm_type_codes=rng.sample(harms, rng.randint(1, 3)),
                accepts_out_of_area=rng.random() < 0.5,
            )
        elif change == 2:
            service_update(service=service, status=rng.choice(list(Service.Status.values)))
        else:
            service.delete()
        patched = profile_index()
        assert _layout(patched) == _layout(build_index(patched.version)), f"after step {step}"


def _database_url() -> str:
    settings = connection.settings_dict
    return "postgresql://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(**settings)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_listing_changed_by_another_process_is_in_this_ones_next_match(
    live_reference_data, leeds, builds
):
    """Two app servers share one database: what one writes, the other matches on next."""
    assert _names(harm_types=["hate_incident"]) == ["Leeds Advice", "Leeds Hate Support"]
    code = textwrap.dedent(
        f"""
        import django
        django.setup()
        from bridgeway.directory.models import Service
        from bridgeway.directory.services import service_update
        service = Service.objects.get(pk="{leeds.pk}")
        service_update(service=service, harm_type_codes=["fraud"])
        """
    )
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_OWNER_URL"}
    environment.update(DATABASE_URL=_database_url(), DJANGO_SETTINGS_MODULE="bridgeway.settings")
    finished = subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    assert _names(harm_types=["hate_incident"]) == ["Leeds Advice"]
    assert _names(harm_types=["fraud"]) == ["Leeds Hate Support"]
    assert len(builds) == 1


@pytest.mark.django_db(transaction=True)
def test_a_new_worker_reads_the_index_before_its_first_match(live_reference_data, leeds, builds):
    profile_index_module.profile_index_forget()
    profile_index_module.profile_index_warm().join(timeout=60)
    assert builds == [directory_stamp()]
    assert _names(harm_types=["hate_incident"]) == ["Leeds Advice", "Leeds Hate Support"]
    assert len(builds) == 1

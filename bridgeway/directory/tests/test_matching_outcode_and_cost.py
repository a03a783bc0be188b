"""Matching from only part of a postcode, and free services only: the matching selector, the
API and ``bridgeway match`` over a real straddling outcode of the shared data."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from bridgeway.directory.models import CostOption, Service
from bridgeway.directory.profile_index import profile_index
from bridgeway.directory.selectors import Preferences, services_matching
from bridgeway.directory.tests.factories import ServiceFactory
from bridgeway.places.services import DATA_DIR

pytestmark = pytest.mark.django_db

BRADFORD, LEEDS = "E08000032", "E08000035"
MATCH = "/api/v1/match"


def _bd3_counts() -> dict[str, int]:
    """BD3's sampled postcodes per district, as the postcode-district data gives them."""
    with Path(DATA_DIR / "postcode_districts_lad_derived.csv").open(encoding="utf-8") as handle:
        return {
            row["lad23cd"]: int(row["onspd_sample_postcodes"])
            for row in csv.DictReader(handle)
            if row["outcode"] == "BD3" and row["evidence"] == "run_starts_in_district"
        }


@pytest.fixture
def straddling(organisation):
    """A Leeds-only and a Bradford-only service; alphabetical order puts Leeds first."""
    return {
        "leeds": ServiceFactory(
            organisation=organisation, name="A Leeds Hate Support", district_codes=[LEEDS]
        ),
        "bradford": ServiceFactory(
            organisation=organisation, name="B Bradford Hate Support", district_codes=[BRADFORD]
        ),
    }


def _names(answer) -> list[str]:
    return [m.service.name for m in answer.results]


def test_bd3_straddles_bradford_and_leeds_with_nearly_all_of_it_in_bradford():
    counts = _bd3_counts()
    assert set(counts) == {BRADFORD, LEEDS}
    assert counts[BRADFORD] > 20 * counts[LEEDS]


def test_the_service_covering_most_of_bd3_ranks_above_the_one_covering_a_sliver(straddling):
    answer = services_matching(location="BD3")
    assert _names(answer) == ["B Bradford Hate Support", "A Leeds Hate Support"]
    bradford, leeds = answer.results
    assert bradford.score > leeds.score
    assert "Most of the postcode area you gave is outside the area it covers" in leeds.cautions
    # A full postcode in the Leeds part is wholly in Leeds: there the Leeds service leads.
    assert _names(services_matching(location="LS6 1AA")) == ["A Leeds Hate Support"]


def test_free_only_leaves_out_a_service_that_charges(straddling):
    CostOption.objects.create(
        service=straddling["bradford"], option="Per session", amount=Decimal("25.00")
    )
    CostOption.objects.create(service=straddling["leeds"], option="Free", amount=None)
    free = services_matching(location="BD3", preferences=Preferences(free_only=True))
    assert _names(free) == ["A Leeds Hate Support"]
    assert "Free of charge" in free.results[0].reasons
    # Without the filter both are offered.
    assert len(services_matching(location="BD3").results) == 2


def test_a_listing_silent_on_cost_stays_with_a_caution(straddling):
    answer = services_matching(location="LS6 1AA", preferences=Preferences(free_only=True))
    assert _names(answer) == ["A Leeds Hate Support"]
    assert "Does not say whether it is free" in answer.results[0].cautions


def test_a_new_cost_option_reaches_the_matching_index(straddling):
    profile_index()
    option = CostOption.objects.create(service=straddling["leeds"], amount=Decimal("5"))
    assert profile_index().profiles[str(straddling["leeds"].id)].cost == "charges"
    option.delete()
    assert profile_index().profiles[str(straddling["leeds"].id)].cost == "not_stated"


def _post(client, body):
    return client.post(MATCH, data=json.dumps(body), content_type="application/json")


def test_the_api_ranks_by_share_and_filters_free_only(client, straddling):
    CostOption.objects.create(service=straddling["bradford"], amount=Decimal("10"))
    every = _post(client, {"postcode": "BD3"}).json()
    assert [r["name"] for r in every["results"]] == [
        "B Bradford Hate Support",
        "A Leeds Hate Support",
    ]
    free = _post(client, {"postcode": "BD3", "preferences": {"free_only": True}}).json()
    assert [r["name"] for r in free["results"]] == ["A Leeds Hate Support"]


@pytest.mark.parametrize("value", ["yes", 1, None, []])
def test_the_api_refuses_a_free_only_that_is_not_true_or_false(client, straddling, value):
    response = _post(client, {"postcode": "BD3", "preferences": {"free_only": value}})
    assert response.status_code == 422
    assert "free_only" in json.dumps(response.json()["detail"])


def test_the_openapi_document_describes_free_only(client):
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    free_only = schemas["PreferencesIn"]["properties"]["free_only"]
    assert free_only["type"] == "boolean"
    assert "Free services only" in free_only["description"]


def _match(*arguments: str) -> dict[str, Any]:
    out = StringIO()
    call_command("match", *arguments, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_match_command_ranks_by_share_and_filters_free_only(straddling):
    CostOption.objects.create(service=straddling["bradford"], amount=Decimal("10"))
    every = _match("--postcode", "BD3")
    assert [r["name"] for r in every["results"]] == [
        "B Bradford Hate Support",
        "A Leeds Hate Support",
    ]
    free = _match("--postcode", "BD3", "--free-only")
    assert [r["name"] for r in free["results"]] == ["A Leeds Hate Support"]
    assert Service.objects.count() == 2

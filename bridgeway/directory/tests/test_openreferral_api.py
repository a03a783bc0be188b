"""The Open Referral UK read-only API under /api/v1/, checked against the UK profile's schemas."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs published
import pytest
from django.conf import settings

from bridgeway.directory.openreferral import hsds

pytestmark = pytest.mark.django_db

UK = Path(settings.BASE_DIR).parent / "shared" / "data" / "openreferral" / "uk" / "schema"
BRADFORD, WEST_YORKSHIRE = "E08000032", "E23000010"


@cache
def validator(name: str) -> Any:
    schema = json.loads((UK / name).read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@cache
def page_validator() -> Any:
    page = json.loads((UK / "openapi.json").read_text())["components"]["schemas"]["Page"]
    schema = {**page, "required": list(page["properties"])}
    return jsonschema.Draft202012Validator(schema)


def assert_valid(name: str, document: Any) -> None:
    errors = [f"{list(e.path)}: {e.message}" for e in validator(name).iter_errors(document)]
    assert not errors, errors


def get(client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def test_api_details_name_the_version_profile_and_an_absolute_openapi_url(client):
    details = get(client, "/api/v1/")
    assert details["version"] == "3.0"
    assert details["profile"].startswith("https://")
    assert details["openapi_url"].startswith("https://")
    assert details["openapi_url"].endswith("/openapi.json")


def test_every_page_of_services_is_consistent_and_valid(client, directory):
    seen: list[str] = []
    for page_number in (1, 2, 3):
        page = get(client, f"/api/v1/services?per_page=2&page={page_number}")
        assert not list(page_validator().iter_errors(page))
        assert page["total_items"] == 4  # the closed service is not in the feed
        assert page["total_pages"] == math.ceil(4 / 2)
        assert page["page_number"] == page_number
        assert page["size"] == len(page["contents"])
        assert page["first_page"] is (page_number == 1)
        assert page["last_page"] is (page_number >= 2)
        assert page["empty"] is (not page["contents"])
        for service in page["contents"]:
            assert_valid("compiled/service_with_definitions.json", service)
        seen += [service["id"] for service in page["contents"]]
    assert sorted(seen) == sorted(
        str(directory[k].id) for k in ("urdu", "panjabi", "police", "far")
    )


def test_service_detail_is_a_valid_compiled_service(client, directory):
    service = get(client, f"/api/v1/services/{directory['urdu'].id}")
    assert_valid("compiled/service_with_definitions.json", service)
    assert service["id"] == str(directory["urdu"].id)


def test_unknown_and_inactive_services_are_404_and_still_open_to_all(client, directory):
    for bad in ("nope", directory["closed"].id):
        response = client.get(f"/api/v1/services/{bad}")
        assert response.status_code == 404
        assert response["Access-Control-Allow-Origin"] == "*"


def names(page: dict[str, Any]) -> list[str]:
    return [service["name"] for service in page["contents"]]


def test_text_filter_searches_names_and_descriptions(client, directory):
    assert names(get(client, "/api/v1/services?text=urdu")) == ["Bradford Urdu Hate Support"]
    assert names(get(client, "/api/v1/services?search=PANJABI")) == ["Leeds Panjabi Helpline"]


def test_taxonomy_term_filter(client, directory):
    term = hsds.taxonomy_term("bridgeway:harm_types", "hate_crime")["id"]
    assert names(get(client, f"/api/v1/services?taxonomy_term_id={term}")) == [
        "Bradford Urdu Hate Support",
        "Hate Crime Unit",
    ]
    police = hsds.taxonomy_term("bridgeway:independence", "police_linked")["id"]
    assert names(get(client, f"/api/v1/services?taxonomy_term_id={police}")) == ["Hate Crime Unit"]
    unknown = "0b7f3c1e-5d2a-4c8e-9f61-2a4d7e9b0c35"
    assert get(client, f"/api/v1/services?taxonomy_term_id={unknown}")["empty"] is True


def test_area_filter_takes_district_and_police_force_area_codes(client, directory):
    assert names(get(client, f"/api/v1/services?area={BRADFORD}")) == ["Bradford Urdu Hate Support"]
    assert names(get(client, f"/api/v1/services?area={WEST_YORKSHIRE}")) == ["Hate Crime Unit"]


def test_language_filter_takes_iso_639_3_and_639_1(client, directory):
    expected = ["Bradford Urdu Hate Support", "Hate Crime Unit"]
    assert names(get(client, "/api/v1/services?language=urd")) == expected
    assert names(get(client, "/api/v1/services?language=ur")) == expected


@pytest.mark.parametrize(
    ("query", "named"),
    [("area=Leeds", "area"), ("language=klingon", "language"), ("taxonomy_term_id=x", "taxonomy")],
)
def test_bad_filters_are_422_naming_the_filter(client, query, named):
    response = client.get(f"/api/v1/services?{query}")
    assert response.status_code == 422
    assert named in json.dumps(response.json())


def test_taxonomies_and_terms_are_valid_and_can_be_fetched_by_id(client):
    taxonomies = get(client, "/api/v1/taxonomies?per_page=100")
    assert {t["name"] for t in taxonomies["contents"]} >= {
        "bridgeway:harm_types",
        "bridgeway:formats",
    }
    for taxonomy in taxonomies["contents"]:
        assert_valid("taxonomy.json", taxonomy)
        assert get(client, f"/api/v1/taxonomies/{taxonomy['id']}") == taxonomy
    terms = get(client, "/api/v1/taxonomy_terms?per_page=100&page=1")
    assert terms["total_items"] == len(hsds.bridgeway_terms())
    for term in terms["contents"]:
        assert_valid("taxonomy_term.json", term)
    first = terms["contents"][0]
    assert get(client, f"/api/v1/taxonomy_terms/{first['id']}") == first
    assert client.get("/api/v1/taxonomy_terms/nope").status_code == 404
    assert client.get("/api/v1/taxonomies/nope").status_code == 404


def test_the_feed_is_the_same_for_staff_signed_in_as_for_anyone(
    client, outsider_client, admin_client_of_organisation, directory
):
    anonymous = get(client, "/api/v1/services")
    assert get(outsider_client, "/api/v1/services") == anonymous
    assert get(admin_client_of_organisation, "/api/v1/services") == anonymous


def test_matching_is_not_opened_to_other_websites(client, directory):
    response = client.post(
        "/api/v1/match", data={"postcode": "LS6"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("listing", ["services", "service_at_locations", "taxonomies"])
def test_older_validators_per_page_spelling_and_trailing_slash_are_accepted(
    client, directory, listing
):
    plain = client.get(f"/api/v1/{listing}?page=1&per_page=1")
    slashed = client.get(f"/api/v1/{listing}/?page=1&perPage=1")
    assert slashed.status_code == plain.status_code == 200
    assert slashed.json() == plain.json()
    assert plain.json()["size"] == min(1, plain.json()["total_items"])
    assert slashed["Access-Control-Allow-Origin"] == "*"

"""The public API: services list and detail, matching, and its OpenAPI document."""

from __future__ import annotations

import json

import pytest

from bridgeway.directory.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

MATCH = "/api/v1/match"


def post(client, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(MATCH, data=data, content_type="application/json", **headers)


def test_openapi_document_is_served_as_json_and_lists_the_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/services", "/api/v1/services/{service_id}", "/api/v1/match"} <= set(
        document["paths"]
    )


def test_services_list_uses_open_referral_paging(client, directory):
    response = client.get("/api/v1/services?per_page=2&page=1")
    assert response.status_code == 200
    page = response.json()
    assert page["total_items"] == 4  # the closed service is not listed
    assert page["total_pages"] == 2
    assert page["page_number"] == 1
    assert page["size"] == 2
    assert page["first_page"] is True
    assert page["last_page"] is False
    assert page["empty"] is False
    assert [s["name"] for s in page["contents"]] == [
        "Birmingham Advice",
        "Bradford Urdu Hate Support",
    ]


def test_services_list_last_and_past_the_end_pages(client, directory):
    last = client.get("/api/v1/services?per_page=3&page=2").json()
    assert (last["last_page"], last["size"], last["empty"]) == (True, 1, False)
    beyond = client.get("/api/v1/services?per_page=3&page=9").json()
    assert (beyond["empty"], beyond["contents"]) == (True, [])


@pytest.mark.parametrize("query", ["page=0", "per_page=0", "per_page=101", "page=abc"])
def test_services_list_refuses_bad_paging_with_422(client, query):
    assert client.get(f"/api/v1/services?{query}").status_code == 422


def test_services_list_reads_in_a_fixed_number_of_queries(
    client, organisation, django_assert_max_num_queries
):
    for _ in range(12):
        ServiceFactory(
            organisation=organisation, district_codes=["E08000035"], language_codes=["urd"]
        )
    # A fixed number however many services: a count, the page, six code lists and the five
    # kinds of HSDS child record (locations, phones, schedules, costs, funding).
    with django_assert_max_num_queries(15):
        assert client.get("/api/v1/services?per_page=50").json()["total_items"] == 12


def test_service_detail_shows_its_codes_as_open_referral(client, directory):
    service = directory["urdu"]
    data = client.get(f"/api/v1/services/{service.id}").json()
    assert data["name"] == "Bradford Urdu Hate Support"
    assert sorted(language["code"] for language in data["languages"]) == ["eng", "urd"]
    assert [(a["name"], a["uri"]) for a in data["service_areas"]] == [
        ("Bradford", "http://statistics.data.gov.uk/id/statistical-geography/E08000032")
    ]
    assert data["organization"]["name"] == "Leeds Community Support"


@pytest.mark.parametrize(
    "bad", ["not-a-uuid", "0b7f3c1e-5d2a-4c8e-9f61-2a4d7e9b0c35", "%00", "9" * 300]
)
def test_service_detail_is_404_json_for_unknown_or_malformed_ids(client, directory, bad):
    response = client.get(f"/api/v1/services/{bad}")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_service_detail_is_404_for_an_inactive_service(client, directory):
    assert client.get(f"/api/v1/services/{directory['closed'].id}").status_code == 404


def test_match_ranks_services_with_reasons(client, directory):
    response = post(
        client,
        {
            "postcode": "ls6 1aa",
            "harm_types": ["hate_incident"],
            "languages": ["pan"],
            "preferences": {"independent_of_police": True},
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["location"]["district"] == {"code": "E08000035", "name": "Leeds"}
    results = body["results"]
    assert [r["name"] for r in results] == [
        "Leeds Panjabi Helpline",
        "Bradford Urdu Hate Support",
        "Hate Crime Unit",
    ]
    first = results[0]
    assert set(first) == {
        "service_id",
        "name",
        "organisation",
        "score",
        "reasons",
        "cautions",
        "covers_area",
        "independence",
    }
    assert first["organisation"] == "Leeds Community Support"
    assert first["covers_area"] is True
    assert first["independence"] == "independent"
    assert "Workers speak Panjabi" in first["reasons"]
    assert "Run independently of the police" in first["reasons"]
    assert results[-1]["independence"] == "police_linked"
    assert body["fallback"] == []


def test_match_with_only_a_postcode_district_works(client, directory):
    body = post(client, {"postcode": "BD3"}).json()
    assert body["location"]["districts"][0]["name"] == "Bradford"
    assert body["results"]


def test_match_answers_in_the_requests_language(client, directory):
    body = post(
        client, {"postcode": "LS6 1AA", "languages": ["urd"]}, HTTP_ACCEPT_LANGUAGE="cy"
    ).json()
    assert any("اردو" in reason for r in body["results"] for reason in r["reasons"])


def test_match_with_nothing_fitting_offers_fallback(client, directory):
    body = post(client, {"postcode": "LS6 1AA", "harm_types": ["fraud"]}).json()
    assert body["results"] == []
    assert body["fallback"]


def _problem(response) -> str:
    assert response.status_code == 422, response.content
    return json.dumps(response.json()["detail"])


@pytest.mark.parametrize(
    ("body", "field", "value"),
    [
        ({"postcode": "LS6 1AA", "harm_types": ["bame"]}, "harm_types", "bame"),
        ({"postcode": "LS6 1AA", "languages": ["klingon"]}, "languages", "klingon"),
        ({"postcode": "LS6 1AA", "hate_strands": ["zzz"]}, "hate_strands", "zzz"),
        ({"postcode": "LS6 1AA", "ethnic_group": "bame"}, "ethnic_group", "bame"),
        ({"postcode": "LS6 1AA", "religion": "jedi"}, "religion", "jedi"),
        ({"postcode": "LS6 1AA", "preferences": {"worker_gender": "x"}}, "worker_gender", "'x'"),
        ({"postcode": "not a postcode"}, "postcode", "not a postcode"),
        ({"postcode": "EH1 1YZ"}, "postcode", "England or Wales"),
        ({"postcode": "EH1"}, "postcode", "EH1"),
    ],
)
def test_match_refuses_bad_values_naming_the_field_and_value(client, body, field, value):
    problem = _problem(post(client, body))
    assert field in problem
    assert value in problem


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"harm_types": ["hate_incident"]},
        {"postcode": 12345},
        {"postcode": None},
        {"postcode": ["LS6 1AA"]},
        {"postcode": "LS6 1AA", "harm_types": "hate_incident"},
        {"postcode": "LS6 1AA", "harm_types": [1, 2]},
        {"postcode": "LS6 1AA", "age": "seventeen"},
        {"postcode": "LS6 1AA", "age": -1},
        {"postcode": "LS6 1AA", "age": 10**20},
        {"postcode": "LS6 1AA", "limit": 0},
        {"postcode": "LS6 1AA", "limit": 10_000},
        {"postcode": "LS6 1AA", "preferences": "yes"},
        {"postcode": "LS6 1AA", "preferences": {"independent_of_police": "maybe"}},
        {"postcode": "LS6 1AA", "unknown_field": True},
        {"postcode": "x" * 100_000},
        {"postcode": "LS6 1AA", "harm_types": ["hate_incident"] * 1000},
        {"postcode": "LS6 1AA", "languages": ["u" * 10_000]},
        [1, 2, 3],
        '"just a string"',
        42,
    ],
)
def test_match_refuses_junk_bodies_with_422_and_never_500(client, body):
    _problem(post(client, body))


@pytest.mark.parametrize("raw", ["{", "not json", b"\xff\xfe\x00", ""])
def test_match_refuses_unparseable_bodies_without_500(client, raw):
    response = post(client, raw)
    assert response.status_code in {400, 422}
    assert "detail" in response.json()


def test_match_only_answers_post(client):
    assert client.get(MATCH).status_code == 405

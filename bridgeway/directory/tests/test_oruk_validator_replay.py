"""The official ORUK validator's checks (OpenReferralUK/oruk-validator), replayed on a feed with
locations: it reads ``/``, follows ``openapi_url`` to the OpenAPI document, calls each list
endpoint at the first, middle and last page, and fetches up to 10 ids per by-id endpoint, each
answer validated against the schema the document names, with formats enforced. The schemas are
the UK profile's own, in ``../shared/data/openreferral/uk/schema``.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs published
import pytest

from bridgeway.directory.tests.test_openreferral_api import UK, get, page_validator
from bridgeway.directory.tests.test_openreferral_feed_filters import places  # noqa: F401

pytestmark = pytest.mark.django_db

# The validator's document refers to the profile's schemas on GitHub; these are the same files.
REMOTE = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
IDS_PER_ENDPOINT = 10


@cache
def schema_validator(ref: str) -> Any:
    schema = json.loads((UK / ref.removeprefix(REMOTE)).read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _errors(ref: str, document: Any) -> list[str]:
    return [f"{list(e.path)}: {e.message}" for e in schema_validator(ref).iter_errors(document)]


def _answer_schema(document: dict[str, Any], path: str) -> dict[str, Any]:
    answer = document["paths"][path]["get"]["responses"]["200"]["content"]
    return answer["application/json"]["schema"]


def test_every_endpoint_passes_the_validators_checks(client, places):  # noqa: F811
    details = get(client, "/api/v1/")
    # The feed names the profile's own OpenAPI document, which the validator then reads.
    assert details["openapi_url"] == REMOTE + "openapi.json"
    document = json.loads((UK / "openapi.json").read_text())
    list_paths = [p for p in document["paths"] if p != "/" and "{id}" not in p]
    checked: dict[str, int] = {}
    for path in list_paths:
        first = get(client, f"/api/v1{path}?page=1&per_page=2")
        last_number = max(first["total_pages"], 1)
        ids: list[str] = []
        for number in sorted({1, (last_number + 1) // 2, last_number}):
            page = get(client, f"/api/v1{path}?page={number}&per_page=2")
            assert not list(page_validator().iter_errors(page)), (path, number)
            assert page["page_number"] == number
            ids += [item["id"] for item in page["contents"]]
        by_id = f"{path}/{{id}}"
        ref = _answer_schema(document, by_id)["$ref"]
        for identifier in ids[:IDS_PER_ENDPOINT]:
            record = get(client, f"/api/v1{path}/{identifier}")
            assert not _errors(ref, record), (by_id, identifier, _errors(ref, record))
        checked[path] = len(ids[:IDS_PER_ENDPOINT])
    # The feed has services placed at locations, so every by-id endpoint was really exercised.
    assert all(checked[path] > 0 for path in list_paths), checked
    # The validator points /service_at_locations/{id} at the compiled service schema.
    assert _answer_schema(document, "/service_at_locations/{id}")["$ref"].endswith(
        "compiled/service.json"
    )

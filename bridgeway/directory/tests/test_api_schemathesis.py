"""Every API operation, fed what its OpenAPI document allows and more, never answers 500.

Schemathesis reads ``/api/v1/openapi.json`` from the app itself and generates requests from
it (valid ones and, through its negative mode, malformed ones), sent in process through the
WSGI app against the test database with a small hand-made directory. Each answer must not be
a server error, its status must be one the document lists for the operation, its body must
match the schema given for that status, a request the document allows must be accepted and
one it forbids refused: the document says exactly what the API answers. The repository's
``schemathesis.toml`` (also read by ``schemathesis run``) names the two refusals that depend
on data rather than shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from bridgeway.directory.models import Service
from bridgeway.wsgi import application

EXAMPLES_PER_OPERATION = 25


# Read once at collection: the document is built from the code, not from the database.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    application,
    config=SchemathesisConfig.from_path(Path(__file__).parents[3] / "schemathesis.toml"),
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    positive_data_acceptance,
    negative_data_rejection,
]


@pytest.fixture
def connection_kept_for_the_test() -> Iterator[None]:
    """Keep the test's database connection across requests, as Django's test client does.

    The real WSGI handler closes the connection when a request ends; on PostgreSQL that
    would end the test's transaction, and with it the directory, after the first request.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_api_answer_is_one_the_document_gives(
    case: Any, directory: dict[str, Service], connection_kept_for_the_test: None
) -> None:
    case.call_and_validate(checks=CHECKS)

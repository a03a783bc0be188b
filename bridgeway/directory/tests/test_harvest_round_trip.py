"""A round trip of every field over HTTP: one Bridgeway's open feed, served by a real server
(pytest-django's live server on 127.0.0.1), harvested back into an emptied directory, gives
the same listings and the same feed (issue 13, item 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from bridgeway.directory.models import FeedSource, Service
from bridgeway.directory.openreferral.fetching import Limits, http_json, read_feed
from bridgeway.directory.openreferral.importing import content_hash, directory_import
from bridgeway.directory.tests.factories import ServiceFactory
from bridgeway.directory.tests.test_exchange import (
    exported,
    full_service,  # noqa: F401 - a fixture
    listings,
)

pytestmark = pytest.mark.django_db(transaction=True)

UK = Path(settings.BASE_DIR).parent / "shared" / "data" / "openreferral" / "uk" / "examples"


# Reference data first: an earlier transactional test may have emptied the tables.
@pytest.mark.usefixtures("live_reference_data", "full_service")
def test_every_field_survives_a_harvest_of_bridgeways_own_feed_over_http(live_server, organisation):
    # The UK example brings the fields Bridgeway keeps without modelling them (accessibility,
    # location contacts, address country and type, phone extensions, language notes...).
    directory_import([json.loads((UK / "service_full.json").read_text())])
    ServiceFactory(organisation=organisation, name="Second", is_national=True)
    before, feed = listings(), exported()
    assert len(feed) == 3

    read = read_feed(
        f"{live_server.url}/api/v1",
        lambda url: http_json(url, Limits(per_page=2)),
        per_page=2,
        hash_of=content_hash,
    )
    assert read.pages == 2
    Service.objects.all().delete()
    source = FeedSource.objects.create(name="first", publisher="First Bridgeway", url="http://x")
    report = directory_import(read.services, source=source, keys=read.keys, withdraw_missing=True)

    assert report.created == 3
    assert not report.problems
    assert listings() == before
    assert exported() == feed

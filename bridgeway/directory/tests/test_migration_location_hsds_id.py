"""Migration directory 0008 (decision 0154) keeps every location row as it was: its id stays,
and its HSDS id is that same id, so the feed publishes after it what it published before."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("directory", "0007_feed_source_seen_pages")]
AFTER = [("directory", "0008_location_hsds_id")]


@pytest.mark.django_db(transaction=True)
def test_existing_locations_keep_their_ids_and_take_them_as_hsds_ids():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    organisation = old.get_model("accounts", "Organisation").objects.create(
        name="Leeds Advice", slug="leeds-advice-0008", kind="charity"
    )
    service = old.get_model("directory", "Service").objects.create(
        organisation=organisation, name="Drop-in"
    )
    ids = [uuid.uuid4(), uuid.uuid4()]
    for number, pk in enumerate(ids):
        old.get_model("directory", "Location").objects.create(
            id=pk, service=service, name=f"Place {number}"
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    rows = new.get_model("directory", "Location").objects.order_by("name")
    assert list(rows.values_list("id", "hsds_id", "name")) == [
        (ids[0], ids[0], "Place 0"),
        (ids[1], ids[1], "Place 1"),
    ]
    # Leave the database at the newest migrations for the tests after this one.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

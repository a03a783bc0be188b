"""Submissions survive faults, once (issue 18, item 4; decision 0125): the drill, kept short.

Two app servers behind nginx, on a PostgreSQL server of this test's own (a copy of the
suite's, made with ``pg_basebackup``, so it can be restarted without disturbing other
tests), with uploads in moto's S3 server. Under a steady stream of self-referrals and
reports: one app server is killed outright and started again; PostgreSQL is restarted; the
object store goes away for a few seconds while a member of staff uploads introductions.
Clients send a form again after anything but an answer, as browsers and people do. Then what
they were told is compared with the database: nothing acknowledged missing, nothing made
twice, every outage answered with the calm 503 (never a 500 or a stack trace), and the site
working again without anyone acting. ``bench/fault_drill.py`` runs the same with longer
phases and the full 30-second store outage, and prints the counts.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import dj_database_url
import psycopg
import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.models import Membership, Organisation
from bridgeway.accounts.tests.conftest import code_for
from bridgeway.accounts.tests.factories import (
    TEST_PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    totp_device_for,
)
from bridgeway.directory.services import service_create
from bridgeway.directory.tests.factories import ServiceFactory
from bridgeway.site.tests.cluster import (
    Cluster,
    PostgresCopy,
    http_status,
    server_environment,
    shared_secrets,
)
from bridgeway.site.tests.fault_drill import (
    BUCKET,
    REGION,
    Store,
    Stream,
    Uploads,
    findings,
    staff_session,
)

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("live_reference_data"),
]

SUPERUSER = os.environ.get("BRIDGEWAY_TEST_PG_SUPERUSER", "bridgeway")
STORE_OUTAGE_SECONDS = 6  # bench/fault_drill.py: 30
UPLOADS = 6


@pytest.fixture
def store() -> Iterator[Store]:
    running = Store()
    running.start()
    running.bucket()
    try:
        yield running
    finally:
        running.stop()


def drill_site() -> tuple[Any, Any, list[str]]:
    """What the drill needs in the database: a service to refer to, a reporting centre, an
    administrator with an authenticator, and services to upload introductions to."""
    organisation = OrganisationFactory(
        name="Leeds Community Support", slug="leeds-community", area_codes=["E23000010"]
    )
    OrganisationFactory(
        name="West Yorkshire Hate Reporting Centre",
        slug="wy-hate-reporting",
        kind=Organisation.Kind.REPORTING_CENTRE,
        area_codes=["E23000010"],
    )
    service = service_create(
        organisation=organisation,
        name="Leeds Hate Crime Support",
        description="Support after hate.",
        district_codes=["E08000035"],
        language_codes=["eng"],
        harm_type_codes=["hate_incident"],
    )
    admin = MembershipFactory(
        organisation=organisation, role=Membership.Role.ORGANISATION_ADMIN
    ).user
    totp_device_for(admin)
    uploads = [str(ServiceFactory(organisation=organisation).id) for _ in range(UPLOADS)]
    return service, admin, uploads


def _references(copy: PostgresCopy, database: str) -> list[str]:
    with psycopg.connect(copy.url(SUPERUSER, database), connect_timeout=10) as connection:
        return [row[0] for row in connection.execute("SELECT reference FROM casework_referral")]


def _introductions(copy: PostgresCopy, database: str) -> dict[str, str]:
    with psycopg.connect(copy.url(SUPERUSER, database), connect_timeout=10) as connection:
        rows = connection.execute("SELECT service_id, file FROM directory_serviceintroduction")
        return {str(service): name for service, name in rows}


def _both_answer(cluster: Cluster) -> bool:
    return all(http_status(f"http://{s.address}/healthz") == 200 for s in cluster.servers)


def test_submissions_survive_a_killed_server_a_database_restart_and_a_store_outage(
    store: Store,
) -> None:
    service, admin, upload_to = drill_site()
    database = dict(connections[DEFAULT_DB_ALIAS].settings_dict)
    app_role = dj_database_url.parse(os.environ["DATABASE_URL"])["USER"]
    copy = PostgresCopy(host=database["HOST"], port=database["PORT"], superuser=SUPERUSER)
    cluster: Cluster | None = None
    try:
        copy.create()
        copy.start()
        environment = server_environment(
            database_url=copy.url(app_role, database["NAME"]),
            secrets=shared_secrets(settings),
            extra={
                "BRIDGEWAY_PUBLIC_SUBMISSION_LIMIT": "100000",
                "BRIDGEWAY_MEDIA_BUCKET": BUCKET,
                "BRIDGEWAY_S3_ENDPOINT_URL": store.endpoint,
                "BRIDGEWAY_S3_REGION": REGION,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
            },
        )
        cluster = Cluster(environment, count=2)
        cluster.start()
        device = TOTPDevice.objects.get(user=admin, confirmed=True)
        staff = staff_session(cluster.url, admin.email, TEST_PASSWORD, lambda: code_for(device))

        stream = Stream(cluster.url, f"/en/services/{service.id}/refer/", clients=3)
        stream.start()
        time.sleep(3)

        # 1. One app server is killed outright, and started again.
        cluster.servers[0].kill()
        time.sleep(1)
        cluster.servers[0].start()
        cluster.servers[0].wait()
        time.sleep(2)

        # 2. PostgreSQL restarts: every open connection is cut.
        copy.restart()
        time.sleep(3)

        # 3. The object store goes away while staff upload, and comes back.
        uploads = Uploads(cluster.url, staff, upload_to)
        uploads.start()
        time.sleep(1)
        store.stop()
        time.sleep(STORE_OUTAGE_SECONDS)
        store.start()
        time.sleep(2)

        public = stream.stop()
        staff_tally = uploads.finish()
        assert _both_answer(cluster), "an app server did not recover by itself"
        assert http_status(f"{cluster.url}/healthz") == 200

        result = findings(public, _references(copy, database["NAME"]))
        print(f"\nfault drill (short): {result}")
        assert result.started >= 6, result  # a stream, not a trickle
        assert result.missing == [], result
        assert result.duplicated == 0, result
        assert result.in_database == result.acknowledged == result.started, result
        assert result.problems == [], result

        kept = _introductions(copy, database["NAME"])
        objects = {
            item["Key"].removeprefix("media/")
            for item in store.client().list_objects_v2(Bucket=BUCKET).get("Contents", [])
        }
        print(f"uploads: {staff_tally.answers} acknowledged {len(staff_tally.acknowledged)}")
        assert staff_tally.problems == []
        assert set(kept) == set(staff_tally.acknowledged) == set(upload_to)
        assert set(kept.values()) <= objects  # every kept introduction's file is in the store
        assert staff_tally.answers.get(503, 0) >= 1, "the store outage was never met"
    finally:
        if cluster is not None:
            cluster.close()
        copy.close()

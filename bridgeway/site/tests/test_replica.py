"""Reads from a real PostgreSQL streaming replica, writes to the primary (decision 0128).

The replica is made with ``pg_basebackup -R`` from the primary that ``scripts/with-postgres``
started (after the test database exists, so the copy has it) and started on its own port.
Pausing its replay (``pg_wal_replay_pause``) makes it hold an older copy, which shows which
server answered: a listing written after the pause is on the primary only.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.test import Client, override_settings

from bridgeway.conftest import sign_in
from bridgeway.directory.models import Service
from bridgeway.directory.tests.factories import ServiceFactory
from bridgeway.replica import (
    PIN_COOKIE,
    REPLICA,
    replica_forget,
    replica_lag,
    replica_reads,
)

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]

# The superuser scripts/with-postgres's initdb made; it may take base backups and pause replay.
SUPERUSER = os.environ.get("BRIDGEWAY_TEST_PG_SUPERUSER", "bridgeway")
WAIT_SECONDS = 30


def _server_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    if found:
        return Path(found[-1])
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl is None:
        pytest.skip("PostgreSQL's server programs are not installed")
    return Path(pg_ctl).parent


def _as_server() -> list[str]:
    # initdb and postgres refuse to run as root; as scripts/with-postgres does, use 'postgres'.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Replica:
    """A streaming replica of the test's primary, in a temporary directory."""

    def __init__(self, primary: dict[str, Any]) -> None:
        self.bin = _server_bin()
        self.primary = primary
        self.port = _free_port()
        self.scratch = Path(tempfile.mkdtemp(prefix="bridgeway-replica-", dir="/tmp"))
        self.data = self.scratch / "data"
        if _as_server():
            shutil.chown(self.scratch, "postgres", "postgres")

    def _run(self, *command: str, timeout: float = WAIT_SECONDS) -> None:
        subprocess.run([*_as_server(), *command], check=True, capture_output=True, timeout=timeout)

    def create(self) -> None:
        self._run(
            str(self.bin / "pg_basebackup"),
            f"--host={self.primary['HOST']}",
            f"--port={self.primary['PORT']}",
            f"--username={SUPERUSER}",
            f"--pgdata={self.data}",
            "--write-recovery-conf",
            "--wal-method=stream",
            "--checkpoint=fast",
            "--no-sync",
            timeout=120,
        )

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.scratch} "
            "-c hot_standby=on -c fsync=off"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.scratch / "replica.log"),
            "-w",
            "-t",
            str(WAIT_SECONDS),
            "-o",
            options,
            "start",
        )

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def superuser(self) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=SUPERUSER,
            dbname=self.primary["NAME"],
            autocommit=True,
            connect_timeout=5,
        )

    def pause(self) -> None:
        with self.superuser() as connection:
            connection.execute("SELECT pg_wal_replay_pause()")

    def resume(self) -> None:
        with self.superuser() as connection:
            connection.execute("SELECT pg_wal_replay_resume()")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.SubprocessError:
            pass
        shutil.rmtree(self.scratch, ignore_errors=True)


def _until(condition: Any, what: str, seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"gave up after {seconds} s waiting for {what}")


@pytest.fixture(scope="module")
def replica(django_db_setup: None, django_db_blocker: Any) -> Iterator[Replica]:
    """The running replica, added to Django's databases as ``replica`` for this module."""
    with django_db_blocker.unblock():
        primary = dict(connections[DEFAULT_DB_ALIAS].settings_dict)
    if primary["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL")
    server = Replica(primary)
    try:
        server.create()
        server.start()
        settings_dict = connections.configure_settings(
            {
                DEFAULT_DB_ALIAS: primary,
                REPLICA: {
                    **primary,
                    "PORT": str(server.port),
                    "OPTIONS": {**primary.get("OPTIONS", {}), "connect_timeout": 2},
                    "TEST": {"MIRROR": DEFAULT_DB_ALIAS},
                },
            }
        )[REPLICA]
        connections.settings[REPLICA] = settings_dict
        yield server
    finally:
        if REPLICA in connections.settings:
            connections[REPLICA].close()
            del connections[REPLICA]
            del connections.settings[REPLICA]
        replica_forget()
        server.remove()


@pytest.fixture
def fresh(replica: Replica, live_reference_data: None) -> Iterator[Replica]:
    """Each test starts with the replica running, replaying and caught up, and no last check."""
    replica_forget()
    yield replica
    try:
        replica.resume()
    except psycopg.OperationalError:
        replica.start()  # a test stopped it
    connections[REPLICA].close()
    replica_forget()


def _caught_up() -> bool:
    lag = replica_lag()
    replica_forget()
    return lag == 0.0


def _on_replica(service: Service) -> bool:
    return Service.objects.using(REPLICA).filter(id=service.id).exists()


def _feed_names(client: Client) -> set[str]:
    response = client.get("/api/v1/services", {"per_page": 50})
    assert response.status_code == 200
    return {item["name"] for item in response.json()["contents"]}


def test_the_replica_is_a_streaming_replica_of_the_primary(fresh):
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is False
    service = ServiceFactory(name="Copied across")
    _until(lambda: _on_replica(service), "the replica to replay a new listing")


def test_the_feed_is_read_from_the_replica_and_writes_go_to_the_primary(fresh, client):
    older = ServiceFactory(name="Listed before the pause")
    _until(lambda: _on_replica(older), "the replica to replay a listing")
    fresh.pause()
    with override_settings(REPLICA_MAX_LAG_SECONDS=3600, REPLICA_PIN_SECONDS=3601):
        with replica_reads():
            # Inside the block a write still goes to the primary: the replica would refuse it.
            assert router.db_for_write(Service) == DEFAULT_DB_ALIAS
            newer = ServiceFactory(name="Listed after the pause")
            assert router.db_for_read(Service) == REPLICA
        assert Service.objects.using(DEFAULT_DB_ALIAS).filter(id=newer.id).exists()
        assert not _on_replica(newer)

        names = _feed_names(client)
        assert "Listed before the pause" in names
        assert "Listed after the pause" not in names  # so the replica answered
        assert client.get(f"/api/v1/services/{newer.id}").status_code == 404
        # Nothing was written, so nobody is pinned to the primary.
        assert PIN_COOKIE not in client.cookies
    # Outside the marked views every read is the primary's.
    assert router.db_for_read(Service) == DEFAULT_DB_ALIAS
    assert Service.objects.filter(id=newer.id).exists()


def test_a_person_reads_what_they_have_just_written(fresh, organisation_admin, client):
    service = ServiceFactory(
        organisation=organisation_admin.memberships.get().organisation,
        name="Bradford Urdu Hate Support",
        district_codes=["E08000032"],
        language_codes=["urd", "eng"],
        harm_type_codes=["hate_incident"],
    )
    _until(lambda: _on_replica(service), "the replica to replay the listing")
    fresh.pause()
    editor = sign_in(Client(), organisation_admin)
    with override_settings(REPLICA_MAX_LAG_SECONDS=3600, REPLICA_PIN_SECONDS=3601):
        response = editor.post(
            f"/staff/directory/{service.id}/edit/",
            {
                "name": "Bradford Hate Support",
                "description": "Support after hate, in Urdu.",
                "districts": ["E08000032"],
                "languages": ["urd", "eng"],
                "harm_types": ["hate_incident"],
                "independence": "independent",
                "waiting_weeks": "2",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert PIN_COOKIE in editor.cookies
        # The editor sees the new name at once, from the primary ...
        answer = editor.get(f"/api/v1/services/{service.id}").json()
        assert answer["name"] == "Bradford Hate Support"
        # ... while everyone else is served the replica's copy, which is not there yet.
        assert client.get(f"/api/v1/services/{service.id}").json()["name"] == (
            "Bradford Urdu Hate Support"
        )
    # Once the pin runs out the editor reads the replica again (here still paused).
    editor.cookies[PIN_COOKIE] = str(int(time.time()) - 1)
    with override_settings(REPLICA_MAX_LAG_SECONDS=3600, REPLICA_PIN_SECONDS=3601):
        assert editor.get(f"/api/v1/services/{service.id}").json()["name"] == (
            "Bradford Urdu Hate Support"
        )


def test_reads_fall_back_to_the_primary_when_the_replica_is_stopped(fresh, client):
    before = ServiceFactory(name="Before the outage")
    with override_settings(REPLICA_CHECK_SECONDS=3600):
        # No lag says only that the replica replayed what it had received: on a busy machine
        # the listing's WAL may not have arrived yet, so wait for the listing itself too.
        _until(lambda: _on_replica(before), "the replica to replay the listing")
        _until(_caught_up, "the replica to catch up")
        assert "Before the outage" in _feed_names(client)  # checked and found fit
        fresh.stop()
        ServiceFactory(name="During the outage")
        # The last check said fit; the read fails mid-view and runs again on the primary.
        started = time.monotonic()
        names = _feed_names(client)
        assert {"Before the outage", "During the outage"} <= names
        assert time.monotonic() - started < 10
    with override_settings(REPLICA_CHECK_SECONDS=0):
        # And the next check finds it down before any read is tried.
        assert "During the outage" in _feed_names(client)
        assert client.post(
            "/api/v1/match", {"postcode": "LS1 1UR"}, content_type="application/json"
        ).status_code in {200, 422}


def test_reads_fall_back_to_the_primary_when_the_replica_lags(fresh, client):
    older = ServiceFactory(name="Replayed")
    _until(lambda: _on_replica(older), "the replica to replay a listing")
    fresh.pause()
    ServiceFactory(name="Not yet replayed")
    with override_settings(
        REPLICA_MAX_LAG_SECONDS=1, REPLICA_PIN_SECONDS=2, REPLICA_CHECK_SECONDS=0
    ):
        _until(lambda: (replica_lag() or 0) > 1, "the replica to fall more than 1 s behind")
        assert "Not yet replayed" in _feed_names(client)  # from the primary
        fresh.resume()
        _until(_caught_up, "the replica to catch up")
        with replica_reads():
            assert router.db_for_read(Service) == REPLICA
        assert "Not yet replayed" in _feed_names(client)


def test_the_snapshot_reads_the_replica(fresh, organisation, tmp_path):
    import datetime as dt

    from bridgeway.casework.models import Referral
    from bridgeway.insight.services import snapshot_write
    from bridgeway.insight.tests.factories import LEEDS, referral_through
    from bridgeway.insight.tests.factories import ServiceFactory as InsightServiceFactory

    at = dt.datetime(2025, 5, 10, 9, 30, tzinfo=dt.UTC)
    service = InsightServiceFactory(organisation=organisation, district_codes=[LEEDS])
    replayed = referral_through(service, [], at=at)
    _until(
        lambda: Referral.objects.using(REPLICA).filter(id=replayed.id).exists(),
        "the replica to replay a referral",
    )
    fresh.pause()
    referral_through(service, [], at=at)  # on the primary only
    with override_settings(REPLICA_MAX_LAG_SECONDS=3600, REPLICA_PIN_SECONDS=3601):
        result = snapshot_write(out_dir=tmp_path / "snapshot")
    assert result.events_written == 1  # the replica's one referral, not the primary's two

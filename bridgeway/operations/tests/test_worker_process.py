"""The worker as operators run it: real ``bridgeway worker`` processes on a real database.

Each test starts worker processes on a database of its module (a SQLite file, or a fresh
PostgreSQL database when the suite runs under scripts/with-postgres) and watches what the
jobs write and what the database records. Every wait is bounded.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = "bridgeway.operations.tests.worker_with_test_jobs"
ON_POSTGRES = os.environ.get("DATABASE_OWNER_URL", "").startswith("postgres")
# How long the database is away while a job runs; the minute, shorter by default to
# keep the suite quick (BRIDGEWAY_TEST_OUTAGE_SECONDS=60 for the full minute).
OUTAGE_SECONDS = float(os.environ.get("BRIDGEWAY_TEST_OUTAGE_SECONDS", "8"))


class JobDatabase:
    """A migrated database of its own, with the environment that points processes at it."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("BRIDGEWAY_")
            and name not in {"DATABASE_URL", "DATABASE_OWNER_URL"}
        }
        self.env.update(
            PYTHONPATH=str(ROOT),
            PYTHONUNBUFFERED="1",
            BRIDGEWAY_VAR_DIR=str(base / "var"),
            BRIDGEWAY_JOB_LEASE_SECONDS="3",
            BRIDGEWAY_JOB_RETRY_SECONDS="1",
            DJANGO_SETTINGS_MODULE="bridgeway.settings",
        )
        self.name = f"bw_jobs_{uuid.uuid4().hex[:10]}"
        if ON_POSTGRES:
            owner = os.environ["DATABASE_OWNER_URL"]
            self.admin_url = owner
            self.owner_url = re.sub(r"/[^/]*$", f"/{self.name}", owner)
            self.env["DATABASE_URL"] = re.sub(
                r"/[^/]*$", f"/{self.name}", os.environ["DATABASE_URL"]
            )
            self.env["DATABASE_OWNER_URL"] = self.owner_url
            self._admin(f"CREATE DATABASE {self.name}")
        else:
            self.path = base / "jobs.sqlite3"
            self.env["DATABASE_URL"] = f"sqlite:///{self.path}"
        bridgeway = Path(sys.executable).parent / "bridgeway"
        subprocess.run(
            [str(bridgeway), "migrate", "--noinput"],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=300,
        )

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(sql)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of ``sql`` (placeholders written ``%s``), read (or written) outside Django."""
        if ON_POSTGRES:
            import psycopg

            with psycopg.connect(self.owner_url, autocommit=True) as connection:
                cursor = connection.execute(sql, params)
                return cursor.fetchall() if cursor.description else []
        with sqlite3.connect(self.path, timeout=20) as connection:
            return connection.execute(sql.replace("%s", "?"), params).fetchall()

    def drop(self) -> None:
        if ON_POSTGRES:
            self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


@pytest.fixture(scope="module")
def job_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JobDatabase]:
    database = JobDatabase(tmp_path_factory.mktemp("jobs"))
    yield database
    database.drop()


@pytest.fixture
def marks(job_database: JobDatabase, tmp_path: Path) -> Path:
    job_database.query("DELETE FROM operations_jobrun")
    job_database.query("DELETE FROM operations_joblease")
    job_database.query("DELETE FROM django_tasks_database_dbtaskresult")
    return tmp_path


@pytest.fixture
def workers(
    job_database: JobDatabase, marks: Path
) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []

    def start(**env: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-m", SCRIPT, str(marks)],
            env={**job_database.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def enqueue(job_database: JobDatabase, marks: Path, *names: str) -> None:
    subprocess.run(
        [sys.executable, "-m", SCRIPT, str(marks), *names],
        env=job_database.env,
        check=True,
        timeout=60,
        capture_output=True,
    )


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds:.0f}s for {what}")


def log_lines(marks: Path) -> list[list[str]]:
    log = marks / "log"
    return [line.split() for line in log.read_text().splitlines()] if log.exists() else []


def outcomes(job_database: JobDatabase, job: str) -> list[tuple[int, str]]:
    return [
        (int(attempt), outcome)
        for attempt, outcome in job_database.query(
            "SELECT attempt, outcome FROM operations_jobrun WHERE job = %s ORDER BY attempt, id",
            (job,),
        )
    ]


def test_two_workers_never_run_one_job_at_once(job_database, marks, workers) -> None:
    workers()
    workers()
    time.sleep(1.5)  # both are polling the queue
    enqueue(job_database, marks, "test-slow", "test-slow", "test-slow")
    wait_for(
        lambda: (
            len(
                job_database.query(
                    "SELECT 1 FROM django_tasks_database_dbtaskresult WHERE status IN ('SUCCESSFUL', 'FAILED')"
                )
            )
            == 3
        ),
        60,
        "three tries to be done",
    )
    events = [line[0] for line in log_lines(marks)]
    # Starts and ends alternate: a second start never comes before the first one's end.
    assert events
    assert all(
        events[i] == ("slow-start" if i % 2 == 0 else "slow-end") for i in range(len(events))
    ), events
    assert all(outcome == "succeeded" for _, outcome in outcomes(job_database, "test-slow"))


def test_a_failing_job_is_tried_again_later_then_shown_as_failed(
    job_database, marks, workers
) -> None:
    workers()
    enqueue(job_database, marks, "test-fails")
    wait_for(lambda: (3, "failed") in outcomes(job_database, "test-fails"), 60, "the third try")
    assert outcomes(job_database, "test-fails") == [(1, "retrying"), (2, "retrying"), (3, "failed")]
    times = [float(line[2]) for line in log_lines(marks) if line[0] == "fails"]
    # Back-off: a second between the first two tries, two between the next.
    assert times[1] - times[0] >= 1.0, times
    assert times[2] - times[1] >= 2.0, times
    errors = job_database.query("SELECT error FROM operations_jobrun WHERE job = 'test-fails'")
    assert {error for (error,) in errors} == {"RuntimeError"}  # the class, not the message


def test_a_job_whose_worker_is_killed_runs_again(job_database, marks, workers) -> None:
    first = workers()
    enqueue(job_database, marks, "test-killed")
    wait_for(lambda: any(line[0] == "hang-start" for line in log_lines(marks)), 60, "the job")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert outcomes(job_database, "test-killed") == [(1, "running")]
    workers()
    wait_for(
        lambda: (2, "succeeded") in outcomes(job_database, "test-killed"), 60, "the second try"
    )
    assert outcomes(job_database, "test-killed") == [(1, "interrupted"), (2, "succeeded")]
    assert [line[0] for line in log_lines(marks)] == ["hang-start", "hang-start", "hang-end"]
    # The queue's own record of the killed try no longer says it is running. The second
    # try's record is marked done just after its run is (by the queue, once the job returns),
    # so wait for that, a moment under load.
    wait_for(
        lambda: (
            job_database.query(
                "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
            )
            == [(0,)]
        ),
        30,
        "no try still marked running",
    )


def database_away(job_database: JobDatabase) -> None:
    """No new connection to the database can be made until ``database_back``."""
    if ON_POSTGRES:
        job_database._admin(f"ALTER DATABASE {job_database.name} ALLOW_CONNECTIONS false")
    else:
        job_database.path.rename(job_database.path.with_suffix(".away"))
        job_database.path.mkdir()  # a directory where the file was: it cannot be opened


def database_back(job_database: JobDatabase) -> None:
    if ON_POSTGRES:
        job_database._admin(f"ALTER DATABASE {job_database.name} ALLOW_CONNECTIONS true")
    else:
        job_database.path.rmdir()
        job_database.path.with_suffix(".away").rename(job_database.path)


def test_the_worker_waits_out_a_database_that_went_away(job_database, marks, workers) -> None:
    enqueue(job_database, marks, "test-quick")
    database_away(job_database)
    try:
        worker = workers()
        time.sleep(6)
        assert worker.poll() is None, "the worker gave up while the database was away"
        assert not log_lines(marks)
    finally:
        database_back(job_database)
    wait_for(lambda: [line[0] for line in log_lines(marks)] == ["quick"], 60, "the job to run")
    worker.send_signal(signal.SIGTERM)
    output, _ = worker.communicate(timeout=30)
    assert "the database cannot be reached" in output
    assert "the database answers again" in output
    assert outcomes(job_database, "test-quick") == [(1, "succeeded")]


def test_a_job_running_when_the_database_goes_away_runs_again_once_it_is_back(
    job_database, marks, workers
) -> None:
    worker = workers()
    enqueue(job_database, marks, "test-outage")
    wait_for(lambda: any(line[0] == "outage-start" for line in log_lines(marks)), 60, "the job")
    database_away(job_database)
    try:
        (marks / "away").touch()
        time.sleep(OUTAGE_SECONDS)
        assert worker.poll() is None, "the worker gave up while the database was away"
    finally:
        database_back(job_database)
    # The worker's waits grow to at most 30 seconds, so it is back within that and a lease.
    wait_for(
        lambda: (2, "succeeded") in outcomes(job_database, "test-outage"), 90, "the second try"
    )
    worker.send_signal(signal.SIGTERM)
    output, _ = worker.communicate(timeout=30)
    assert "the database went away while a job ran" in output
    assert "the database cannot be reached" in output
    assert "the database answers again" in output
    # Nothing is lost or left half done: the first try is shown as interrupted, the second
    # ran the job through, and the queue holds nothing still marked running.
    assert outcomes(job_database, "test-outage") == [(1, "interrupted"), (2, "succeeded")]
    assert [line[0] for line in log_lines(marks)] == [
        "outage-start",
        "outage-start",
        "outage-end",
    ]
    assert job_database.query(
        "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
    ) == [(0,)]
    assert job_database.query(
        "SELECT COUNT(*) FROM operations_joblease WHERE job = 'test-outage' AND holder <> ''"
    ) == [(0,)]

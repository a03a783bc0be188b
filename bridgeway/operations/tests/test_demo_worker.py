"""``make demo``'s worker fills the insight dashboard within a minute, with no command by hand.

The demo as the Makefile makes it (migrate, reference data, seed-demo), then ``bridgeway
worker`` started as the Makefile starts it, on a fresh database (a SQLite file, or a new
PostgreSQL database under scripts/with-postgres). The snapshot job is due when a worker first
sees it, so the demo's analyst finds figures on the dashboard once its first run ends.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridgeway.operations.tests.test_worker_process import JobDatabase, wait_for

BRIDGEWAY = str(Path(sys.executable).parent / "bridgeway")
# What the demo's West Yorkshire analyst sees on the dashboard, read by a process of its own.
DASHBOARD = """
import django
django.setup()
from django.test import Client
from django.urls import reverse
from bridgeway.accounts.models import Membership
from bridgeway.conftest import sign_in
analyst = Membership.objects.get(
    organisation__slug="demo-west-yorkshire-commissioner", role="analyst"
).user
page = sign_in(Client(), analyst).get(reverse("insight:dashboard"), secure=True)
print(page.status_code)
print(page.content.decode())
"""


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[JobDatabase]:
    database = JobDatabase(tmp_path)  # migrated
    for name in ("BRIDGEWAY_JOB_LEASE_SECONDS", "BRIDGEWAY_JOB_RETRY_SECONDS"):
        database.env.pop(name)  # the demo's own settings
    database.env["BRIDGEWAY_ALLOWED_HOSTS"] = "testserver"
    for command in (
        ["load-reference-data"],
        # Fewer referrals than the Makefile's default, to keep the suite quick; the timetable
        # and the snapshot job are the same.
        ["seed-demo", "--seed", "1", "--referrals-per-area", "20"],
    ):
        subprocess.run(
            [BRIDGEWAY, *command], env=database.env, check=True, capture_output=True, timeout=600
        )
    yield database
    database.drop()


def dashboard(demo: JobDatabase) -> str:
    result = subprocess.run(
        [sys.executable, "-c", DASHBOARD],
        env=demo.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    status, _, page = result.stdout.partition("\n")
    assert status == "200", result.stdout[:2000] + result.stderr
    return page


def test_a_fresh_demo_shows_insight_figures_within_a_minute_of_the_worker_starting(
    demo: JobDatabase,
) -> None:
    assert "There is no snapshot yet" in dashboard(demo)
    worker = subprocess.Popen(
        [BRIDGEWAY, "worker"],
        env=demo.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    started = time.monotonic()
    try:
        wait_for(
            lambda: (
                demo.query(
                    "SELECT COUNT(*) FROM operations_jobrun "
                    "WHERE job = 'snapshot' AND outcome = 'succeeded'"
                )
                == [(1,)]
            ),
            60,
            "the first snapshot",
        )
        took = time.monotonic() - started
        page = dashboard(demo)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=60)
    assert took < 60, output
    assert "There is no snapshot yet" not in page
    assert "Needs assessment: West Yorkshire" in page
    assert "Counts are protected by the cell key method" in page
    # Nobody ran a command: the worker queued the snapshot itself, on starting.
    assert demo.query("SELECT COUNT(*) FROM operations_jobrun WHERE job = 'snapshot'") == [(1,)]

"""A real ``bridgeway worker`` process with jobs the tests control through files.

Run as ``python -m bridgeway.operations.tests.worker_with_test_jobs DIR``: jobs write what
they do into DIR, so the test (another process) can see overlaps, tries and interruptions.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import django

MARKS = Path(sys.argv[1])


def _mark(text: str) -> None:
    with (MARKS / "log").open("a", encoding="utf-8") as log:
        log.write(f"{text} {os.getpid()} {time.time():.3f}\n")


def slow() -> None:
    """Takes a second and a half, marking its start and end (to see two at once)."""
    _mark("slow-start")
    time.sleep(1.5)
    _mark("slow-end")


def always_fails() -> None:
    """Raises every time."""
    _mark("fails")
    raise RuntimeError("this job always fails")


def killed_once() -> None:
    """The first try hangs (for the test to SIGKILL its worker); later tries finish."""
    first = not (MARKS / "tried").exists()
    (MARKS / "tried").touch()
    _mark("hang-start")
    if first:
        time.sleep(120)
    _mark("hang-end")


def outage_once() -> None:
    """The first try waits for the test to take the database away, then needs it; later
    tries finish. The first try's connection is closed first, as a job's next query would
    find it once the server had dropped it."""
    from django.db import connection

    first = not (MARKS / "outage-tried").exists()
    (MARKS / "outage-tried").touch()
    _mark("outage-start")
    if first:
        deadline = time.monotonic() + 120
        while not (MARKS / "away").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        connection.close()
        connection.ensure_connection()  # the database is away: this raises
    _mark("outage-end")


def quick() -> None:
    """Finishes at once."""
    _mark("quick")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgeway.settings")
    django.setup()
    from bridgeway.operations.registry import register
    from bridgeway.operations.tasks import WORKER_ID
    from bridgeway.operations.worker import JobWorker

    register("test-slow", slow, attempts=1)
    register("test-fails", always_fails, attempts=3)
    register("test-killed", killed_once, attempts=3)
    register("test-quick", quick, attempts=1)
    register("test-outage", outage_once, attempts=3)
    if len(sys.argv) > 2:
        from bridgeway.operations.services import enqueue

        for name in sys.argv[2:]:
            enqueue(name)
        return
    worker = JobWorker(
        queue_names=["default"],
        interval=0.2,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=WORKER_ID,
        excluded_queue_names=[],
    )
    worker.configure_signals()
    worker.run()


if __name__ == "__main__":
    main()

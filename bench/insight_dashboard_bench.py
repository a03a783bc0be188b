"""The insight dashboard and its PDF download on the demo, against /healthz in the same run.

    .venv/bin/python bench/insight_dashboard_bench.py VAR_DIR [--repeat 3] [--area CODE]
        [--date-from 2025-01-01] [--date-to 2025-12-31]

VAR_DIR is a scratch folder used as ``BRIDGEWAY_VAR_DIR`` (its own SQLite database, keys and
snapshot); it must lie outside the checkout's ``var/``, which is never written. The first run
fills it as an operator would: ``migrate``, ``load-reference-data``, ``seed-demo`` (the
default demo: 1,500 referrals in each of the first three areas, 500 in the others) and
``snapshot``; later runs reuse it. A demo commissioner of the area is signed in with both
factors, as after the real sign-in, and every page is asked for through Django's test client
(the whole request: middleware, sessions, permission checks, templates; no network).

Times, each the median of --repeat runs after one warm-up:

* the baseline: ``/healthz`` (which reads the database once);
* ``/insight/`` for the area with a date filter (goal: under 500 ms);
* ``/insight/`` for the area with no filter;
* the needs assessment as PDF with the same date filter (goal: under 2 s).

Prints each in milliseconds, its ratio to the baseline and whether it meets its goal.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
WEST_YORKSHIRE = "E23000010"
DASHBOARD_GOAL = 0.5
PDF_GOAL = 2.0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("var_dir", type=Path, help="scratch folder (BRIDGEWAY_VAR_DIR)")
    parser.add_argument("--repeat", type=int, default=3, help="median of this many (default 3)")
    parser.add_argument("--area", default=WEST_YORKSHIRE, help="police force area code")
    parser.add_argument("--date-from", default="2025-01-01", help="start of the date filter")
    parser.add_argument("--date-to", default="", help="end of the date filter (none if empty)")
    return parser.parse_args()


def _setup_django(var_dir: Path) -> None:
    var_dir = var_dir.resolve()
    if var_dir.is_relative_to(CHECKOUT / "var"):
        sys.exit(f"{var_dir} is inside the checkout's var/: choose a scratch folder elsewhere")
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["BRIDGEWAY_VAR_DIR"] = str(var_dir)
    for variable in ("DATABASE_URL", "DATABASE_OWNER_URL", "BRIDGEWAY_SNAPSHOT_DIR"):
        os.environ.pop(variable, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgeway.settings")
    import django

    django.setup()
    # The site's INFO lines (requests, WeasyPrint's progress) would bury the figures.
    logging.disable(logging.INFO)


def _prepare() -> None:
    """The demo and its snapshot, made once per VAR_DIR."""
    from django.conf import settings
    from django.core.management import call_command

    from bridgeway.accounts.models import Organisation
    from bridgeway.insight.snapshot import SnapshotError, snapshot_files

    call_command("migrate", verbosity=0)
    if not Organisation.objects.exists():
        started = time.perf_counter()
        call_command("load_reference_data", verbosity=0)
        call_command("seed_demo", stdout=open(os.devnull, "w"))
        print(f"demo seeded in {time.perf_counter() - started:.0f} s", flush=True)
    try:
        present = bool(snapshot_files(settings.SNAPSHOT_DIR))
    except SnapshotError:
        present = False
    if not present:
        call_command("snapshot", stdout=open(os.devnull, "w"))


def _signed_in_client(area: str) -> object:
    """A test client signed in with both factors as a commissioner of ``area``."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bridgeway.accounts.models import Membership, Organisation

    membership = (
        Membership.objects.filter(
            role=Membership.Role.COMMISSIONER,
            organisation__kind=Organisation.Kind.COMMISSIONER,
            organisation__areas=area,
        )
        .select_related("user")
        .first()
    )
    if membership is None:
        sys.exit(f"the demo has no commissioner for {area}")
    user = membership.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _median_seconds(client: object, path: str, query: dict[str, str], repeat: int) -> float:
    def once() -> float:
        started = time.perf_counter()
        response = client.get(path, query)  # type: ignore[attr-defined]
        if response.status_code != 200:
            sys.exit(f"{path} {query} answered {response.status_code}")
        if response.streaming:
            b"".join(response.streaming_content)
        return time.perf_counter() - started

    once()  # warm-up: templates, translations and imports loaded once per process
    return statistics.median(once() for _ in range(repeat))


def main() -> None:
    arguments = _arguments()
    _setup_django(arguments.var_dir)
    _prepare()
    from django.urls import reverse

    client = _signed_in_client(arguments.area)
    filtered = {"area": arguments.area, "date_from": arguments.date_from}
    if arguments.date_to:
        filtered["date_to"] = arguments.date_to
    cases: list[tuple[str, str, dict[str, str], float | None]] = [
        ("/healthz (baseline)", reverse("healthz"), {}, None),
        ("dashboard, date filter", reverse("insight:dashboard"), filtered, DASHBOARD_GOAL),
        ("dashboard, no filter", reverse("insight:dashboard"), {"area": arguments.area}, None),
        (
            "PDF, date filter",
            reverse("insight:needs-assessment-file", args=["pdf"]),
            filtered,
            PDF_GOAL,
        ),
    ]
    baseline = None
    print(f"median of {arguments.repeat} after a warm-up, area {arguments.area}")
    print(f"{'what':<26}{'ms':>9}{'x baseline':>12}  goal")
    for name, path, query, goal in cases:
        seconds = _median_seconds(client, path, query, arguments.repeat)
        baseline = baseline or seconds
        verdict = (
            ""
            if goal is None
            else f"< {goal * 1000:.0f} ms: " + ("met" if seconds < goal else "NOT met")
        )
        print(f"{name:<26}{seconds * 1000:>9.1f}{seconds / baseline:>12.1f}  {verdict}")


if __name__ == "__main__":
    main()

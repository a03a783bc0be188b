"""Benchmark the 360Giving export: 10,000 awards written as a validated JSON package.

    PYTHONPATH=$PWD .venv/bin/python bench/commissioning_export_bench.py [AWARDS]

In a fresh SQLite database in a temporary directory (or the empty one ``DATABASE_URL``
names), writes one commissioner's office, 20 rounds and AWARDS (default 10,000) awarded
applications from AWARDS organisations, then times ``bridgeway export-360giving --all``
(reading, building, checking against the official schema, writing) three times. Beside it,
the baseline: the same awards read as plain rows (``values()``) and written with
``json.dumps``, no schema. Prints medians of 3 and the ratio. Target (issue 16): under 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _populate(awards: int) -> None:
    from django.utils import timezone

    from bridgeway.accounts.models import Organisation
    from bridgeway.commissioning.models import Application, Decision, FundingRound
    from bridgeway.places.models import PoliceForceArea

    area = PoliceForceArea.objects.get(code="E23000010")
    office = Organisation.objects.create(
        name="Bench office", slug="bench-office", kind=Organisation.Kind.COMMISSIONER
    )
    today = timezone.localdate()
    rounds = []
    for number in range(20):
        funding_round = FundingRound.objects.create(
            commissioner=office,
            title=f"Bench round {number}",
            description="Grants.",
            kind=FundingRound.Kind.GRANT,
            opens_on=today - dt.timedelta(days=90),
            closes_on=today - dt.timedelta(days=30),
            amount_available=Decimal("99999999"),
        )
        funding_round.areas.set([area])
        rounds.append(funding_round)
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Group {n}", slug=f"bench-group-{n}", kind=Organisation.Kind.SPECIALIST)
        for n in range(awards)
    )
    now = timezone.now()
    applications = Application.objects.bulk_create(
        Application(
            funding_round=rounds[n % 20],
            applicant=organisation,
            summary="Caseworkers who speak the languages of the people we reach.",
            amount_requested=Decimal("20000"),
            status=Application.Status.AWARDED,
            submitted_at=now,
            charity_number=str(1_000_000 + n) if n % 2 else "",
        )
        for n, organisation in enumerate(organisations)
    )
    Decision.objects.bulk_create(
        Decision(
            application=application,
            outcome=Decision.Outcome.AWARDED,
            amount_awarded=Decimal("15000"),
            decided_at=now,
            planned_start=today,
        )
        for application in applications
    )


def _baseline(out: Path) -> None:
    from bridgeway.commissioning.models import Decision

    rows = list(
        Decision.objects.filter(outcome="awarded").values(
            "application_id",
            "amount_awarded",
            "decided_at",
            "application__applicant__name",
            "application__funding_round__title",
        )
    )
    out.write_text(json.dumps(rows, default=str), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("awards", nargs="?", type=int, default=10_000)
    awards = parser.parse_args().awards
    with tempfile.TemporaryDirectory(prefix="bridgeway-bench-") as folder:
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(folder) / 'export.sqlite3'}")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgeway.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("load_reference_data", verbosity=0)
        started = time.perf_counter()
        _populate(awards)
        print(f"wrote {awards} awards in {time.perf_counter() - started:.1f} s")
        export, baseline = [], []
        for _ in range(3):
            started = time.perf_counter()
            _baseline(Path(folder) / "plain.json")
            baseline.append(time.perf_counter() - started)
            started = time.perf_counter()
            call_command("export_360giving", "--all", "--out", str(Path(folder) / "g.json"))
            export.append(time.perf_counter() - started)
        grants = len(json.loads((Path(folder) / "g.json").read_text())["grants"])
        export_median, baseline_median = statistics.median(export), statistics.median(baseline)
        print(f"360Giving export of {grants} awards: median {export_median:.2f} s (target < 10 s)")
        print(f"baseline (plain rows, json.dumps): median {baseline_median:.2f} s")
        print(f"ratio export / baseline: {export_median / baseline_median:.1f}")


if __name__ == "__main__":
    main()

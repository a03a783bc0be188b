"""Benchmark the moderation page: 500 applications, 10 reviewers, scores side by side.

    PYTHONPATH=$PWD .venv/bin/python bench/commissioning_moderation_bench.py [APPLICATIONS]

In a fresh SQLite database in a temporary directory (or the empty one ``DATABASE_URL``
names), writes one commissioner's office, a round with 3 weighted criteria, 10 reviewers
(analysts of the office) and APPLICATIONS (default 500) applications, each declared on by
every reviewer and scored by 9 of them on every criterion (the tenth declared a conflict).
Then requests the moderation page 20 times as the round's commissioner (signed in with both
factors) and reports the median and 95th percentile. Beside it, the baseline: the same
scores read as plain rows (``values_list``), the median of 3 reads made among the page's
requests. Also counts the page's queries
with a tenth of the applications and with all of them, to show the count does not grow.
Target (issue 16): p95 under 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REVIEWERS = 10
REQUESTS = 20


def _populate(applications: int) -> tuple[Any, Any]:
    """The round and its commissioner."""
    from django.utils import timezone

    from bridgeway.accounts.models import Membership, Organisation, User
    from bridgeway.commissioning.models import (
        Application,
        ConflictDeclaration,
        Criterion,
        FundingRound,
        Score,
    )
    from bridgeway.places.models import PoliceForceArea

    office = Organisation.objects.create(
        name="Bench office", slug="bench-office", kind=Organisation.Kind.COMMISSIONER
    )
    office.areas.set([PoliceForceArea.objects.get(code="E23000010")])

    def person(number: int, role: str) -> Any:
        user = User.objects.create_user(
            email=f"bench-{number}@example.org", password=None, full_name=f"Reviewer {number}"
        )
        Membership.objects.create(user=user, organisation=office, role=role)
        return user

    commissioner = person(0, Membership.Role.COMMISSIONER)
    reviewers = [person(n, Membership.Role.ANALYST) for n in range(1, REVIEWERS + 1)]
    today = timezone.localdate()
    funding_round = FundingRound.objects.create(
        commissioner=office,
        title="Bench round",
        description="Grants.",
        kind=FundingRound.Kind.GRANT,
        opens_on=today - dt.timedelta(days=60),
        closes_on=today - dt.timedelta(days=1),
        amount_available=Decimal("99999999"),
        published_at=timezone.now(),
    )
    criteria = Criterion.objects.bulk_create(
        Criterion(funding_round=funding_round, title=title, weight=weight, position=n)
        for n, (title, weight) in enumerate([("Need", 3), ("Plan", 2), ("Led by", 1)])
    )
    groups = Organisation.objects.bulk_create(
        Organisation(name=f"Group {n}", slug=f"bench-group-{n}", kind=Organisation.Kind.SPECIALIST)
        for n in range(applications)
    )
    bids = Application.objects.bulk_create(
        Application(
            funding_round=funding_round,
            applicant=group,
            summary="Caseworkers who speak the languages of the people we reach.",
            amount_requested=Decimal("20000"),
            submitted_at=timezone.now(),
        )
        for group in groups
    )
    ConflictDeclaration.objects.bulk_create(
        ConflictDeclaration(
            application=bid, reviewer=reviewer, has_conflict=r == n % REVIEWERS, note="Trustee"
        )
        for n, bid in enumerate(bids)
        for r, reviewer in enumerate(reviewers)
    )
    Score.objects.bulk_create(
        (
            Score(
                application=bid,
                reviewer=reviewer,
                criterion=criterion,
                score=(n + r + c) % 6,
                comment="Clear evidence of need.",
            )
            for n, bid in enumerate(bids)
            for r, reviewer in enumerate(reviewers)
            if r != n % REVIEWERS
            for c, criterion in enumerate(criteria)
        ),
        batch_size=5000,
    )
    return funding_round, commissioner


def _client(user: Any) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _queries(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, secure=True)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("applications", nargs="?", type=int, default=500)
    applications = parser.parse_args().applications
    with tempfile.TemporaryDirectory(prefix="bridgeway-bench-") as folder:
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(folder) / 'moderation.sqlite3'}")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgeway.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from bridgeway.commissioning.models import Application, Score

        # The test client's host name; not setup_test_environment, whose instrumented
        # template rendering would slow the page being measured.
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        call_command("migrate", verbosity=0)
        call_command("load_reference_data", verbosity=0)
        started = time.perf_counter()
        funding_round, commissioner = _populate(applications)
        print(
            f"wrote {applications} applications and {Score.objects.count()} scores "
            f"in {time.perf_counter() - started:.1f} s"
        )
        client = _client(commissioner)
        url = f"/staff/funding/{funding_round.pk}/moderation/"
        # A first request starts the session's clocks (one write); count the ones after it.
        _queries(client, url)
        full = _queries(client, url)
        # Remove nine in ten applications and count again: the count must not change.
        kept = list(Application.objects.values_list("pk", flat=True)[: max(1, applications // 10)])

        def read_plain_rows() -> float:
            started = time.perf_counter()
            list(
                Score.objects.filter(application__funding_round=funding_round).values_list(
                    "application_id", "reviewer_id", "criterion_id", "score", "comment"
                )
            )
            return time.perf_counter() - started

        # The baseline's three reads are spread among the page's requests (first, middle,
        # last), so on a shared machine both meet the same load.
        timings = []
        baseline = []
        for number in range(REQUESTS):
            if number in {0, REQUESTS // 2, REQUESTS - 1}:
                baseline.append(read_plain_rows())
            started = time.perf_counter()
            response = client.get(url, secure=True)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200
        Application.objects.exclude(pk__in=kept).delete()
        small = _queries(client, url)
        timings.sort()
        p95 = timings[int(0.95 * (len(timings) - 1) + 0.5)]
        median = statistics.median(timings)
        baseline_median = statistics.median(baseline)
        print(
            f"moderation page, {applications} applications x {REVIEWERS} reviewers: "
            f"median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (target p95 < 300 ms)"
        )
        print(f"baseline (the scores as plain rows): median {baseline_median * 1000:.0f} ms")
        print(f"ratio page / baseline: {median / baseline_median:.2f}")
        print(f"queries: {full} with {applications} applications, {small} with {len(kept)}")


if __name__ == "__main__":
    main()

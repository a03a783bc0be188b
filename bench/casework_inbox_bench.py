"""Benchmark the practitioner's inbox: 50,000 cases, paged through on a running server.

    .venv/bin/python bench/casework_inbox_bench.py [CASES] [REQUESTS] [--deep N]

In a fresh SQLite database in a temporary directory (or the one ``DATABASE_URL`` names, which
must be empty), writes CASES (default 50,000) synthetic referrals for one organisation with
their people, contact preferences and first stage event, signs in a practitioner (both
factors, as after the real sign-in), starts ``bridgeway serve`` on a free port and sends
REQUESTS (default 200) ``GET /staff/inbox/`` requests after a warm-up: half any page of the
whole inbox, half one of the first five pages with a filter (stage, harm, age, waiting time,
assignee, first contact or a task due or overdue; one case in ten has a task), in each of
ROUNDS rounds (default 3). Each inbox request is followed by its baseline: a plain request of
the same page without rendering, ``/bench/inbox-plain/`` with the same query, on the same
server (the inbox view itself, with its sign-in checks, filter form and queries, its template
left out: ``inbox_plain_urls.py``), so a busy machine shows as a busy baseline. Prints the
median over the rounds of each round's p50 and p95, of both. Target (issue 6): p95 under
150 ms.

``--deep N`` then times N deep filtered pages (default 40, 0 to skip): each a page deep in a
filtered inbox (past 80% of its rows: age group, kind of harm or waiting stage), asked for
once by keyset (``after=``, as the inbox's "Older" link does) and once by number (``page=``,
OFFSET), and prints both beside the plain request of the same deep page by keyset.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRIDGEWAY = str(ROOT / ".venv" / "bin" / "bridgeway")
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PAGE_SIZE = 50
SEED = 6


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def populate(cases: int) -> None:
    """Write the organisation, practitioner and ``cases`` referrals; print the session id."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgeway.settings")
    django.setup()
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bridgeway.accounts.models import Membership, Organisation, User
    from bridgeway.casework.models import CaseEvent, ContactPreference, Person, Referral, Task
    from bridgeway.casework.references import ALPHABET
    from bridgeway.directory.models import Service
    from bridgeway.equality.vocabulary import vocabulary

    rng = random.Random(SEED)
    organisation = Organisation.objects.create(
        name="Synthetic Bench Support", slug="bench-support", kind="specialist", is_synthetic=True
    )
    service = Service.objects.create(
        organisation=organisation, name="Synthetic Bench Service", status="active"
    )
    user = User.objects.create_user(
        "bench@example.invalid", "bench-password-not-used", full_name="Synthetic Bench Worker"
    )
    Membership.objects.create(user=user, organisation=organisation, role="practitioner")
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    harms = vocabulary("harm_types").ordered_codes()
    ages = vocabulary("age_bands").ordered_codes()
    stages = ["referred", "contacted", "assessed", "offered", "accepted", "started", "closed"]
    now = timezone.now()

    def reference(number: int) -> str:
        body = "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(8))
        return f"BW-{body[:4]}-{body[4:]}"

    chunk = 5000
    for start in range(0, cases, chunk):
        with transaction.atomic():
            people = Person.objects.bulk_create(
                Person(
                    organisation=organisation,
                    name=f"Synthetic Person {number}",
                    age_band=rng.choice(ages),
                    is_synthetic=True,
                )
                for number in range(start, min(start + chunk, cases))
            )
            ContactPreference.objects.bulk_create(
                ContactPreference(person=person, channels=["phone"]) for person in people
            )
            referrals = Referral.objects.bulk_create(
                Referral(
                    reference=reference(start + offset),
                    organisation=organisation,
                    service=service,
                    person=person,
                    harm_types=rng.sample(harms, rng.randint(1, 2)),
                    narrative="Synthetic narrative.",
                    stage=rng.choice(stages),
                    assigned_to=user if rng.random() < 0.3 else None,
                    received_at=now - dt.timedelta(minutes=rng.randint(0, 60 * 24 * 365)),
                    is_synthetic=True,
                )
                for offset, person in enumerate(people)
            )
            CaseEvent.objects.bulk_create(
                CaseEvent(
                    referral=referral,
                    kind="stage",
                    stage="referred",
                    occurred_at=referral.received_at,
                )
                for referral in referrals
            )
            # One case in ten has a task, due from a fortnight ago to a fortnight ahead, so
            # the "task overdue" filter has work to find (issue 15).
            Task.objects.bulk_create(
                Task(
                    referral=referral,
                    kind="call_back",
                    due_on=timezone.localdate(now) + dt.timedelta(days=rng.randint(-14, 14)),
                    assignee=user,
                    created_by=user,
                    created_at=now,
                )
                for referral in referrals
                if rng.random() < 0.1
            )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    print(session.session_key)


def deep_paths(count: int) -> list[str]:
    """``count`` pairs of deep filtered pages, by keyset and by number, and their depths."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgeway.settings")
    django.setup()
    from bridgeway.accounts.models import Organisation
    from bridgeway.casework.models import Person, Referral
    from bridgeway.casework.selectors import InboxCursor
    from bridgeway.equality.vocabulary import vocabulary

    rng = random.Random(SEED + 2)
    organisation = Organisation.objects.get(slug="bench-support")
    cases = Referral.objects.filter(organisation=organisation)
    harms = vocabulary("harm_types").ordered_codes()
    ages = vocabulary("age_bands").ordered_codes()
    lines = []
    for _ in range(count):
        choice = rng.choice(["age", "harm", "stage"])
        if choice == "age":
            age = rng.choice(ages)
            query = f"age={age}"
            narrowed = cases.filter(person_id__in=Person.objects.filter(age_band=age).values("id"))
        elif choice == "harm":
            harm = rng.choice(harms)
            query = f"harm={harm}"
            # As SQLite's inbox finds it; the bench's codes never contain one another.
            narrowed = cases.filter(harm_types__icontains=f'"{harm}"')
        else:
            query = "stage=referred"
            narrowed = cases.filter(stage="referred")
        places = list(narrowed.order_by("-received_at", "id").values_list("received_at", "id"))
        pages = len(places) // PAGE_SIZE
        if pages < 2:
            continue
        number = rng.randint(max(2, int(pages * 0.8)), pages)
        # The page ``number`` starts after the last row of page ``number - 1``.
        cursor = InboxCursor(*places[(number - 1) * PAGE_SIZE - 1]).token()
        lines.append(f"/staff/inbox/?{query}&after={cursor} /staff/inbox/?{query}&page={number}")
    return lines


def _queries(count: int, pages: int) -> list[str]:
    from bridgeway.equality.vocabulary import vocabulary

    rng = random.Random(SEED + 1)
    harms = vocabulary("harm_types").ordered_codes()
    ages = vocabulary("age_bands").ordered_codes()
    paths = []
    for _ in range(count):
        # Unfiltered: any page of the whole inbox. Filtered: one of the first five pages, as a
        # practitioner narrows the list to find someone rather than paging to its end.
        filtered = rng.random() < 0.5
        query = [f"page={rng.randint(1, 5 if filtered else pages)}"]
        if filtered:
            query.append(
                rng.choice(
                    [
                        f"harm={rng.choice(harms)}",
                        f"age={rng.choice(ages)}",
                        "stage=referred",
                        "waited=7",
                        "assignee=me",
                        "assignee=unassigned",
                        "due=overdue",
                        "due=due_today",
                        "due=task_overdue",
                    ]
                )
            )
        paths.append("/staff/inbox/?" + "&".join(query))
    return paths


def _get(url: str, session: str) -> float:
    # Only ever the local server this script started (an http:// URL it built).
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"})  # noqa: S310
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body = response.read()
        assert response.status == 200, response.status
        assert b"BW-" in body or b"Nothing matches" in body
    return time.perf_counter() - started


def _plain(path: str) -> str:
    """The baseline's URL for an inbox URL: the same page and query, not rendered."""
    return path.replace("/staff/inbox/", "/bench/inbox-plain/", 1)


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="Prints p50 and p95 of the inbox and of the same page not rendered (the "
        "baseline), medians of the rounds.",
    )
    parser.add_argument("cases", nargs="?", type=int, default=50_000, help="cases to write")
    parser.add_argument("requests", nargs="?", type=int, default=200, help="inbox requests")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of requests (3)")
    parser.add_argument(
        "--deep",
        type=int,
        default=40,
        metavar="N",
        help="deep filtered pages to time by keyset and by number (default 40; 0 skips)",
    )
    return parser.parse_args()


def main() -> None:
    arguments = _arguments()
    cases, requests = arguments.cases, arguments.requests
    with tempfile.TemporaryDirectory(prefix="bridgeway-bench-") as folder:
        env = {
            **os.environ,
            "DATABASE_URL": os.environ.get(
                "DATABASE_URL", f"sqlite:///{Path(folder) / 'inbox.sqlite3'}"
            ),
            "BRIDGEWAY_WORKERS": "1",
            "BRIDGEWAY_THREADS": "1",
        }

        def run(args: list[str]) -> str:
            done = subprocess.run(
                args, env=env, check=True, cwd=ROOT, capture_output=True, text=True
            )
            return done.stdout

        run([BRIDGEWAY, "migrate", "-v0"])
        run([BRIDGEWAY, "load-reference-data"])
        started = time.perf_counter()
        session = run([PYTHON, __file__, "--populate", str(cases)]).split()[-1]
        print(f"wrote {cases} cases in {time.perf_counter() - started:.1f} s")
        pages = max(1, cases // PAGE_SIZE)
        paths = _queries(requests, pages)
        port = _free_port()
        # The project's settings and URLs, and the unrendered inbox (the baseline).
        served = {
            **env,
            "DJANGO_SETTINGS_MODULE": "inbox_plain_settings",
            "PYTHONPATH": os.pathsep.join(
                [str(ROOT / "bench"), str(ROOT), env.get("PYTHONPATH", "")]
            ),
        }
        server = subprocess.Popen(
            [BRIDGEWAY, "serve", f"127.0.0.1:{port}"],
            env=served,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    _get(base + paths[0], session)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
            for path in paths[:20]:  # warm-up: caches, lazy imports
                _get(base + path, session)
                _get(base + _plain(path), session)
            rounds: dict[str, list[float]] = {"p50": [], "p95": [], "b50": [], "b95": []}
            for _ in range(arguments.rounds):
                inbox, plain = [], []
                for path in paths:
                    inbox.append(_get(base + path, session))
                    plain.append(_get(base + _plain(path), session))
                for key, latencies in (("p", inbox), ("b", plain)):
                    p50, p95 = _percentiles(latencies)
                    rounds[f"{key}50"].append(p50)
                    rounds[f"{key}95"].append(p95)
            deep = (
                [
                    line.split()
                    for line in run(
                        [PYTHON, __file__, "--deep-paths", str(arguments.deep)]
                    ).splitlines()
                    if line
                ]
                if arguments.deep
                else []
            )
            keyset, numbered, plain_deep = [], [], []
            for by_key, by_number in deep:
                keyset.append(_get(base + by_key, session))
                plain_deep.append(_get(base + _plain(by_key), session))
                numbered.append(_get(base + by_number, session))
        finally:
            server.terminate()
            server.wait(timeout=30)
    p50, p95, base_p50, base_p95 = (
        statistics.median(rounds[key]) for key in ("p50", "p95", "b50", "b95")
    )
    print(
        f"inbox of {cases} cases, {requests} requests x {arguments.rounds} rounds: "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms (goal p95 < 150 ms)"
    )
    print(
        f"baseline, the same pages not rendered: p50 {base_p50:.1f} ms, p95 {base_p95:.1f} ms; "
        f"inbox / baseline at p95: x{p95 / base_p95:.2f}  [medians of {arguments.rounds} rounds]"
    )
    if deep:
        deep_base_p50, deep_base_p95 = _percentiles(plain_deep)
        key_p50, key_p95 = _percentiles(keyset)
        number_p50, number_p95 = _percentiles(numbered)
        print(
            f"deep filtered pages ({len(deep)}, past 80% of their rows): "
            f"keyset p50 {key_p50:.1f} ms, p95 {key_p95:.1f} ms; "
            f"by number (OFFSET) p50 {number_p50:.1f} ms, p95 {number_p95:.1f} ms"
        )
        print(
            f"baseline, the same deep pages by keyset not rendered: p50 {deep_base_p50:.1f} ms, "
            f"p95 {deep_base_p95:.1f} ms; keyset / baseline at p95: x{key_p95 / deep_base_p95:.2f}"
        )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--populate":
        populate(int(sys.argv[2]))
    elif len(sys.argv) > 2 and sys.argv[1] == "--deep-paths":
        print("\n".join(deep_paths(int(sys.argv[2]))))
    else:
        main()

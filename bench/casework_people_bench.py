"""Benchmark finding people although their details are sealed: search and duplicate suggestions.

    .venv/bin/python bench/casework_people_bench.py [PEOPLE] [QUERIES] [--dir DIR]

In a fresh SQLite database in a temporary directory under DIR (or the one ``DATABASE_URL``
names, which must be empty: run it under ``scripts/with-postgres`` for PostgreSQL), writes
PEOPLE (default 100,000) synthetic people of one organisation, sealed as the services seal
them, with their blind-index entries and one referral each, and 2,000 people of another
organisation. Then times QUERIES (default 300) of each, after a warm-up:

- ``people_search`` (what the staff search page calls): by a name in another spelling
  (Mohammed / Muhammad, accents, case), a phone number, a date of birth, an email address;
- ``duplicate_suggestions`` (what intake calls before a new person is created): a name
  with a date of birth and a phone number.

Beside them, the baseline: a plain ``SELECT`` of one person's row by primary key through
Django's connection, in the same process. Prints p50 and p95 and their ratio to the
baseline's. Goals (issue 15): search p95 under 100 ms, suggestions p95 under 200 ms, at
100,000 people on PostgreSQL. Writes nothing into the checkout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRIDGEWAY = str(ROOT / ".venv" / "bin" / "bridgeway")
SEED = 15
FIRST = [
    "Mohammed",
    "Fatima",
    "Agnieszka",
    "Daniel",
    "Hodan",
    "Stefan",
    "Ruth",
    "Gurpreet",
    "Aisha",
    "Tomasz",
    "Priya",
    "Yusuf",
    "Chloé",
    "Oluwaseun",
    "Zainab",
    "Marek",
]
LAST = [
    "Rafiq",
    "Begum",
    "Kowalczyk",
    "Mensah",
    "Warsame",
    "Lakatos",
    "Adeyemi",
    "Sandhu",
    "Khan",
    "Nowak",
    "Patel",
    "Hussain",
    "Dubois",
    "Okafor",
    "Ahmed",
    "Horváth",
    "Ali",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Wilson",
    "Evans",
    "Thomas",
]
# The same names as a practitioner may type them: another transliteration, no accent, any case.
TYPED = {"Mohammed": "muhammad", "Chloé": "CHLOE", "Horváth": "horvath", "Yusuf": "Yousef"}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="Prints p50 and p95 of each, and of a primary-key SELECT (the baseline).",
    )
    parser.add_argument("people", nargs="?", type=int, default=100_000, help="people to write")
    parser.add_argument("queries", nargs="?", type=int, default=300, help="queries of each kind")
    parser.add_argument(
        "--dir", default=None, help="where the temporary SQLite database goes (default: /tmp)"
    )
    return parser.parse_args()


def _person_fields(rng: random.Random, number: int) -> dict[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 55))
    return {
        "name": f"{first} {last}",
        "phone": f"07{number:09d}",
        "email": f"person{number}@example.invalid",
        "date_of_birth": birth.isoformat(),
    }


def populate(people: int) -> list[dict[str, str]]:
    """Write the people, their index entries and referrals; return a sample of their details."""
    from django.db import transaction
    from django.utils import timezone

    from bridgeway.accounts.models import Organisation
    from bridgeway.casework.models import Person, PersonIndex, Referral
    from bridgeway.casework.services.person_index import _entries
    from bridgeway.directory.models import Service

    rng = random.Random(SEED)
    now = timezone.now()
    sample: list[dict[str, str]] = []
    for slug, count, offset in (("bench-people", people, 0), ("bench-others", 2000, people)):
        organisation = Organisation.objects.create(
            name=f"Synthetic {slug}", slug=slug, kind="specialist", is_synthetic=True
        )
        service = Service.objects.create(organisation=organisation, name=slug, status="active")
        chunk = 5000
        for start in range(0, count, chunk):
            with transaction.atomic():
                details = [
                    _person_fields(rng, offset + n) for n in range(start, min(start + chunk, count))
                ]
                made = Person.objects.bulk_create(
                    Person(organisation=organisation, is_synthetic=True, **fields)
                    for fields in details
                )
                PersonIndex.objects.bulk_create(
                    entry for person in made for entry in _entries(person)
                )
                Referral.objects.bulk_create(
                    Referral(
                        reference=f"BW-{(offset + start + n):08d}"[:16],
                        organisation=organisation,
                        service=service,
                        person=person,
                        harm_types=["hate_incident"],
                        received_at=now - dt.timedelta(days=n % 365),
                        is_synthetic=True,
                    )
                    for n, person in enumerate(made)
                )
                if slug == "bench-people":
                    sample.extend(rng.sample(details, min(20, len(details))))
    return sample


def _typed_name(name: str) -> str:
    first, last = name.split(" ", 1)
    return f"{TYPED.get(first, first.lower())} {last.upper()}"


def _p(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return statistics.median(ordered) * 1000, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


def measure(sample: list[dict[str, str]], queries: int) -> dict[str, tuple[float, float]]:
    """p50 and p95 (ms) of the baseline, the search by each kind, and the suggestions."""
    from django.db import connection

    from bridgeway.accounts.models import Organisation
    from bridgeway.casework.models import Person
    from bridgeway.casework.people_selectors import duplicate_suggestions, people_search

    rng = random.Random(SEED + 1)
    organisation = Organisation.objects.get(slug="bench-people")
    ids = [organisation.pk]
    person_ids = list(
        Person.objects.filter(organisation=organisation).values_list("id", flat=True)[:5000]
    )
    column = Person._meta.get_field("id")

    def baseline() -> None:
        key = column.get_db_prep_value(rng.choice(person_ids), connection)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, name FROM casework_person WHERE id = %s", [key])
            cursor.fetchall()

    def search() -> None:
        details = rng.choice(sample)
        kind = rng.choice(["name", "phone", "birth", "email"])
        query = {
            "name": _typed_name(details["name"]),
            "phone": details["phone"],
            "birth": "/".join(reversed(details["date_of_birth"].split("-"))),
            "email": details["email"],
        }[kind]
        found = people_search(ids, query)
        assert found or kind == "name", (kind, query)

    def suggest() -> None:
        details = rng.choice(sample)
        found = duplicate_suggestions(
            organisation.pk,
            name=_typed_name(details["name"]),
            date_of_birth=details["date_of_birth"],
            phone=details["phone"],
        )
        assert found, details

    results = {}
    for label, work in (("baseline", baseline), ("search", search), ("suggestions", suggest)):
        for _ in range(20):  # warm-up
            work()
        latencies = []
        for _ in range(queries):
            started = time.perf_counter()
            work()
            latencies.append(time.perf_counter() - started)
        results[label] = _p(latencies)
    return results


def main() -> None:
    arguments = _arguments()
    with tempfile.TemporaryDirectory(prefix="bridgeway-bench-", dir=arguments.dir) as folder:
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(folder) / 'people.sqlite3'}")
        subprocess.run([BRIDGEWAY, "migrate", "-v0"], check=True, cwd=ROOT)
        subprocess.run(
            [BRIDGEWAY, "load-reference-data"], check=True, cwd=ROOT, capture_output=True
        )
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgeway.settings")
        django.setup()
        from django.db import connection

        started = time.perf_counter()
        sample = populate(arguments.people)
        print(
            f"wrote {arguments.people} people ({connection.vendor}) in {time.perf_counter() - started:.1f} s"
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        results = measure(sample, arguments.queries)
        base50, base95 = results["baseline"]
        print(f"baseline (primary-key SELECT): p50 {base50:.2f} ms, p95 {base95:.2f} ms")
        for label, goal in (("search", 100), ("suggestions", 200)):
            p50, p95 = results[label]
            print(
                f"{label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
                f"({p95 / base95:.0f}x the baseline's p95; goal p95 < {goal} ms: "
                f"{'met' if p95 < goal else 'NOT met'})"
            )
    sys.exit(0)


if __name__ == "__main__":
    main()

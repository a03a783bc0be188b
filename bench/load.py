"""Load on the public site (issue 18, item 5): one app server, then two behind nginx.

    scripts/with-postgres .venv/bin/python bench/load.py DIRECTORY \
        [--rate 50] [--seconds 600] [--baseline-seconds 60] [--scale 1.6] [--users 25]

Needs DATABASE_URL and DATABASE_OWNER_URL of a throwaway PostgreSQL server (scripts/with-postgres
gives both). Migrates it, loads the reference data and a small directory (services around
Leeds and Bradford), then for each shape, one ``bridgeway serve`` behind nginx and two
(``bridgeway/site/tests/cluster.py``), runs locust headless (``bench/load_locustfile.py``):
first the same run's baseline, ``/healthz`` only, for ``--baseline-seconds`` (a steady figure
needs far less than the main run), then the public mix for ``--seconds`` (the get-support
questions, a match through them, a service's page, the report form, ``POST /api/v1/match``
and the ORUK feed). One server is offered ``--rate`` tasks a second; two are offered
``--scale`` times as many. Prints requests a second, failures, median and p95 for each,
beside the baseline's and as a ratio to it. Goal: 0 failures and p95 under 300 ms for one
server at 50 a second for 10 minutes, and two holding 1.6 times that rate at the same p95.
Writes nothing into the checkout: everything is under DIRECTORY.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
P95_GOAL_MS = 300


def _locust(
    url: str,
    *,
    rate: float,
    users: int,
    seconds: int,
    baseline: bool,
    out: Path,
    services: list[str],
) -> dict[str, float]:
    """One headless locust run; its aggregated figures."""
    prefix = out / ("baseline" if baseline else "mix")
    subprocess.run(
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(ROOT / "bench" / "load_locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--host",
            url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        check=False,
        env={
            **os.environ,
            "LOAD_RATE_PER_USER": str(rate / users),
            "LOAD_SERVICE_IDS": ",".join(services),
            "LOAD_BASELINE": "1" if baseline else "0",
        },
        stdout=subprocess.DEVNULL,
        timeout=seconds + 120,
    )
    with open(f"{prefix}_stats.csv", newline="") as stats:
        row = next(r for r in csv.DictReader(stats) if r["Name"] == "Aggregated")
    return {
        "requests": float(row["Request Count"]),
        "failures": float(row["Failure Count"]),
        "rps": float(row["Requests/s"]),
        "median": float(row["50%"] or 0),
        "p95": float(row["95%"] or 0),
    }


def _directory() -> list[str]:
    import django

    django.setup()
    from bridgeway.accounts.tests.factories import OrganisationFactory
    from bridgeway.directory.services import service_create

    organisation = OrganisationFactory(
        name="Leeds Community Support", slug="leeds-load", area_codes=["E23000010"]
    )
    return [
        str(
            service_create(
                organisation=organisation,
                name=f"Support service {number}",
                description="Support after hate.",
                district_codes=[["E08000035", "E08000032"][number % 2]],
                language_codes=["eng", "urd"][: 1 + number % 2],
                harm_type_codes=["hate_incident", "hate_crime"],
                accepts_out_of_area=number % 3 == 0,
            ).id
        )
        for number in range(40)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path, help="a folder for the bench's own files")
    parser.add_argument("--rate", type=float, default=50.0, help="tasks a second, one server")
    parser.add_argument(
        "--seconds", type=int, default=600, help="seconds of the public mix's run (600)"
    )
    parser.add_argument(
        "--baseline-seconds",
        type=int,
        default=60,
        help="seconds of the /healthz-only baseline run before each mix (60)",
    )
    parser.add_argument("--scale", type=float, default=1.6, help="two servers' rate, times")
    parser.add_argument("--users", type=int, default=25, help="simulated people (25)")
    parser.add_argument(
        "--one-server-only",
        action="store_true",
        help="measure one server only (0 errors and p95 under the goal at --rate; issue 19 item 5)",
    )
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("run it under scripts/with-postgres (DATABASE_URL must be PostgreSQL)")
    folder = args.directory.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["BRIDGEWAY_VAR_DIR"] = str(folder / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgeway.settings")
    bridgeway = str(Path(sys.executable).parent / "bridgeway")
    for command in (["migrate", "--noinput", "-v0"], ["load-reference-data", "-v0"]):
        subprocess.run(
            [bridgeway, *command],
            check=True,
            env={**os.environ, "BRIDGEWAY_DATABASE_ROLE": "owner", "PYTHONPATH": str(ROOT)},
        )
    services = _directory()

    from django.conf import settings

    from bridgeway.site.tests.cluster import Cluster, server_environment, shared_secrets

    environment = server_environment(
        database_url=os.environ["DATABASE_URL"],
        secrets=shared_secrets(settings),
        extra={"BRIDGEWAY_PUBLIC_ANSWER_LIMIT": "10000000"},
    )
    results: list[tuple[str, dict[str, float], dict[str, float]]] = []
    shapes = (
        [(1, args.rate)] if args.one_server_only else [(1, args.rate), (2, args.rate * args.scale)]
    )
    for count, rate in shapes:
        out = folder / f"servers-{count}"
        out.mkdir(exist_ok=True)
        cluster = Cluster(environment, count=count, folder=out / "cluster")
        try:
            cluster.start()
            baseline, mix = (
                _locust(
                    cluster.url,
                    rate=rate,
                    users=args.users,
                    seconds=args.baseline_seconds if only_healthz else args.seconds,
                    baseline=only_healthz,
                    out=out,
                    services=services,
                )
                for only_healthz in (True, False)
            )
        finally:
            cluster.close()
        results.append(
            (f"{count} server{'s' if count > 1 else ''}, offered {rate:.0f}/s", baseline, mix)
        )

    print(
        f"{'shape':<28}{'run':<10}{'req/s':>8}{'fail':>6}{'p50 ms':>8}{'p95 ms':>8}{'p95 ratio':>10}"
    )
    for shape, baseline, mix in results:
        for name, figures in (("/healthz", baseline), ("mix", mix)):
            ratio = figures["p95"] / baseline["p95"] if baseline["p95"] else 0
            print(
                f"{shape:<28}{name:<10}{figures['rps']:>8.1f}{figures['failures']:>6.0f}"
                f"{figures['median']:>8.0f}{figures['p95']:>8.0f}{ratio:>10.2f}"
            )
    one = results[0][2]
    if args.one_server_only:
        met = one["failures"] == 0 and one["p95"] < P95_GOAL_MS
        print(
            f"one server: goal 0 failures and p95 < {P95_GOAL_MS} ms: {'met' if met else 'NOT met'}"
        )
        return 0 if met else 1
    two = results[1][2]
    held = two["rps"] / one["rps"] if one["rps"] else 0
    print(
        f"two servers held {held:.2f} times one server's rate "
        f"(p95 {two['p95']:.0f} ms against {one['p95']:.0f} ms; goal 1.6 at p95 < {P95_GOAL_MS} ms)"
    )
    met = (
        one["failures"] == 0
        and two["failures"] == 0
        and one["p95"] < P95_GOAL_MS
        and two["p95"] < P95_GOAL_MS
        and held >= 1.6
    )
    print("goal met" if met else "goal NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

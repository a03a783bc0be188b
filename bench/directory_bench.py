"""Benchmark the directory: import synthetic services, then match through the API on a server.

For each size (default 10,000 and 50,000 synthetic services from directory_generate.py), in a
fresh SQLite database under VAR_DIR (never the checkout's var/):

* times ``bridgeway import-directory`` (the whole command, JSON parsing included) beside the
  plain parse-and-insert baseline (a Python process that parses the same file and inserts one
  row per service into SQLite in one transaction: the floor any importer stands on);
* starts ``bridgeway serve`` (one worker, one thread) on a free port and times the first match
  as soon as it answers (the worker reads the whole directory into its index as it starts,
  and the first match waits for what is left of that);
* then, in each of ROUNDS rounds, sends QUERIES ``POST /api/v1/match`` requests, each followed
  by a ``GET /healthz`` on the same server (the baseline: a request through the same stack
  that does no work, measured alongside so a busy machine shows as a busy baseline);
* then, CHANGES times, changes one listing from another process (``service_update`` through
  the ORM, as a second app server would) and times the next match, which must read just that
  listing (the index's version stamp) rather than the whole directory again.

Prints the median over the rounds of each round's p50 and p95, beside the baseline and the
goals (issue 19): match p95 under 30 ms at 50,000 services; the cost of a match at 50,000
over 10,000 under 2; import at least 2,500 services/s and at least half the baseline's speed.
Import figures are the median of IMPORT_ROUNDS imports into fresh databases (default 3, as
every figure of issue 19 is a median of three; 1 for a quick look).
"""

from __future__ import annotations

import argparse
import json
import math
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from directory_generate import generate

from bridgeway.equality.vocabulary import vocabulary

ROOT = Path(__file__).resolve().parent.parent
BRIDGEWAY = str(Path(sys.executable).parent / "bridgeway")
POSTCODES = ["LS6", "BD3 9AB", "M1", "B10", "CF10", "E1", "NE1", "BS1", "LE1", "SW9", "L8", "S1"]

GOAL_P95_MS = 30.0
GOAL_RATIO = 2.0
GOAL_IMPORT_RATE = 2_500
GOAL_IMPORT_SHARE = 0.5


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(args: list[str], env: dict[str, str]) -> None:
    finished = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        sys.exit(f"{' '.join(args[:3])} failed:\n{finished.stderr}")


def _queries(count: int) -> list[bytes]:
    rng = random.Random(7)
    harms = vocabulary("harm_types").ordered_codes()
    bodies = []
    for _ in range(count):
        body: dict[str, object] = {"postcode": rng.choice(POSTCODES)}
        if rng.random() < 0.8:
            body["harm_types"] = rng.sample(harms, rng.randint(1, 2))
        if rng.random() < 0.5:
            body["languages"] = [rng.choice(["urd", "pol", "pan", "som"])]
        if rng.random() < 0.5:
            body["preferences"] = {"independent_of_police": True, "self_referral": True}
        if rng.random() < 0.3:
            # How the person would like support, and trauma-informed workers (ranked too).
            preferences = body.setdefault("preferences", {})
            assert isinstance(preferences, dict)
            preferences["formats"] = rng.sample(["audio", "video", "bsl", "easy_read"], 1)
            preferences["trauma_informed"] = True
        bodies.append(json.dumps(body).encode())
    return bodies


# The import's floor: parse the same JSON and insert a row per service, in one transaction.
_BASELINE_IMPORT = """
import json, sqlite3, sys
services = json.load(open(sys.argv[1], encoding="utf-8"))
services = services["contents"] if isinstance(services, dict) else services
db = sqlite3.connect(sys.argv[2])
db.execute("CREATE TABLE service (id TEXT PRIMARY KEY, name TEXT, body TEXT)")
with db:
    db.executemany(
        "INSERT INTO service VALUES (?, ?, ?)",
        ((s["id"], s.get("name"), json.dumps(s)) for s in services),
    )
"""

# Another process changes one listing through the ORM, as a second app server would.
_CHANGE_ONE = """
import random, sys, django
django.setup()
from bridgeway.directory.models import Service
from bridgeway.directory.services import service_update
ids = list(Service.objects.filter(status="active").values_list("id", flat=True)[:500])
service = Service.objects.get(pk=random.Random(int(sys.argv[1])).choice(ids))
service_update(service=service, waiting_weeks=(service.waiting_weeks or 0) + 1)
"""


def _get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310
        response.read()
    return time.perf_counter() - started


def _percentile(latencies: list[float], share: float) -> float:
    ordered = sorted(latencies)
    return ordered[max(0, round(len(ordered) * share) - 1)] * 1000


def _post(url: str, body: bytes) -> float:
    # Only ever the local server this script started (an http:// URL it built).
    request = urllib.request.Request(  # noqa: S310
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        response.read()
        assert response.status == 200
    return time.perf_counter() - started


def _environment(database: Path, var: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "BRIDGEWAY_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "bridgeway.settings",
        "BRIDGEWAY_WORKERS": "1",
        "BRIDGEWAY_THREADS": "1",
    }


def _import(
    size: int, feed: Path, work: Path, round_number: int
) -> tuple[float, float, dict[str, str]]:
    """A fresh database with ``size`` services imported: (import seconds, baseline seconds)."""
    database = work / f"bench_{size}_{round_number}.sqlite3"
    env = _environment(database, work / "var")
    _run([BRIDGEWAY, "migrate", "-v0"], env)
    _run([BRIDGEWAY, "load-reference-data"], env)
    floor_db = work / f"floor_{size}_{round_number}.db"
    floor_db.unlink(missing_ok=True)
    started = time.perf_counter()
    _run([sys.executable, "-c", _BASELINE_IMPORT, str(feed), str(floor_db)], env)
    floor = time.perf_counter() - started
    started = time.perf_counter()
    _run([BRIDGEWAY, "import-directory", str(feed)], env)
    return time.perf_counter() - started, floor, env


def _serve(env: dict[str, str], args: argparse.Namespace) -> dict[str, float]:
    port = _free_port()
    server = subprocess.Popen(
        [BRIDGEWAY, "serve", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/api/v1/match"
    bodies = _queries(args.queries)
    figures: dict[str, float] = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/healthz")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        figures["first_ms"] = _post(url, bodies[0]) * 1000  # reads the whole directory
        for body in bodies[:20]:  # warm-up: caches, lazy imports
            _post(url, body)
        rounds: dict[str, list[float]] = {"p50": [], "p95": [], "h50": [], "h95": []}
        for _ in range(args.rounds):
            matches, health = [], []
            for body in bodies:
                matches.append(_post(url, body))
                health.append(_get(f"{base}/healthz"))
            rounds["p50"].append(_percentile(matches, 0.5))
            rounds["p95"].append(_percentile(matches, 0.95))
            rounds["h50"].append(_percentile(health, 0.5))
            rounds["h95"].append(_percentile(health, 0.95))
        for key, values in rounds.items():
            figures[key] = statistics.median(values)
        after_change = []
        for seed in range(args.changes):
            _run([sys.executable, "-c", _CHANGE_ONE, str(seed)], env)
            after_change.append(_post(url, bodies[seed % len(bodies)]) * 1000)
        figures["after_change_ms"] = statistics.median(after_change) if after_change else 0.0
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figures


def measure(size: int, args: argparse.Namespace, work: Path) -> dict[str, float]:
    """Import ``size`` services (IMPORT_ROUNDS times), then time matching on a live server."""
    if args.reuse:
        database = work / f"bench_{size}_0.sqlite3"
        if not database.exists():
            sys.exit(f"--reuse: no {database} from an earlier run")
        figures = _serve(_environment(database, work / "var"), args)
        return {**figures, "import_s": float("nan"), "floor_s": float("nan")}
    feed = work / f"directory_{size}.json"
    feed.write_text(json.dumps(generate(size)), encoding="utf-8")
    imports, floors = [], []
    env: dict[str, str] = {}
    for round_number in range(args.import_rounds):
        imported, floor, env = _import(size, feed, work, round_number)
        imports.append(imported)
        floors.append(floor)
    figures = _serve(env, args)
    figures["import_s"] = statistics.median(imports)
    figures["floor_s"] = statistics.median(floors)
    return figures


def _report(size: int, f: dict[str, float], rounds: int) -> None:
    rate = size / f["import_s"]
    share = f["floor_s"] / f["import_s"]
    print(f"{size:>6} services")
    if not math.isnan(rate):  # measured in this run, not reused
        print(
            f"  import        {f['import_s']:7.1f} s = {rate:7.0f} services/s "
            f"(goal >= {GOAL_IMPORT_RATE:,}/s) | baseline parse-and-insert {f['floor_s']:.1f} s: "
            f"import at {share:.2f} of its speed (goal >= {GOAL_IMPORT_SHARE})"
        )
    print(
        f"  match         p50 {f['p50']:6.1f} ms  p95 {f['p95']:6.1f} ms "
        f"(goal p95 < {GOAL_P95_MS:.0f} ms at 50,000) | baseline GET /healthz p50 "
        f"{f['h50']:5.1f} ms p95 {f['h95']:5.1f} ms: match p95 x{f['p95'] / f['h95']:.1f}"
        f"  [medians of {rounds} rounds]"
    )
    print(
        f"  first match   {f['first_ms']:7.0f} ms (waits for the worker to finish reading the index);"
        f" match after one listing changed in another process {f['after_change_ms']:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--var-dir",
        type=Path,
        help="where the databases, feeds and server's files go (default: a temporary "
        "directory, removed afterwards); never the checkout's var/",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs=2,
        default=[10_000, 50_000],
        metavar=("SMALL", "LARGE"),
        help="directory sizes (default 10000 50000)",
    )
    parser.add_argument("--queries", type=int, default=200, help="matches per round (200)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of matches (3)")
    parser.add_argument(
        "--changes",
        type=int,
        default=5,
        help="listings changed from another process, each then matched (5)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="match against the databases an earlier run left in --var-dir; no import",
    )
    parser.add_argument(
        "--import-rounds", type=int, default=3, help="imports into fresh databases per size (3)"
    )
    args = parser.parse_args()
    if args.var_dir is not None and args.var_dir.resolve() == (ROOT / "var").resolve():
        parser.error("--var-dir must not be the checkout's var/")
    if args.reuse and args.var_dir is None:
        parser.error("--reuse needs the --var-dir of an earlier run")
    small, large = args.sizes
    load = os.getloadavg()
    print(
        f"load average before: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory(prefix="bridgeway-bench-") as temporary:
        work = args.var_dir or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        results = {size: measure(size, args, work) for size in (small, large)}
    for size, figures in results.items():
        _report(size, figures, args.rounds)
    ratio = results[large]["p50"] / results[small]["p50"]
    above = (results[large]["p50"] - results[large]["h50"]) / max(
        results[small]["p50"] - results[small]["h50"], 1e-9
    )
    print(
        f"matching cost {large} vs {small}: p50 x{ratio:.2f} (goal < {GOAL_RATIO:.0f}); "
        f"above the /healthz baseline x{above:.2f}; for x{large / small:.0f} the services"
    )
    load = os.getloadavg()
    print(f"load average after:  {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()

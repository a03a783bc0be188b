"""Benchmark the directory: import 50,000 services, then match through the API on a server.

    .venv/bin/python bench/directory_bench.py [LARGE] [SMALL] [QUERIES]

For SMALL (default 10,000) and LARGE (default 50,000) synthetic services (directory_generate.py),
each in a fresh SQLite database in a temporary directory: times ``bridgeway import-directory``
(the whole command, JSON parsing included), starts ``bridgeway serve`` on a free port, sends
QUERIES (default 200) ``POST /api/v1/match`` requests after a warm-up, and prints the p50 and
p95 latency. Then prints the ratio of the large to the small directory's median matching
cost. Targets (issue 4): import of 50,000 under 30 s, match p95 under 50 ms, ratio at most ~5.

Each figure is printed beside a baseline measured in the same run, so a busy machine shows
as a busy baseline rather than a slow Bridgeway: the import beside a plain Python process
that parses the same file and inserts one row per service into SQLite in one transaction
(the floor any importer stands on), and the match latency beside ``GET /healthz`` on the
same server (the floor of a request through the same stack).
"""

from __future__ import annotations

import json
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
BRIDGEWAY = str(ROOT / ".venv" / "bin" / "bridgeway")
POSTCODES = ["LS6", "BD3 9AB", "M1", "B10", "CF10", "E1", "NE1", "BS1", "LE1", "SW9", "L8", "S1"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


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


def _get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
        response.read()
    return time.perf_counter() - started


def _p95(latencies: list[float]) -> float:
    return sorted(latencies)[int(len(latencies) * 0.95) - 1] * 1000


def _post(url: str, body: bytes) -> float:
    # Only ever the local server this script started (an http:// URL it built).
    request = urllib.request.Request(  # noqa: S310
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        response.read()
        assert response.status == 200
    return time.perf_counter() - started


def measure(size: int, queries: int, work: Path) -> dict[str, float]:
    """Import ``size`` services into a fresh database, then time matching on a live server."""
    feed = work / f"directory_{size}.json"
    feed.write_text(json.dumps(generate(size)), encoding="utf-8")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / f'bench_{size}.sqlite3'}",
        "BRIDGEWAY_WORKERS": "1",
        "BRIDGEWAY_THREADS": "1",
    }
    _run([BRIDGEWAY, "migrate", "-v0"], env)
    _run([BRIDGEWAY, "load-reference-data"], env)
    started = time.perf_counter()
    _run([sys.executable, "-c", _BASELINE_IMPORT, str(feed), str(work / f"floor_{size}.db")], env)
    floor = time.perf_counter() - started
    started = time.perf_counter()
    _run([BRIDGEWAY, "import-directory", str(feed)], env)
    imported = time.perf_counter() - started

    port = _free_port()
    server = subprocess.Popen(
        [BRIDGEWAY, "serve", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/api/v1/match"
    try:
        bodies = _queries(queries)
        deadline = time.monotonic() + 60
        while True:
            try:
                _post(url, bodies[0])
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        for body in bodies[:20]:  # warm-up: caches, lazy imports
            _post(url, body)
        latencies = sorted(_post(url, body) for body in bodies)
        health = [_get(f"http://127.0.0.1:{port}/healthz") for _ in bodies]
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "import_s": imported,
        "floor_s": floor,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": _p95(latencies),
        "health_p95_ms": _p95(health),
    }


def main() -> None:
    if any(arg in ("-h", "--help") for arg in sys.argv[1:]):
        print(__doc__)
        return
    large = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    small = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    queries = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    with tempfile.TemporaryDirectory(prefix="bridgeway-bench-") as folder:
        results = {size: measure(size, queries, Path(folder)) for size in (small, large)}
    for size, figures in results.items():
        print(
            f"{size:>6} services: import {figures['import_s']:6.1f} s (target < 30 s at 50,000), "
            f"match p50 {figures['p50_ms']:6.1f} ms, p95 {figures['p95_ms']:6.1f} ms "
            "(target p95 < 50 ms)"
        )
        print(
            f"{'':>6}  baselines: plain parse-and-insert {figures['floor_s']:6.1f} s "
            f"(import x{figures['import_s'] / figures['floor_s']:.1f}), "
            f"GET /healthz p95 {figures['health_p95_ms']:6.1f} ms "
            f"(match p95 x{figures['p95_ms'] / figures['health_p95_ms']:.1f})"
        )
    ratio = results[large]["p50_ms"] / results[small]["p50_ms"]
    print(
        f"matching cost {large} vs {small}: x{ratio:.2f} for x{large / small:.1f} the services "
        "(target: at most linear)"
    )


if __name__ == "__main__":
    main()

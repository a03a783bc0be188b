"""Benchmark the directory: import 50,000 services, then match through the API on a server.

    .venv/bin/python bench/directory_bench.py [LARGE] [SMALL] [QUERIES]

For SMALL (default 10,000) and LARGE (default 50,000) synthetic services (directory_generate.py),
each in a fresh SQLite database in a temporary directory: times ``bridgeway import-directory``
(the whole command, JSON parsing included), starts ``bridgeway serve`` on a free port, sends
QUERIES (default 200) ``POST /api/v1/match`` requests after a warm-up, and prints the p50 and
p95 latency. Then prints the ratio of the large to the small directory's median matching
cost. Targets (issue 4): import of 50,000 under 30 s, match p95 under 50 ms, ratio at most ~5.
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
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "import_s": imported,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
    }


def main() -> None:
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
    ratio = results[large]["p50_ms"] / results[small]["p50_ms"]
    print(
        f"matching cost {large} vs {small}: x{ratio:.2f} for x{large / small:.1f} the services "
        "(target: at most linear)"
    )


if __name__ == "__main__":
    main()

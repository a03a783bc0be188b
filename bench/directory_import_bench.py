"""Benchmark ``bridgeway import-directory`` alone, on SQLite or PostgreSQL, beside its baseline.

Writes a synthetic feed of SIZE services (directory_generate.py) and a database with the
reference data loaded, once, under VAR_DIR (never the checkout's var/). Then, in each of
ROUNDS rounds:

1. times the plain parse-and-insert baseline: a Python process that parses the same file
   and inserts one row per service into a fresh SQLite file in one transaction;
2. times the whole ``bridgeway import-directory`` command into a fresh copy of that
   database, once for each code directory given with ``--code`` (default: this checkout).
   A directory is a checkout of another commit, for example made with ``git archive``, so
   before and after can run in the same rounds.

The fresh copy is a copied SQLite file. Under ``scripts/with-postgres`` (DATABASE_URL is
PostgreSQL) it is ``CREATE DATABASE ... TEMPLATE`` of the loaded database. Prints the
medians of the wall times (from outside) and of the command's CPU time, beside the goals
(issue 19): at least 2,500 services/s, and at least half the baseline's speed.

    bench/directory_import_bench.py --var-dir /tmp/me-bench
    scripts/with-postgres bench/directory_import_bench.py --var-dir /tmp/me-bench \\
        --code /tmp/before=before --code .=after
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from directory_bench import _BASELINE_IMPORT
from directory_generate import generate

ROOT = Path(__file__).resolve().parent.parent
GOAL_RATE = 2_500
GOAL_SHARE = 0.5


def _run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Run a command; (wall seconds, CPU seconds of the command)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    finished = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if finished.returncode != 0:
        sys.exit(f"{' '.join(args[:3])} failed:\n{finished.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _with_database(url: str, name: str) -> str:
    return f"{url.rsplit('/', 1)[0]}/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--var-dir", type=Path, help="where feeds and databases go (temporary)")
    parser.add_argument("--size", type=int, default=10_000, help="services in the feed (10000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (3): medians of these")
    parser.add_argument(
        "--code",
        action="append",
        default=[],
        metavar="DIR[=LABEL]",
        help="a checkout whose import to time (repeatable; default: this one)",
    )
    args = parser.parse_args()
    if args.var_dir is not None and args.var_dir.resolve() == (ROOT / "var").resolve():
        parser.error("--var-dir must not be the checkout's var/")
    codes = [
        (Path(path).resolve(), label or path)
        for path, _, label in (c.partition("=") for c in args.code or [str(ROOT)])
    ]
    postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    load = os.getloadavg()
    print(f"load average before: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="bridgeway-import-bench-") as temporary:
        work = args.var_dir or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        feed = work / f"directory_{args.size}.json"
        feed.write_text(json.dumps(generate(args.size)), encoding="utf-8")
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "BRIDGEWAY_VAR_DIR": str(work / "var"),
            "DJANGO_SETTINGS_MODULE": "bridgeway.settings",
            "PYTHONPATH": str(codes[0][0]),
        }
        bridgeway = str(Path(sys.executable).parent / "bridgeway")
        template = work / "template.sqlite3"
        if not postgres:
            template.unlink(missing_ok=True)
            env["DATABASE_URL"] = f"sqlite:///{template}"
        _run([bridgeway, "migrate", "-v0"], env, codes[0][0])
        _run([bridgeway, "load-reference-data"], env, codes[0][0])
        times: dict[str, list[tuple[float, float]]] = {"baseline": []}
        for round_number in range(args.rounds):
            floor = work / "floor.db"
            floor.unlink(missing_ok=True)
            baseline = [sys.executable, "-c", _BASELINE_IMPORT, str(feed), str(floor)]
            times["baseline"].append(_run(baseline, env, work))
            for index, (code, label) in enumerate(codes):
                each = {**env, "PYTHONPATH": str(code)}
                name = f"import_bench_{index}_{round_number}"
                if postgres:
                    import psycopg

                    owner = os.environ["DATABASE_OWNER_URL"]
                    with psycopg.connect(owner, autocommit=True) as connection:
                        connection.execute(f"DROP DATABASE IF EXISTS {name}")
                        connection.execute(
                            f"CREATE DATABASE {name} TEMPLATE {owner.rsplit('/', 1)[1]}"
                        )
                    each["DATABASE_URL"] = _with_database(os.environ["DATABASE_URL"], name)
                    each["DATABASE_OWNER_URL"] = _with_database(owner, name)
                else:
                    copy = work / f"{name}.sqlite3"
                    shutil.copy(template, copy)
                    each["DATABASE_URL"] = f"sqlite:///{copy}"
                command = [bridgeway, "import-directory", str(feed)]
                times.setdefault(label, []).append(_run(command, each, code))
                if not postgres:
                    (work / f"{name}.sqlite3").unlink()
    floor_wall = statistics.median(wall for wall, _ in times["baseline"])
    print(
        f"{args.size} services on {'PostgreSQL' if postgres else 'SQLite'}, medians of {args.rounds}"
    )
    for label, rounds in times.items():
        wall = statistics.median(w for w, _ in rounds)
        cpu = statistics.median(c for _, c in rounds)
        print(
            f"  {label:12} wall {wall:6.2f} s = {args.size / wall:6,.0f}/s (goal >= {GOAL_RATE:,}/s)"
            f" | CPU {cpu:5.2f} s | baseline's speed x{floor_wall / wall:.2f} (goal >= {GOAL_SHARE})"
            f" | walls {', '.join(f'{w:.2f}' for w, _ in rounds)}"
        )


if __name__ == "__main__":
    main()

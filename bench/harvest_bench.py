"""Benchmark harvesting an Open Referral UK feed over HTTP, and re-harvesting it unchanged.

    .venv/bin/python bench/harvest_bench.py [SERVICES] [--repeat N] [--oruk-lists] [--no-etags]

Serves SERVICES synthetic services (default 50,000; directory_generate.py) as an ORUK 3.0 API
from a real HTTP server on 127.0.0.1 (100 a page), and for each of N rounds (default 3) in a
fresh SQLite database copied from one migrated, loaded template in a temporary directory:

- baseline: ``bridgeway import-directory FILE`` of the same services (today's import);
- ``bridgeway feeds harvest``: the first harvest over HTTP;
- ``bridgeway feeds harvest`` again: the re-harvest of the unchanged feed.

Prints the medians, the first harvest beside the file import (x), and how many times faster
the re-harvest is than the first. Targets (issue 13): first harvest of 50,000 under 2 minutes,
re-harvest at least 5 times faster; the import of the file under 30 s.

``--oruk-lists`` serves list pages as ORUK does (one-to-one fields and ``last_modified`` only),
so the first harvest also reads every ``/services/{id}``; by default the pages carry whole
records, as Bridgeway's own feed does. The server sends each page's ``ETag`` (a hash of its
body, as a cache in front of a feed does) and answers ``If-None-Match`` with 304, so the
re-harvest is asked "changed since?" page by page; ``--no-etags`` serves without them, so
the re-harvest reads and hashes every page's body. With ETags the server keeps each page it
rendered and its tag, as a CDN in front of a feed (or Bridgeway's own feed, tagged by its
directory's version) does, so a 304 costs the server no rendering; the store is emptied before
each first harvest, which renders every page. Nothing is written into the checkout's var/.
"""

from __future__ import annotations

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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgeway.settings")

from directory_generate import generate

from bridgeway.directory.tests.feed_server import Feed, serving

ROOT = Path(__file__).resolve().parent.parent
BRIDGEWAY = str(ROOT / ".venv" / "bin" / "bridgeway")


# CPU seconds of the commands run, beside wall time: on a shared, loaded machine the wall
# clock mostly measures the other processes.
CPU: dict[str, list[float]] = {"import": [], "harvest": [], "reharvest": []}


def _run(args: list[str], env: dict[str, str], cpu: str = "") -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        args, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu:
        CPU[cpu].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall


def _env(database: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}


def main() -> None:
    arguments = sys.argv[1:]
    if any(arg in ("-h", "--help") for arg in arguments):
        print(__doc__)
        return
    repeat = 3
    if "--repeat" in arguments:
        at = arguments.index("--repeat")
        repeat = int(arguments[at + 1])
        del arguments[at : at + 2]
    oruk_lists = "--oruk-lists" in arguments
    etags = "--no-etags" not in arguments
    arguments = [a for a in arguments if a not in ("--oruk-lists", "--no-etags")]
    size = int(arguments[0]) if arguments else 50_000

    services = generate(size)
    for service in services:
        service["last_modified"] = "2027-05-03T09:00:00Z"
    figures: dict[str, list[float]] = {"import": [], "harvest": [], "reharvest": []}
    with tempfile.TemporaryDirectory(prefix="bridgeway-harvest-bench-") as folder:
        work = Path(folder)
        feed_file = work / "feed.json"
        feed_file.write_text(json.dumps(services), encoding="utf-8")
        template = work / "template.sqlite3"
        _run([BRIDGEWAY, "migrate", "-v0"], _env(template))
        _run([BRIDGEWAY, "load-reference-data"], _env(template))
        feed = Feed(
            services=services,
            full_lists=not oruk_lists,
            max_per_page=100,
            etags=etags,
            cache_answers=etags,
        )
        with serving(feed):
            for round_number in range(repeat):
                imported = work / f"import_{round_number}.sqlite3"
                shutil.copy(template, imported)
                figures["import"].append(
                    _run([BRIDGEWAY, "import-directory", str(feed_file)], _env(imported), "import")
                )
                harvested = work / f"harvest_{round_number}.sqlite3"
                shutil.copy(template, harvested)
                env = _env(harvested)
                _run([BRIDGEWAY, "feeds", "add", feed.base, "--name", "bench"], env)
                feed.requests.clear()
                feed.cached_answers.clear()
                figures["harvest"].append(
                    _run([BRIDGEWAY, "feeds", "harvest", "bench"], env, "harvest")
                )
                first_requests = len(feed.requests)
                feed.requests.clear()
                feed.not_modified.clear()
                figures["reharvest"].append(
                    _run([BRIDGEWAY, "feeds", "harvest", "bench"], env, "reharvest")
                )
                print(
                    f"round {round_number + 1}: import {figures['import'][-1]:.1f} s, harvest "
                    f"{figures['harvest'][-1]:.1f} s ({first_requests} requests), re-harvest "
                    f"{figures['reharvest'][-1]:.1f} s ({len(feed.requests)} requests, "
                    f"{len(feed.not_modified)} answered 304)",
                    flush=True,
                )
    median = {name: statistics.median(values) for name, values in figures.items()}
    cpu = {name: statistics.median(values) for name, values in CPU.items()}
    lists = "ORUK list pages (parts)" if oruk_lists else "whole records on list pages"
    tags = "pages with ETags" if etags else "no ETags"
    print(f"{size} services over HTTP, {lists}, {tags}; medians of {repeat}:")
    print(f"  import of the file (baseline) {median['import']:6.1f} s  (target < 30 s)")
    print(
        f"  first harvest                 {median['harvest']:6.1f} s  (target < 120 s; "
        f"x{median['harvest'] / median['import']:.2f} the file import)"
    )
    print(
        f"  re-harvest, unchanged         {median['reharvest']:6.1f} s  "
        f"(x{median['harvest'] / median['reharvest']:.1f} faster than the first; target >= 5)"
    )
    print(
        f"  CPU seconds (the commands'): import {cpu['import']:.1f}, harvest "
        f"{cpu['harvest']:.1f}, re-harvest {cpu['reharvest']:.1f} "
        f"(x{cpu['harvest'] / cpu['reharvest']:.1f}); the server's are the bench's own"
    )


if __name__ == "__main__":
    main()

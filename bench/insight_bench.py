"""The needs assessment for every police force area at once, against a plain DuckDB GROUP BY.

    .venv/bin/python bench/insight_generate.py --out DIR    # once: 10M events, 32-byte keys
    .venv/bin/python bench/insight_bench.py --snapshot DIR [--repeat 3]

Times, in the same run over the same files:

* the baseline: one DuckDB ``GROUP BY`` counting distinct people per force area, ethnic
  group and stage;
* the needs assessment for all 43 force areas: insight's counting (which also drops copies
  of an event written by overlapping runs, and puts each person in the group on their newest
  record) and the suppressed table with every statistic, for every area.

Prints both times (medians of --repeat rounds, each round the baseline then ours), their
ratio beside its goal (at most 1.3, issue 19) and the process's peak memory (goal under
2 GB). The generator writes person keys as the snapshot holds them (32 bytes of keyed hash,
decision 0130), not short numbers that would flatter both queries. Census populations come from the package's data files, so no
database is needed.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from insight_generate import census_cells

from bridgeway.insight.needs_assessment import (
    AreaPopulation,
    connect,
    count_people_by_area,
    needs_assessment_table,
)

GOAL_RATIO = 1.3


def _areas() -> list[AreaPopulation]:
    _districts, forces, groups, counts = census_cells()
    population: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for force, group, count in zip(forces, groups, counts, strict=True):
        population[force][group] += int(count)
    return [
        AreaPopulation(code=code, name=code, kind="pfa", population=dict(population[code]))
        for code in sorted(population)
    ]


def baseline(files: list[str], *, limited: bool = True) -> int:
    """Distinct people per area, group and stage: the plainest query that answers it.

    ``limited`` uses insight's connection settings (the same memory limit), so the two are
    measured alike; without it DuckDB may use most of the machine's memory.
    """
    with connect() if limited else duckdb.connect() as connection:
        rows = connection.execute(
            "SELECT pfa_code, ethnic_group, stage, count(DISTINCT person_key) "
            "FROM read_parquet($files) GROUP BY ALL",
            {"files": files},
        ).fetchall()
    return len(rows)


def needs_assessment_everywhere(files: list[Path], areas: list[AreaPopulation]) -> int:
    """Every force area's needs assessment table, from counting to formatted rows."""
    counted = count_people_by_area(
        files, area_codes=[a.code for a in areas], area_kind="pfa", date_from=None, date_to=None
    )
    rows = 0
    for area in areas:
        rows += len(needs_assessment_table(area, counted[area.code].by_group, threshold=5))
    return rows


def _timed(function: object) -> float:
    started = time.perf_counter()
    function()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--snapshot",
        type=Path,
        required=True,
        help="the directory bench/insight_generate.py --out wrote (outside the checkout)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds (the median is shown)")
    arguments = parser.parse_args()
    files = sorted(arguments.snapshot.glob("events-*.parquet"))
    if not files:
        raise SystemExit(f"No snapshot in {arguments.snapshot}; run bench/insight_generate.py")
    with duckdb.connect() as connection:
        events = connection.execute(
            "SELECT count(*) FROM read_parquet($files)", {"files": [str(f) for f in files]}
        ).fetchone()
    areas = _areas()
    paths = [str(f) for f in files]
    # Each round times the baseline and then the needs assessment, so both see the same load
    # on a shared machine; the figures are the medians of the rounds, not the best.
    plain_times: list[float] = []
    our_times: list[float] = []
    for _ in range(arguments.repeat):
        plain_times.append(_timed(lambda: baseline(paths)))
        our_times.append(_timed(lambda: needs_assessment_everywhere(files, areas)))
    plain, ours = statistics.median(plain_times), statistics.median(our_times)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    unlimited = statistics.median(
        _timed(lambda: baseline(paths, limited=False)) for _ in range(arguments.repeat)
    )
    key_type = pq.read_schema(files[0]).field("person_key").type
    rounds = f"median of {arguments.repeat}"
    print(f"events: {events[0] if events else 0:,} in {len(files)} files; person_key {key_type}")
    print(
        f"baseline GROUP BY (distinct people per area, group, stage): {plain:.2f} s "
        f"({rounds}: {', '.join(f'{t:.2f}' for t in plain_times)})"
    )
    print(
        f"needs assessment, all {len(areas)} police force areas: {ours:.2f} s "
        f"({rounds}: {', '.join(f'{t:.2f}' for t in our_times)})"
    )
    ratio = ours / plain
    print(
        f"ratio: {ratio:.2f} (goal <= {GOAL_RATIO}: {'met' if ratio <= GOAL_RATIO else 'NOT met'})"
    )
    print(
        f"baseline without insight's memory limit: {unlimited:.2f} s "
        f"(ratio {ours / unlimited:.2f}; measured after the peak memory above)"
    )
    print(f"peak memory: {peak_mb:,.0f} MB (goal < 2048 MB)")


if __name__ == "__main__":
    main()

"""The needs assessment for every police force area at once, against a plain DuckDB GROUP BY.

    .venv/bin/python bench/insight_generate.py            # once: var/bench/insight-snapshot
    .venv/bin/python bench/insight_bench.py [--snapshot DIR] [--repeat 3]

Times, in the same run over the same files:

* the baseline: one DuckDB ``GROUP BY`` counting distinct people per force area, ethnic
  group and stage;
* the needs assessment for all 43 force areas: insight's counting (which also drops copies
  of an event written by overlapping runs, and puts each person in the group on their newest
  record) and the suppressed table with every statistic, for every area.

Prints both times (best of --repeat), their ratio (target at most 2) and the process's peak
memory (target under 2 GB). Census populations come from the package's data files, so no
database is needed.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from insight_generate import census_cells

from bridgeway.insight.needs_assessment import (
    AreaPopulation,
    connect,
    count_people_by_area,
    needs_assessment_table,
)


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


def _best(function: object, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshot", type=Path, default=Path("var/bench/insight-snapshot"))
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    files = sorted(arguments.snapshot.glob("events-*.parquet"))
    if not files:
        raise SystemExit(f"No snapshot in {arguments.snapshot}; run bench/insight_generate.py")
    with duckdb.connect() as connection:
        events = connection.execute(
            "SELECT count(*) FROM read_parquet($files)", {"files": [str(f) for f in files]}
        ).fetchone()
    areas = _areas()
    plain = _best(lambda: baseline([str(f) for f in files]), arguments.repeat)
    ours = _best(lambda: needs_assessment_everywhere(files, areas), arguments.repeat)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    unlimited = _best(lambda: baseline([str(f) for f in files], limited=False), arguments.repeat)
    print(f"events: {events[0] if events else 0:,} in {len(files)} files")
    print(f"baseline GROUP BY (distinct people per area, group, stage): {plain:.2f} s")
    print(f"needs assessment, all {len(areas)} police force areas: {ours:.2f} s")
    print(f"ratio: {ours / plain:.2f} (target <= 2)")
    print(
        f"baseline without insight's memory limit: {unlimited:.2f} s "
        f"(ratio {ours / unlimited:.2f}; measured after the peak memory above)"
    )
    print(f"peak memory: {peak_mb:,.0f} MB (target < 2048 MB)")


if __name__ == "__main__":
    main()

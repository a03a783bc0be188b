"""Time one area's needs assessment over a generated snapshot (no database, no Django).

    .venv/bin/python bench/insight_needs_assessment.py [EVENTS] [PARTS] [--repeat 3]
        [--workdir DIR]

Writes EVENTS made-up stage events (default 1,000,000) across PARTS part files (default 10)
in a temporary folder (under --workdir, never the checkout's var/), half of them in one force
area, with pseudonyms as the snapshot holds them (32 random bytes each, decision 0130) and
person numbers assigned as the snapshot writer assigns them (``write_part``, decision 0150), then
in each of --repeat rounds times the baseline (a bare DuckDB distinct-count GROUP BY), schema
validation, counting and the suppressed table. Prints medians, and counting's ratio to the
baseline beside its goal (at most 1.3, issue 19).

A second baseline (decision 0143) is the same result's essential work in bare DuckDB: each
person's newest ethnic group over all their events (a group-by-person pass) and the distinct
people per area and stage (a second), joined and counted, without the record keys that
perturbation needs and without the period's span. The first baseline does one pass and
counts a person whose recorded group changed in both groups, so it is not the same result.
Both baselines group on the 32-byte person_key, as a reader without person numbers would.

Before timing, the published counts are checked against a reference worked out on
person_key alone (the query before decision 0150, record keys included): the bench stops with
an error if a single count differs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import pyarrow as pa

from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, vocabulary
from bridgeway.insight.needs_assessment import (
    RECORD_KEY_SQL,
    AreaPopulation,
    connect,
    count_people,
    needs_assessment_table,
    protected_counts,
)
from bridgeway.insight.perturbation import KEY_MODULUS, KeyedCount
from bridgeway.insight.snapshot import GIVEN_SCHEMA, validate_snapshot, write_part

AREA = "E23000010"
STAGES = ["referred", "contacted", "offered", "accepted"]


def _part(rng: random.Random, start: int, size: int) -> pa.Table:
    groups = [*vocabulary("ethnic_groups").ordered_codes(), *NOT_KNOWN_CODES]
    people = [rng.randrange(size // 3 + 1) + start for _ in range(size)]
    keys = {p: rng.randbytes(32) for p in set(people)}
    return pa.table(
        {
            "event_id": [os.urandom(32) for _ in range(size)],
            "person_key": [keys[p] for p in people],
            "case_key": [keys[p] for p in people],
            "organisation_key": ["o1"] * size,
            "service_key": ["s1"] * size,
            "organisation_kind": ["specialist"] * size,
            "service_specialist": [True] * size,
            "stage": [rng.choice(STAGES) for _ in range(size)],
            "occurred_on": [
                dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(365)) for _ in range(size)
            ],
            "lad_code": ["E08000035"] * size,
            "pfa_code": [AREA if rng.random() < 0.5 else "E23000014" for _ in range(size)],
            "ethnic_group": [groups[p % len(groups)] for p in people],
            "age_band": ["not_asked"] * size,
            "sex": ["not_asked"] * size,
            "sexual_orientation": ["not_asked"] * size,
            "religion": ["not_asked"] * size,
            "disabilities": [[] for _ in range(size)],
            "harm_types": [["hate_incident"] for _ in range(size)],
            "hate_strands": [["race"] for _ in range(size)],
            "channel": ["self"] * size,
            "coped_better": [None] * size,
            "decline_reason": [None] * size,
        },
        schema=GIVEN_SCHEMA,
    )


GOAL_RATIO = 1.3

# The same result as counting, in bare SQL: no record keys, no span (decision 0143).
_SAME_RESULT_SQL = """
WITH events AS (
    SELECT person_key, stage, occurred_on, ethnic_group, pfa_code AS area,
           date_diff('day', DATE '2000-01-01', occurred_on) * 100000
               + list_position($files, filename) AS newness
    FROM read_parquet($files, filename = true)
), people AS (
    SELECT person_key, arg_max(ethnic_group, newness) AS ethnic_group
    FROM events GROUP BY person_key
), seen AS (
    SELECT DISTINCT person_key, area, stage FROM events WHERE area = $area
)
SELECT seen.area, people.ethnic_group, seen.stage, count(*)
FROM seen JOIN people USING (person_key)
GROUP BY ALL
"""


# The counting query as it was before person numbers (decision 0150), on person_key alone.
_REFERENCE_SQL = """
WITH events AS (
    SELECT person_key, stage, ethnic_group, pfa_code AS area,
           date_diff('day', DATE '2000-01-01', occurred_on) * 100000
               + list_position($files, filename) AS newness
    FROM read_parquet($files, filename = true)
), people AS (
    SELECT person_key, arg_max(ethnic_group, newness) AS ethnic_group,
           {record_key} AS record_key
    FROM events GROUP BY person_key
), seen AS (
    SELECT DISTINCT person_key, area, stage FROM events
    WHERE area = $area AND list_contains(['referred', 'offered', 'accepted'], stage)
)
SELECT people.ethnic_group, seen.stage, count(*), sum(record_key) % {modulus}
FROM seen JOIN people USING (person_key)
GROUP BY ALL
"""


def check_results(files: list[str]) -> None:
    """Stop unless counting publishes what the reference on person_key alone gives."""
    with connect() as connection:
        found = connection.execute(
            _REFERENCE_SQL.format(record_key=RECORD_KEY_SQL, modulus=KEY_MODULUS),
            {"files": files, "area": AREA},
        ).fetchall()
    tallies: dict[str, dict[str, KeyedCount]] = {}
    for group, stage, people, key in found:
        tallies.setdefault(group, {})[stage] = KeyedCount(int(people), int(key))
    paths = [Path(name) for name in files]
    for perturb in (False, True):
        by_group, total, _recorded = protected_counts(tallies, perturb=perturb)
        counted = count_people(
            paths, area_code=AREA, area_kind="pfa", date_from=None, date_to=None, perturb=perturb
        )
        if counted.by_group != by_group or counted.total != total:
            raise SystemExit(f"counts differ from the reference on person_key (perturb={perturb})")
    print(f"results checked: the same as the reference on person_key ({len(found)} cells)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("events", nargs="?", type=int, default=1_000_000)
    parser.add_argument("parts", nargs="?", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="rounds (the median is shown)")
    parser.add_argument(
        "--workdir", type=Path, default=None, help="where the temporary folder goes"
    )
    arguments = parser.parse_args()
    events, parts = arguments.events, arguments.parts
    rng = random.Random(2021)
    times: dict[str, list[float]] = {
        "baseline": [],
        "same_result": [],
        "validate": [],
        "count": [],
        "table": [],
    }
    with tempfile.TemporaryDirectory(dir=arguments.workdir) as name:
        directory = Path(name)
        size = events // parts
        written = time.perf_counter()
        for index in range(parts):
            write_part(
                directory,
                [_part(rng, index * size, size)],
                written_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=index),
                synthetic=True,
            )
        written = time.perf_counter() - written
        files = [str(path) for path in sorted(directory.glob("events-*.parquet"))]
        check_results(files)
        rows: list[object] = []
        for _ in range(arguments.repeat):
            started = time.perf_counter()
            with connect() as connection:
                connection.execute(
                    "SELECT pfa_code, ethnic_group, stage, count(DISTINCT person_key) "
                    "FROM read_parquet($files) GROUP BY ALL",
                    {"files": files},
                ).fetchall()
            times["baseline"].append(time.perf_counter() - started)
            started = time.perf_counter()
            with connect() as connection:
                connection.execute(_SAME_RESULT_SQL, {"files": files, "area": AREA}).fetchall()
            times["same_result"].append(time.perf_counter() - started)
            started = time.perf_counter()
            infos = validate_snapshot(directory)
            validated = time.perf_counter()
            counted = count_people(
                [info.path for info in infos],
                area_code=AREA,
                area_kind="pfa",
                date_from=None,
                date_to=None,
            )
            counted_at = time.perf_counter()
            area = AreaPopulation(
                code=AREA, name="West Yorkshire", kind="pfa", population={"white_british": 1}
            )
            rows = needs_assessment_table(area, counted.by_group, threshold=5)
            finished = time.perf_counter()
            times["validate"].append(validated - started)
            times["count"].append(counted_at - validated)
            times["table"].append(finished - counted_at)
    median = {key: statistics.median(values) for key, values in times.items()}
    print(
        f"{events:,} events in {parts} parts (written in {written:.1f}s, person numbers "
        f"included); person_key 32 bytes; median of {arguments.repeat}"
    )
    print(
        f"baseline GROUP BY: {median['baseline']:.2f}s  validate: {median['validate']:.2f}s  "
        f"count: {median['count']:.2f}s  table: {median['table']:.3f}s  rows: {len(rows)}"
    )
    ratio = median["count"] / median["baseline"]
    print(
        f"count/baseline: {ratio:.2f} (goal <= {GOAL_RATIO}: "
        f"{'met' if ratio <= GOAL_RATIO else 'NOT met'})"
    )
    same = median["count"] / median["same_result"]
    print(
        f"second baseline, the same result in bare SQL (two passes by person, no record keys, "
        f"no span): {median['same_result']:.2f}s; count/it: {same:.2f}"
    )


if __name__ == "__main__":
    main()

"""Time the needs assessment over a generated snapshot (no database, no Django).

    .venv/bin/python bench/insight_needs_assessment.py [EVENTS] [PARTS]

Writes EVENTS made-up stage events (default 1,000,000) across PARTS part files (default 10)
in a temporary directory, half of them in one force area, then times schema validation,
counting with DuckDB, and building the suppressed table.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, vocabulary
from bridgeway.insight.needs_assessment import AreaPopulation, count_people, needs_assessment_table
from bridgeway.insight.snapshot import SNAPSHOT_SCHEMA, validate_snapshot

AREA = "E23000010"
STAGES = ["referred", "contacted", "offered", "accepted"]


def _part(rng: random.Random, start: int, size: int) -> pa.Table:
    groups = [*vocabulary("ethnic_groups").ordered_codes(), *NOT_KNOWN_CODES]
    people = [rng.randrange(size // 3 + 1) + start for _ in range(size)]
    return pa.table(
        {
            "event_id": [f"e{start + i}" for i in range(size)],
            "person_key": [f"p{p}" for p in people],
            "case_key": [f"c{p}" for p in people],
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
        },
        schema=SNAPSHOT_SCHEMA,
    )


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    parts = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    rng = random.Random(2021)
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        size = events // parts
        for index in range(parts):
            pq.write_table(
                _part(rng, index * size, size), directory / f"events-{index:04d}.parquet"
            )
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
        print(f"{events:,} events in {parts} parts")
        print(
            f"validate: {validated - started:.2f}s  count: {counted_at - validated:.2f}s  "
            f"table: {finished - counted_at:.3f}s  rows: {len(rows)}"
        )


if __name__ == "__main__":
    main()

"""Write a synthetic national snapshot for benchmarking insight (no database, no Django).

    .venv/bin/python bench/insight_generate.py --out DIR [--events 10000000] [--parts 10]
        [--seed 2021]

People are drawn district by district and ethnic group by ethnic group in proportion to the
real Census 2021 counts shipped in bridgeway/places/data (so every police force area has its
own mix), with a made-up reach factor per group (some communities referred less), 15% of
people with a missing answer instead of their group, and each person reaching a random depth
of the funnel (referred -> contacted -> assessed -> offered -> accepted or declined ->
started -> closed). Everything is generated with numpy and pyarrow in chunks of people, one
row group per chunk, so memory stays flat whatever --events is. The files carry the snapshot
schema and are marked synthetic. Write them outside the checkout (a directory in /tmp).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, vocabulary
from bridgeway.insight.perturbation import record_key
from bridgeway.insight.snapshot import METADATA_KEY, SCHEMA_VERSION, SNAPSHOT_SCHEMA

DATA = Path(__file__).resolve().parent.parent / "bridgeway" / "places" / "data"
# The stages a person reaches, in order, and how likely each is given the one before.
PATH = ["referred", "contacted", "assessed", "offered", "accepted", "started", "closed"]
CONTINUE = [0.85, 0.8, 0.75, 0.7, 0.9, 0.8]
EVENTS_PER_PERSON = 1 + sum(np.cumprod(CONTINUE))  # about 4.1
MISSING_SHARE = 0.15


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def census_cells() -> tuple[list[str], list[str], list[str], np.ndarray]:
    """Every (district, force area, ethnic group) with its Census 2021 residents."""
    to_current = {
        row["LAD22CD"]: row["LAD23CD"]
        for row in _rows("lad22_lad23_lookup_uk.csv")
        if row["LAD23CD"][:1] in {"E", "W"}
    }
    force_of = {row["LAD24CD"]: row["PFA24CD"] for row in _rows("lad24_csp24_pfa24_lookup_ew.csv")}
    code_of = {term.label: term.code for term in vocabulary("ethnic_groups")}
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for row in _rows("census2021_ethnic_group_lad.csv"):
        district = to_current[row["lad21cd"]]
        totals[(district, code_of[row["ethnic_group"].split(": ", 1)[1]])] += int(row["count"])
    keys = sorted(totals)
    return (
        [district for district, _ in keys],
        [force_of[district] for district, _ in keys],
        [group for _, group in keys],
        np.array([totals[key] for key in keys], dtype=np.float64),
    )


def _strings(indices: np.ndarray, values: list[str]) -> pa.Array:
    dictionary = pa.array(values, type=pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(indices, type=pa.int32()), dictionary).cast(
        pa.string()
    )


def _chunk(
    rng: np.random.Generator, first_person: int, people: int, cells: tuple, weights: np.ndarray
) -> pa.Table:
    districts, forces, groups, _counts = cells
    cell = rng.choice(len(weights), size=people, p=weights)
    depth = np.ones(people, dtype=np.int64)
    alive = np.ones(people, dtype=bool)
    for chance in CONTINUE:
        alive &= rng.random(people) < chance
        depth += alive
    person = np.repeat(np.arange(first_person, first_person + people), depth)
    events = len(person)
    starts = np.cumsum(depth) - depth
    stage_index = np.arange(events) - np.repeat(starts, depth)
    # A fifth of those offered support decline it instead of accepting.
    declined = np.repeat(rng.random(people) < 0.2, depth) & (stage_index == 4)
    stage_names = [*PATH, "declined"]
    stage = np.where(declined, len(PATH), stage_index)
    cell_of_event = np.repeat(cell, depth)
    district_names = sorted(set(districts))
    district_number = {name: n for n, name in enumerate(district_names)}
    force_names = sorted(set(forces))
    force_number = {name: n for n, name in enumerate(force_names)}
    group_names = [*vocabulary("ethnic_groups").ordered_codes(), *NOT_KNOWN_CODES]
    group_number = {name: n for n, name in enumerate(group_names)}
    district_index = np.array([district_number[d] for d in districts])[cell_of_event]
    force_index = np.array([force_number[f] for f in forces])[cell_of_event]
    group_of_person = np.array([group_number[g] for g in groups])[cell]
    missing = rng.random(people) < MISSING_SHARE
    group_of_person = np.where(
        missing, 19 + rng.integers(0, len(NOT_KNOWN_CODES), people), group_of_person
    )
    start_day = rng.integers(0, 365, people)
    day = np.repeat(start_day, depth) + stage_index * 3
    occurred = pa.array(
        (np.datetime64("2025-01-01") + day.astype("timedelta64[D]")).astype("datetime64[D]"),
        type=pa.date32(),
    )

    def per_person(names: list[str]) -> pa.Array:
        return _strings(np.repeat(rng.integers(0, len(names), people), depth), names)

    service = np.repeat(rng.integers(0, 400, people), depth)
    specialist = service % 4 == 0
    has_disability = rng.random(events) < 0.2
    disabilities = vocabulary("disabilities").ordered_codes()
    offsets = np.concatenate([[0], np.cumsum(has_disability)]).astype(np.int32)
    disability_values = _strings(
        rng.integers(0, len(disabilities), int(has_disability.sum())), disabilities
    )
    harm = pa.ListArray.from_arrays(
        pa.array(np.arange(events + 1, dtype=np.int32)),
        _strings(np.zeros(events, dtype=np.int64), ["serious_violence"]),
    )
    closed = stage == PATH.index("closed")
    coped = pa.array(
        np.where(closed, rng.random(events) < 0.7, False), mask=~closed, type=pa.bool_()
    )
    # Pseudonyms as the snapshot holds them: 32 random-looking bytes each (decision 0130),
    # not short numbers, which would flatter every group-by and join on them.
    person_key = _digests(rng, people)
    columns = {
        "event_id": _digests(rng, events),
        "person_key": person_key.take(pa.array(person - first_person)),
        # One number a person, and their record key, as the snapshot writer gives them
        # (decision 0150).
        "person_number": pa.array(person, pa.int32()),
        "record_key": pa.array(
            [record_key(key.hex()) for key in person_key.to_pylist()], pa.int64()
        ).take(pa.array(person - first_person)),
        "case_key": person_key.take(pa.array(person - first_person)),
        "organisation_key": pa.array(service // 2).cast(pa.string()),
        "service_key": pa.array(service).cast(pa.string()),
        "organisation_kind": _strings(specialist.astype(np.int64), ["universal", "specialist"]),
        "service_specialist": pa.array(specialist),
        "stage": _strings(stage, stage_names),
        "occurred_on": occurred,
        "lad_code": _strings(district_index, district_names),
        "pfa_code": _strings(force_index, force_names),
        "ethnic_group": _strings(np.repeat(group_of_person, depth), group_names),
        "age_band": per_person(vocabulary("age_bands").ordered_codes()),
        "sex": per_person(vocabulary("sexes").ordered_codes()),
        "sexual_orientation": per_person(vocabulary("sexual_orientations").ordered_codes()),
        "religion": per_person(vocabulary("religions").ordered_codes()),
        "disabilities": pa.ListArray.from_arrays(pa.array(offsets), disability_values),
        "harm_types": harm,
        "hate_strands": pa.ListArray.from_arrays(
            pa.array(np.zeros(events + 1, dtype=np.int32)), pa.array([], type=pa.string())
        ),
        "channel": per_person(["self", "police"]),
        "coped_better": coped,
        "decline_reason": pa.nulls(events, pa.string()),
    }
    return pa.table(columns).cast(SNAPSHOT_SCHEMA)


def _digests(rng: np.random.Generator, count: int) -> pa.Array:
    """``count`` random 32-byte values, as a snapshot's keyed hashes look to a reader."""
    data = rng.bytes(32 * count)
    return pa.FixedSizeBinaryArray.from_buffers(pa.binary(32), count, [None, pa.py_buffer(data)])


def generate(out: Path, *, events: int, parts: int, seed: int) -> int:
    """Write about ``events`` events in ``parts`` part files; returns the number written."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("events-*.parquet"):
        old.unlink()
    rng = np.random.default_rng(seed)
    cells = census_cells()
    counts = cells[3]
    # Some groups are reached less (made-up factors; the point is that they differ).
    reach = np.array([0.6 if g.startswith(("asian", "black")) else 1.0 for g in cells[2]])
    weights = counts * reach
    weights /= weights.sum()
    people_per_part = int(events / EVENTS_PER_PERSON / parts)
    chunk = 200_000
    written = 0
    first = 0
    for part in range(parts):
        at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=part)
        metadata = {
            "schema_version": SCHEMA_VERSION,
            "written_at": at.isoformat(),
            "synthetic": True,
        }
        schema = SNAPSHOT_SCHEMA.with_metadata({METADATA_KEY: json.dumps(metadata).encode()})
        path = out / f"events-{at:%Y%m%dT%H%M%S%f}Z.parquet"
        with pq.ParquetWriter(path, schema) as writer:
            remaining = people_per_part
            while remaining > 0:
                size = min(chunk, remaining)
                table = _chunk(rng, first, size, cells, weights)
                writer.write_table(table.replace_schema_metadata(schema.metadata))
                written += table.num_rows
                first += size
                remaining -= size
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--parts", type=int, default=10)
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="directory to write the part files to (outside the checkout's var/)",
    )
    parser.add_argument("--seed", type=int, default=2021)
    arguments = parser.parse_args()
    started = time.perf_counter()
    written = generate(
        arguments.out, events=arguments.events, parts=arguments.parts, seed=arguments.seed
    )
    seconds = time.perf_counter() - started
    print(f"Wrote {written:,} events to {arguments.out} in {seconds:.1f} s")


if __name__ == "__main__":
    main()

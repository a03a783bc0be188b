"""Benchmark: load the ONSPD range lookup and resolve every postcode of the ONSPD sample.

Run from the repository root: ``.venv/bin/python bench/places_postcode_lookup.py``.
Pure Python, no Django: it measures what the front door pays per search and per process.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

from bridgeway.places.postcodes import Postcode, PostcodeLookup, parse_location

ROOT = Path(__file__).resolve().parent.parent
LOOKUP = ROOT / "bridgeway" / "places" / "data" / "postcode_lad22_range_lookup_mysociety.json"
SAMPLE = ROOT.parent / "shared" / "data" / "onspd_nov2022_sample_ew.csv"


def main() -> None:
    started = time.perf_counter()
    lookup = PostcodeLookup.from_file(LOOKUP)
    loaded = time.perf_counter()
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = [(row["pcd"], row["oslaua"]) for row in csv.DictReader(handle)]
    parsed = [parse_location(text) for text, _ in rows]
    resolving = time.perf_counter()
    wrong = 0
    for postcode, (_text, published) in zip(parsed, rows, strict=True):
        assert isinstance(postcode, Postcode)
        wrong += lookup.district(postcode) != published
    done = time.perf_counter()
    print(f"load lookup: {(loaded - started) * 1000:.0f} ms")
    print(
        f"resolve {len(rows):,} postcodes: {(done - resolving) * 1000:.0f} ms "
        f"({(done - resolving) / len(rows) * 1e6:.2f} µs each), {wrong} differ from ONSPD"
    )


if __name__ == "__main__":
    main()

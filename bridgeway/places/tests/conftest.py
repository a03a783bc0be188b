"""Fixtures for the places tests: the ONSPD sample and the lookups, read once per session."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.conf import settings

from bridgeway.places.postcodes import PostcodeLookup
from bridgeway.places.services import DATA_DIR, lad22_to_current

SHARED_DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
LOOKUP_FILE = DATA_DIR / "postcode_lad22_range_lookup_mysociety.json"


@pytest.fixture(scope="session")
def onspd_sample() -> list[tuple[str, str]]:
    """Every (postcode, published oslaua) pair of the ONSPD November 2022 sample."""
    path = SHARED_DATA / "onspd_nov2022_sample_ew.csv"
    if not path.exists():
        pytest.skip(f"the shared ONSPD sample is not at {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["pcd"], row["oslaua"]) for row in csv.DictReader(handle)]


@pytest.fixture(scope="session")
def raw_lookup() -> PostcodeLookup:
    """The lookup as published: LAD22 codes, nothing carried."""
    return PostcodeLookup.from_file(LOOKUP_FILE)


@pytest.fixture(scope="session")
def carried_lookup() -> PostcodeLookup:
    """The lookup Bridgeway uses: LAD22 codes carried to current districts."""
    return PostcodeLookup.from_file(LOOKUP_FILE, lad22_to_current())

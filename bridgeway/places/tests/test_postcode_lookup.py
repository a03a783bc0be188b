"""The ONSPD range lookup against the published ONSPD sample, raw and carried."""

from __future__ import annotations

import time

from bridgeway.places.postcodes import Postcode, PostcodeLookup, parse_location
from bridgeway.places.services import lad22_to_current

MERGED_2023 = {"E06000063", "E06000064", "E06000065", "E06000066"}


def test_the_sample_has_every_row_of_the_published_file(onspd_sample):
    assert len(onspd_sample) == 90_599


def test_every_sample_postcode_resolves_to_its_published_district_quickly(onspd_sample, raw_lookup):
    started = time.perf_counter()
    wrong = []
    for text, published in onspd_sample:
        postcode = parse_location(text)
        found = raw_lookup.district(postcode)
        if found != published:
            wrong.append((text, published, found))
    elapsed = time.perf_counter() - started
    assert wrong == []
    assert elapsed < 5, f"resolving the sample took {elapsed:.1f} s"


def test_every_sample_postcode_parses_as_a_full_postcode(onspd_sample):
    for text, _published in onspd_sample[::50]:
        assert str(parse_location(text)).replace(" ", "") == text.replace(" ", "")


def test_carried_lookup_maps_merged_2023_districts_to_their_successors(
    onspd_sample, carried_lookup
):
    carry = lad22_to_current()
    merged_rows = [(t, p) for t, p in onspd_sample if carry.get(p, p) in MERGED_2023]
    # Cumbria, North Yorkshire and Somerset all appear in the sample.
    assert {carry[p] for _t, p in merged_rows} == MERGED_2023
    for text, published in merged_rows:
        assert carried_lookup.district(parse_location(text)) == carry[published]


def test_carried_lookup_gives_every_sample_postcode_a_current_code(onspd_sample, carried_lookup):
    carry = lad22_to_current()
    for text, published in onspd_sample:
        assert carried_lookup.district(parse_location(text)) == carry.get(published, published)


def test_named_merged_examples_resolve_to_the_new_unitary_districts(carried_lookup):
    # Carlisle → Cumberland, Harrogate → North Yorkshire, Taunton → Somerset.
    assert carried_lookup.district(parse_location("CA3 8QG")) == "E06000063"
    assert carried_lookup.district(parse_location("HG1 2RH")) == "E06000065"
    assert carried_lookup.district(parse_location("TA1 1HE")) == "E06000066"


def test_a_postcode_before_the_first_key_has_no_district():
    # Keys are base-36 numbers, so a shorter postcode sorts before every longer one.
    lookup = PostcodeLookup([int("B11AA", 36)], ["E08000025"])
    assert lookup.district(Postcode("A1", "1AA")) is None
    assert lookup.district(Postcode("B1", "1AA")) == "E08000025"

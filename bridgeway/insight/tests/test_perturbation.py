"""The cell key method's pure module: properties every published count relies on."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.insight import perturbation
from bridgeway.insight.perturbation import (
    KEY_MODULUS,
    MAX_PERTURBATION,
    PERTURBATION_TABLE,
    SLOTS,
    KeyedCount,
    bounds,
    combine,
    keyed,
    perturb,
    record_key,
)

counts = st.integers(min_value=0, max_value=100_000)
keys = st.integers(min_value=0, max_value=KEY_MODULUS - 1)
pseudonyms = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)


@given(counts, keys)
def test_the_same_cell_is_always_perturbed_the_same_way(count, key):
    assert perturb(KeyedCount(count, key)) == perturb(KeyedCount(count, key))


@given(counts, keys)
def test_a_count_moves_at_most_the_maximum_and_never_below_one(count, key):
    published = perturb(KeyedCount(count, key))
    assert abs(published - count) <= MAX_PERTURBATION
    assert published >= (1 if count else 0)


@given(keys)
def test_zero_stays_zero(key):
    assert perturb(KeyedCount(0, key)) == 0


@given(counts, keys, st.integers(min_value=1, max_value=20))
def test_what_a_reader_can_infer_always_holds_the_truth(count, key, threshold):
    published = perturb(KeyedCount(count, key))
    shown = None if perturbation.is_hidden(published, threshold) else published
    low, high = bounds(shown, threshold)
    assert low <= count
    assert high is None or count <= high


@given(st.sets(pseudonyms, min_size=1, max_size=30))
def test_the_same_people_give_the_same_cell_key_in_any_order(people):
    forwards = keyed(sorted(people))
    backwards = keyed(sorted(people, reverse=True))
    assert forwards == backwards
    assert forwards.count == len(people)


@given(st.sets(pseudonyms, min_size=2, max_size=30), st.integers(min_value=1))
def test_a_union_of_disjoint_cells_has_the_key_of_its_people(people, cut):
    ordered = sorted(people)
    split = cut % (len(ordered) - 1) + 1
    assert combine([keyed(ordered[:split]), keyed(ordered[split:])]) == keyed(ordered)


def test_record_keys_match_the_sql_that_computes_them():
    import duckdb

    from bridgeway.insight.needs_assessment import RECORD_KEY_SQL

    person = hashlib.sha256(b"someone").hexdigest()
    with duckdb.connect() as connection:
        (from_sql,) = connection.execute(
            f"SELECT {RECORD_KEY_SQL} FROM (SELECT $p AS person_key)",  # noqa: S608
            # The snapshot holds the pseudonym's 32 bytes; Python reads its hexadecimal text.
            {"p": bytes.fromhex(person)},
        ).fetchall()[0]
    assert from_sql == record_key(person)


def test_every_row_of_the_table_fills_every_slot_and_large_counts_are_unbiased():
    for count, row in PERTURBATION_TABLE.items():
        assert len(row) == SLOTS
        assert all(count + change >= 1 for change in row)
    largest = PERTURBATION_TABLE[max(PERTURBATION_TABLE)]
    assert sum(largest) == 0
    assert set(largest) == set(range(-MAX_PERTURBATION, MAX_PERTURBATION + 1))


def test_cell_keys_from_pseudonyms_spread_the_changes_evenly():
    # 7,000 cells of 50 people each: every change from -3 to +3 about as often.
    seen = Counter(
        perturb(keyed(hashlib.sha256(f"{cell}-{n}".encode()).hexdigest() for n in range(50))) - 50
        for cell in range(7_000)
    )
    assert set(seen) == set(range(-MAX_PERTURBATION, MAX_PERTURBATION + 1))
    assert min(seen.values()) > 800


def test_bad_counts_and_keys_are_refused():
    with pytest.raises(ValueError, match="negative"):
        KeyedCount(-1, 0)
    with pytest.raises(ValueError, match="cell key"):
        KeyedCount(1, KEY_MODULUS)

"""Each district's share of a postcode district (pure: no database)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.places.shares import PRIOR, outcode_shares, share_covered

counts_lists = st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=7)


def test_bd3_is_nearly_all_bradford():
    # BD3 in the ONSPD sample: Bradford 33 postcodes, Leeds 1.
    bradford, leeds = outcode_shares([33, 1])
    assert bradford == pytest.approx(33.5 / 35)
    assert leeds == pytest.approx(1.5 / 35)
    assert bradford > 0.95 > 0.05 > leeds


def test_one_district_is_all_of_it():
    assert outcode_shares([0]) == (1.0,)
    assert outcode_shares([47]) == (1.0,)


def test_a_district_with_none_in_the_sample_keeps_a_small_share():
    main, sliver = outcode_shares([33, 0])
    assert 0 < sliver < 0.02 < main


def test_an_outcode_with_nothing_in_the_sample_splits_evenly():
    assert outcode_shares([0, 0, 0]) == pytest.approx((1 / 3, 1 / 3, 1 / 3))


def test_no_districts_no_shares():
    assert outcode_shares([]) == ()


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError, match="negative"):
        outcode_shares([3, -1])


@given(counts_lists)
def test_shares_are_positive_and_sum_to_one(counts):
    shares = outcode_shares(counts)
    assert len(shares) == len(counts)
    assert all(share > 0 for share in shares)
    assert math.isclose(sum(shares), 1.0)


@given(counts_lists)
def test_a_larger_count_never_has_a_smaller_share(counts):
    shares = outcode_shares(counts)
    for i, a in enumerate(counts):
        for j, b in enumerate(counts):
            if a > b:
                assert shares[i] > shares[j]
            if a == b:
                assert shares[i] == shares[j]


@given(counts_lists, st.integers(min_value=2, max_value=20))
def test_shares_tend_to_the_counts_as_the_sample_grows(counts, times):
    # Scaling every count up moves each share towards count / total, never away from it.
    if sum(counts) == 0 or len(counts) == 1:
        return
    total = sum(counts)
    before = outcode_shares(counts)
    after = outcode_shares([c * times for c in counts])
    for count, was, now in zip(counts, before, after, strict=True):
        assert abs(now - count / total) <= abs(was - count / total) + 1e-12


@given(counts_lists, st.data())
def test_the_share_covered_is_the_sum_of_the_districts_covered(counts, data):
    shares = outcode_shares(counts)
    covered = data.draw(st.sets(st.integers(min_value=0, max_value=len(counts) - 1)))
    share = share_covered(shares, covered)
    assert 0.0 <= share <= 1.0
    if len(covered) == len(counts):
        assert share == 1.0
    else:
        assert share == pytest.approx(sum(shares[i] for i in covered))
    # Covering one more district never covers less.
    for extra in range(len(counts)):
        assert share_covered(shares, covered | {extra}) >= share


def test_the_prior_is_half_a_postcode():
    assert PRIOR == 0.5

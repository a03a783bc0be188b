"""The fast path (numbers-only scores, top-N by heap) gives exactly the reference ranking.

``rank`` and ``fallback`` weigh every service with its reasons and sort them all; people must
see the same services, in the same order, with the same reasons and cautions, whichever runs.
Pure: no database.
"""

from __future__ import annotations

import random
import string
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bridgeway.directory.matching import (
    CHARGES,
    COST_NOT_STATED,
    FREE,
    Need,
    Preferences,
    ServiceProfile,
    answer,
    fallback,
    fallback_top,
    rank,
    rank_top,
    reach,
    score,
)
from bridgeway.places.shares import outcode_shares

DISTRICTS = ["E08000032", "E08000035", "E08000034", "E08000025", "E06000055", "E06000032"]
FORCES = ["E23000010", "E23000014", "E23000026"]
LANGUAGES = ["urd", "pan", "eng", "pol", "som"]
HARMS = ["hate_incident", "domestic_abuse", "fraud", "hate_crime"]
GROUPS = ["asian_pakistani", "black_african", "white_irish"]
RELIGIONS = ["muslim", "sikh", "jewish"]
FORMATS = ["audio", "video", "bsl", "easy_read", "interpreters"]
INDEPENDENCE = ["independent", "commissioned", "police_linked", "statutory"]

ages = st.one_of(st.none(), st.integers(0, 40))
profiles = st.builds(
    ServiceProfile,
    id=st.uuids().map(str),
    # Few names, in both cases, so ties on score are broken by name, case and id.
    name=st.sampled_from(["Alpha", "alpha", "Beta", "Gamma", "ÉCLAIR", "éclair"]),
    organisation_name=st.just("Org"),
    district_codes=st.frozensets(st.sampled_from(DISTRICTS), max_size=2),
    pfa_codes=st.frozensets(st.sampled_from(FORCES), max_size=1),
    is_national=st.booleans(),
    accepts_out_of_area=st.booleans(),
    languages=st.frozensets(st.sampled_from(LANGUAGES), max_size=3),
    harm_types=st.frozensets(st.sampled_from(HARMS), max_size=3),
    ethnic_groups=st.frozensets(st.sampled_from(GROUPS), max_size=1),
    religions=st.frozensets(st.sampled_from(RELIGIONS), max_size=1),
    independence=st.sampled_from(INDEPENDENCE),
    lived_experience=st.booleans(),
    worker_gender_choice=st.booleans(),
    self_referral=st.booleans(),
    minimum_age=ages,
    maximum_age=st.one_of(st.none(), st.integers(40, 90)),
    waiting_weeks=st.one_of(st.none(), st.integers(0, 20)),
    is_specialist=st.booleans(),
    formats=st.frozensets(st.sampled_from(FORMATS), max_size=3),
    trauma_informed=st.booleans(),
    restorative_justice=st.booleans(),
    cost=st.sampled_from([FREE, CHARGES, COST_NOT_STATED]),
)
preferences = st.builds(
    Preferences,
    independent_of_police=st.booleans(),
    same_community=st.booleans(),
    worker_gender=st.sampled_from([None, "female", "male"]),
    lived_experience=st.booleans(),
    self_referral=st.booleans(),
    trauma_informed=st.booleans(),
    formats=st.lists(st.sampled_from(FORMATS), max_size=3, unique=True).map(tuple),
    free_only=st.booleans(),
)
whole_needs = st.builds(
    Need,
    district_codes=st.lists(st.sampled_from(DISTRICTS), min_size=0, max_size=2, unique=True).map(
        tuple
    ),
    pfa_codes=st.lists(st.sampled_from(FORCES), max_size=1, unique=True).map(tuple),
    harm_types=st.lists(st.sampled_from(HARMS), max_size=3, unique=True).map(tuple),
    languages=st.lists(st.sampled_from(LANGUAGES), max_size=3, unique=True).map(tuple),
    age=st.one_of(st.none(), st.integers(5, 80)),
    ethnic_group=st.sampled_from([None, *GROUPS]),
    religion=st.sampled_from([None, *RELIGIONS]),
    preferences=preferences,
)


@st.composite
def _with_shares(draw, need: Need) -> Need:
    """Half the needs as postcode districts: shares and a force for each district."""
    if len(need.district_codes) < 2 or draw(st.booleans()):
        return need
    counts = draw(
        st.lists(
            st.integers(0, 60), min_size=len(need.district_codes), max_size=len(need.district_codes)
        )
    )
    forces = draw(st.lists(st.sampled_from(FORCES), min_size=len(counts), max_size=len(counts)))
    return replace(
        need,
        district_shares=outcode_shares(counts),
        district_pfa_codes=tuple(forces),
        pfa_codes=tuple(dict.fromkeys(forces)),
    )


needs = whole_needs.flatmap(_with_shares)
neighbour_sets = st.frozensets(st.sampled_from(DISTRICTS), max_size=3)


@settings(max_examples=400, deadline=None)
@given(
    need=needs,
    directory=st.lists(profiles, max_size=30),
    neighbours=neighbour_sets,
    limit=st.integers(1, 12),
)
def test_rank_top_is_the_reference_ranking_cut_at_the_limit(need, directory, neighbours, limit):
    fast = rank_top(need, directory, neighbours=neighbours, limit=limit)
    assert fast == rank(need, directory, neighbours=neighbours)[:limit]


@settings(max_examples=400, deadline=None)
@given(
    need=needs,
    directory=st.lists(profiles, max_size=30),
    neighbours=neighbour_sets,
    limit=st.integers(1, 12),
)
def test_fallback_top_is_the_reference_fallback_cut_at_the_limit(
    need, directory, neighbours, limit
):
    fast = fallback_top(need, directory, neighbours=neighbours, limit=limit)
    assert fast == fallback(need, directory, neighbours=neighbours)[:limit]


@settings(max_examples=300, deadline=None)
@given(need=needs, profile=profiles, neighbours=neighbour_sets)
def test_the_numbers_only_score_is_the_score_with_reasons(need, profile, neighbours):
    [reference] = fallback(need, [profile], neighbours=neighbours)
    area = reach(need, profile, neighbours)
    assert area is reference.area
    assert score(need, profile, area) == reference.score


def _generated_directory(rng: random.Random, size: int) -> list[ServiceProfile]:
    """A directory shaped like bench/directory_generate.py's: mostly local, a few from
    anywhere, a few national, with names that collide in case and spelling."""
    directory = []
    for n in range(size):
        reach_roll = rng.random()
        directory.append(
            ServiceProfile(
                id=f"{n:05d}-" + "".join(rng.choices(string.ascii_lowercase, k=6)),
                name=rng.choice(["Support", "support", "Advice", "Helpline"]) + f" {n % 40}",
                organisation_name="Org",
                district_codes=(
                    frozenset(rng.sample(DISTRICTS, rng.randint(1, 2)))
                    if reach_roll < 0.9
                    else frozenset()
                ),
                pfa_codes=frozenset({rng.choice(FORCES)}) if reach_roll >= 0.9 else frozenset(),
                is_national=reach_roll > 0.99,
                accepts_out_of_area=rng.random() < 0.05,
                languages=frozenset(rng.sample(LANGUAGES, rng.randint(1, 3))),
                harm_types=frozenset(rng.sample(HARMS, rng.randint(1, 3))),
                ethnic_groups=frozenset(rng.sample(GROUPS, 1))
                if rng.random() < 0.3
                else frozenset(),
                religions=frozenset(rng.sample(RELIGIONS, 1))
                if rng.random() < 0.2
                else frozenset(),
                independence=rng.choice(INDEPENDENCE),
                lived_experience=rng.random() < 0.3,
                worker_gender_choice=rng.random() < 0.3,
                self_referral=rng.random() < 0.8,
                minimum_age=rng.choice([None, None, 11, 16, 18]),
                maximum_age=rng.choice([None, None, None, 25, 65]),
                waiting_weeks=rng.choice([None, 0, 1, 2, 6, 12]),
                is_specialist=rng.random() < 0.3,
                formats=frozenset(rng.sample(FORMATS, rng.randint(0, 2))),
                trauma_informed=rng.random() < 0.5,
                restorative_justice=rng.random() < 0.2,
            )
        )
    return directory


def _generated_need(rng: random.Random) -> Need:
    return Need(
        district_codes=(rng.choice(DISTRICTS),),
        pfa_codes=(rng.choice(FORCES),),
        harm_types=tuple(rng.sample(HARMS, rng.randint(0, 2))),
        languages=tuple(rng.sample(LANGUAGES, rng.randint(0, 2))),
        age=rng.choice([None, 15, 30, 70]),
        ethnic_group=rng.choice([None, *GROUPS]),
        religion=rng.choice([None, *RELIGIONS]),
        preferences=Preferences(
            independent_of_police=rng.random() < 0.5,
            same_community=rng.random() < 0.3,
            worker_gender=rng.choice([None, None, "female"]),
            lived_experience=rng.random() < 0.3,
            self_referral=rng.random() < 0.5,
            trauma_informed=rng.random() < 0.3,
            formats=tuple(rng.sample(FORMATS, rng.randint(0, 2))),
        ),
    )


def test_generated_directories_rank_the_same_with_the_same_reasons():
    rng = random.Random(19)
    for size in (50, 400, 2_000):
        directory = _generated_directory(rng, size)
        for _ in range(40):
            need = _generated_need(rng)
            neighbours = frozenset(rng.sample(DISTRICTS, 2)) - set(need.district_codes)
            for limit in (1, 10, 50):
                fast = answer(need, directory, neighbours=neighbours, limit=limit)
                reference = rank(need, directory, neighbours=neighbours)[:limit]
                assert fast.results == reference
                if not reference:
                    wider = fallback(need, directory, neighbours=neighbours)[:limit]
                    assert fast.fallback == wider

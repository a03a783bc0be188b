"""The demo's synthetic people: census-shaped, bent by propensity, with valid codes."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgeway.casework.services import stage_can_follow
from bridgeway.demo import population
from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, vocabulary

# West Yorkshire's census 2021 counts for its largest groups (rounded), enough to shape draws.
WEST_YORKSHIRE = {
    "white_british": 1_693_000,
    "asian_pakistani": 251_600,
    "white_other": 87_000,
    "asian_indian": 63_500,
    "black_african": 47_000,
    "other_any": 28_200,
    "white_roma": 4_000,
}
NOW = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
NEUTRAL = {group: 1.0 for group in WEST_YORKSHIRE}
ETHNIC_GROUPS = sorted(vocabulary("ethnic_groups").codes)


def test_draws_follow_census_shares_when_everyone_is_reached_alike():
    draws = population.draw_ethnic_groups(random.Random(7), WEST_YORKSHIRE, 60_000, NEUTRAL)

    shares = population.census_shares(WEST_YORKSHIRE)
    for group, share in shares.items():
        assert draws.count(group) / len(draws) == pytest.approx(share, abs=0.006)


def test_draws_follow_census_shares_bent_by_referral_propensity():
    draws = population.draw_ethnic_groups(random.Random(8), WEST_YORKSHIRE, 60_000)

    for group, share in population.referred_mix(WEST_YORKSHIRE).items():
        assert draws.count(group) / len(draws) == pytest.approx(share, abs=0.006)


def test_minority_groups_are_referred_less_than_their_share_of_the_population():
    census = population.census_shares(WEST_YORKSHIRE)
    referred = population.referred_mix(WEST_YORKSHIRE)

    assert referred["white_british"] > census["white_british"]
    for group in WEST_YORKSHIRE.keys() - {"white_british"}:
        assert referred[group] < census[group]


def test_minority_groups_take_support_up_more_often_once_offered():
    def take_up(group: str) -> float:
        rng = random.Random(group)
        offered = accepted = 0
        for _ in range(4_000):
            journey = population.plan_journey(
                rng,
                true_ethnic_group=group,
                channel="self",
                received_at=NOW - dt.timedelta(days=300),
                now=NOW,
            )
            stages = [stage for stage, _at in journey.stages]
            if "accepted" in stages or "declined" in stages:
                offered += 1
                accepted += "accepted" in stages
        return accepted / offered

    assert take_up("asian_pakistani") > take_up("white_british") + 0.1


@settings(max_examples=60, deadline=None)
@given(
    counts=st.dictionaries(
        st.sampled_from(ETHNIC_GROUPS), st.integers(min_value=1, max_value=10**7), min_size=1
    ),
    propensity=st.floats(min_value=0.05, max_value=3.0),
)
def test_referred_mix_is_a_distribution_over_the_same_groups(counts, propensity):
    mix = population.referred_mix(counts, dict.fromkeys(counts, propensity))

    assert set(mix) == set(counts)
    assert sum(mix.values()) == pytest.approx(1.0)
    assert all(share >= 0 for share in mix.values())


@settings(max_examples=60, deadline=None)
@given(
    weights=st.dictionaries(
        st.text(min_size=1, max_size=5), st.floats(min_value=0, max_value=100), min_size=1
    ),
    seed=st.integers(),
)
def test_weighted_choice_never_draws_a_zero_weight(weights, seed):
    if not any(weight > 0 for weight in weights.values()):
        with pytest.raises(ValueError, match="positive"):
            population.WeightedChoice(weights)
        return
    chooser = population.WeightedChoice(weights)
    rng = random.Random(seed)

    for _ in range(50):
        assert weights[chooser.draw(rng)] > 0


@settings(max_examples=80, deadline=None)
@given(group=st.sampled_from(ETHNIC_GROUPS), seed=st.integers(), police=st.booleans())
def test_synthetic_people_only_carry_vocabulary_codes(group, seed, police):
    rng = random.Random(seed)
    person = population.draw_person(rng, true_ethnic_group=group, police_referral=police)
    harms, strands = population.draw_harms(rng, person)

    assert person.ethnic_group in {group, *NOT_KNOWN_CODES}
    assert person.age_band in vocabulary("age_bands").codes | set(NOT_KNOWN_CODES)
    assert person.sex in vocabulary("sexes").codes | set(NOT_KNOWN_CODES)
    assert person.religion in vocabulary("religions").codes | set(NOT_KNOWN_CODES)
    assert person.sexual_orientation in vocabulary("sexual_orientations").codes | set(
        NOT_KNOWN_CODES
    )
    assert person.language in vocabulary("languages").codes
    assert set(person.disabilities) <= vocabulary("disabilities").codes
    assert person.disability_status in {"recorded", *NOT_KNOWN_CODES}
    assert set(harms) <= vocabulary("harm_types").codes
    assert set(strands) <= vocabulary("hate_strands").codes
    assert bool(strands) == bool(population.HATE_HARMS.intersection(harms))


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(),
    group=st.sampled_from(ETHNIC_GROUPS),
    channel=st.sampled_from(["police", "self", "other_agency", "third_party_report"]),
    days_ago=st.floats(min_value=0.01, max_value=400),
)
def test_journeys_move_only_forwards_and_never_into_the_future(seed, group, channel, days_ago):
    received_at = NOW - dt.timedelta(days=days_ago)

    journey = population.plan_journey(
        random.Random(seed),
        true_ethnic_group=group,
        channel=channel,
        received_at=received_at,
        now=NOW,
    )

    current, previous_at = "referred", received_at
    for stage, at in journey.stages:
        assert stage_can_follow(current, stage)
        assert previous_at <= at < NOW
        current, previous_at = stage, at
    if journey.coped_better is not None:
        assert current == "closed"


def test_same_seed_gives_the_same_journeys():
    def journeys(seed: int) -> list[population.Journey]:
        rng = random.Random(seed)
        return [
            population.plan_journey(
                rng,
                true_ethnic_group="black_african",
                channel="police",
                received_at=population.received_moment(rng, NOW),
                now=NOW,
            )
            for _ in range(200)
        ]

    assert journeys(3) == journeys(3)
    assert journeys(3) != journeys(4)


def _profile(key: str, **fields: object) -> population.ServiceProfile:
    defaults: dict[str, object] = {
        "area_codes": frozenset({"E23000010"}),
        "district_codes": frozenset(),
        "is_national": False,
        "is_specialist": False,
        "harm_types": frozenset(),
    }
    defaults.update(fields)
    return population.ServiceProfile(key=key, **defaults)  # type: ignore[arg-type]


def _person(**fields: str) -> population.SyntheticPerson:
    values = {
        "true_ethnic_group": "asian_pakistani",
        "ethnic_group": "asian_pakistani",
        "age_band": "25_34",
        "sex": "female",
        "sexual_orientation": "straight",
        "religion": "muslim",
        "disabilities": (),
        "disability_status": "recorded",
        "language": "urd",
    }
    values.update(fields)
    return population.SyntheticPerson(**values)  # type: ignore[arg-type]


def test_services_out_of_reach_or_for_other_harms_or_ages_are_never_chosen():
    elsewhere = _profile("elsewhere", area_codes=frozenset({"E23000014"}))
    other_district = _profile("other-district", district_codes=frozenset({"E08000033"}))
    wrong_harm = _profile("wrong-harm", harm_types=frozenset({"fraud"}))
    youth = _profile("youth", maximum_age=25, is_specialist=True, lived_experience=True)
    fitting = _profile("fitting")
    rng = random.Random(1)

    chosen = {
        population.choose_service(
            rng,
            [elsewhere, other_district, wrong_harm, youth, fitting],
            area_code="E23000010",
            district_code="E08000032",
            person=_person(age_band="45_54"),
            main_harm="domestic_abuse",
        )
        for _ in range(300)
    }

    assert {profile.key for profile in chosen if profile} == {"fitting"}


def test_specialist_service_takes_most_of_the_people_it_was_built_for():
    universal = _profile("universal")
    specialist = _profile(
        "specialist",
        is_specialist=True,
        ethnic_groups=frozenset({"asian_pakistani"}),
        languages=frozenset({"urd"}),
    )
    rng = random.Random(2)

    def share(person: population.SyntheticPerson) -> float:
        picks = [
            population.choose_service(
                rng,
                [universal, specialist],
                area_code="E23000010",
                district_code=None,
                person=person,
                main_harm="sexual_violence",
            )
            for _ in range(2_000)
        ]
        return sum(1 for p in picks if p and p.key == "specialist") / len(picks)

    assert share(_person()) > 0.6
    assert (
        share(_person(true_ethnic_group="white_british", religion="christian", language="eng"))
        < 0.1
    )


def test_national_service_is_in_reach_from_any_area():
    national = _profile("national", area_codes=frozenset({"E23000001"}), is_national=True)

    chosen = population.choose_service(
        random.Random(3),
        [national],
        area_code="E23000026",
        district_code="E06000032",
        person=_person(),
        main_harm="other",
    )

    assert chosen == national


@settings(max_examples=50, deadline=None)
@given(seed=st.integers())
def test_received_moments_fall_in_the_past_year(seed):
    moment = population.received_moment(random.Random(seed), NOW)

    assert NOW - dt.timedelta(days=366) <= moment < NOW

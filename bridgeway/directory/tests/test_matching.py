"""The matching rules on small hand-made directories (pure: no database)."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bridgeway.directory.matching import (
    CHARGES,
    COST_NOT_STATED,
    FREE,
    Need,
    Preferences,
    Reason,
    ServiceProfile,
    answer,
    cost_of,
    fallback,
    rank,
)
from bridgeway.places.shares import outcode_shares

BRADFORD, LEEDS, KIRKLEES, BIRMINGHAM, BEDFORD, LUTON = (
    "E08000032",
    "E08000035",
    "E08000034",
    "E08000025",
    "E06000055",
    "E06000032",
)
WEST_YORKSHIRE, WEST_MIDLANDS, BEDFORDSHIRE = "E23000010", "E23000014", "E23000026"


def profile(name: str, **fields) -> ServiceProfile:
    fields.setdefault("id", f"id-{name}")
    return ServiceProfile(name=name, organisation_name=f"{name} Org", **fields)


def names(matches) -> list[str]:
    return [m.name for m in matches]


def codes(reasons: list[Reason]) -> list[str]:
    return [r.code for r in reasons]


BRADFORD_NEED = Need(district_codes=(BRADFORD,), pfa_codes=(WEST_YORKSHIRE,))


# --- hard limits -----------------------------------------------------------------------------


def test_service_in_another_area_that_takes_no_one_from_outside_is_not_a_result():
    services = [profile("Brum", district_codes=frozenset({BIRMINGHAM}))]
    assert rank(BRADFORD_NEED, services, neighbours=()) == []


def test_service_covering_the_police_force_area_is_a_result_that_covers_the_area():
    [match] = rank(
        BRADFORD_NEED, [profile("WY", pfa_codes=frozenset({WEST_YORKSHIRE}))], neighbours=()
    )
    assert match.covers_area
    assert codes(match.reasons)[0] == "covers_police_force_area"


def test_national_service_covers_every_area():
    [match] = rank(BRADFORD_NEED, [profile("National", is_national=True)], neighbours=())
    assert match.covers_area
    assert codes(match.reasons)[0] == "national"


def test_service_handling_none_of_the_harms_asked_is_not_a_result():
    need = replace(BRADFORD_NEED, harm_types=("hate_incident",))
    services = [
        profile(
            "DA only",
            district_codes=frozenset({BRADFORD}),
            harm_types=frozenset({"domestic_abuse"}),
        ),
        profile("Nothing listed", district_codes=frozenset({BRADFORD})),
        profile(
            "Hate", district_codes=frozenset({BRADFORD}), harm_types=frozenset({"hate_incident"})
        ),
    ]
    assert names(rank(need, services, neighbours=())) == ["Hate"]


def test_harms_are_no_limit_when_none_are_asked():
    services = [
        profile(
            "DA only",
            district_codes=frozenset({BRADFORD}),
            harm_types=frozenset({"domestic_abuse"}),
        )
    ]
    assert names(rank(BRADFORD_NEED, services, neighbours=())) == ["DA only"]


def test_age_range_that_excludes_the_person_is_not_a_result():
    need = replace(BRADFORD_NEED, age=17)
    services = [
        profile("Adults", district_codes=frozenset({BRADFORD}), minimum_age=18),
        profile("Young", district_codes=frozenset({BRADFORD}), minimum_age=11, maximum_age=25),
        profile("Under 16", district_codes=frozenset({BRADFORD}), maximum_age=16),
        profile("Anyone", district_codes=frozenset({BRADFORD})),
    ]
    result = rank(need, services, neighbours=())
    assert sorted(names(result)) == ["Anyone", "Young"]
    young = next(m for m in result if m.name == "Young")
    assert Reason.of("age_range", minimum=11, maximum=25) in young.reasons


def test_age_limits_apply_only_when_an_age_is_given():
    services = [profile("Adults", district_codes=frozenset({BRADFORD}), minimum_age=18)]
    assert names(rank(BRADFORD_NEED, services, neighbours=())) == ["Adults"]


# --- ranking ---------------------------------------------------------------------------------


def test_covering_the_area_beats_neighbouring_beats_anywhere():
    services = [
        profile("Anywhere", district_codes=frozenset({BIRMINGHAM}), accepts_out_of_area=True),
        profile("Neighbour", district_codes=frozenset({LEEDS}), accepts_out_of_area=True),
        profile("Local", district_codes=frozenset({BRADFORD})),
    ]
    result = rank(BRADFORD_NEED, services, neighbours={LEEDS, KIRKLEES})
    assert names(result) == ["Local", "Neighbour", "Anywhere"]
    assert [m.covers_area for m in result] == [True, False, False]
    assert codes(result[1].reasons)[0] == "neighbouring_district"
    assert result[1].reasons[0].values == {"district": LEEDS}
    assert codes(result[2].reasons)[0] == "accepts_out_of_area"


def test_speaking_the_persons_language_ranks_up_and_says_so():
    need = replace(BRADFORD_NEED, languages=("urd",))
    services = [
        profile("Aaa English", district_codes=frozenset({BRADFORD}), languages=frozenset({"eng"})),
        profile(
            "Zzz Urdu", district_codes=frozenset({BRADFORD}), languages=frozenset({"urd", "eng"})
        ),
    ]
    first, second = rank(need, services, neighbours=())
    assert first.name == "Zzz Urdu"
    assert Reason.of("speaks_language", language="urd") in first.reasons
    assert Reason.of("language_not_listed", language="urd") in second.cautions


def test_handling_more_of_the_harms_asked_ranks_up():
    need = replace(BRADFORD_NEED, harm_types=("hate_incident", "serious_violence"))
    services = [
        profile(
            "Aaa one", district_codes=frozenset({BRADFORD}), harm_types=frozenset({"hate_incident"})
        ),
        profile(
            "Zzz both",
            district_codes=frozenset({BRADFORD}),
            harm_types=frozenset({"hate_incident", "serious_violence"}),
        ),
    ]
    assert names(rank(need, services, neighbours=())) == ["Zzz both", "Aaa one"]


def test_independent_of_police_never_puts_a_police_linked_service_above_an_independent_one():
    need = replace(
        BRADFORD_NEED, languages=("urd",), preferences=Preferences(independent_of_police=True)
    )
    services = [
        # Police-linked, but local, in the person's language and with lived experience.
        profile(
            "Police hub",
            district_codes=frozenset({BRADFORD}),
            languages=frozenset({"urd"}),
            lived_experience=True,
            independence="police_linked",
        ),
        # Independent, only from a neighbouring district and without Urdu.
        profile("Charity", district_codes=frozenset({LEEDS}), accepts_out_of_area=True),
    ]
    result = rank(need, services, neighbours={LEEDS})
    assert names(result) == ["Charity", "Police hub"]
    assert "independent_of_police" in codes(result[0].reasons)
    assert "police_linked" in codes(result[1].cautions)


def test_independent_of_police_puts_unknown_independence_between_independent_and_police():
    need = replace(
        BRADFORD_NEED, languages=("urd",), preferences=Preferences(independent_of_police=True)
    )
    services = [
        # Unknown independence (a feed that did not say), otherwise the best fit.
        profile(
            "Council line",
            district_codes=frozenset({BRADFORD}),
            languages=frozenset({"urd"}),
            lived_experience=True,
            independence="unknown",
        ),
        profile("Police hub", district_codes=frozenset({BRADFORD}), independence="police_linked"),
        profile("Charity", district_codes=frozenset({LEEDS}), accepts_out_of_area=True),
    ]
    result = rank(need, services, neighbours={LEEDS})
    assert names(result) == ["Charity", "Council line", "Police hub"]
    assert "independence_unknown" in codes(result[1].cautions)
    assert "independent_of_police" not in codes(result[1].reasons)
    # Without the preference the caution is not given, and the best fit comes first.
    plain = rank(replace(need, preferences=Preferences()), services, neighbours={LEEDS})
    assert names(plain)[0] == "Council line"
    assert "independence_unknown" not in codes(plain[0].cautions)


def test_without_the_preference_a_police_linked_service_can_rank_first():
    need = replace(BRADFORD_NEED, languages=("urd",))
    services = [
        profile(
            "Police hub",
            district_codes=frozenset({BRADFORD}),
            languages=frozenset({"urd"}),
            independence="police_linked",
        ),
        profile("Charity", district_codes=frozenset({LEEDS}), accepts_out_of_area=True),
    ]
    assert names(rank(need, services, neighbours={LEEDS})) == ["Police hub", "Charity"]


def test_same_community_ranks_a_service_for_the_persons_group_above_a_universal_one():
    need = replace(
        BRADFORD_NEED,
        ethnic_group="asian_pakistani",
        religion="muslim",
        preferences=Preferences(same_community=True),
    )
    services = [
        profile("Aaa Universal", district_codes=frozenset({BRADFORD})),
        profile(
            "Zzz Muslim",
            district_codes=frozenset({BRADFORD}),
            religions=frozenset({"muslim"}),
            is_specialist=True,
        ),
    ]
    result = rank(need, services, neighbours=())
    assert names(result) == ["Zzz Muslim", "Aaa Universal"]
    assert Reason.of("serves_religion", religion="muslim") in result[0].reasons


def test_same_community_is_only_weighed_when_asked_for():
    need = replace(BRADFORD_NEED, ethnic_group="asian_pakistani")
    services = [
        profile("Aaa Universal", district_codes=frozenset({BRADFORD})),
        profile(
            "Zzz Pakistani",
            district_codes=frozenset({BRADFORD}),
            ethnic_groups=frozenset({"asian_pakistani"}),
        ),
    ]
    result = rank(need, services, neighbours=())
    assert result[0].score == result[1].score
    assert names(result) == ["Aaa Universal", "Zzz Pakistani"]


def test_lived_experience_worker_gender_and_self_referral_preferences_rank_up():
    local = {"district_codes": frozenset({BRADFORD})}
    plain = profile("Aaa plain", self_referral=False, **local)
    for preferences, better in [
        (
            Preferences(lived_experience=True),
            profile("Zzz lived", lived_experience=True, self_referral=False, **local),
        ),
        (
            Preferences(worker_gender="female"),
            profile("Zzz gender", worker_gender_choice=True, self_referral=False, **local),
        ),
        (Preferences(self_referral=True), profile("Zzz self", self_referral=True, **local)),
    ]:
        need = replace(BRADFORD_NEED, preferences=preferences)
        assert names(rank(need, [plain, better], neighbours=())) == [better.name, "Aaa plain"]


def test_a_waiting_list_adds_a_caution_and_breaks_a_tie():
    services = [
        profile("Aaa waits", district_codes=frozenset({BRADFORD}), waiting_weeks=6),
        profile("Zzz no wait", district_codes=frozenset({BRADFORD}), waiting_weeks=0),
    ]
    result = rank(BRADFORD_NEED, services, neighbours=())
    assert names(result) == ["Zzz no wait", "Aaa waits"]
    assert Reason.of("waiting_time", weeks=6) in result[1].cautions
    assert "no_waiting_list" in codes(result[0].reasons)


def test_equal_services_are_ordered_by_name_then_id():
    services = [
        profile("Same", id="b", district_codes=frozenset({BRADFORD})),
        profile("Same", id="a", district_codes=frozenset({BRADFORD})),
        profile("Alpha", id="c", district_codes=frozenset({BRADFORD})),
    ]
    assert [m.service_id for m in rank(BRADFORD_NEED, services, neighbours=())] == ["c", "a", "b"]


# --- the personas of the briefing --------------------------------------------------------------


def test_pakistani_muslim_17_year_old_in_bradford_reporting_religious_hate():
    need = Need(
        district_codes=(BRADFORD, LEEDS),
        pfa_codes=(WEST_YORKSHIRE,),
        harm_types=("hate_incident",),
        hate_strands=("religion",),
        age=17,
        languages=("urd",),
        ethnic_group="asian_pakistani",
        religion="muslim",
        preferences=Preferences(
            independent_of_police=True, same_community=True, self_referral=True
        ),
    )
    hate = frozenset({"hate_incident", "hate_crime"})
    services = [
        profile(
            "Police Hate Crime Unit",
            pfa_codes=frozenset({WEST_YORKSHIRE}),
            harm_types=hate,
            languages=frozenset({"urd"}),
            independence="police_linked",
        ),
        profile(
            "Bradford Muslim Women's Network",
            district_codes=frozenset({BRADFORD}),
            harm_types=hate,
            languages=frozenset({"urd", "pan"}),
            religions=frozenset({"muslim"}),
            ethnic_groups=frozenset({"asian_pakistani"}),
        ),
        profile(
            "Victim Care WY",
            pfa_codes=frozenset({WEST_YORKSHIRE}),
            harm_types=hate,
            independence="commissioned",
        ),
        profile(
            "Adults Hate Service",
            district_codes=frozenset({BRADFORD}),
            harm_types=hate,
            languages=frozenset({"urd"}),
            minimum_age=18,
        ),
        profile(
            "DA Refuge",
            district_codes=frozenset({BRADFORD}),
            harm_types=frozenset({"domestic_abuse"}),
        ),
    ]
    result = rank(need, services, neighbours={KIRKLEES})
    assert names(result) == [
        "Bradford Muslim Women's Network",
        "Victim Care WY",
        "Police Hate Crime Unit",
    ]
    assert {
        "speaks_language",
        "serves_religion",
        "serves_ethnic_group",
        "independent_of_police",
    } <= set(codes(result[0].reasons))


def test_young_black_man_in_birmingham_after_serious_violence_wanting_lived_experience():
    need = Need(
        district_codes=(BIRMINGHAM,),
        pfa_codes=(WEST_MIDLANDS,),
        harm_types=("serious_violence",),
        age=19,
        ethnic_group="black_caribbean",
        preferences=Preferences(lived_experience=True, independent_of_police=True),
    )
    violence = frozenset({"serious_violence"})
    services = [
        profile(
            "Aaa Generic Victim Service", pfa_codes=frozenset({WEST_MIDLANDS}), harm_types=violence
        ),
        profile(
            "Street Mentors",
            district_codes=frozenset({BIRMINGHAM}),
            harm_types=violence,
            lived_experience=True,
            minimum_age=14,
            maximum_age=25,
        ),
        profile(
            "Hospital Navigators",
            district_codes=frozenset({BIRMINGHAM}),
            harm_types=violence,
            lived_experience=True,
            independence="police_linked",
        ),
    ]
    result = rank(need, services, neighbours=())
    assert names(result) == ["Street Mentors", "Aaa Generic Victim Service", "Hospital Navigators"]
    assert "lived_experience" in codes(result[0].reasons)


def test_sikh_woman_in_bedfordshire_after_domestic_abuse_wanting_a_female_panjabi_worker():
    need = Need(
        district_codes=(BEDFORD,),
        pfa_codes=(BEDFORDSHIRE,),
        harm_types=("domestic_abuse",),
        age=34,
        languages=("pan",),
        religion="sikh",
        preferences=Preferences(worker_gender="female", same_community=True),
    )
    abuse = frozenset({"domestic_abuse", "honour_based_abuse"})
    services = [
        profile(
            "Bedfordshire DA Service",
            pfa_codes=frozenset({BEDFORDSHIRE}),
            harm_types=abuse,
            worker_gender_choice=True,
        ),
        profile(
            "Sikh Women's Aid",
            is_national=True,
            harm_types=abuse,
            languages=frozenset({"pan", "eng"}),
            religions=frozenset({"sikh"}),
            worker_gender_choice=True,
        ),
        profile(
            "Luton Asian Women",
            district_codes=frozenset({LUTON}),
            harm_types=abuse,
            languages=frozenset({"pan", "urd"}),
            accepts_out_of_area=True,
        ),
    ]
    result = rank(need, services, neighbours=set())
    assert names(result) == ["Sikh Women's Aid", "Bedfordshire DA Service", "Luton Asian Women"]
    assert Reason.of("worker_gender_choice", gender="female") in result[0].reasons
    assert Reason.of("no_worker_gender_choice", gender="female") in result[2].cautions


# --- stable order and fallback -------------------------------------------------------------------

profiles = st.builds(
    ServiceProfile,
    id=st.uuids().map(str),
    name=st.sampled_from(["Alpha", "Beta", "alpha", "Gamma"]),
    organisation_name=st.just("Org"),
    district_codes=st.frozensets(st.sampled_from([BRADFORD, LEEDS, BIRMINGHAM]), max_size=2),
    pfa_codes=st.frozensets(st.sampled_from([WEST_YORKSHIRE, WEST_MIDLANDS]), max_size=1),
    is_national=st.booleans(),
    accepts_out_of_area=st.booleans(),
    languages=st.frozensets(st.sampled_from(["urd", "pan", "eng"]), max_size=2),
    harm_types=st.frozensets(st.sampled_from(["hate_incident", "domestic_abuse"]), max_size=2),
    independence=st.sampled_from(["independent", "commissioned", "police_linked", "statutory"]),
    lived_experience=st.booleans(),
    waiting_weeks=st.one_of(st.none(), st.integers(0, 20)),
    minimum_age=st.one_of(st.none(), st.integers(0, 30)),
    is_specialist=st.booleans(),
)
needs = st.builds(
    Need,
    district_codes=st.just((BRADFORD,)),
    pfa_codes=st.just((WEST_YORKSHIRE,)),
    harm_types=st.lists(
        st.sampled_from(["hate_incident", "domestic_abuse"]), max_size=1, unique=True
    ).map(tuple),
    languages=st.lists(st.sampled_from(["urd", "pan"]), max_size=2, unique=True).map(tuple),
    age=st.one_of(st.none(), st.integers(10, 70)),
    preferences=st.builds(
        Preferences, independent_of_police=st.booleans(), lived_experience=st.booleans()
    ),
)


@settings(max_examples=150, deadline=None)
@given(need=needs, directory=st.lists(profiles, max_size=12), seed=st.integers())
def test_shuffling_the_directory_never_changes_the_ranking(need, directory, seed):
    shuffled = list(directory)
    random.Random(seed).shuffle(shuffled)
    assert rank(need, directory, neighbours={LEEDS}) == rank(need, shuffled, neighbours={LEEDS})
    assert fallback(need, directory, neighbours={LEEDS}) == fallback(
        need, shuffled, neighbours={LEEDS}
    )


@settings(max_examples=150, deadline=None)
@given(need=needs, directory=st.lists(profiles, max_size=12))
def test_an_answer_is_never_empty_while_any_service_is_listed(need, directory):
    found = answer(need, directory, neighbours={LEEDS}, limit=10)
    assert bool(found.results or found.fallback) == bool(directory)
    assert not (found.results and found.fallback)


@settings(max_examples=150, deadline=None)
@given(need=needs, directory=st.lists(profiles, max_size=12))
def test_police_linked_never_above_independent_when_asked(need, directory):
    need = replace(need, preferences=Preferences(independent_of_police=True))
    independences = [
        next(p.independence for p in directory if p.id == m.service_id)
        for m in rank(need, directory, neighbours={LEEDS})
    ]
    if "police_linked" in independences:
        first_police = independences.index("police_linked")
        assert all(code == "police_linked" for code in independences[first_police:])


def test_fallback_offers_national_and_universal_services_with_cautions_when_nothing_fits():
    need = replace(BRADFORD_NEED, harm_types=("fraud",), age=30)
    services = [
        profile(
            "Youth only",
            district_codes=frozenset({BRADFORD}),
            maximum_age=18,
            harm_types=frozenset({"hate_incident"}),
        ),
        profile("Specialist elsewhere", district_codes=frozenset({BIRMINGHAM}), is_specialist=True),
        profile("National line", is_national=True, harm_types=frozenset({"domestic_abuse"})),
        profile("Local universal", district_codes=frozenset({BRADFORD})),
    ]
    found = answer(need, services, neighbours=(), limit=10)
    assert found.results == []
    assert names(found.fallback) == ["Local universal", "National line"]
    assert Reason.of("harm_not_listed", harm="fraud") in found.fallback[0].cautions


def test_fallback_widens_to_any_service_rather_than_answer_nothing():
    need = replace(BRADFORD_NEED, age=40)
    services = [
        profile(
            "Youth elsewhere",
            district_codes=frozenset({BIRMINGHAM}),
            maximum_age=25,
            is_specialist=True,
        )
    ]
    found = answer(need, services, neighbours=(), limit=10)
    assert names(found.fallback) == ["Youth elsewhere"]
    assert {"outside_area", "age_outside_range"} <= set(codes(found.fallback[0].cautions))


def test_limit_caps_the_results():
    services = [profile(f"S{n}", district_codes=frozenset({BRADFORD})) for n in range(5)]
    assert len(answer(BRADFORD_NEED, services, neighbours=(), limit=3).results) == 3


# --- part of a postcode, and cost ---------------------------------------------------------

# BD3 as the shared ONSPD sample has it: 33 postcodes in Bradford, 1 in Leeds.
BD3_NEED = Need(
    district_codes=(BRADFORD, LEEDS),
    pfa_codes=(WEST_YORKSHIRE,),
    district_shares=outcode_shares([33, 1]),
    district_pfa_codes=(WEST_YORKSHIRE, WEST_YORKSHIRE),
)


def test_a_service_covering_most_of_an_outcode_ranks_above_one_covering_a_sliver():
    # Alphabetical order would put the Leeds one first: the shares must decide.
    services = [
        profile("A Leeds service", district_codes=frozenset({LEEDS})),
        profile("B Bradford service", district_codes=frozenset({BRADFORD})),
    ]
    first, second = rank(BD3_NEED, services, neighbours=())
    assert (first.name, second.name) == ("B Bradford service", "A Leeds service")
    assert first.score > 45 > 5 > second.score
    assert "mostly_outside_area" in codes(second.cautions)
    assert "mostly_outside_area" not in codes(first.cautions)
    # Both still cover part of it: the person may be in the sliver.
    assert first.covers_area
    assert second.covers_area


def test_without_shares_every_district_of_an_outcode_counts_whole():
    need = replace(BD3_NEED, district_shares=(), district_pfa_codes=())
    services = [
        profile("A Leeds service", district_codes=frozenset({LEEDS})),
        profile("B Bradford service", district_codes=frozenset({BRADFORD})),
    ]
    assert names(rank(need, services, neighbours=())) == ["A Leeds service", "B Bradford service"]


def test_a_sliver_service_taking_people_from_outside_scores_as_a_neighbour_for_the_rest():
    leeds_open = profile("Leeds open", district_codes=frozenset({LEEDS}), accepts_out_of_area=True)
    [match] = rank(BD3_NEED, [leeds_open], neighbours=())
    share = outcode_shares([33, 1])[1]
    assert match.score == round(50 * share + 30 * (1 - share), 2)


def test_a_force_or_national_service_covers_the_whole_outcode():
    services = [
        profile("Force", pfa_codes=frozenset({WEST_YORKSHIRE})),
        profile("National", is_national=True),
        profile("Both districts", district_codes=frozenset({BRADFORD, LEEDS})),
    ]
    assert {m.score for m in rank(BD3_NEED, services, neighbours=())} == {50.0}


def test_free_only_never_offers_a_service_that_charges():
    services = [
        profile("Charges", cost=CHARGES, district_codes=frozenset({BRADFORD})),
        profile("Free", cost=FREE, district_codes=frozenset({BRADFORD})),
        profile("Silent", district_codes=frozenset({BRADFORD})),
    ]
    need = replace(BRADFORD_NEED, preferences=Preferences(free_only=True))
    matches = rank(need, services, neighbours=())
    assert names(matches) == ["Free", "Silent"]
    assert "free_of_charge" in codes(matches[0].reasons)
    assert "cost_not_stated" in codes(matches[1].cautions)
    # Without the filter the one that charges is offered, with no caution about cost.
    every = rank(BRADFORD_NEED, services, neighbours=())
    assert names(every) == ["Charges", "Free", "Silent"]
    assert not {"charges", "cost_not_stated"} & set(codes(every[0].cautions))


def test_free_only_fallback_offers_one_that_charges_only_when_nothing_else_is_listed():
    need = replace(BRADFORD_NEED, harm_types=("fraud",), preferences=Preferences(free_only=True))
    charging = profile("Charges", cost=CHARGES, is_national=True)
    silent = profile("Silent", district_codes=frozenset({BIRMINGHAM}))
    assert names(fallback(need, [charging, silent], neighbours=())) == ["Silent"]
    [only] = fallback(need, [charging], neighbours=())
    assert "charges" in codes(only.cautions)


def test_what_cost_options_say():
    assert cost_of([]) == COST_NOT_STATED
    assert cost_of([(0.0, "")]) == FREE
    assert cost_of([(None, "Free of charge ")]) == FREE
    assert cost_of([(None, "Freedom project")]) == COST_NOT_STATED
    assert cost_of([(None, "Ask us")]) == COST_NOT_STATED
    assert cost_of([(0.0, "Free"), (12.5, "Per session")]) == CHARGES

"""What the journey to support keeps between questions, and how it reads it back."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bridgeway.frontdoor.journey import (
    LIST_MAX,
    STEPS,
    WHERE_MAX,
    SupportAnswers,
    age_for_band,
    answers_from_session,
    next_step,
    previous_step,
    worker_gender,
)

KNOWN: dict[str, Any] = {
    "harm_types": {"hate_crime", "hate_incident"},
    "languages": {"urd", "eng"},
    "age_bands": {"under_18", "18_24"},
    "ethnic_groups": {"black_african"},
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)


def test_nothing_in_the_session_means_the_journey_has_not_started() -> None:
    assert answers_from_session(None, **KNOWN) is None
    assert answers_from_session("where=LS6", **KNOWN) is None


def test_answers_survive_the_round_trip_through_the_session() -> None:
    answers = SupportAnswers().with_step("where", where="LS6 1AA")
    answers = answers.with_step("what", what=["hate_crime"])
    answers = answers.with_step("age", age=17, age_band="under_18")
    stored = json.loads(json.dumps(answers.to_session()))
    assert answers_from_session(stored, **KNOWN) == answers
    assert answers.seen == ("where", "what", "age")


def test_answering_a_question_again_replaces_its_answer_and_keeps_the_others() -> None:
    answers = SupportAnswers().with_step("where", where="LS6").with_step("what", what=["fraud"])
    again = answers.with_step("where", where="")
    assert again.where == ""
    assert again.where_skipped
    assert again.what == ("fraud",)
    assert again.seen == ("where", "what")


def test_unknown_codes_oversized_values_and_wrong_types_are_dropped() -> None:
    read = answers_from_session(
        {
            "where": "L" * (WHERE_MAX + 1),
            "what": ["hate_crime", "dragons", 3, "hate_crime"],
            "language": "klingon",
            "age": True,
            "age_band": ["under_18"],
            "matters": ["independent_of_police", "be_rich"],
            "ethnic_group": "black_african",
            "seen": ["where", "where", "elsewhere"],
        },
        **KNOWN,
    )
    assert read == SupportAnswers(
        what=("hate_crime",),
        matters=("independent_of_police",),
        ethnic_group="black_african",
        seen=("where",),
    )


def test_ages_outside_what_a_person_can_be_are_dropped() -> None:
    assert answers_from_session({"age": 131}, **KNOWN) == SupportAnswers()
    assert answers_from_session({"age": -1}, **KNOWN) == SupportAnswers()
    assert answers_from_session({"age": 30}, **KNOWN) == SupportAnswers(age=30)


@given(json_values)
def test_whatever_is_in_the_session_reading_it_never_fails_and_stays_small(data: Any) -> None:
    read = answers_from_session(data, **KNOWN)
    if read is None:
        return
    assert len(read.where) <= WHERE_MAX
    assert len(read.what) <= min(LIST_MAX, len(KNOWN["harm_types"]))
    assert set(read.seen) <= set(STEPS)
    assert len(json.dumps(read.to_session())) < 2000


def test_the_questions_come_in_order_with_one_before_and_one_after() -> None:
    assert previous_step("where") is None
    assert next_step("where") == "what"
    assert previous_step("what") == "where"
    assert next_step("matters") is None


def test_an_age_band_stands_for_an_age_that_keeps_services_for_that_band() -> None:
    assert age_for_band(0, 17) == 17
    assert age_for_band(18, 24) == 18
    assert age_for_band(65, None) == 65
    assert age_for_band(None, None) is None


def test_a_worker_gender_is_asked_for_only_when_one_is_chosen() -> None:
    assert worker_gender(["woman_worker"]) == "female"
    assert worker_gender(["man_worker", "lived_experience"]) == "male"
    assert worker_gender(["woman_worker", "man_worker"]) is None
    assert worker_gender([]) is None

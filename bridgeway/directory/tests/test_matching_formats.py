"""Formats, trauma-informed practice and restorative justice in matching, end to end."""

from __future__ import annotations

import json
from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from bridgeway.directory import matching
from bridgeway.directory.formats import FORMATS
from bridgeway.directory.matching import Need, Preferences, Reason, ServiceProfile, rank
from bridgeway.directory.reasons import describe
from bridgeway.directory.tests.conftest import BRADFORD
from bridgeway.directory.tests.factories import ServiceFactory

WEST_YORKSHIRE = "E23000010"
NEED = Need(district_codes=(BRADFORD,), pfa_codes=(WEST_YORKSHIRE,))
LOCAL = {"district_codes": frozenset({BRADFORD})}
MATCH = "/api/v1/match"


def profile(name: str, **fields) -> ServiceProfile:
    fields.setdefault("id", f"id-{name}")
    return ServiceProfile(name=name, organisation_name=f"{name} Org", **{**LOCAL, **fields})


def wanting(**preferences) -> Need:
    return replace(NEED, preferences=Preferences(**preferences))


def names(matches) -> list[str]:
    return [m.name for m in matches]


# --- pure matching ------------------------------------------------------------------------------


def test_a_service_offering_the_format_asked_for_ranks_up_and_says_so():
    plain = profile("Aaa text only")
    audio = profile("Zzz audio", formats=frozenset({"audio", "video"}))
    result = rank(wanting(formats=("audio",)), [plain, audio], neighbours=())
    assert names(result) == ["Zzz audio", "Aaa text only"]
    assert Reason.of("offers_format", format="audio") in result[0].reasons
    # Only the formats asked about are mentioned, as reasons or as cautions.
    assert Reason.of("offers_format", format="video") not in result[0].reasons
    assert Reason.of("format_not_listed", format="audio") in result[1].cautions
    assert not [r for r in result[0].cautions if r.code == "format_not_listed"]


def test_formats_are_not_weighed_or_mentioned_when_none_are_asked_for():
    plain = profile("Aaa text only")
    audio = profile("Zzz audio", formats=frozenset(FORMATS))
    result = rank(NEED, [plain, audio], neighbours=())
    assert names(result) == ["Aaa text only", "Zzz audio"]
    assert result[0].score == result[1].score
    assert not [r for r in result[1].reasons if r.code == "offers_format"]


def test_offering_more_of_the_formats_asked_for_ranks_higher():
    need = wanting(formats=("bsl", "easy_read"))
    both = profile("Zzz both", formats=frozenset({"bsl", "easy_read"}))
    one = profile("Mmm one", formats=frozenset({"bsl"}))
    none = profile("Aaa none")
    assert names(rank(need, [none, one, both], neighbours=())) == [
        "Zzz both",
        "Mmm one",
        "Aaa none",
    ]


def test_formats_weigh_as_one_preference_however_many_are_asked_for():
    every = tuple(FORMATS)
    all_formats = profile("Aaa every format", formats=frozenset(every))
    lived = profile("Zzz lived experience", lived_experience=True)
    need = wanting(formats=every, lived_experience=True)
    result = rank(need, [all_formats, lived], neighbours=())
    # Both meet one preference fully: a tie, broken by name, not five formats beating one.
    assert result[0].score == result[1].score
    assert names(result) == ["Aaa every format", "Zzz lived experience"]


def test_formats_asked_for_never_outweigh_the_persons_own_community():
    every = tuple(FORMATS)
    formats = profile("Aaa every format", formats=frozenset(every))
    community = profile("Zzz Pakistani community", ethnic_groups=frozenset({"asian_pakistani"}))
    need = replace(
        NEED,
        ethnic_group="asian_pakistani",
        preferences=Preferences(same_community=True, formats=every),
    )
    assert names(rank(need, [formats, community], neighbours=())) == [
        "Zzz Pakistani community",
        "Aaa every format",
    ]


def test_docstring_spacing_one_preference_is_worth_less_than_community_and_harm():
    assert matching.WEIGHT_PREFERENCE < matching.WEIGHT_SAME_COMMUNITY < matching.WEIGHT_HARM
    assert matching.WEIGHT_HARM < matching.WEIGHT_LANGUAGE < matching.WEIGHT_COVERS_AREA


def test_trauma_informed_is_always_a_reason_and_ranks_up_when_asked_for():
    plain = profile("Aaa plain")
    trauma = profile("Zzz trauma-informed", trauma_informed=True)
    unasked = rank(NEED, [plain, trauma], neighbours=())
    assert names(unasked) == ["Aaa plain", "Zzz trauma-informed"]
    assert Reason.of("trauma_informed") in unasked[1].reasons
    asked = rank(wanting(trauma_informed=True), [plain, trauma], neighbours=())
    assert names(asked) == ["Zzz trauma-informed", "Aaa plain"]
    assert Reason.of("not_trauma_informed") in asked[1].cautions


def test_restorative_justice_is_a_reason_but_never_changes_the_order():
    plain = profile("Aaa plain")
    restorative = profile("Zzz restorative", restorative_justice=True)
    result = rank(NEED, [restorative, plain], neighbours=())
    assert names(result) == ["Aaa plain", "Zzz restorative"]
    assert result[0].score == result[1].score
    assert Reason.of("restorative_justice") in result[1].reasons
    assert Reason.of("restorative_justice") not in result[0].reasons


def test_a_language_no_worker_speaks_is_eased_by_interpreters_but_not_weighed():
    need = replace(NEED, languages=("urd",))
    interpreters = profile("Aaa interpreters", formats=frozenset({"interpreters"}))
    speaks = profile("Zzz speaks Urdu", languages=frozenset({"urd"}))
    result = rank(need, [interpreters, speaks], neighbours=())
    assert names(result) == ["Zzz speaks Urdu", "Aaa interpreters"]
    assert Reason.of("language_by_interpreter", language="urd") in result[1].cautions
    assert Reason.of("language_not_listed", language="urd") not in result[1].cautions


def test_young_person_in_bradford_wanting_spoken_support_from_trauma_informed_workers():
    """The briefing: young people need trauma-informed support; spoken word over text."""
    need = replace(
        NEED,
        age=16,
        harm_types=("violence",),
        preferences=Preferences(trauma_informed=True, formats=("audio",)),
    )
    youth = profile(
        "Youth Voices",
        harm_types=frozenset({"violence"}),
        minimum_age=11,
        maximum_age=25,
        trauma_informed=True,
        formats=frozenset({"audio", "video"}),
        restorative_justice=True,
    )
    leaflets = profile("A Leaflet Service", harm_types=frozenset({"violence"}))
    result = rank(need, [leaflets, youth], neighbours=())
    assert names(result) == ["Youth Voices", "A Leaflet Service"]
    assert {"trauma_informed", "offers_format", "restorative_justice"} <= {
        r.code for r in result[0].reasons
    }


# --- sentences ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", list(FORMATS))
def test_every_format_has_a_reason_and_a_caution_in_plain_words(code):
    with translation.override("en"):
        offers = describe(Reason.of("offers_format", format=code), {})
        missing = describe(Reason.of("format_not_listed", format=code), {})
    assert code not in (offers, missing)
    assert missing.startswith("Does not say")
    assert "victim" not in (offers + missing).lower()


def test_sentences_for_trauma_restorative_and_interpreters():
    with translation.override("en"):
        assert describe(Reason.of("trauma_informed"), {}) == (
            "Workers are trained to support people after frightening or painful experiences"
        )
        assert "restorative justice" in describe(Reason.of("restorative_justice"), {})
        assert describe(Reason.of("language_by_interpreter", language="urd"), {}) == (
            "No workers list Urdu, but they can get you an interpreter"
        )
        assert describe(Reason.of("offers_format", format="audio"), {}) == (
            "You can talk or listen to them, instead of reading"
        )


# --- the API and the command ------------------------------------------------------------------


def post(client, body):
    return client.post(MATCH, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def bradford(organisation):
    return {
        "text": ServiceFactory(
            organisation=organisation,
            name="Aaa Bradford Text",
            district_codes=[BRADFORD],
            harm_type_codes=["hate_incident"],
        ),
        "audio": ServiceFactory(
            organisation=organisation,
            name="Zzz Bradford Voices",
            district_codes=[BRADFORD],
            harm_type_codes=["hate_incident"],
            formats=["audio", "bsl"],
            trauma_informed=True,
            restorative_justice=True,
        ),
    }


@pytest.mark.django_db
def test_api_ranks_by_the_formats_asked_for_with_reasons(client, bradford):
    body = {
        "postcode": "BD3 9AB",
        "harm_types": ["hate_incident"],
        "preferences": {"formats": ["audio"], "trauma_informed": True},
    }
    response = post(client, body)
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["name"] for r in results] == ["Zzz Bradford Voices", "Aaa Bradford Text"]
    assert "You can talk or listen to them, instead of reading" in results[0]["reasons"]
    assert (
        "Workers are trained to support people after frightening or painful experiences"
        in results[0]["reasons"]
    )
    assert any("restorative justice" in r for r in results[0]["reasons"])
    assert "Does not say you can talk or listen instead of reading" in results[1]["cautions"]


@pytest.mark.django_db
def test_api_sees_a_listing_change_of_formats_on_the_next_match(client, bradford):
    from bridgeway.directory.services import service_update

    body = {"postcode": "BD3 9AB", "preferences": {"formats": ["video"]}}
    first = post(client, body).json()["results"]
    assert first[0]["name"] == "Aaa Bradford Text"  # neither offers video: by name
    service_update(service=bradford["audio"], formats=["video"])
    again = post(client, body).json()["results"]
    assert again[0]["name"] == "Zzz Bradford Voices"


@pytest.mark.django_db
@pytest.mark.parametrize("formats", [["semaphore"], ["audio", "smoke_signals"], [3]])
def test_api_refuses_an_unknown_format_with_422_naming_the_field(client, formats):
    response = post(client, {"postcode": "BD3 9AB", "preferences": {"formats": formats}})
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert any(item["loc"][2:4] == ["preferences", "formats"] for item in detail), detail
    if isinstance(formats[-1], str):
        assert formats[-1] in json.dumps(detail)


@pytest.mark.django_db
def test_api_refuses_a_single_string_of_formats(client):
    response = post(client, {"postcode": "BD3 9AB", "preferences": {"formats": "audio"}})
    assert response.status_code == 422


@pytest.mark.django_db
def test_match_command_takes_formats_and_trauma_informed(bradford):
    out = StringIO()
    call_command(
        "match",
        "--postcode",
        "BD3 9AB",
        "--format",
        "bsl",
        "--trauma-informed",
        "--json",
        stdout=out,
    )
    results = json.loads(out.getvalue())["results"]
    assert results[0]["name"] == "Zzz Bradford Voices"
    assert "Offers British Sign Language (BSL)" in results[0]["reasons"]


@pytest.mark.django_db
def test_match_command_refuses_an_unknown_format_naming_the_option(bradford):
    with pytest.raises(CommandError, match=r"--format: 'semaphore' is not a format code"):
        call_command("match", "--postcode", "BD3 9AB", "--format", "semaphore", stdout=StringIO())

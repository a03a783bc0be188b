"""The DEI Extension in the 360Giving export: answers only where the organisation agreed,
"not asked" apart from "skipped" and "prefer not to say", valid against the extension's
schema and codelists (decision 0138)."""

from __future__ import annotations

import pytest

from bridgeway.commissioning.dei import dei_details
from bridgeway.commissioning.models import DeiAnswer, FundingRound
from bridgeway.commissioning.open_data import dei_errors, grants, package, package_errors
from bridgeway.commissioning.services import application_decide
from bridgeway.commissioning.tests.factories import ApplicationFactory


def _award(funding_round, commissioner, *, agreed: bool, answers: dict[str, tuple[str, list[str]]]):
    application = ApplicationFactory(funding_round=funding_round, dei_publish_agreed=agreed)
    for area, (reply, codes) in answers.items():
        DeiAnswer.objects.create(
            application=application, area=area, reply=reply, taxonomy_codes=codes
        )
    application_decide(application=application, actor=commissioner, outcome="awarded", feedback="")
    return application


def _exported(funding_round):
    return list(grants(FundingRound.objects.filter(pk=funding_round.pk), prefix="360G-test"))


def test_agreed_answers_are_published_and_valid(funding_round, commissioner):
    _award(
        funding_round,
        commissioner,
        agreed=True,
        answers={"leadership": ("groups", ["DEI010000"]), "mission": ("prefer_not", [])},
    )

    [grant] = _exported(funding_round)

    dei = grant["deiDetails"]
    assert dei["leadership"]["replyStatus"] == "RS200"
    assert dei["leadership"]["response"] == {"taxonomyCodes": ["DEI010000"]}
    assert dei["mission"] == {
        "askedStatus": "AS200",
        "availableOptions": ["AO100", "AO201", "AO300", "AO301"],
        "replyStatus": "RS202",
    }
    assert dei["project"] == {"askedStatus": "AS100"}
    assert package_errors(package([grant], publisher="Test office")) == []


def test_without_agreement_only_that_a_reply_was_given_is_published(funding_round, commissioner):
    _award(
        funding_round,
        commissioner,
        agreed=False,
        answers={"leadership": ("groups", ["DEI010000"]), "mission": ("no_reply", [])},
    )

    [grant] = _exported(funding_round)

    assert grant["deiDetails"]["leadership"]["replyStatus"] == "RS203"
    assert "response" not in grant["deiDetails"]["leadership"]
    assert "DEI010000" not in str(grant)
    assert grant["deiDetails"]["mission"]["replyStatus"] == "RS100"
    assert package_errors(package([grant], publisher="Test office")) == []


def test_no_question_asked_publishes_no_dei_details(funding_round, commissioner):
    _award(funding_round, commissioner, agreed=True, answers={})

    [grant] = _exported(funding_round)

    assert "deiDetails" not in grant


@pytest.mark.parametrize(
    ("broken", "where"),
    [
        ({"leadership": {"askedStatus": "AS999"}}, "askedStatus"),
        ({"leadership": {"replyStatus": "RS200"}}, "askedStatus"),
    ],
)
def test_the_extension_check_finds_faults(broken, where):
    details = dei_details({"leadership": {"reply": "no_reply"}}, publish_agreed=True)
    assert details is not None
    details.update(broken)

    errors = dei_errors({"deiDetails": details}, 0)

    assert any(where in error for error in errors)

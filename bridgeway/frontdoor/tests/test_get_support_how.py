"""The journey's question about how the person would like support, and what it changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from bridgeway.accounts.models import Organisation
from bridgeway.directory.models import Service
from bridgeway.directory.services import service_create
from bridgeway.frontdoor.journey import STEPS, SupportAnswers, answers_from_session
from bridgeway.frontdoor.tests.conftest import LEEDS
from bridgeway.frontdoor.views import SUPPORT_ANSWERS_KEY

HOW = "/en/get-support/how/"
RESULTS = "/en/get-support/results/"
KNOWN: dict[str, Any] = {
    "harm_types": {"hate_crime"},
    "languages": {"urd"},
    "age_bands": {"under_18"},
    "ethnic_groups": {"black_african"},
}


@pytest.fixture
def leeds_pair(organisation: Organisation) -> dict[str, Service]:
    """Two Leeds services alike but for how they work; the plain one comes first by name."""
    return {
        "plain": service_create(
            organisation=organisation,
            name="Aaa Leeds Letters",
            district_codes=[LEEDS],
            harm_type_codes=["hate_crime"],
        ),
        "spoken": service_create(
            organisation=organisation,
            name="Zzz Leeds Voices",
            district_codes=[LEEDS],
            harm_type_codes=["hate_crime"],
            formats=["audio", "bsl"],
            trauma_informed=True,
            restorative_justice=True,
        ),
    }


def _walk(client: Client, **answers: dict[str, Any]) -> str:
    """Answer the questions given, skip the rest, and return the results page."""
    for step in STEPS:
        path = "/en/get-support/" if step == "where" else f"/en/get-support/{step}/"
        data = {**answers[step], "action": "continue"} if step in answers else {"action": "skip"}
        response = client.post(path, data)
        assert response.status_code == 302, (step, response.content.decode()[:1000])
    return client.get(RESULTS).content.decode()


def _order(html: str, *names: str) -> list[str]:
    return sorted(names, key=html.index)


def test_how_is_a_skippable_question_of_its_own_after_language(client: Client) -> None:
    assert STEPS.index("how") == STEPS.index("language") + 1
    html = client.get(HOW).content.decode()
    assert "How would you like to get support? Choose any that fit." in html
    assert f"Get support: question 4 of {len(STEPS)}" in html
    assert "Skip this question" in html
    assert 'href="/en/get-support/language/" class="govuk-back-link"' in html
    for words in (
        "Talking and listening, not reading",
        "Video calls or videos",
        "British Sign Language (BSL)",
        "Easy read, with short words and pictures",
        "With an interpreter",
    ):
        assert words in html
    assert "victim" not in html.lower()


def test_the_language_question_now_leads_to_how(client: Client) -> None:
    response = client.post("/en/get-support/language/", {"action": "skip"})
    assert response["Location"] == HOW
    response = client.post(HOW, {"action": "skip"})
    assert response["Location"] == "/en/get-support/age/"


def test_formats_asked_for_put_a_service_offering_them_first_with_why(
    client: Client, leeds_pair: dict[str, Service]
) -> None:
    html = _walk(client, where={"where": "LS6 1AA"}, how={"formats": ["audio"]})
    assert _order(html, "Aaa Leeds Letters", "Zzz Leeds Voices") == [
        "Zzz Leeds Voices",
        "Aaa Leeds Letters",
    ]
    assert "You can talk or listen to them, instead of reading" in html
    assert "Does not say you can talk or listen instead of reading" in html


def test_without_formats_the_order_falls_back_to_the_name(
    client: Client, leeds_pair: dict[str, Service]
) -> None:
    html = _walk(client, where={"where": "LS6 1AA"})
    assert _order(html, "Aaa Leeds Letters", "Zzz Leeds Voices") == [
        "Aaa Leeds Letters",
        "Zzz Leeds Voices",
    ]
    assert "Does not say you can talk" not in html


def test_trauma_informed_workers_can_be_asked_for_on_what_matters(
    client: Client, leeds_pair: dict[str, Service]
) -> None:
    matters = client.get("/en/get-support/matters/").content.decode()
    assert "People who know how scary or painful things can affect you" in matters
    html = _walk(client, where={"where": "LS6 1AA"}, matters={"matters": ["trauma_informed"]})
    assert _order(html, "Aaa Leeds Letters", "Zzz Leeds Voices")[0] == "Zzz Leeds Voices"
    assert "Workers are trained to support people after frightening or painful experiences" in html


def test_restorative_justice_is_said_on_the_results_where_it_is_offered(
    client: Client, leeds_pair: dict[str, Service]
) -> None:
    html = _walk(client, where={"where": "LS6 1AA"})
    assert html.count("(restorative justice)") == 1


def test_the_formats_answer_is_kept_in_the_session_and_shown_when_coming_back(
    client: Client,
) -> None:
    client.post(HOW, {"formats": ["bsl", "easy_read", "bsl"], "action": "continue"})
    assert client.session[SUPPORT_ANSWERS_KEY]["formats"] == ["bsl", "easy_read"]
    html = client.get(HOW).content.decode()
    assert 'value="bsl" checked' in html
    assert 'value="easy_read" checked' in html
    assert 'value="audio" checked' not in html
    client.post(HOW, {"action": "skip"})
    assert client.session[SUPPORT_ANSWERS_KEY]["formats"] == []


def test_an_unknown_format_is_a_message_on_the_same_question_and_nothing_is_kept(
    client: Client,
) -> None:
    response = client.post(HOW, {"formats": ["semaphore"], "action": "continue"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose how you would like support from the list." in html
    assert SUPPORT_ANSWERS_KEY not in client.session


def test_formats_in_a_tampered_session_are_dropped_as_if_skipped() -> None:
    read = answers_from_session({"formats": ["audio", "semaphore", 3, "audio"]}, **KNOWN)
    assert read == SupportAnswers(formats=("audio",))
    assert answers_from_session({"formats": "audio"}, **KNOWN) == SupportAnswers()


def test_without_a_postcode_formats_still_rank_the_services_from_anywhere(
    client: Client, organisation: Organisation
) -> None:
    for name, formats in (("Aaa National Letters", []), ("Zzz National Video", ["video"])):
        service_create(organisation=organisation, name=name, is_national=True, formats=formats)
    html = _walk(client, how={"formats": ["video"]})
    assert "You did not tell us where you are." in html
    assert _order(html, "Aaa National Letters", "Zzz National Video")[0] == "Zzz National Video"
    assert "Offers video calls or videos" in html

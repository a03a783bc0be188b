# ruff: noqa: RUF001 - Welsh is written with the typographic apostrophe, U+2019.
"""Finding support: one question a page, answers kept in the session and never in a URL."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridgeway.accounts.models import Organisation
from bridgeway.directory.models import Service
from bridgeway.directory.services import service_create
from bridgeway.frontdoor.tests.conftest import LEEDS
from bridgeway.frontdoor.views import SUPPORT_ANSWERS_KEY

QUESTIONS = {
    "where": "get-support/",
    "what": "get-support/what/",
    "language": "get-support/language/",
    "how": "get-support/how/",
    "age": "get-support/age/",
    "matters": "get-support/matters/",
}
RESULTS = "/en/get-support/results/"
HOSTILE = "Someone was hostile to me because of who I am"


@pytest.fixture
def national_service(other_organisation: Organisation) -> Service:
    """A helpline that takes people from anywhere in England and Wales."""
    return service_create(
        organisation=other_organisation, name="National Support Line", is_national=True
    )


class Journey:
    """A person's browser walking the questions, remembering every URL it was given."""

    def __init__(self, client: Client, language: str = "en") -> None:
        self.client = client
        self.language = language
        self.urls: list[str] = []

    def _seen(self, response: Any) -> Any:
        if "Location" in response:
            self.urls.append(response["Location"])
        html = response.content.decode(errors="replace")
        self.urls.extend(re.findall(r'(?:href|action|src)="([^"]*)"', html))
        return response

    def get(self, path: str) -> Any:
        return self._seen(self.client.get(path))

    def answer(self, step: str, data: dict[str, Any]) -> Any:
        path = f"/{self.language}/{QUESTIONS[step]}"
        self.get(path)
        return self._seen(self.client.post(path, {**data, "action": "continue"}))

    def skip(self, step: str) -> Any:
        path = f"/{self.language}/{QUESTIONS[step]}"
        self.get(path)
        return self._seen(self.client.post(path, {"action": "skip"}))

    def results(self) -> str:
        response = self.get(f"/{self.language}/get-support/results/")
        assert response.status_code == 200
        return response.content.decode()


def _walk(client: Client, answers: dict[str, dict[str, Any]], language: str = "en") -> Journey:
    journey = Journey(client, language)
    for step in QUESTIONS:
        if step in answers:
            response = journey.answer(step, answers[step])
            assert response.status_code == 302, (step, response.content.decode()[:2000])
        else:
            journey.skip(step)
    return journey


# The questions, one a page.


@pytest.mark.parametrize(
    ("step", "english", "welsh"),
    [
        ("where", "Where are you?", "Ble rydych chi?"),
        ("what", HOSTILE, "Beth ddigwyddodd? Dewiswch unrhyw rai sy’n addas."),
        ("language", "Which language would you like support in?", "Ym mha iaith"),
        ("age", "How old are you?", "Faint yw eich oed?"),
        ("matters", "What matters to you?", "Beth sy’n bwysig i chi?"),
    ],
)
def test_each_question_is_a_page_of_its_own_in_english_and_welsh(
    client: Client, step: str, english: str, welsh: str
) -> None:
    response = client.get(f"/en/{QUESTIONS[step]}")
    html = response.content.decode()
    assert response.status_code == 200
    assert english in html
    assert "Skip this question" in html
    assert 'method="post"' in html
    assert "There is a problem" not in html
    cy = client.get(f"/cy/{QUESTIONS[step]}").content.decode()
    assert '<html lang="cy"' in cy
    assert welsh in cy
    assert "Hepgor y cwestiwn hwn" in cy


def test_opening_the_first_question_does_not_start_a_session(client: Client) -> None:
    client.get("/en/get-support/")
    assert "sessionid" not in client.cookies


def test_a_leeds_postcode_finds_the_leeds_service_with_reasons(
    client: Client, leeds_service: Service, birmingham_service: Service
) -> None:
    journey = _walk(
        client,
        {
            "where": {"where": "ls6 1aa"},
            "what": {"what": ["hate_crime"]},
            "language": {"language": "urd"},
        },
    )
    html = journey.results()
    assert "Services that may help" in html
    assert "Leeds Hate Crime Support" in html
    assert "Birmingham Advice Line" not in html
    assert "Why it may fit" in html
    assert "Workers speak Urdu" in html
    assert f"/en/services/{leeds_service.id}/" in html
    assert "Change your answers" in html
    assert "Start again" in html


def test_each_answer_moves_on_to_the_next_question_and_the_last_to_the_results(
    client: Client,
) -> None:
    journey = Journey(client)
    assert journey.answer("where", {"where": "LS6"})["Location"] == "/en/get-support/what/"
    assert journey.answer("what", {"what": []})["Location"] == "/en/get-support/language/"
    assert journey.skip("language")["Location"] == "/en/get-support/how/"
    assert journey.answer("how", {"formats": ["audio"]})["Location"] == "/en/get-support/age/"
    assert journey.answer("age", {"age": "19"})["Location"] == "/en/get-support/matters/"
    assert journey.skip("matters")["Location"] == RESULTS


def test_the_answers_are_kept_in_the_session_under_one_key(
    client: Client, leeds_service: Service
) -> None:
    _walk(
        client,
        {
            "where": {"where": "ls6 1aa"},
            "what": {"what": ["hate_crime", "hate_crime"]},
            "age": {"age_band": "18_24"},
            "matters": {"matters": ["independent_of_police", "woman_worker"]},
        },
    )
    session = client.session
    journey_keys = [key for key in session.keys() if key.startswith("frontdoor.get_support")]
    assert journey_keys == [SUPPORT_ANSWERS_KEY]
    kept = session[SUPPORT_ANSWERS_KEY]
    assert kept["where"] == "LS6 1AA"
    assert kept["what"] == ["hate_crime"]
    assert kept["age_band"] == "18_24"
    assert kept["matters"] == ["independent_of_police", "woman_worker"]


UUID_IN_URL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_no_url_the_journey_produces_carries_an_answer(
    client: Client, leeds_service: Service, national_service: Service
) -> None:
    journey = _walk(
        client,
        {
            "where": {"where": "ls6 1aa"},
            "what": {"what": ["domestic_abuse", "hate_crime"]},
            "language": {"language": "urd"},
            "age": {"age": "37"},
            "matters": {"matters": ["independent_of_police", "woman_worker"]},
        },
    )
    journey.results()
    # Back links and the pages as they look when the person comes back to change answers.
    for path in QUESTIONS.values():
        journey.get(f"/en/{path}")
    assert journey.urls
    for url in journey.urls:
        # Service ids are random hex, which can hold "37" or "1aa" by chance; they are not answers.
        lowered = UUID_IN_URL.sub("<id>", url.lower())
        assert "?" not in url, url
        for answer in ("ls6", "1aa", "domestic", "hate_crime", "urd", "37", "woman", "police"):
            assert answer not in lowered, url


def test_a_question_shows_the_answer_already_given_and_links_back_to_the_one_before(
    client: Client,
) -> None:
    journey = Journey(client)
    journey.answer("where", {"where": "ls6 1aa"})
    journey.answer("what", {"what": ["hate_incident"]})
    where = client.get("/en/get-support/").content.decode()
    assert 'value="LS6 1AA"' in where
    what = client.get("/en/get-support/what/").content.decode()
    assert 'href="/en/get-support/" class="govuk-back-link"' in what
    assert re.search(r'value="hate_incident" checked', what)
    language = client.get("/en/get-support/language/").content.decode()
    assert 'href="/en/get-support/what/" class="govuk-back-link"' in language


def test_skipping_every_optional_question_still_gives_results(
    client: Client, leeds_service: Service
) -> None:
    html = _walk(client, {"where": {"where": "LS6 1AA"}}).results()
    assert "Leeds Hate Crime Support" in html
    assert "We found 1 service for Leeds" in html


def test_skipping_where_explains_why_and_offers_services_from_anywhere(
    client: Client, leeds_service: Service, national_service: Service
) -> None:
    html = _walk(client, {}).results()
    assert "You did not tell us where you are." in html
    assert "We need at least the first half of a postcode, like LS6" in html
    assert "National Support Line" in html
    assert "Leeds Hate Crime Support" not in html
    assert 'href="/en/get-support/"' in html


def test_skipping_where_with_no_service_from_anywhere_still_offers_the_fallback(
    client: Client, leeds_service: Service
) -> None:
    html = _walk(client, {}).results()
    assert "You did not tell us where you are." in html
    assert "We did not find a service that fits everything you told us." in html
    assert "These services may still be able to help" in html
    assert "Leeds Hate Crime Support" in html


def test_skipping_where_in_welsh_explains_in_welsh(
    client: Client, national_service: Service
) -> None:
    journey = _walk(client, {}, language="cy")
    html = journey.results()
    assert "Gwasanaethau a allai helpu" in html
    assert "Ni wnaethoch ddweud wrthym ble rydych chi." in html
    assert "National Support Line" in html


def test_results_are_in_welsh_on_the_welsh_site(client: Client, leeds_service: Service) -> None:
    html = _walk(client, {"where": {"where": "LS6 1AA"}}, language="cy").results()
    assert "Gwasanaethau a allai helpu" in html
    assert "Leeds Hate Crime Support" in html


def test_with_nothing_nearby_the_fallback_services_are_shown(
    client: Client, birmingham_service: Service
) -> None:
    html = _walk(client, {"where": {"where": "LS6 1AA"}}).results()
    assert "We did not find a service that fits everything you told us." in html


def _two_leeds_services(organisation: Organisation) -> None:
    service_create(
        organisation=organisation,
        name="Aire Police Support Unit",
        district_codes=[LEEDS],
        independence="police_linked",
    )
    service_create(
        organisation=organisation,
        name="Zephyr Independent Support",
        district_codes=[LEEDS],
        independence="independent",
    )


def test_wanting_support_independent_of_the_police_puts_independent_services_first(
    client: Client, organisation: Organisation
) -> None:
    _two_leeds_services(organisation)
    plain = _walk(client, {"where": {"where": "LS6 1AA"}}).results()
    assert plain.index("Aire Police Support Unit") < plain.index("Zephyr Independent Support")

    client.post("/en/get-support/start-again/")
    independent = _walk(
        client,
        {"where": {"where": "LS6 1AA"}, "matters": {"matters": ["independent_of_police"]}},
    ).results()
    assert independent.index("Zephyr Independent Support") < independent.index(
        "Aire Police Support Unit"
    )
    assert "Run by or with the police" in independent


def test_an_age_range_leaves_out_services_only_for_adults(
    client: Client, organisation: Organisation
) -> None:
    service_create(
        organisation=organisation,
        name="Leeds Adult Support",
        district_codes=[LEEDS],
        minimum_age=18,
    )
    service_create(
        organisation=organisation,
        name="Leeds Youth Support",
        district_codes=[LEEDS],
        minimum_age=11,
        maximum_age=25,
    )
    html = _walk(client, {"where": {"where": "LS6 1AA"}, "age": {"age_band": "under_18"}}).results()
    assert "Leeds Youth Support" in html
    assert "Leeds Adult Support" not in html


def test_a_worker_gender_asked_for_is_passed_to_matching(
    client: Client, organisation: Organisation
) -> None:
    service_create(organisation=organisation, name="Leeds Support", district_codes=[LEEDS])
    html = _walk(
        client, {"where": {"where": "LS6 1AA"}, "matters": {"matters": ["woman_worker"]}}
    ).results()
    assert "Leeds Support" in html
    assert "Things to check" in html


# Starting again, and arriving without answers.


def test_the_results_without_any_answers_send_the_person_to_the_start(client: Client) -> None:
    response = client.get(RESULTS)
    assert response.status_code == 302
    assert response["Location"] == "/en/get-support/"


def test_starting_again_clears_every_answer(client: Client, leeds_service: Service) -> None:
    _walk(client, {"where": {"where": "LS6 1AA"}, "what": {"what": ["hate_crime"]}})
    response = client.post("/en/get-support/start-again/")
    assert response.status_code == 302
    assert response["Location"] == "/en/get-support/"
    assert SUPPORT_ANSWERS_KEY not in client.session
    assert client.get(RESULTS)["Location"] == "/en/get-support/"
    assert 'value="LS6 1AA"' not in client.get("/en/get-support/").content.decode()


def test_starting_again_only_answers_a_post(client: Client) -> None:
    assert client.get("/en/get-support/start-again/").status_code == 405


@pytest.mark.parametrize(
    "query",
    ["?where=BD7+2QX&what=domestic_abuse&language=urd", "?what=domestic_abuse", "?x=1"],
)
def test_an_old_link_with_answers_in_it_goes_to_the_clean_start_and_echoes_nothing(
    client: Client, leeds_service: Service, query: str
) -> None:
    response = client.get(f"/en/get-support/{query}")
    assert response.status_code == 302
    assert response["Location"] == "/en/get-support/"
    assert SUPPORT_ANSWERS_KEY not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "BD7" not in page
    assert 'id="id_where" name="where" type="text" value=""' in page
    assert "domestic_abuse" not in page
    assert "Leeds Hate Crime Support" not in page


def test_answers_put_in_the_address_of_any_question_or_the_results_are_dropped(
    client: Client,
) -> None:
    for path in [*QUESTIONS.values(), "get-support/results/"]:
        response = client.get(f"/en/{path}?what=domestic_abuse")
        assert response.status_code == 302
        assert response["Location"] == f"/en/{path}"


# Bad input: a message on the same question, never an error page.


def _post(client: Client, step: str, data: dict[str, Any]) -> str:
    response = client.post(f"/en/{QUESTIONS[step]}", {**data, "action": "continue"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert SUPPORT_ANSWERS_KEY not in client.session
    return html


def test_a_malformed_postcode_gets_a_message_at_the_top_and_by_the_question(
    client: Client,
) -> None:
    html = _post(client, "where", {"where": "not a postcode!"})
    assert html.count("Enter a postcode like LS6 1AA, or the first part of one, like LS6.") == 2
    assert 'href="#id_where"' in html
    assert 'value="not a postcode!"' in html


def test_a_malformed_postcode_message_is_in_welsh_on_the_welsh_site(client: Client) -> None:
    response = client.post("/cy/get-support/", {"where": "????", "action": "continue"})
    html = response.content.decode()
    assert "Mae problem" in html
    assert "Rhowch god post fel LS6 1AA" in html


def test_a_postcode_outside_england_and_wales_is_explained(client: Client) -> None:
    html = _post(client, "where", {"where": "EH1 1YZ"})
    assert "We could not find that postcode in England or Wales" in html


def test_continuing_without_a_postcode_asks_for_one_or_to_skip(client: Client) -> None:
    html = _post(client, "where", {"where": ""})
    assert "Enter a postcode, or the first part of one, like LS6." in html
    assert "Skip this question" in html


def test_an_oversized_postcode_is_rejected_with_a_message(client: Client) -> None:
    html = _post(client, "where", {"where": "L" * 10_000})
    assert "A postcode must be 16 characters or fewer. You have entered 10000." in html


@pytest.mark.parametrize(
    ("step", "data", "message"),
    [
        ("what", {"what": ["dragons"]}, "Choose what happened from the list."),
        ("what", {"what": ["hate_crime", "x" * 5000]}, "Choose what happened from the list."),
        ("language", {"language": "klingon"}, "Choose a language from the list."),
        ("how", {"formats": ["semaphore"]}, "Choose how you would like support from the list."),
        ("age", {"age": "abc"}, "Enter your age as a number, like 16, or leave it out."),
        ("age", {"age": "200"}, "Enter your age as a number, like 16, or leave it out."),
        ("age", {"age": "9" * 5000}, "Your age must be 3 characters or fewer."),
        (
            "age",
            {"age": "40", "age_band": "under_18"},
            "Your age and the range you chose do not match.",
        ),
        ("age", {"age_band": "centenarian"}, "Choose an age range from the list."),
        ("matters", {"matters": ["be_rich"]}, "Choose what matters to you from the list."),
        (
            "matters",
            {"matters": ["woman_worker", "man_worker"]},
            "Choose a worker who is a woman or a man, not both.",
        ),
        ("matters", {"ethnic_group": "martian"}, "Choose an ethnic group from the list."),
    ],
)
def test_tampered_or_wrong_answers_get_a_message_on_the_same_question(
    client: Client, step: str, data: dict[str, Any], message: str
) -> None:
    html = _post(client, step, data)
    assert message in html
    assert "Skip this question" in html


def test_a_mistake_does_not_lose_the_answers_already_given(client: Client) -> None:
    journey = Journey(client)
    journey.answer("where", {"where": "LS6 1AA"})
    response = client.post("/en/get-support/language/", {"language": "klingon"})
    assert response.status_code == 200
    assert client.session[SUPPORT_ANSWERS_KEY]["where"] == "LS6 1AA"


def test_a_tampered_session_is_read_as_if_the_questions_were_skipped(
    client: Client, national_service: Service
) -> None:
    session = client.session
    session[SUPPORT_ANSWERS_KEY] = {
        "where": "L" * 10_000,
        "what": ["dragons", 7, None],
        "language": ["urd"],
        "age": "forty",
        "matters": "independent_of_police",
        "seen": ["where", "mars"],
    }
    session.save()
    html = Journey(client).results()
    assert "You did not tell us where you are." in html
    assert "National Support Line" in html


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    step=st.sampled_from(list(QUESTIONS)),
    body=st.dictionaries(
        st.sampled_from(
            [
                "where",
                "what",
                "language",
                "formats",
                "age",
                "age_band",
                "matters",
                "ethnic_group",
                "action",
                "zz",
            ]
        ),
        st.one_of(st.text(max_size=30), st.lists(st.text(max_size=20), max_size=4)),
        max_size=6,
    ),
)
def test_whatever_is_posted_to_a_question_the_answer_is_a_page_not_an_error(
    client: Client, step: str, body: dict[str, Any]
) -> None:
    response = client.post(f"/en/{QUESTIONS[step]}", body)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "?" not in response["Location"]
    results = client.get(RESULTS)
    assert results.status_code in (200, 302)


# The service pages the results link to are unchanged.


def test_the_service_page_shows_what_it_offers_in_plain_words(
    client: Client, leeds_service: Service
) -> None:
    html = client.get(f"/en/services/{leeds_service.id}/").content.decode()
    assert "Leeds Hate Crime Support" in html
    assert "Leeds Community Support" in html
    assert "اردو" in html
    assert "Independent: run by a charity or community group, not the police" in html
    assert f"/en/services/{leeds_service.id}/refer/" in html


def test_an_inactive_or_unknown_service_page_is_not_found(
    client: Client, leeds_service: Service
) -> None:
    leeds_service.status = Service.Status.INACTIVE
    leeds_service.save(update_fields=["status"])
    assert client.get(f"/en/services/{leeds_service.id}/").status_code == 404
    assert client.get("/en/services/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/en/services/not-a-uuid/").status_code == 404

"""Finding support: where, what happened and language, then services with their reasons."""

from __future__ import annotations

from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridgeway.directory.models import Service


def test_the_question_page_asks_where_what_and_language(client: Client) -> None:
    html = client.get("/en/get-support/").content.decode()
    assert "Where are you?" in html
    assert "Someone was hostile to me because of who I am" in html
    assert "Which language would you like support in?" in html
    assert "There is a problem" not in html


def test_a_leeds_postcode_finds_the_leeds_service_with_reasons(
    client: Client, leeds_service: Service, birmingham_service: Service
) -> None:
    response = client.get(
        "/en/get-support/", {"where": "ls6 1aa", "what": "hate_crime", "language": "urd"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Services that may help" in html
    assert "Leeds Hate Crime Support" in html
    assert "Birmingham Advice Line" not in html
    assert "Why it may fit" in html
    assert "Workers speak Urdu" in html
    assert f"/en/services/{leeds_service.id}/" in html


def test_results_are_in_welsh_on_the_welsh_site(client: Client, leeds_service: Service) -> None:
    html = client.get("/cy/get-support/", {"where": "LS6 1AA"}).content.decode()
    assert "Gwasanaethau a allai helpu" in html
    assert "Leeds Hate Crime Support" in html


def test_with_nothing_nearby_the_fallback_services_are_shown(
    client: Client, birmingham_service: Service
) -> None:
    html = client.get("/en/get-support/", {"where": "LS6 1AA"}).content.decode()
    assert "We did not find a service that fits everything you told us." in html


def test_a_malformed_postcode_gets_a_message_at_the_top_and_by_the_question(
    client: Client, leeds_service: Service
) -> None:
    response = client.get("/en/get-support/", {"where": "not a postcode!"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert html.count("Enter a postcode like LS6 1AA, or the first part of one, like LS6.") == 2
    assert 'href="#id_where"' in html
    assert "Leeds Hate Crime Support" not in html


def test_a_malformed_postcode_message_is_in_welsh_on_the_welsh_site(client: Client) -> None:
    html = client.get("/cy/get-support/", {"where": "????"}).content.decode()
    assert "Mae problem" in html
    assert "Rhowch god post fel LS6 1AA" in html


def test_a_postcode_outside_england_and_wales_is_explained(client: Client) -> None:
    html = client.get("/en/get-support/", {"where": "EH1 1YZ"}).content.decode()
    assert "We could not find that postcode in England or Wales" in html


def test_an_empty_postcode_asks_for_one(client: Client) -> None:
    html = client.get("/en/get-support/", {"where": ""}).content.decode()
    assert "Enter a postcode, or the first part of one, like LS6." in html


def test_an_oversized_postcode_is_rejected_with_a_message(client: Client) -> None:
    response = client.get("/en/get-support/", {"where": "L" * 10_000})
    assert response.status_code == 200
    assert "A postcode must be 16 characters or fewer. You have entered 10000." in (
        response.content.decode()
    )


def test_unknown_language_and_harm_codes_get_messages_not_errors(client: Client) -> None:
    response = client.get(
        "/en/get-support/", {"where": "LS6 1AA", "language": "klingon", "what": "dragons"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose a language from the list." in html
    assert "Choose what happened from the list." in html


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


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    where=st.text(max_size=40),
    what=st.lists(st.text(max_size=20), max_size=3),
    language=st.text(max_size=10),
)
def test_whatever_is_typed_into_the_search_the_answer_is_a_page_not_an_error(
    client: Client, where: str, what: list[str], language: str
) -> None:
    response = client.get("/en/get-support/", {"where": where, "what": what, "language": language})
    assert response.status_code == 200

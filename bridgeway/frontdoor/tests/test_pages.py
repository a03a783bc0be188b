# ruff: noqa: RUF001 - Welsh is written with the typographic apostrophe, U+2019.
"""Every public page: both languages, the quick exit, safe words, no third-party links."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from bridgeway.accounts.models import Organisation
from bridgeway.directory.models import Service

QUICK_EXIT = "https://www.bbc.co.uk/weather"


def _public_paths(service: Service) -> list[str]:
    return [
        "",
        "get-support/",
        "get-support/what/",
        "get-support/language/",
        "get-support/how/",
        "get-support/age/",
        "get-support/matters/",
        f"services/{service.id}/",
        f"services/{service.id}/refer/",
        "report/",
        "report/follow-up/",
    ]


@pytest.fixture
def pages(client: Client, leeds_service: Service, reporting_centre: Organisation) -> dict[str, str]:
    """The English text of every public page."""
    rendered = {}
    for path in _public_paths(leeds_service):
        response = client.get(f"/en/{path}")
        assert response.status_code == 200, path
        rendered[path] = response.content.decode()
    return rendered


def test_every_public_page_has_the_quick_exit_link(pages: dict[str, str]) -> None:
    for path, html in pages.items():
        assert f'href="{QUICK_EXIT}"' in html, path
        assert "Leave this site quickly" in html, path


def test_no_public_page_uses_the_word_victim(pages: dict[str, str]) -> None:
    for path, html in pages.items():
        assert "victim" not in html.lower(), path


def test_no_public_page_links_or_loads_from_another_site_but_the_quick_exit(
    pages: dict[str, str],
) -> None:
    for path, html in pages.items():
        addresses = re.findall(r'(?:src|href|action)="([^"]*)"', html)
        external = [a for a in addresses if re.match(r"^(https?:)?//", a) and a != QUICK_EXIT]
        assert external == [], path


def test_the_service_website_is_shown_as_text_not_a_link(pages: dict[str, str]) -> None:
    html = next(
        html for path, html in pages.items() if path.startswith("services/") and "refer" not in path
    )
    assert "https://leeds-support.example.org" in html
    assert 'href="https://leeds-support.example.org"' not in html


def test_every_public_page_is_in_welsh_under_cy(
    client: Client, leeds_service: Service, reporting_centre: Organisation
) -> None:
    for path in _public_paths(leeds_service):
        response = client.get(f"/cy/{path}")
        html = response.content.decode()
        assert response.status_code == 200, path
        assert '<html lang="cy"' in html, path
        assert "Gadael y wefan hon yn gyflym" in html, path


def test_the_welsh_home_page_speaks_welsh(client: Client) -> None:
    html = client.get("/cy/").content.decode()
    assert "Cael cymorth ar ôl i rywbeth ddigwydd i chi neu i rywun rydych chi’n ei adnabod" in html
    assert "Rhoi gwybod am ddigwyddiad casineb" in html
    assert "Gwirio adroddiad" in html


def test_the_home_page_offers_the_three_ways_in_plain_words(client: Client) -> None:
    html = client.get("/en/").content.decode()
    assert "Get support after something happened to you or someone you know" in html
    assert "Report a hate incident" in html
    assert "Check on a report" in html


def test_the_language_switcher_names_each_language_in_itself(client: Client) -> None:
    html = client.get("/en/report/follow-up/").content.decode()
    assert 'hreflang="cy"' in html
    assert ">Cymraeg<" in html
    assert "English" in html
    welsh = client.get("/cy/report/follow-up/").content.decode()
    assert 'href="/en/report/follow-up/"' in welsh


def test_an_unknown_language_prefix_gets_a_not_found_page_not_an_error(client: Client) -> None:
    response = client.get("/xx/get-support/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_public_pages_are_never_stored_by_the_browser(client: Client) -> None:
    response = client.get("/en/report/follow-up/")
    assert "no-store" in response["Cache-Control"]


def test_a_form_sent_without_its_csrf_token_gets_a_clear_403_in_the_persons_language(
    reporting_centre: Organisation,
) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/en/report/", {"narrative": "Shouted at on the bus."})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    assert "Nothing has been saved" in response.content.decode()
    welsh = client.post("/cy/report/", {"narrative": "Gweiddi arnaf ar y bws."})
    assert welsh.status_code == 403
    assert "Nid oedd modd anfon eich ffurflen" in welsh.content.decode()
    assert not reporting_centre.referrals.exists()


def test_form_fields_have_labels_tied_to_their_inputs(
    client: Client, reporting_centre: Organisation
) -> None:
    html = client.get("/en/report/").content.decode()
    ids = re.findall(r'<(?:input|textarea|select)[^>]*\sid="([^"]+)"', html)
    labelled = set(re.findall(r'<label[^>]*\sfor="([^"]+)"', html))
    hidden = {"id_csrfmiddlewaretoken"}
    assert ids
    assert [i for i in ids if i not in labelled and i not in hidden] == []


def test_every_hint_and_error_a_question_points_to_is_on_the_page(
    client: Client,
    leeds_service: Service,
    reporting_centre: Organisation,
    national_centre: Organisation,
) -> None:
    for path in (f"/en/services/{leeds_service.id}/refer/", "/en/report/"):
        html = client.post(path, {"channels": ["text"], "narrative": ""}).content.decode()
        assert "There is a problem" in html
        ids = set(re.findall(r'\sid="([^"]+)"', html))
        described_by = re.findall(r'aria-describedby="([^"]+)"', html)
        assert described_by
        missing = [ref for refs in described_by for ref in refs.split() if ref not in ids]
        assert missing == [], path

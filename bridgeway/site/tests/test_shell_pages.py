"""The site shell: health, safety headers on every response, error pages, CSRF failure."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from bridgeway.site.views import server_error

# Sources a directive may name without reaching beyond this site.
OWN_SOURCES = {"'self'", "'none'", "data:"}

PAGES = [
    "/healthz",
    "/",
    "/en/",
    "/cy/",
    "/en/no-such-page/",
    "/no-such-page",
    "/staff/no-such-page/",
    "/api/v1/no-such-endpoint",
]


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


@pytest.mark.django_db
def test_healthz_answers_ok_as_json(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client):
    with mock.patch("bridgeway.site.views.connection.cursor", side_effect=OperationalError("gone")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "error", "database": "unavailable"}


@pytest.mark.django_db
def test_healthz_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_response_has_a_content_security_policy_with_no_third_party_sources(client, path):
    response = client.get(path)
    directives = csp_directives(response["Content-Security-Policy"])
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    for name, sources in directives.items():
        assert set(sources) <= OWN_SOURCES, f"{name} allows {sources} on {path}"


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_response_is_kept_out_of_caches(client, path):
    response = client.get(path)
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_root_sends_people_to_the_front_door_in_their_language(client):
    assert client.get("/", headers={"accept-language": "cy"})["Location"] == "/cy/"
    assert client.get("/", headers={"accept-language": "en-GB"})["Location"] == "/en/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/en/no-such-page/", "/cy/no-such-page/", "/no-such-page", "/staff/no-such-page/"]
)
def test_unknown_address_gets_the_page_not_found_page_not_a_server_error(client, path):
    response = client.get(path, follow=True)
    assert response.status_code == 404
    text = response.content.decode()
    if path.startswith("/cy/"):
        assert "Os teipioch y cyfeiriad gwe, gwiriwch ei fod yn gywir." in text
    else:
        assert "If you typed the web address, check it is correct." in text


@pytest.mark.django_db
def test_page_not_found_page_has_the_quick_exit_and_language_switcher(client):
    text = client.get("/en/no-such-page/").content.decode()
    assert 'href="https://www.bbc.co.uk/weather"' in text
    assert "data-quick-exit-link" in text
    assert 'hreflang="cy"' in text


@pytest.mark.django_db
def test_unknown_api_endpoint_is_404_not_500(client):
    assert client.get("/api/v1/no-such-endpoint").status_code == 404


@pytest.mark.django_db
def test_request_for_an_unknown_host_gets_the_bad_request_page(client):
    response = client.get("/en/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert "Something was wrong with the request" in response.content.decode()


@pytest.mark.django_db
def test_form_without_a_csrf_token_gets_the_csrf_failure_page():
    response = Client(enforce_csrf_checks=True).post("/healthz", {"anything": "x"})
    assert response.status_code == 403
    text = response.content.decode()
    assert "Your form could not be sent" in text
    assert "Nothing has been saved." in text
    assert "data-quick-exit-link" in text


def test_server_error_page_renders_without_the_database():
    request = RequestFactory().get("/en/")
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
        side_effect=OperationalError("gone"),
    ):
        response = server_error(request)
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode()


def test_an_unreachable_database_gets_a_calm_503_with_retry_after_not_a_stack_trace():
    request = RequestFactory().post("/en/report/")
    # Django calls the handler inside the request's except block, as here.
    try:
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "Please try again in a minute" in text
    assert "Nothing you sent on this page has been kept" in text
    assert "Traceback" not in text
    assert "5432" not in text


@pytest.mark.django_db
def test_favicon_is_an_icon_anyone_may_fetch_and_cache(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/vnd.microsoft.icon"
    # An ICO file starts with a reserved zero word and type 1 (icon).
    assert response.content[:4] == b"\x00\x00\x01\x00"
    assert "public" in response["Cache-Control"]
    assert "max-age=604800" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]

"""Leaving leaves nothing: the journey forgotten on exit and when idle, neutral titles, advice."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from bridgeway.accounts.models import Organisation
from bridgeway.directory.models import Service
from bridgeway.frontdoor.journey import journey_is_idle
from bridgeway.frontdoor.leaving import LAST_SEEN_KEY
from bridgeway.frontdoor.views import SUPPORT_ANSWERS_KEY

LANGUAGES = ("en", "cy", "ur", "pl", "pa")
SAME_ORIGIN: dict[str, Any] = {"HTTP_SEC_FETCH_SITE": "same-origin"}
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def _start(client: Client) -> None:
    """Answer two questions, as a person part of the way through."""
    client.post("/en/get-support/", {"where": "LS6 1AA", "action": "continue"}, **SAME_ORIGIN)
    client.post(
        "/en/get-support/what/", {"what": ["hate_crime"], "action": "continue"}, **SAME_ORIGIN
    )
    assert client.session[SUPPORT_ANSWERS_KEY]["what"] == ["hate_crime"]


def _age(client: Client, minutes: int) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = (timezone.now() - dt.timedelta(minutes=minutes)).isoformat()
    session.save()


def test_leaving_forgets_the_journey_on_the_server(client: Client) -> None:
    _start(client)
    key = client.session.session_key
    response = client.post("/en/leave/", **SAME_ORIGIN)
    assert response.status_code == 204
    assert "no-store" in response["Cache-Control"]
    assert not Session.objects.filter(session_key=key).exists()
    assert 'value="LS6 1AA"' not in client.get("/en/get-support/").content.decode()
    assert client.get("/en/get-support/results/")["Location"] == "/en/get-support/"


def test_leaving_asked_by_another_site_forgets_nothing(client: Client) -> None:
    strict = Client(enforce_csrf_checks=True)
    _start(strict)
    response = strict.post("/en/leave/", HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403
    assert strict.session[SUPPORT_ANSWERS_KEY]["where"] == "LS6 1AA"


def test_leaving_only_answers_a_post(client: Client) -> None:
    assert client.get("/en/leave/").status_code == 405


def test_a_journey_left_alone_for_twenty_minutes_is_forgotten(client: Client) -> None:
    _start(client)
    _age(client, 21)
    page = client.get("/en/get-support/what/").content.decode()
    assert "checked" not in page
    assert SUPPORT_ANSWERS_KEY not in client.session


def test_a_journey_in_use_is_kept_and_its_idle_time_starts_again(client: Client) -> None:
    _start(client)
    _age(client, 19)
    page = client.get("/en/get-support/what/").content.decode()
    assert re.search(r'value="hate_crime" checked', page)
    seen = dt.datetime.fromisoformat(client.session[LAST_SEEN_KEY])
    assert timezone.now() - seen < dt.timedelta(minutes=1)


@override_settings(FRONTDOOR_IDLE_MINUTES=5)
def test_the_idle_time_is_a_setting(client: Client) -> None:
    _start(client)
    _age(client, 6)
    client.get("/en/get-support/what/")
    assert SUPPORT_ANSWERS_KEY not in client.session


def test_a_visitor_with_no_journey_gets_no_cookie(client: Client) -> None:
    response = client.get("/en/cover-your-tracks/")
    assert dict(response.cookies) == {}


@pytest.mark.parametrize(
    ("last_seen", "idle"),
    [
        (None, False),
        ((NOW - dt.timedelta(minutes=19)).isoformat(), False),
        ((NOW - dt.timedelta(minutes=20)).isoformat(), True),
        ((NOW + dt.timedelta(minutes=1)).isoformat(), True),
        ("2026-03-01T11:00:00", True),
        ("yesterday", True),
        (12, True),
    ],
)
def test_what_counts_as_idle(last_seen: object, idle: bool) -> None:
    assert journey_is_idle(last_seen, now=NOW, limit=dt.timedelta(minutes=20)) is idle


def _public_paths(service: Service) -> list[str]:
    return [
        "get-support/",
        "get-support/what/",
        "get-support/start-again/check/",
        f"services/{service.id}/",
        f"services/{service.id}/refer/",
        "report/",
        "report/follow-up/",
        "cover-your-tracks/",
    ]


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found
    return found.group(1).strip()


@pytest.mark.parametrize("language", LANGUAGES)
def test_history_shows_only_a_neutral_title_in_every_language(
    client: Client, language: str, leeds_service: Service, reporting_centre: Organisation
) -> None:
    with translation.override(language):
        neutral = f"{gettext('Find support')} \u2013 {gettext('Bridgeway')}"
    for path in _public_paths(leeds_service):
        html = client.get(f"/{language}/{path}").content.decode()
        assert _title(html) == neutral, path
    # Pages showing answers or what happened are kept out of every cache, and say nothing in
    # their titles either.
    _start(client)
    for path in (
        "get-support/what/",
        "get-support/results/",
        f"services/{leeds_service.id}/refer/",
    ):
        response = client.get(f"/{language}/{path}")
        assert "no-store" in response["Cache-Control"], path
        assert _title(response.content.decode()) == neutral, path


def test_no_title_names_what_happened(
    client: Client, leeds_service: Service, reporting_centre: Organisation
) -> None:
    for path in _public_paths(leeds_service):
        title = _title(client.get(f"/en/{path}").content.decode()).lower()
        for word in ("hate", "report", "crime", "abuse", "leeds", "tracks"):
            assert word not in title, (path, title)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_links_to_cover_your_tracks(
    client: Client, language: str, leeds_service: Service, reporting_centre: Organisation
) -> None:
    link = f'href="/{language}/cover-your-tracks/"'
    for path in ["", *_public_paths(leeds_service)]:
        assert link in client.get(f"/{language}/{path}").content.decode(), path
    assert link in client.get(f"/{language}/no-such-page/").content.decode()
    with translation.override(language):
        heading = gettext("Cover your tracks")
        private = gettext("Use a private window")
    page = client.get(f"/{language}/cover-your-tracks/").content.decode()
    assert heading in page
    assert private in page
    assert "20" in page

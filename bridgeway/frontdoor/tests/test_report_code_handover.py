"""A new report's follow-up code is shown once and never kept in the session."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import Client, RequestFactory

from bridgeway.accounts.models import Organisation
from bridgeway.casework.models import Referral
from bridgeway.frontdoor.code_handover import (
    COOKIE_NAME,
    HANDOVER_SECONDS,
    code_hand_over,
    code_handed_over,
)

DONE = "/en/report/done/"


def _answers() -> dict[str, Any]:
    return {
        "narrative": "Someone wrote abuse on our shop window.",
        "postcode": "LS6",
        "hate_strands": ["race"],
        "identity": "anonymous",
        "wants_police_told": "no",
    }


def _sessions_text() -> str:
    """Everything every stored session holds, decoded, as one string."""
    return "\n".join(repr(session.get_decoded()) for session in Session.objects.all())


def _code_in(html: str) -> str | None:
    found = re.search(r'id="follow-up-code">([^<]+)<', html)
    return found.group(1) if found else None


def _handed_over_code(client: Client) -> str | None:
    request = RequestFactory().get(DONE)
    request.COOKIES[COOKIE_NAME] = client.cookies[COOKIE_NAME].value
    return code_handed_over(request, reference=Referral.objects.get().reference)


def test_the_code_is_never_in_the_session_even_if_the_done_page_never_loads(
    client: Client, reporting_centre: Organisation
) -> None:
    response = client.post("/en/report/", _answers())
    assert response.status_code == 302
    code = _handed_over_code(client)
    assert code
    stored = _sessions_text()
    assert Referral.objects.get().reference in stored
    assert code not in stored
    assert "'code'" not in stored


def test_the_cookie_that_carries_the_code_does_not_show_it_and_goes_only_to_the_done_page(
    client: Client, reporting_centre: Organisation
) -> None:
    response = client.post("/en/report/", _answers())
    cookie = response.cookies[COOKIE_NAME]
    code = _handed_over_code(client)
    assert code
    assert code not in cookie.value
    assert cookie["path"] == DONE
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert cookie["max-age"] == HANDOVER_SECONDS


def test_the_done_page_shows_the_code_once_and_deletes_the_cookie(
    client: Client, reporting_centre: Organisation
) -> None:
    client.post("/en/report/", _answers())
    expected = _handed_over_code(client)
    first = client.get(DONE)
    assert _code_in(first.content.decode()) == expected
    assert first.cookies[COOKIE_NAME].value == ""
    assert first.cookies[COOKIE_NAME]["max-age"] == 0
    again = client.get(DONE).content.decode()
    assert _code_in(again) is None
    assert "cannot be shown again" in again
    assert expected is not None
    assert expected not in _sessions_text()


def test_a_code_handed_over_too_long_ago_is_not_shown(
    client: Client, reporting_centre: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.post("/en/report/", _answers())
    later = time.time() + HANDOVER_SECONDS + 1
    monkeypatch.setattr("cryptography.fernet.time.time", lambda: later)
    html = client.get(DONE).content.decode()
    assert _code_in(html) is None
    assert "cannot be shown again" in html


def test_a_code_handed_over_for_another_report_is_not_shown(
    client: Client, reporting_centre: Organisation
) -> None:
    client.post("/en/report/", _answers())
    client.get(DONE)  # takes this report's own code away first
    forged = HttpResponse()
    code_hand_over(forged, reference="R-OTHER", code="ABCD-EFGH", path=DONE)
    client.cookies[COOKIE_NAME] = forged.cookies[COOKIE_NAME].value
    html = client.get(DONE).content.decode()
    assert "ABCD-EFGH" not in html


def test_a_tampered_cookie_is_ignored(client: Client, reporting_centre: Organisation) -> None:
    client.post("/en/report/", _answers())
    client.cookies[COOKIE_NAME] = "not-a-sealed-token"
    response = client.get(DONE)
    assert response.status_code == 200
    assert _code_in(response.content.decode()) is None

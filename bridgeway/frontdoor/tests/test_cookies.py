"""No cookies before a form is started, with every public form still safe from forgery."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.accounts.models import Organisation
from bridgeway.casework.models import CaseEvent, Referral
from bridgeway.casework.services import PersonDetails, report_create
from bridgeway.directory.models import Service
from bridgeway.frontdoor.origin_check import Verdict, post_verdict

OWN = "http://testserver"
REFUSED = "Your form could not be sent"


def _report(**changes: Any) -> dict[str, Any]:
    return {
        "narrative": "Someone spat at me on the tram.",
        "identity": "anonymous",
        "wants_police_told": "no",
        **changes,
    }


@pytest.fixture
def strict() -> Client:
    """A client that gets Django's real forgery checks, as a browser does."""
    return Client(enforce_csrf_checks=True)


def test_no_public_page_sets_a_cookie_before_anything_is_sent(
    strict: Client, leeds_service: Service, reporting_centre: Organisation
) -> None:
    for path in [
        "",
        "get-support/",
        "get-support/what/",
        "get-support/language/",
        "get-support/how/",
        "get-support/age/",
        "get-support/matters/",
        f"services/{leeds_service.id}/",
        f"services/{leeds_service.id}/refer/",
        "report/",
        "report/follow-up/",
    ]:
        for language in ("en", "cy", "ur"):
            response = strict.get(f"/{language}/{path}")
            assert response.status_code == 200, path
            assert dict(response.cookies) == {}, (language, path)
            assert "csrfmiddlewaretoken" not in response.content.decode(), path


def test_the_first_cookie_comes_only_when_the_person_sends_an_answer(strict: Client) -> None:
    response = strict.post("/en/get-support/", {"action": "skip"}, HTTP_ORIGIN=OWN)
    assert response.status_code == 302
    assert "sessionid" in response.cookies


def test_a_report_from_our_own_page_is_taken_without_a_cookie(
    strict: Client, reporting_centre: Organisation
) -> None:
    response = strict.post("/en/report/", _report(), HTTP_ORIGIN=OWN)
    assert response.status_code == 302
    assert reporting_centre.referrals.count() == 1


def test_the_browsers_same_origin_header_is_enough(
    strict: Client, reporting_centre: Organisation
) -> None:
    response = strict.post("/en/report/", _report(), HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == 302
    assert reporting_centre.referrals.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_ORIGIN": "http://testserver.evil.example"},
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": OWN},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {},
    ],
    ids=["other-site", "null-origin", "lookalike", "cross-site", "sibling-subdomain", "no-headers"],
)
def test_a_forged_or_unexplained_post_is_refused_and_changes_nothing(
    strict: Client, reporting_centre: Organisation, headers: dict[str, str]
) -> None:
    response = strict.post("/en/report/", _report(), **headers)  # type: ignore[arg-type]
    assert response.status_code == 403
    assert REFUSED in response.content.decode()
    assert not reporting_centre.referrals.exists()


def test_a_forged_post_to_the_follow_up_conversation_sends_nothing(
    strict: Client, reporting_centre: Organisation
) -> None:
    referral, code = report_create(
        organisation=reporting_centre,
        details=PersonDetails(),
        contact=None,
        is_anonymous=True,
        narrative="Leaflets through the door.",
        hate_strands=["religion"],
    )
    opened = strict.post(
        "/en/report/follow-up/", {"reference": referral.reference, "code": code}, HTTP_ORIGIN=OWN
    )
    assert opened.status_code == 302
    forged = strict.post(
        "/en/report/follow-up/",
        {"action": "send", "text": "Forged."},
        HTTP_ORIGIN="https://evil.example",
    )
    assert forged.status_code == 403
    assert not CaseEvent.objects.filter(referral=referral, kind=CaseEvent.Kind.MESSAGE_IN).exists()
    sent = strict.post(
        "/en/report/follow-up/", {"action": "send", "text": "Real."}, HTTP_ORIGIN=OWN
    )
    assert sent.status_code == 302
    # Messages are sealed at rest, so they are read back, not filtered in the database.
    received = Referral.objects.get(pk=referral.pk).events.filter(kind=CaseEvent.Kind.MESSAGE_IN)
    assert [event.text for event in received] == ["Real."]


def test_an_old_browser_that_sends_the_token_is_still_served(
    client: Client, reporting_centre: Organisation
) -> None:
    """With neither header, Django's token is checked as before (here on a page that has one)."""
    strict = Client(enforce_csrf_checks=True)
    strict.post("/en/get-support/", {"action": "skip"}, HTTP_ORIGIN=OWN)
    html = strict.get("/en/get-support/start-again/check/").content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = strict.post("/en/get-support/start-again/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_staff_pages_keep_djangos_token(strict: Client) -> None:
    response = strict.get("/staff/sign-in/")
    assert "csrfmiddlewaretoken" in response.content.decode()


@given(origin=st.text(max_size=60))
def test_only_our_exact_origin_counts_as_ours(origin: str) -> None:
    verdict = post_verdict(sec_fetch_site=None, origin=origin, own_origins={OWN})
    expected = origin.strip().lower().rstrip("/") == OWN
    assert (verdict is Verdict.SAME_ORIGIN) is expected
    assert verdict is not Verdict.UNKNOWN


@given(site=st.text(max_size=20), origin=st.one_of(st.none(), st.just(OWN)))
def test_the_fetch_header_decides_before_the_origin(site: str, origin: str | None) -> None:
    verdict = post_verdict(sec_fetch_site=site, origin=origin, own_origins={OWN})
    expected = (
        Verdict.SAME_ORIGIN if site.strip().lower() == "same-origin" else Verdict.CROSS_ORIGIN
    )
    assert verdict is expected


def test_with_neither_header_the_verdict_is_unknown() -> None:
    assert post_verdict(sec_fetch_site=None, origin=None, own_origins={OWN}) is Verdict.UNKNOWN

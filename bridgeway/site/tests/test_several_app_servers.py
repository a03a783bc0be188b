"""Two ``bridgeway serve`` behind Debian's nginx, on one PostgreSQL (issue 18, item 1).

nginx hands requests to the two app servers in turn (round robin), so a person's consecutive
requests land on different servers: sessions, the second sign-in factor, throttle counts and
the follow-up grant must all live in the database. Each answer names its server
(``X-Bridgeway-Upstream``, added by the test's nginx), so the tests check that they did
alternate. The matching index each server keeps in memory follows the directory's version
stamp (decision 0096): a listing changed through one server is matched by the other within
a second.
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Iterator
from typing import Any

import dj_database_url
import pytest
import requests
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.tests.conftest import code_for
from bridgeway.accounts.tests.factories import TEST_PASSWORD
from bridgeway.casework.models import Referral
from bridgeway.site.tests.cluster import Cluster, server_environment, shared_secrets

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("live_reference_data"),
    # One pair of servers for the module, when xdist hands tests out by group.
    pytest.mark.xdist_group("several-app-servers"),
]

UPSTREAM = "X-Bridgeway-Upstream"
FAILURE_LIMIT = 3
# A browser's own headers on a form post from one of our pages (frontdoor/csrf.py).
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY = re.compile(r'name="submission_key" value="([A-Za-z0-9_-]+)"')


@pytest.fixture(scope="module")
def cluster(django_db_setup: None, django_db_blocker: Any) -> Iterator[Cluster]:
    """Two app servers and nginx on the suite's test database, for this module's tests."""
    with django_db_blocker.unblock():
        database = dict(connections[DEFAULT_DB_ALIAS].settings_dict)
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL")
    app = dj_database_url.parse(os.environ["DATABASE_URL"])
    url = f"postgres://{app['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    environment = server_environment(
        database_url=url,
        secrets=shared_secrets(settings),
        extra={"BRIDGEWAY_FOLLOW_UP_FAILURE_LIMIT": str(FAILURE_LIMIT)},
    )
    running = Cluster(environment, count=2)
    try:
        running.start()
        yield running
    finally:
        running.close()


@pytest.fixture
def reporting_centre(db: Any) -> Any:
    from bridgeway.accounts.models import Organisation
    from bridgeway.accounts.tests.factories import OrganisationFactory

    return OrganisationFactory(
        name="West Yorkshire Hate Reporting Centre",
        slug="wy-hate-reporting",
        kind=Organisation.Kind.REPORTING_CENTRE,
        area_codes=["E23000010"],
    )


class Browser(requests.Session):
    """A person's browser through nginx, noting which app server gave each answer."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.servers: list[str] = []
        self.hooks["response"].append(self._note)

    def _note(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.servers.append(response.headers.get(UPSTREAM, "none"))
        assert response.status_code < 500, response.text[:2000]

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", 30)
        verb = method if isinstance(method, str) else method.decode()
        path = url if isinstance(url, str) else url.decode()
        return super().request(verb, f"{self.base}{path}", *args, **kwargs)

    def form(self, path: str, data: dict[str, Any], **kwargs: Any) -> requests.Response:
        """A staff form: its page read first for Django's token, then posted."""
        page = self.get(path).text
        token = CSRF.search(page)
        assert token, page[:2000]
        return self.post(path, {**data, "csrfmiddlewaretoken": token.group(1)}, **kwargs)


def _alternated(servers: list[str]) -> None:
    """Consecutive requests went to different app servers, and both served."""
    assert len(set(servers)) == 2, servers
    assert all(first != second for first, second in itertools.pairwise(servers)), servers


def test_a_staff_sign_in_with_two_factors_and_an_edit_work_across_the_servers(
    cluster: Cluster, organisation_admin: Any, organisation: Any
) -> None:
    from bridgeway.directory.tests.factories import ServiceFactory

    service = ServiceFactory(organisation=organisation, name="Leeds Hate Support")
    browser = Browser(cluster.url)
    signed = browser.form(
        "/staff/sign-in/",
        {"email": organisation_admin.email, "password": TEST_PASSWORD},
        allow_redirects=False,
    )
    assert signed.status_code == 302, signed.text[:2000]
    assert signed.headers["Location"].startswith("/staff/sign-in/verify/")
    device = TOTPDevice.objects.get(user=organisation_admin, confirmed=True)
    verified = browser.form(
        "/staff/sign-in/verify/", {"code": code_for(device)}, allow_redirects=False
    )
    assert verified.status_code == 302, verified.text[:2000]
    # Signed in with both factors, whichever server answers.
    for _ in range(2):
        listings = browser.get("/staff/directory/", allow_redirects=False)
        assert listings.status_code == 200
        assert "Leeds Hate Support" in listings.text
    edited = browser.form(
        f"/staff/directory/{service.id}/edit/",
        {
            "name": "Leeds Hate Crime Support",
            "description": "Support after hate.",
            "districts": ["E08000035"],
            "languages": ["eng"],
            "harm_types": ["hate_incident"],
            "independence": "independent",
            "waiting_weeks": "1",
        },
        allow_redirects=False,
    )
    assert edited.status_code == 302, edited.text[:3000]
    service.refresh_from_db()
    assert service.name == "Leeds Hate Crime Support"
    _alternated(browser.servers)


def test_a_report_its_follow_up_grant_and_a_throttle_work_across_the_servers(
    cluster: Cluster, reporting_centre: Any
) -> None:
    person = Browser(cluster.url)
    key = KEY.search(person.get("/en/report/").text)
    assert key
    sent = person.post(
        "/en/report/",
        {
            "narrative": "A man shouted racist abuse at my neighbour at the bus stop.",
            "incident_day": "3",
            "incident_month": "2",
            "incident_year": "2025",
            "incident_place": "Bus stop on Otley Road",
            "postcode": "LS6",
            "hate_strands": ["race"],
            "identity": "anonymous",
            "wants_police_told": "no",
            "submission_key": key.group(1),
        },
        headers=SAME_ORIGIN,
        allow_redirects=False,
    )
    assert sent.status_code == 302, sent.text[:2000]
    done = person.get(sent.headers["Location"]).text  # on the other server: the session's
    reference = re.search(r"\b(BW-[A-Z0-9]{4}-[A-Z0-9]{4})\b", done)
    code = re.search(r'id="follow-up-code">([^<]+)<', done)
    assert reference, done[:2000]
    assert code, done[:2000]
    assert Referral.objects.filter(reference=reference.group(1)).count() == 1

    # The follow-up grant, given by one server, is honoured by the other.
    opened = person.post(
        "/en/report/follow-up/",
        {"reference": reference.group(1), "code": code.group(1)},
        headers=SAME_ORIGIN,
        allow_redirects=False,
    )
    assert opened.status_code == 302
    status = person.get("/en/report/follow-up/").text
    assert "West Yorkshire Hate Reporting Centre" in status
    pictures = person.get("/en/report/follow-up/pictures/", allow_redirects=False)
    assert pictures.status_code == 200  # with no grant it would send them back to the form
    _alternated(person.servers)

    # Wrong codes from another device, on both servers, count towards one limit.
    other = Browser(cluster.url)
    for _ in range(FAILURE_LIMIT):
        other.post(
            "/en/report/follow-up/",
            {"reference": reference.group(1), "code": "WRONG-CODE"},
            headers=SAME_ORIGIN,
        )
    refused = other.post(
        "/en/report/follow-up/",
        {"reference": reference.group(1), "code": code.group(1)},
        headers=SAME_ORIGIN,
    ).text
    assert "too many tries" in refused
    assert "West Yorkshire Hate Reporting Centre" not in refused
    _alternated(other.servers)


def test_a_listing_changed_through_one_server_is_matched_by_the_other_within_a_second(
    cluster: Cluster, organisation: Any
) -> None:
    from bridgeway.directory.tests.factories import ServiceFactory

    ServiceFactory(organisation=organisation, name="Leeds Advice", district_codes=["E08000035"])
    service = ServiceFactory(
        organisation=organisation, name="Bradford Only", district_codes=["E08000032"]
    )
    session = requests.Session()

    def matched_on(server: int) -> set[str]:
        answer = session.post(
            f"http://{cluster.servers[server].address}/api/v1/match",
            json={"postcode": "LS6"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        return {item["name"] for item in body["results"] + body["fallback"]}

    # Both servers have read the index (and keep it) before the change.
    for server in (0, 1):
        assert "Leeds Advice" in matched_on(server)
        assert "Bradford Only now in Leeds" not in matched_on(server)

    admin = _signed_in_admin(cluster, organisation)
    changed = admin.form(
        f"/staff/directory/{service.id}/edit/",
        {
            "name": "Bradford Only now in Leeds",
            "description": "Support after hate.",
            "districts": ["E08000032", "E08000035"],
            "languages": ["eng"],
            "harm_types": ["hate_incident"],
            "independence": "independent",
            "waiting_weeks": "1",
        },
        allow_redirects=False,
    )
    assert changed.status_code == 302, changed.text[:3000]
    changed_at = time.monotonic()
    writer = changed.headers[UPSTREAM]
    reader = next(n for n, s in enumerate(cluster.servers) if s.address != writer)
    while "Bradford Only now in Leeds" not in matched_on(reader):
        assert time.monotonic() - changed_at < 1.0, "the other server's index did not follow"
        time.sleep(0.05)
    assert time.monotonic() - changed_at < 1.0


def test_a_listing_changed_through_one_server_shows_on_the_others_kept_pages_at_once(
    cluster: Cluster, organisation: Any
) -> None:
    """The feed's list page and a service's page are kept in each server's memory under the
    directory's stamp (decision 0153): a change through one server shows on the other's
    very next answer."""
    from bridgeway.directory.tests.factories import ServiceFactory

    service = ServiceFactory(
        organisation=organisation, name="Bradford Only", district_codes=["E08000032"]
    )
    session = requests.Session()

    def shown_on(server: int) -> tuple[str, list[str]]:
        base = f"http://{cluster.servers[server].address}"
        page = session.get(f"{base}/en/services/{service.id}/", timeout=30)
        feed = session.get(f"{base}/api/v1/services?per_page=5", timeout=30)
        assert page.status_code == feed.status_code == 200
        return page.text, [item["name"] for item in feed.json()["contents"]]

    for server in (0, 1):
        for _ in range(2):  # the second answer is the kept one
            page, names = shown_on(server)
            assert "Bradford Only" in page
            assert names == ["Bradford Only"]

    admin = _signed_in_admin(cluster, organisation)
    changed = admin.form(
        f"/staff/directory/{service.id}/edit/",
        {
            "name": "Bradford Support Renamed",
            "description": "Support after hate.",
            "districts": ["E08000032"],
            "languages": ["eng"],
            "harm_types": ["hate_incident"],
            "independence": "independent",
            "waiting_weeks": "1",
        },
        allow_redirects=False,
    )
    assert changed.status_code == 302, changed.text[:3000]
    for server in (0, 1):
        page, names = shown_on(server)
        assert "Bradford Support Renamed" in page
        assert "Bradford Only" not in page
        assert names == ["Bradford Support Renamed"]


def _signed_in_admin(cluster: Cluster, organisation: Any) -> Browser:
    from bridgeway.accounts.models import Membership
    from bridgeway.accounts.tests.factories import MembershipFactory, totp_device_for

    user = MembershipFactory(
        organisation=organisation, role=Membership.Role.ORGANISATION_ADMIN
    ).user
    device = totp_device_for(user)
    browser = Browser(cluster.url)
    browser.form("/staff/sign-in/", {"email": user.email, "password": TEST_PASSWORD})
    browser.form("/staff/sign-in/verify/", {"code": code_for(device)})
    return browser

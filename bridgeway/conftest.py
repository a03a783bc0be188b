"""Fixtures every app's tests share: reference data and the personas.

The personas follow healthchecks' test base: a practitioner and an administrator of one
organisation, a practitioner of another organisation (the outsider), and a commissioner
whose office covers West Yorkshire.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import pytest
from django.core.management import call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.accounts.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    totp_device_for,
)

WEST_YORKSHIRE = "E23000010"
WEST_MIDLANDS = "E23000014"


def load_reference_data() -> None:
    call_command("load_reference_data", verbosity=0, stdout=open("/dev/null", "w"))


def connect_as(role: str) -> None:
    """Point the default connection at the site's role (``"app"``) or the owner (``"owner"``).

    Only with PostgreSQL's two roles (``DATABASE_OWNER_URL`` set, as ``scripts/with-postgres``
    does); otherwise there is one role and nothing changes. The next query reconnects.
    """
    from django.conf import settings
    from django.db import connection

    owner = settings.DATABASE_OWNER
    if owner is None or connection.vendor != "postgresql":
        return
    source = owner if role == "owner" else dj_database_url.parse(os.environ["DATABASE_URL"])
    wanted = {key: source.get(key, "") for key in ("USER", "PASSWORD", "HOST", "PORT")}
    if all(connection.settings_dict.get(key, "") == value for key, value in wanted.items()):
        return
    connection.close()
    connection.settings_dict.update(wanted)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """The test database is created and migrated by the owner role, as production's is."""
    connect_as("owner")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The vocabulary and geography, loaded once per test database; then tests connect as
    the site's role, which may only add to and read the audit log."""
    with django_db_blocker.unblock():
        load_reference_data()
    connect_as("app")
    yield
    connect_as("owner")  # who created the test database drops it


@pytest.fixture
def _database_role(request: pytest.FixtureRequest, django_db_setup: None) -> Iterator[None]:
    """Tests connect as the site's role, except those that need the owner's powers.

    Transactional tests empty every table afterwards with TRUNCATE, which the site's role may
    not do to the audit log; tests marked ``database_owner`` model a compromised owner (or a
    demo purge) and need to switch the append-only trigger off.
    """
    marker = request.node.get_closest_marker("django_db")
    as_owner = (
        request.node.get_closest_marker("database_owner") is not None
        or "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and bool(marker.kwargs.get("transaction", False)))
    )
    connect_as("owner" if as_owner else "app")
    yield
    connect_as("app")


@pytest.fixture
def _django_db_helper(_database_role: None, _django_db_helper: None) -> None:
    """pytest-django's test database access, wrapped so the role is chosen before it starts
    (and restored after its transaction or flush ends). Every ``db``, ``transactional_db`` and
    ``django_db`` marker goes through this fixture."""
    return _django_db_helper


@pytest.fixture(autouse=True)
def _fresh_matching_index() -> Iterator[None]:
    """Each test starts without this process's matching index: the database it was read
    from is rolled back or emptied between tests, which no version stamp can tell."""
    from bridgeway.directory.profile_index import profile_index_forget

    profile_index_forget()
    yield
    profile_index_forget()


QUICK_ARGON2 = "bridgeway.accounts.tests.hashers.QuickArgon2PasswordHasher"


@pytest.fixture(autouse=True)
def _quick_argon2(settings: Any) -> None:
    """Every test hashes passwords with Argon2 at tiny parameters (the same algorithm and hash
    format), not production's 100 MiB and two passes: each persona's password was hashed in
    full, about a second on a busy machine, in most tests of the suite. The real parameters are
    checked in accounts/tests/test_sign_in.py (test_production_settings_hash_with_full_strength_argon2).
    """
    settings.PASSWORD_HASHERS = [
        QUICK_ARGON2,
        *(h for h in settings.PASSWORD_HASHERS if not h.endswith(".Argon2PasswordHasher")),
    ]


@pytest.fixture
def live_reference_data(transactional_db: Any) -> None:
    """Reference data for transactional tests (live server, browser), which flush tables."""
    load_reference_data()


def sign_in(client: Client, user: User) -> Client:
    """A client signed in with both factors, as after the real two-step sign-in."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or totp_device_for(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def organisation(db: Any) -> Organisation:
    return OrganisationFactory(
        name="Leeds Community Support", slug="leeds-community", area_codes=[WEST_YORKSHIRE]
    )


@pytest.fixture
def other_organisation(db: Any) -> Organisation:
    return OrganisationFactory(
        name="Birmingham Outreach", slug="birmingham-outreach", area_codes=[WEST_MIDLANDS]
    )


@pytest.fixture
def commissioner_office(db: Any) -> Organisation:
    return OrganisationFactory(
        name="West Yorkshire Mayor's Office for Policing and Crime",
        slug="west-yorkshire-pcc",
        kind=Organisation.Kind.COMMISSIONER,
        independence="police_linked",
        area_codes=[WEST_YORKSHIRE],
    )


def _member(organisation: Organisation, role: str) -> User:
    membership = MembershipFactory(organisation=organisation, role=role)
    totp_device_for(membership.user)
    return membership.user


@pytest.fixture
def practitioner(organisation: Organisation) -> User:
    return _member(organisation, Membership.Role.PRACTITIONER)


@pytest.fixture
def organisation_admin(organisation: Organisation) -> User:
    return _member(organisation, Membership.Role.ORGANISATION_ADMIN)


@pytest.fixture
def outsider(other_organisation: Organisation) -> User:
    return _member(other_organisation, Membership.Role.PRACTITIONER)


@pytest.fixture
def commissioner(commissioner_office: Organisation) -> User:
    return _member(commissioner_office, Membership.Role.COMMISSIONER)


@pytest.fixture
def practitioner_client(practitioner: User) -> Client:
    return sign_in(Client(), practitioner)


@pytest.fixture
def admin_client_of_organisation(organisation_admin: User) -> Client:
    return sign_in(Client(), organisation_admin)


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    return sign_in(Client(), outsider)


@pytest.fixture
def commissioner_client(commissioner: User) -> Client:
    return sign_in(Client(), commissioner)


# --- Browser tests ----------------------------------------------------------------------------
# Debian's Chromium driven by Playwright (never `playwright install`: no browser downloads).
# Mark such tests @pytest.mark.browser and use pytest-django's live_server with
# live_reference_data; scripts/test runs them in their own pass, without xdist.

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
AXE_SCRIPT = Path(__file__).resolve().parent / "site" / "static" / "build" / "axe.min.js"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session's browser tests."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while it is started,
    # so Django's async-safety check would refuse the ORM calls tests and the live server's
    # fixtures make from it. Allowed only while the browser runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _leaves_the_machine(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOCAL_HOSTS


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context and page for one test, closed afterwards.

    Requests to anywhere but this machine are refused (a test may ``page.route`` a site it
    expects, which takes precedence), so no test depends on or talks to the internet.
    """
    context = browser.new_context(locale="en-GB")
    context.route(_leaves_the_machine, lambda route: route.abort("blockedbyclient"))
    try:
        yield context.new_page()
    finally:
        context.close()


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core's accessibility violations of the given impacts on the page as it is now.

    Each is ``"rule-id (impact): help: selector, ..."`` so a failing assertion says where.
    """
    # Evaluated through the DevTools protocol rather than added as a <script>: the site's
    # Content-Security-Policy rightly refuses inline scripts, and tests keep that policy on.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}: "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in result["violations"]
        if violation["impact"] in impacts
    ]


@pytest.fixture(scope="session", autouse=True)
def static_root() -> None:
    """STATIC_ROOT exists, as after ``collectstatic``, so WhiteNoise does not warn in every test."""
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres_only`` are skipped, with the reason shown, on other databases."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason=f"needs PostgreSQL; this run uses {connection.vendor}")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> str | None:
    """UUID parameters (or their text) get a fixed test id, ``uuid``, not their value.

    Tests use ``uuid4()`` for "an id nothing has"; with the value in the id, each xdist
    worker would collect differently named tests and the parallel run would refuse to start.
    """
    if isinstance(val, uuid.UUID):
        return "uuid"
    if isinstance(val, str) and len(val) == 36:
        try:
            uuid.UUID(val)
        except ValueError:
            return None
        return "uuid"
    return None


@pytest.fixture(autouse=True)
def _fresh_synthetic_flag() -> None:
    """Every test sees the synthetic-data banner as its own database has it, not as a
    previous test's cached answer (the cache would make tests depend on their order)."""
    from bridgeway.site.context_processors import forget_synthetic_flag

    forget_synthetic_flag()


@pytest.fixture(autouse=True)
def _english_between_tests() -> Iterator[None]:
    """Every test starts in the site's default language and leaves it so.

    A request for a Welsh page activates Welsh in the thread, and neither Django's
    ``LocaleMiddleware`` nor the staff language middleware switches it back afterwards. The
    next test in the same worker then ran its service calls (validation messages, emails) in
    Welsh, so tests passed or failed depending on which test xdist happened to run before them.
    """
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def raw_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Insight's cell key perturbation switched off (every change 0), for the tests that check a
    table's arithmetic, suppression and formatting against counts worked out by hand.

    Production code has no way to do this; the perturbation itself is tested in
    insight/tests/test_perturbation.py, and what pages and files publish under it in test_protection.py
    and test_attacker.py.
    """
    from bridgeway.insight import perturbation

    monkeypatch.setattr(perturbation, "perturbation", lambda count, key: 0)
    # Intervals then need not allow for any perturbation either (decision 0073).
    monkeypatch.setattr(perturbation, "MAX_PERTURBATION", 0)


@pytest.fixture(autouse=True)
def _fresh_directory_cache() -> Iterator[None]:
    """Each test starts with an empty cache: pages kept under a directory stamp of a
    database that was rolled back would be another test's (decision 0153)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

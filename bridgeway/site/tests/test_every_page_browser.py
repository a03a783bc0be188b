"""Every page, every state, every size: axe-core finds nothing (issue 12, item 10).

One Chromium page walks every route of the project, found by the URL resolver as
``test_every_route`` finds them (so a new route is walked without being listed here): the
public pages in all five languages, the staff, insight and funding pages signed in with both
factors (as an organisation's administrator, or as a commissioner where the administrator may
not go). Each page is checked as it loads (a form empty), with every form filled in (a choice
made, conditional questions shown) and, for a form with something to fill in, after sending it
empty (errors shown). In each state at 1280 px axe-core runs the WCAG 2.2 AA rules and must find
nothing, and every link of an error summary must lead to an element on the page; then the same
page, narrowed to 390 px, may be no wider than the screen (a phone's reader never scrolls a page
sideways), and as it loads axe-core runs again at 390 px on each route in English and in Urdu
(the languages written left to right share one layout, Urdu's runs right to left; the width
check at 390 px covers every language's longer words in every state).

The page is narrowed rather than loaded again: the site's scripts never read the screen's
width, so a page narrowed is laid out as one loaded narrow, and each state is reached once.

Only answers that are not web pages are left out, each for a reason listed below; any other
answer that is not HTML fails the test, so nothing is skipped by accident.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from bridgeway.accounts.middleware import is_public
from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.accounts.tests.factories import MembershipFactory
from bridgeway.conftest import AXE_SCRIPT, sign_in
from bridgeway.insight.tests.factories import LEEDS, person_events, write_snapshot
from bridgeway.site.tests.test_every_route import (
    Records,
    _address,
    make_records,
    project_routes,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE, NARROW = 1280, 390
HEIGHT = 900
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

DOWNLOAD = re.compile(r"\.(csv|xlsx|pdf|parquet|json)$")
# Addresses that answer with something other than a web page, and why each is left out.
NOT_PAGES = {
    re.compile(r"^/api/v1/"): "the API and the Open Referral feed answer JSON",
    re.compile(r"^/healthz$"): "the health check answers JSON",
    re.compile(r"^/readyz$"): "the readiness check answers JSON",
    re.compile(r"^/metrics$"): "Prometheus metrics in their text format",
    re.compile(r"^/favicon\.ico$"): "an icon",
    re.compile(r"^/media/introductions/"): "a recording (audio or video)",
    # Before DOWNLOAD, which would fetch it: the walk's referral has no share with the police,
    # so its pack is read back where one is made (casework/tests/test_police_pack.py).
    re.compile(r"^/staff/referrals/[^/]+/police/[^/]+/pack\.pdf$"): "a police handover pack",
    DOWNLOAD: "a file to download (CSV, XLSX, PDF)",
    re.compile(r"^/staff/sign-in/passkeys/"): "the passkey ceremony's JSON and script",
    # A file kept with a referral (a letter, a photo) is the person's own document, served as
    # a download; the referral page that lists it is walked like any other.
    re.compile(r"^/staff/referrals/[^/]+/files/[^/]+/"): "a file kept with a referral",
    # An application's document (accounts, a policy) is served as a download; the pages that
    # list it are walked like any other (commissioning/tests/test_applying_pages.py reads it).
    re.compile(
        r"^/staff/funding/applications/[^/]+/documents/[^/]+/$"
    ): "an application's document",
}
# The languages whose pages axe-core also checks at 390 px: one written left to right, one right
# to left. Every language is checked at 1280 px, and for its width at 390 px.
NARROW_AXE_LANGUAGES = {"en", "ur"}
# Forms not sent empty: sending them ends the session the walk needs, or leaves the site.
NOT_SENT = re.compile(r"sign-out|/leave/")

AXE_RUN = """
async (tags) => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return result.violations.map((violation) =>
    `${violation.id} (${violation.impact}): ${violation.help}: ` +
    violation.nodes.map((node) => node.target.join(" ")).join(", "));
}
"""

BROKEN_ERROR_LINKS = """
() => Array.from(document.querySelectorAll(".govuk-error-summary a[href^='#']"))
  .map((link) => link.getAttribute("href"))
  .filter((href) => !document.getElementById(decodeURIComponent(href.slice(1))))
"""

# Fills every form on the page as a person might: text in each box, the first real choice of
# each select, the first radio of each group and the first checkbox, so conditional parts show.
FILL_FORMS = """
() => {
  const seen = new Set();
  for (const field of document.querySelectorAll("main form input, main form textarea, main form select")) {
    if (field.disabled || field.type === "hidden" || field.readOnly) continue;
    if (field.tagName === "SELECT") {
      const option = Array.from(field.options).find((o) => o.value !== "");
      if (option) field.value = option.value;
    } else if (field.type === "radio" || field.type === "checkbox") {
      if (seen.has(field.name)) continue;
      seen.add(field.name);
      field.click();
    } else if (field.type === "file") {
      continue;
    } else if (field.type === "email") {
      field.value = "person@example.org";
    } else if (field.type === "tel") {
      field.value = "07700 900123";
    } else if (field.type === "date") {
      field.value = "2026-11-30";
    } else if (field.inputMode === "numeric" || field.type === "number") {
      field.value = "3";
    } else {
      field.value = "Something to say";
    }
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }
}
"""

OPEN_DETAILS = "() => document.querySelectorAll('details').forEach((d) => (d.open = true))"

# The submit button of the main form with something to fill in, if any.
FORM_TO_SEND = """
(notSent) => {
  const pattern = new RegExp(notSent);
  for (const form of document.querySelectorAll("main form")) {
    if (form.method.toLowerCase() !== "post" || pattern.test(form.action)) continue;
    const fillable = form.querySelector(
      "input:not([type=hidden]):not([type=submit]):not([type=button]), textarea, select");
    const button = form.querySelector("button:not([type=button]), input[type=submit]");
    if (fillable && button) {
      button.setAttribute("data-walk-send", "");
      return true;
    }
  }
  return false;
}
"""


def _not_a_page(url: str) -> str | None:
    return next((reason for pattern, reason in NOT_PAGES.items() if pattern.search(url)), None)


class Walk:
    """One page of one browser, reused for every address, and what it found."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.failures: list[str] = []
        self.checked: list[str] = []
        self.post_only: set[str] = set()

    def check(self, where: str, *, accessibility: bool = True, links: bool = True) -> None:
        """axe-core's WCAG 2.2 AA rules, the error summary's links, and the page's width."""
        if accessibility:
            if not self.page.evaluate("() => typeof window.axe === 'object'"):
                self.page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
            self.page.evaluate(OPEN_DETAILS)
            self.failures += [f"{where}: {v}" for v in self.page.evaluate(AXE_RUN, WCAG_22_AA)]
        if links:
            broken = self.page.evaluate(BROKEN_ERROR_LINKS)
            if broken:
                self.failures.append(f"{where}: error summary links to nothing: {broken}")
        # Nothing wider than the screen: a phone's reader never scrolls the page sideways
        # (a wide table scrolls inside its own box, not the page).
        width = self.page.viewport_size["width"]
        scroll_width = self.page.evaluate("() => document.documentElement.scrollWidth")
        if scroll_width > width:
            self.failures.append(f"{where}: the page is {scroll_width}px wide")
        self.checked.append(where + ("" if accessibility else " (width)"))

    def check_both_widths(self, url: str, state: str, *, narrow_axe: bool = False) -> None:
        """The checks at 1280 px, then the same page narrowed to 390 px and widened again."""
        self.check(f"{url} at {WIDE}px ({state})")
        self.page.set_viewport_size({"width": NARROW, "height": HEIGHT})
        try:
            self.check(f"{url} at {NARROW}px ({state})", accessibility=narrow_axe, links=False)
        finally:
            self.page.set_viewport_size({"width": WIDE, "height": HEIGHT})

    def fetch_file(self, url: str) -> None:
        """A download answers its file: 200, and neither a web page nor plain text."""
        answer = self.page.request.get(self.base + url, max_redirects=5)
        kind = answer.headers.get("content-type", "")
        if answer.status != 200 or kind.startswith(("text/html", "text/plain")):
            self.failures.append(f"{url}: answered {answer.status} {kind}: {answer.text()[:200]}")
        else:
            self.checked.append(f"{url} (file)")

    def visit(self, url: str, *, narrow_axe: bool) -> None:
        """The page empty, filled in and, where it has a form to send, with its errors."""
        # Asked first without the page: an address that only takes a form's POST answers 405
        # with no page to show (its form is checked on the page that shows it).
        answer = self.page.request.get(self.base + url, max_redirects=5)
        if answer.status == 405:
            self.post_only.add(url)
            return
        if "text/html" not in answer.headers.get("content-type", ""):
            kind = answer.headers.get("content-type")
            self.failures.append(f"{url}: answered {kind}; add it to NOT_PAGES with a reason")
            return
        if answer.status >= 500:
            self.failures.append(f"{url}: answered {answer.status}")
            return
        self.page.goto(self.base + url)
        self.check_both_widths(url, "as it loads", narrow_axe=narrow_axe)
        if not self.page.locator("main form").count():
            return
        self.page.evaluate(FILL_FORMS)
        self.check_both_widths(url, "filled in")
        self.page.goto(self.base + url)
        # A form folded in a <details> (as the round page's partner form) is sent unfolded.
        self.page.evaluate(OPEN_DETAILS)
        if self.page.evaluate(FORM_TO_SEND, NOT_SENT.pattern):
            self.page.locator("[data-walk-send]").first.click()
            self.page.wait_for_load_state()
            self.check_both_widths(url, "sent empty")


# Groups of people in the insight snapshot: a large majority beside small groups, one of them
# too small to show, so the charts and tables are walked as a commissioner reads them.
SNAPSHOT_GROUPS = {
    "white_british": 40,
    "asian_pakistani": 12,
    "asian_indian": 11,
    "black_african": 3,
}


@pytest.fixture
def walk_records(
    live_reference_data: None,
    organisation: Organisation,
    commissioner_office: Organisation,
    practitioner: User,
    tmp_path: Path,
    settings: Any,
) -> Records:
    # Insight reads a snapshot: without one its pages say there is none and its downloads
    # answer a plain "no snapshot yet", so the walk would not see a chart or a download.
    settings.SNAPSHOT_DIR = tmp_path / "snapshot"
    rows = [
        row
        for group, people in SNAPSHOT_GROUPS.items()
        for number in range(people)
        for row in person_events(
            f"{group}-{number}", group, ["referred", "offered", "accepted"], lad_code=LEEDS
        )
    ]
    write_snapshot(settings.SNAPSHOT_DIR, rows)
    return make_records(organisation, commissioner_office)


@pytest.fixture
def signed_in_contexts(
    browser: Any, live_server: Any, organisation_admin: User, commissioner: User
) -> Iterator[dict[str, Any]]:
    """A browser context signed in (both factors) for each person the staff pages need."""
    platform_admin = MembershipFactory(role=Membership.Role.PLATFORM_ADMIN).user
    contexts = {}
    people = [
        ("admin", organisation_admin),
        ("commissioner", commissioner),
        ("platform", platform_admin),
    ]
    for name, user in people:
        client = sign_in(Client(), user)
        context = browser.new_context(locale="en-GB")
        context.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
        context.add_cookies(
            [
                {"name": cookie.key, "value": cookie.value, "url": live_server.url}
                for cookie in client.cookies.values()
            ]
        )
        contexts[name] = context
    try:
        yield contexts
    finally:
        for context in contexts.values():
            context.close()


def _who_may_open(url: str) -> str:
    """Commissioners read insight and run funding rounds; the jobs page is the platform
    admins'; everything else, applying to a round included, is an organisation
    administrator's (as a commissioner, applying is a 403)."""
    if url.startswith("/staff/funding/") and url.endswith("/apply/"):
        return "admin"
    if url.startswith("/staff/operations/"):
        return "platform"
    return "commissioner" if url.startswith(("/insight/", "/staff/funding/")) else "admin"


def test_every_page_in_every_state_at_every_size_has_no_accessibility_failure(
    walk_records: Records,
    signed_in_contexts: dict[str, Any],
    live_server: Any,
    browser: Any,
) -> None:
    public_context = browser.new_context(locale="en-GB")
    public_context.route(
        lambda url: not url.startswith(live_server.url), lambda route: route.abort()
    )
    walks = {
        "public": Walk(public_context.new_page(), live_server.url),
        **{
            name: Walk(context.new_page(), live_server.url)
            for name, context in signed_in_contexts.items()
        },
    }
    left_out: dict[str, str] = {}
    addresses: list[tuple[str, str, bool]] = []
    downloads: list[tuple[str, str]] = []
    for route in project_routes():
        if not route.buildable:
            continue
        url = _address(route, walk_records)
        who = "public" if is_public(route.callback) else _who_may_open(url)
        reason = _not_a_page(url)
        if reason:
            left_out[url] = reason
            if reason == NOT_PAGES[DOWNLOAD]:
                downloads.append((url, who))
            continue
        addresses.append((url, who, route.language in NARROW_AXE_LANGUAGES))

    try:
        # A download is not a page, but it must be the file, not an error in plain text.
        for url, who in downloads:
            walks[who].fetch_file(url)
        for walk in walks.values():
            walk.page.set_viewport_size({"width": WIDE, "height": HEIGHT})
        for url, who, narrow_axe in addresses:
            walks[who].visit(url, narrow_axe=narrow_axe)
    finally:
        public_context.close()

    failures = [failure for walk in walks.values() for failure in walk.failures]
    assert failures == [], "\n".join(failures)
    checked = [where for walk in walks.values() for where in walk.checked]
    # The walk reached every part of the site, in every language, at both sizes.
    for part in ["/en/", "/cy/", "/ur/", "/pa/", "/pl/", "/staff/", "/insight/", "/staff/funding/"]:
        assert any(where.startswith(part) for where in checked), part
    for width in [WIDE, NARROW]:
        for state in ["as it loads", "filled in", "sent empty"]:
            assert any(f" at {width}px ({state})" in where for where in checked), (width, state)
    # axe-core ran at 390 px on pages in both directions of writing, and on staff pages.
    narrow_checked = [
        where
        for where in checked
        if f" at {NARROW}px (as it loads)" in where and not where.endswith("(width)")
    ]
    for part in ["/en/", "/ur/", "/staff/"]:
        assert any(where.startswith(part) for where in narrow_checked), part
    assert len(addresses) > 100
    assert any(url.startswith("/insight/") for url, _who in downloads)
    assert set(left_out.values()) <= set(NOT_PAGES.values())

"""The whole of commissioning as people meet it, in Chromium.

A commissioner opens a joint round from insight's coverage gaps, adds a neighbouring office as
a partner and publishes it; an organisation saves a draft, attaches its accounts as a PDF and
applies; a reviewer declares a conflict on one application and scores the other; the lead
awards within the budget and declines with feedback; the public funding page shows the award and how long the decision took; and the
round's awards export as a 360Giving package that validates against the official schema.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.accounts.services import totp_device_create
from bridgeway.accounts.tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory
from bridgeway.commissioning.models import Application, FundingRound
from bridgeway.commissioning.open_data import package_errors
from bridgeway.commissioning.services import application_submit
from bridgeway.conftest import WEST_MIDLANDS, WEST_YORKSHIRE, axe_violations
from bridgeway.frontdoor.tests.test_journey_browser import AUTHENTICATOR_KEY, current_code
from bridgeway.insight.services import snapshot_write
from bridgeway.insight.tests.factories import LEEDS, ServiceFactory, referral_through

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCOUNTS_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _person(organisation: Organisation, role: str, name: str) -> User:
    membership = MembershipFactory(organisation=organisation, role=role)
    user = membership.user
    user.full_name = name
    user.save(update_fields=["full_name"])
    totp_device_create(user, key=AUTHENTICATOR_KEY, confirmed=True)
    return user


def _signed_in(browser: Any, url: str, user: User) -> Any:
    page = browser.new_context(locale="en-GB").new_page()
    page.goto(f"{url}/staff/sign-in/")
    page.get_by_label("Email address", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code from your authenticator app", exact=True).fill(
        current_code(TOTPDevice.objects.get(user=user))
    )
    page.get_by_role("button", name="Sign in").click()
    return page


def _date(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).strftime("%d/%m/%Y")


def test_joint_round_from_a_gap_to_an_open_award(
    live_server: Any, live_reference_data: None, browser: Any, tmp_path: Path, settings: Any
) -> None:
    settings.SNAPSHOT_DIR = tmp_path / "snapshot"
    settings.MEDIA_ROOT = tmp_path / "media"
    west_yorkshire = OrganisationFactory(
        name="West Yorkshire Commissioner's Office",
        kind=Organisation.Kind.COMMISSIONER,
        independence="police_linked",
        area_codes=[WEST_YORKSHIRE],
    )
    west_midlands = OrganisationFactory(
        name="West Midlands Commissioner's Office",
        kind=Organisation.Kind.COMMISSIONER,
        independence="police_linked",
        area_codes=[WEST_MIDLANDS],
    )
    lead = _person(west_yorkshire, Membership.Role.COMMISSIONER, "Olu Adeyemi")
    reviewer = _person(west_yorkshire, Membership.Role.ANALYST, "Rachel Whitaker")
    applicant = OrganisationFactory(name="Leeds Indian Community Support", area_codes=[])
    applicant_admin = _person(applicant, Membership.Role.ORGANISATION_ADMIN, "Anjali Rao")
    trustees = OrganisationFactory(name="Trustees' Own Group", area_codes=[])
    trustees_admin = _person(trustees, Membership.Role.ORGANISATION_ADMIN, "Sam Hill")
    universal = ServiceFactory(
        organisation=OrganisationFactory(name="Victim Care", kind=Organisation.Kind.UNIVERSAL),
        name="Victim Care",
        district_codes=[LEEDS],
    )
    for _number in range(6):
        referral_through(universal, ["offered"], at=timezone.now(), ethnic_group="white_british")
    snapshot_write(out_dir=settings.SNAPSHOT_DIR)
    url = live_server.url

    # The lead opens a round from insight's coverage gaps.
    page = _signed_in(browser, url, lead)
    page.goto(f"{url}{reverse('insight:dashboard')}?area={WEST_YORKSHIRE}")
    page.get_by_role("link", name="Open a funding round aimed at these gaps").click()
    page.get_by_label("Title", exact=True).fill("Led by and for: Indian communities in Leeds")
    page.get_by_label("What the round will fund, in plain words", exact=True).fill(
        "Support after hate."
    )
    page.get_by_label("Grant", exact=True).check()
    page.get_by_label("Budget, in pounds", exact=True).fill("50000")
    page.get_by_label("Opens on", exact=True).fill(_date(0))
    page.get_by_label("Closes on (at the end of the day, UK time)", exact=True).fill(_date(10))
    page.get_by_label("Decisions by", exact=True).fill(_date(20))
    page.get_by_label(
        "Assessment criteria, one a line: title | weight | guidance", exact=True
    ).fill("Reaches people others miss | 3\nA realistic plan | 1")
    assert page.locator('input[name="gaps"]:checked').count() >= 1
    page.get_by_role("button", name="Save as a draft").click()
    page.get_by_text("Funding round saved as a draft").wait_for()
    funding_round = FundingRound.objects.get()
    assert funding_round.gaps.exists()
    assert funding_round.published_at is None

    # ... makes it a joint round with the neighbouring office, assigns a reviewer, publishes.
    page.get_by_text("Run this round jointly with another office").click()
    page.get_by_label("Partner office", exact=True).select_option(label=west_midlands.name)
    page.get_by_label("Its contribution to the budget, in pounds", exact=True).fill("20000")
    page.get_by_role("button", name="Add partner office").click()
    page.get_by_text("Partner office added.").wait_for()
    page.get_by_label(
        "Assign a reviewer: the email address of a commissioner or analyst of your office"
    ).fill(reviewer.email)
    page.get_by_role("button", name="Assign reviewer").click()
    page.get_by_role("button", name="Publish the round").click()
    page.get_by_text("Funding round published.").wait_for()
    assert axe_violations(page) == []

    # An organisation applies; another, close to the reviewer, applies too.
    applying = _signed_in(browser, url, applicant_admin)
    applying.goto(f"{url}/staff/funding/{funding_round.pk}/apply/")
    applying.get_by_label("What the money would pay for, and who it would reach", exact=True).fill(
        "A Gujarati- and Panjabi-speaking caseworker for Indian families in Leeds."
    )
    applying.get_by_label("Amount requested, in pounds", exact=True).fill("30000")
    # Saved as a draft first, returned to, and the accounts attached as a PDF.
    applying.get_by_role("button", name="Save as draft").click()
    applying.get_by_text("Your draft has been saved.").wait_for()
    applying.get_by_label("What the document is", exact=True).select_option(label="Accounts")
    applying.get_by_label("Document", exact=True).set_input_files(
        {"name": "accounts.pdf", "mimeType": "application/pdf", "buffer": ACCOUNTS_PDF}
    )
    applying.get_by_role("button", name="Add the document").click()
    applying.get_by_text("Document added.").wait_for()
    assert applying.get_by_role("link", name="Accounts").count() == 1
    assert axe_violations(applying) == []
    applying.get_by_role("button", name="Submit application").click()
    applying.get_by_text("has been submitted").wait_for()
    funding_round.refresh_from_db()
    application_submit(
        funding_round=funding_round,
        applicant=trustees,
        actor=trustees_admin,
        summary="Befriending.",
        amount_requested=Decimal("25000"),
    )
    ours, theirs = (
        Application.objects.get(applicant=applicant),
        Application.objects.get(applicant=trustees),
    )

    # The reviewer declares a conflict on one and scores the other.
    reviewing = _signed_in(browser, url, reviewer)
    reviewing.goto(f"{url}/staff/funding/applications/{theirs.pk}/score/")
    reviewing.get_by_label("Yes", exact=True).check()
    reviewing.get_by_label("If yes, what is it, in a few words", exact=True).fill(
        "I am one of its trustees."
    )
    reviewing.get_by_role("button", name="Declare").click()
    assert "Trustees" not in reviewing.content()
    reviewing.goto(f"{url}/staff/funding/applications/{ours.pk}/score/")
    reviewing.get_by_label("No", exact=True).check()
    reviewing.get_by_role("button", name="Declare").click()
    reviewing.get_by_label("Reaches people others miss", exact=True).fill("4")
    reviewing.get_by_label("A realistic plan", exact=True).fill("3")
    reviewing.get_by_role("button", name="Save scores").click()
    reviewing.get_by_text("Scores saved.").wait_for()

    # The lead awards within the budget and declines with feedback.
    page.goto(f"{url}/staff/funding/{funding_round.pk}/")
    card = page.locator(f"#application-{ours.pk}")
    card.get_by_label("Awarded", exact=True).check()
    card.get_by_label("Amount awarded, in pounds (if awarding)", exact=True).fill("60000")
    card.get_by_role("button", name="Record decision").click()
    page.get_by_role("link", name="The award cannot be more than the amount requested.").wait_for()
    card = page.locator(f"#application-{ours.pk}")
    card.get_by_label("Awarded", exact=True).check()
    card.get_by_label("Amount awarded, in pounds (if awarding)", exact=True).fill("28000")
    card.get_by_role("button", name="Record decision").click()
    page.get_by_text("Decision recorded for Leeds Indian Community Support").wait_for()
    card = page.locator(f"#application-{theirs.pk}")
    card.get_by_label("Declined", exact=True).check()
    card.get_by_label("Feedback for the organisation", exact=True).fill(
        "Strong on need; to succeed next time, show who you reach that others do not."
    )
    # Without feedback on each criterion the decline is refused, naming the criterion.
    card.get_by_role("button", name="Record decision").click()
    page.get_by_role(
        "link", name="Reaches people others miss: say what was strong."
    ).first.wait_for()
    card = page.locator(f"#application-{theirs.pk}")
    card.get_by_label("Declined", exact=True).check()
    for title in ("Reaches people others miss", "A realistic plan"):
        card.get_by_label(f"{title}: what was strong", exact=True).fill("Clear need.")
        card.get_by_label(f"{title}: what would make it succeed", exact=True).fill(
            "Show who you reach that others do not."
        )
    card.get_by_label(
        "We have offered this organisation support to apply again", exact=True
    ).check()
    card.get_by_role("button", name="Record decision").click()
    page.get_by_text("Decision recorded for Trustees").wait_for()
    assert "Declined organisations and support offered" in page.content()
    assert "£22,000.00" in page.content()  # left to award

    # The public page shows the award and how long the decision took, without signing in.
    public = browser.new_context(locale="en-GB").new_page()
    public.goto(f"{url}/en/funding/")
    awards = public.get_by_role("table", name="Recent awards")
    row = awards.get_by_role("row").filter(has_text="Leeds Indian Community Support")
    assert "£28,000" in row.inner_text()
    assert row.get_by_role("cell").nth(2).inner_text().strip() == "0"  # days to decide
    assert axe_violations(public) == []

    # The round's awards export as a 360Giving package the official schema accepts.
    out = tmp_path / "awards.json"
    call_command("export_360giving", "--round", str(funding_round.pk), "--out", str(out))
    document = json.loads(out.read_text())
    assert package_errors(document) == []
    (grant,) = document["grants"]
    assert grant["amountAwarded"] == 28000
    assert [f["name"] for f in grant["fundingOrganization"]] == [
        west_yorkshire.name,
        west_midlands.name,
    ]

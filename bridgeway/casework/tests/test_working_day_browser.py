"""A practitioner's working day in Chromium (issue 15): a phone referral for someone helped
before, found as a likely duplicate and merged, a task set, and the task shown overdue on the
next working day."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from bridgeway.accounts.models import Membership
from bridgeway.accounts.services import totp_device_create
from bridgeway.accounts.tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory
from bridgeway.casework import views, views_tasks
from bridgeway.casework.models import Person, Referral, Task
from bridgeway.casework.tests.factories import make_referral
from bridgeway.casework.working_days import add_working_days
from bridgeway.directory.services import service_create
from bridgeway.frontdoor.tests.test_journey_browser import AUTHENTICATOR_KEY, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_referral_merged_with_the_person_helped_before_and_its_task_overdue_next_day(
    live_server: Any, live_reference_data: None, page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    organisation = OrganisationFactory(name="Chapeltown Community Support", slug="chapeltown")
    service = service_create(
        organisation=organisation,
        name="Chapeltown Hate Incident Support",
        description="Support after hate, from people who live here.",
        district_codes=["E08000035"],
        language_codes=["eng"],
        harm_type_codes=["hate_incident", "hate_crime"],
        independence="independent",
    )
    membership = MembershipFactory(organisation=organisation, role=Membership.Role.PRACTITIONER)
    device = totp_device_create(membership.user, key=AUTHENTICATOR_KEY, confirmed=True)
    before = make_referral(
        service=service, name="Mohammed Rafiq", date_of_birth="1984-03-12", phone="07700 900555"
    )
    url = live_server.url
    today = timezone.localdate()

    page.goto(f"{url}/staff/sign-in/")
    page.get_by_label("Email address").fill(membership.user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Sign in").click()

    # The phone rings: a referral in another spelling of the same name.
    page.goto(f"{url}/staff/intake/")
    page.get_by_label("Service", exact=True).select_option(value=str(service.pk))
    page.get_by_label("Phone call to the organisation").check()
    page.get_by_label("Date it arrived").fill(today.strftime("%d/%m/%Y"))
    page.get_by_label("Name", exact=True).fill("Muhammad RAFIQ")
    page.get_by_label("Date of birth").fill("12/03/1984")
    page.get_by_label("Phone number").fill("07700 900777")
    page.get_by_label("Phone call", exact=True).check()
    page.get_by_role("button", name="Record the referral").click()

    # Helped before: the earlier record is offered, and chosen.
    question = page.locator("#likely-duplicates")
    assert question.count() == 1, page.locator("main").inner_text()[:1500]
    question.get_by_text("Have you helped this person before?").wait_for()
    assert before.reference in question.inner_text()
    question.get_by_label("Mohammed Rafiq").check()
    page.get_by_role("button", name="Record the referral").click()
    page.get_by_text("recorded. Record the consent").wait_for()

    new = Referral.objects.exclude(pk=before.pk).get()
    assert new.person_id == before.person_id  # merged into the person helped before
    assert Person.objects.filter(merged_into=before.person).count() == 1

    # A call back, due today.
    page.goto(f"{url}/staff/referrals/{new.reference}/tasks/")
    page.get_by_label("Call back").check()
    page.get_by_label("Due by").fill(today.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Add the task").click()
    page.get_by_role("cell", name="Call back").wait_for()
    assert Task.objects.get(referral=new).due_on == today
    assert "Overdue" not in page.locator("table").inner_text()

    # The next working day (weekends and bank holidays skipped), the task is overdue.
    shift = dt.timedelta(days=(add_working_days(today, 1) - today).days)
    clock = SimpleNamespace(
        now=lambda: timezone.now() + shift,
        localdate=lambda value=None: timezone.localdate(value or timezone.now() + shift),
    )
    monkeypatch.setattr(views, "timezone", clock)
    monkeypatch.setattr(views_tasks, "timezone", clock)
    page.reload()
    assert "Overdue" in page.locator("table").inner_text()
    page.goto(f"{url}/staff/inbox/?due=task_overdue")
    assert new.reference in page.locator("main").inner_text()

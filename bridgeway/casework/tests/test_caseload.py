"""The caseload page: an organisation's own open cases, waits, overdue tasks and declines."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.accounts.tests.factories import MembershipFactory
from bridgeway.casework.caseload import percentile, waiting
from bridgeway.casework.models import Referral, Task
from bridgeway.casework.services import referral_advance, referral_assign
from bridgeway.casework.tests.factories import CaseworkServiceFactory, make_referral
from bridgeway.conftest import sign_in
from bridgeway.directory.models import Service

# --- the percentiles, against numpy ------------------------------------------------------------


@given(
    st.lists(st.floats(min_value=0, max_value=400, allow_nan=False), min_size=1, max_size=60),
    st.sampled_from([0, 10, 50, 90, 100]),
)
def test_percentiles_match_numpy(values: list[float], q: int) -> None:
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)), abs=1e-9)


def test_no_waits_have_no_percentile() -> None:
    assert waiting([]) == waiting(())
    assert waiting([]).median is None
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0], 101)


# --- the page ---------------------------------------------------------------------------------

NOW = timezone.now()
WAITS = [1, 2, 3, 4, 10]  # days from arrival to first contact


@pytest.fixture
def admin_client(organisation_admin: User) -> Client:
    return sign_in(Client(), organisation_admin)


@pytest.fixture
def cases(
    organisation: Organisation,
    service: Service,
    practitioner: User,
    organisation_admin: User,
    other_organisation: Organisation,
) -> dict[str, object]:
    """Cases in every state the page counts, and one of another organisation."""
    contacted = []
    for n, days in enumerate(WAITS):
        received = NOW - dt.timedelta(days=20 + n)
        referral = make_referral(service=service, received_at=received)
        referral_advance(
            referral=referral,
            stage="contacted",
            actor=practitioner,
            at=received + dt.timedelta(days=days),
        )
        contacted.append(referral)
    referral_assign(referral=contacted[0], actor=practitioner, assignee=practitioner)
    referral_assign(referral=contacted[1], actor=practitioner, assignee=practitioner)
    waiting_case = make_referral(service=service, received_at=NOW - dt.timedelta(days=1))
    Referral.objects.filter(pk=waiting_case.pk).update(channel="phone")
    declined = make_referral(service=service, received_at=NOW - dt.timedelta(days=2))
    referral_advance(
        referral=declined, stage="declined", actor=practitioner, decline_reason="outside_area"
    )
    Task.objects.create(
        referral=contacted[0],
        kind=Task.Kind.CALL_BACK,
        due_on=timezone.localdate() - dt.timedelta(days=3),
        assignee=practitioner,
        created_at=NOW,
    )
    Task.objects.create(
        referral=contacted[1],
        kind=Task.Kind.CALL_BACK,
        due_on=timezone.localdate() + dt.timedelta(days=3),
        assignee=practitioner,
        created_at=NOW,
    )
    elsewhere = CaseworkServiceFactory(organisation=other_organisation, name="Elsewhere")
    other = make_referral(service=elsewhere, received_at=NOW - dt.timedelta(days=3))
    referral_advance(referral=other, stage="declined", actor=None, decline_reason="service_full")
    return {"contacted": contacted, "waiting": waiting_case, "declined": declined}


def _cell_after(page: str, table: str, label: str) -> str:
    section = page[page.index(f'id="{table}"') :]
    section = section[: section.index("</table>")]
    match = re.search(
        re.escape(label) + r"</(?:th|td)>\s*(?:<td[^>]*>[^<]*</td>\s*)*?<td[^>]*>(\d+)</td>",
        section,
    )
    assert match, (table, label)
    return match.group(1)


def test_the_page_counts_as_an_independent_count_does(
    admin_client: Client, cases: dict[str, object], organisation: Organisation, practitioner: User
) -> None:
    response = admin_client.get(reverse("casework:caseload"))
    page = response.content.decode()
    assert response.status_code == 200

    own = list(Referral.objects.filter(organisation=organisation))
    open_cases = [r for r in own if r.stage not in ("closed", "declined")]
    assert f"{len(open_cases)} open cases." in page
    assigned = sum(1 for r in open_cases if r.assigned_to_id == practitioner.pk)
    assert assigned == 2
    worker = practitioner.full_name
    assert re.search(re.escape(worker) + r"</td>\s*<td[^>]*>2</td>", page)
    # Median and 90th percentile of 1, 2, 3, 4 and 10 days, as numpy has them.
    assert f"{np.percentile(WAITS, 50):.1f} days" in page
    assert f"{np.percentile(WAITS, 90):.1f} days" in page
    assert _cell_after(page, "overdue-tasks", worker) == "1"
    channels = {r.channel for r in own}
    assert channels == {"self", "phone"}
    assert _cell_after(page, "by-channel", "Phone call to the organisation") == "1"
    assert _cell_after(page, "by-decline-reason", "Outside the area we cover") == "1"
    # Another organisation's decline is not counted here.
    assert "The service is full" not in page


def test_a_practitioner_cannot_open_it(practitioner_client: Client) -> None:
    assert practitioner_client.get(reverse("casework:caseload")).status_code == 403


def test_another_organisations_caseload_is_not_found(
    admin_client: Client, other_organisation: Organisation
) -> None:
    response = admin_client.get(
        reverse("casework:caseload"), {"organisation": other_organisation.slug}
    )
    assert response.status_code == 404


def test_an_administrator_of_two_organisations_chooses_one(
    organisation_admin: User, other_organisation: Organisation, cases: dict[str, object]
) -> None:
    MembershipFactory(
        user=organisation_admin,
        organisation=other_organisation,
        role=Membership.Role.ORGANISATION_ADMIN,
    )
    client = sign_in(Client(), organisation_admin)

    page = client.get(
        reverse("casework:caseload"), {"organisation": other_organisation.slug}
    ).content.decode()

    assert "The service is full" in page
    assert "Outside the area we cover" not in page

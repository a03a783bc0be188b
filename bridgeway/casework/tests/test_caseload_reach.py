"""The caseload page's reach: people by ethnic group against the area's residents, with
insight's intervals and suppression, for the organisation's own people only (issue 15, item 8)."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from statsmodels.stats.proportion import proportion_confint

from bridgeway.accounts.models import Organisation, User
from bridgeway.casework.caseload import reach_by_group
from bridgeway.casework.services.merge import person_merge
from bridgeway.casework.tests.factories import make_referral
from bridgeway.conftest import sign_in
from bridgeway.directory.models import Service
from bridgeway.places.models import CensusPopulation

GROUPS = ["asian_pakistani", "black_african", "white_british", "other_any"]
NOT_KNOWN = ["not_asked", "prefer_not_to_say", "not_recorded"]


def test_ratio_and_interval_are_the_wilson_share_over_the_population_share():
    people = {"asian_pakistani": 12, "white_british": 30, "other_any": 8, "not_asked": 6}
    population = {"asian_pakistani": 100, "white_british": 800, "other_any": 100}

    reach = reach_by_group(people, population, groups=GROUPS, not_known=NOT_KNOWN, threshold=5)

    row = reach.groups[0]
    assert row.people == 12
    assert row.share == pytest.approx(12 / 50)
    assert row.population_share == pytest.approx(0.1)
    assert row.ratio == pytest.approx((12 / 50) / 0.1)
    low, high = proportion_confint(12, 50, alpha=0.05, method="wilson")
    assert row.low == pytest.approx(low / 0.1, rel=1e-6)
    assert row.high == pytest.approx(high / 0.1, rel=1e-6)
    assert reach.total == 56
    # No residents of the group in the area: no ratio, nothing to compare with.
    black_african = reach.groups[1]
    assert black_african.people == 0
    assert black_african.ratio is None


def test_small_counts_are_hidden_with_those_that_would_give_them_away():
    people = {"asian_pakistani": 3, "white_british": 30, "other_any": 8}
    population = {"asian_pakistani": 100, "white_british": 800, "other_any": 100}

    reach = reach_by_group(people, population, groups=GROUPS, not_known=NOT_KNOWN, threshold=5)

    hidden = [row.group for row in reach.groups if row.people is None]
    assert "asian_pakistani" in hidden
    # The recorded total is known from the shares, so one more group hides the remainder.
    assert len(hidden) >= 2
    for row in reach.groups:
        if row.people is None:
            assert row.share is None
            assert row.ratio is None


@pytest.fixture
def people_referred(
    organisation: Organisation,
    service: Service,
    other_service: Service,
    practitioner: User,
) -> dict[str, int]:
    # Two people of one group are hidden; five of another are then hidden too, as the next
    # smallest, so the two cannot be worked out from the total.
    made: dict[str, int] = {
        "asian_pakistani": 6,
        "white_british": 9,
        "black_african": 2,
        "other_any": 5,
    }
    for group, count in made.items():
        for n in range(count):
            make_referral(service=service, name=f"{group} {n}", ethnic_group=group)
    # Two records of one person, merged: counted once.
    first = make_referral(service=service, name="Imran Twice", ethnic_group="asian_pakistani")
    second = make_referral(service=service, name="Imran Twice", ethnic_group="asian_pakistani")
    person_merge(actor=practitioner, kept=first.person, merged=second.person)
    # Another organisation's people are not this organisation's reach.
    for n in range(7):
        make_referral(service=other_service, name=f"Elsewhere {n}", ethnic_group="asian_pakistani")
    return {**made, "asian_pakistani": made["asian_pakistani"] + 1}


def _cell(page: str, group: str, attribute: str) -> str:
    start = page.index(f'data-group="{group}"')
    cell = page.index(attribute, start)
    return page[page.index(">", cell) + 1 : page.index("</td>", cell)].strip()


def test_caseload_page_shows_reach_against_an_independent_count(
    organisation: Organisation, organisation_admin: User, people_referred: dict[str, int]
):
    residents = dict(
        CensusPopulation.objects.filter(district__police_force_area__in=organisation.areas.all())
        .values_list("ethnic_group")
        .annotate(n=Sum("count"))
    )
    assert residents, "the test database holds census population for the organisation's area"
    recorded_residents = sum(count for group, count in residents.items() if group not in NOT_KNOWN)
    recorded_people = sum(people_referred.values())

    page = sign_in(Client(), organisation_admin).get(reverse("casework:caseload"))
    assert page.status_code == 200
    text = page.content.decode()

    assert _cell(text, "asian_pakistani", "data-people") == "7"
    assert _cell(text, "white_british", "data-people") == "9"
    assert _cell(text, "black_african", "data-people") == "[c]"
    assert _cell(text, "total", "data-people") == str(recorded_people)
    expected = (7 / recorded_people) / (residents["asian_pakistani"] / recorded_residents)
    assert _cell(text, "asian_pakistani", "data-ratio").startswith(f"{expected:.2f} (")
    assert _cell(text, "black_african", "data-ratio") == "[c]"
    assert _cell(text, "other_any", "data-people") == "[c]"

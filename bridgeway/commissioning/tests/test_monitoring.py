"""Issue 16, item 9: did the money reach them? Whom a funded service reached before and after its
award, from insight's snapshot, against an independent count; and monitoring returns."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bridgeway.accounts.models import Membership
from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.commissioning.models import MonitoringReturn, RoundGap
from bridgeway.commissioning.reach import round_reach
from bridgeway.commissioning.services import application_decide
from bridgeway.commissioning.services.monitoring import monitoring_return_submit
from bridgeway.commissioning.tests.conftest import member
from bridgeway.commissioning.tests.factories import ApplicationFactory, ClosedFundingRoundFactory
from bridgeway.conftest import WEST_YORKSHIRE, sign_in
from bridgeway.disclosure import statistics
from bridgeway.insight import perturbation
from bridgeway.insight.figures import Figure
from bridgeway.insight.perturbation import KeyedCount
from bridgeway.insight.reports import provider_report
from bridgeway.insight.selectors import area_population
from bridgeway.insight.snapshot import Pseudonymiser
from bridgeway.insight.tests.factories import ServiceFactory, person_events, write_snapshot

UTC = dt.UTC
AWARDED = dt.datetime(2025, 6, 1, 12, tzinfo=UTC)
TARGET = "asian_pakistani"
# People each listed service saw, by period and group: few Pakistani people before the
# award (a small count, hidden; 53 people in all, too few for a table by group), many after
# (116 people, enough to be shown by group: decisions 0157 and 0164).
PEOPLE = {
    "before": {TARGET: 1, "white_british": 40, "asian_indian": 12},
    "after": {TARGET: 30, "white_british": 75, "asian_indian": 11},
}
# The same, with 82 people after: too few for 22 groups (5 a group), so every group is [c].
FEW_AFTER = {**PEOPLE, "after": {TARGET: 30, "white_british": 41, "asian_indian": 11}}
DAYS = {"before": dt.date(2025, 3, 1), "after": dt.date(2025, 9, 1)}


@pytest.fixture
def snapshot_dir(tmp_path, settings):
    directory = tmp_path / "snapshot"
    settings.SNAPSHOT_DIR = directory
    return directory


@pytest.fixture
def people():
    """Whom each listed service saw (a test may parametrize it)."""
    return PEOPLE


@pytest.fixture
def funded(commissioner_office, commissioner, organisation, snapshot_dir, people):
    """A round aimed at Pakistani people in West Yorkshire, an award to an organisation with a
    listed service, and a snapshot of whom that service (and another) reached."""
    funding_round = ClosedFundingRoundFactory(
        commissioner=commissioner_office,
        title="Reaching Pakistani communities",
        opens_on=dt.date(2025, 3, 1),
        closes_on=dt.date(2025, 4, 30),
        area_codes=[WEST_YORKSHIRE],
    )
    RoundGap.objects.create(
        funding_round=funding_round,
        area_code=WEST_YORKSHIRE,
        area_name="West Yorkshire",
        ethnic_group=TARGET,
        residents=1000,
        resident_share=Decimal("0.05"),
    )
    bid = ApplicationFactory(
        funding_round=funding_round, applicant=organisation, amount_requested=Decimal("20000")
    )
    application_decide(
        application=bid, actor=commissioner, outcome="awarded", feedback="", at=AWARDED
    )
    service = ServiceFactory(organisation=organisation, name="Pakistani women's advice line")
    other = ServiceFactory(name="Someone else's service")
    keys = Pseudonymiser(settings.PSEUDONYM_KEY)
    rows = []
    for listed, key_of in ((service, "ours"), (other, "theirs")):
        for period, groups in people.items():
            for group, count in groups.items():
                for n in range(count):
                    rows += person_events(
                        f"{key_of}-{period}-{group}-{n}",
                        group,
                        ["referred"],
                        on=DAYS[period],
                        organisation_key=keys.key("organisation", listed.organisation_id),
                        service_key=keys.key("service", listed.id),
                        pfa_code=WEST_YORKSHIRE,
                    )
    write_snapshot(snapshot_dir, rows)
    return funding_round, bid, rows, keys.key("service", service.id)


def _figure(row, column):
    """The published text of one of insight's figures (a row is there for every line tested)."""
    assert row is not None
    return str(row[column])


def _published(rows, service_key, period, groups):
    """The count insight publishes for these people, worked out here from the rows alone."""
    start, end = (
        (dt.date(2024, 6, 1), dt.date(2025, 5, 31))
        if period == "before"
        else (dt.date(2025, 6, 1), dt.date(2026, 5, 31))
    )
    people = {
        row["person_key"]
        for row in rows
        if row["service_key"] == service_key
        and row["ethnic_group"] in groups
        and row["stage"] == "referred"
        and start <= row["occurred_on"] <= end
    }
    key = sum(perturbation.record_key(p.hex()) for p in people) % perturbation.KEY_MODULUS
    return perturbation.perturb(KeyedCount(len(people), key))


def test_reach_before_and_after_equals_an_independent_count(funded, snapshot_dir):
    funding_round, bid, rows, service_key = funded
    reach, error = round_reach(funding_round, snapshot_dir=snapshot_dir)
    assert error == ""
    (award,) = reach
    assert award.application == bid
    assert award.awarded_on == dt.date(2025, 6, 1)
    assert (award.before_from, award.before_to) == (dt.date(2024, 6, 1), dt.date(2025, 5, 31))
    lines = {line.ethnic_group: line for line in award.lines}
    # Only the targeted community and everyone; only our service, not the other one.
    assert set(lines) == {TARGET, "total"}
    assert {line.service_name for line in award.lines} == {"Pakistani women's advice line"}
    everyone = list(PEOPLE["after"])
    after = _published(rows, service_key, "after", [TARGET])
    assert int(_figure(lines[TARGET].after, "referred")) == after
    assert int(_figure(lines["total"].after, "referred")) == _published(
        rows, service_key, "after", everyone
    )
    assert int(_figure(lines["total"].before, "referred")) == _published(
        rows, service_key, "before", everyone
    )
    # The ratio to residents and its interval are insight's, from the published counts.
    area = area_population(WEST_YORKSHIRE)
    recorded = _published(rows, service_key, "after", everyone)
    estimate = statistics.representation(
        after,
        recorded,
        area.population[TARGET] / area.residents,
        spread=perturbation.MAX_PERTURBATION,
    )
    assert (
        _figure(lines[TARGET].after, "representation_ratio")
        == Figure.decimal(estimate.value, 3).text
    )
    assert estimate.interval is not None
    assert (
        _figure(lines[TARGET].after, "representation_low")
        == Figure.decimal(estimate.interval.low, 3).text
    )


def test_small_counts_before_the_award_are_suppressed(funded, snapshot_dir):
    funding_round, _bid, rows, service_key = funded
    (award,), _error = round_reach(funding_round, snapshot_dir=snapshot_dir)
    target = next(line for line in award.lines if line.ethnic_group == TARGET)
    # One person, published as a count below the threshold: shown as [c], nothing from it.
    assert 0 < _published(rows, service_key, "before", [TARGET]) < settings.SUPPRESSION_THRESHOLD
    assert _figure(target.before, "referred") == "[c]"
    assert _figure(target.before, "representation_ratio") == "[c]"


def test_round_page_shows_the_reach_and_returns_to_its_office(
    funded, commissioner_client, organisation
):
    funding_round, bid, rows, service_key = funded
    admin = member(organisation, Membership.Role.ORGANISATION_ADMIN)
    monitoring_return_submit(
        application=bid,
        actor=admin,
        period_start=dt.date(2025, 6, 1),
        period_end=dt.date(2025, 8, 31),
        people_reached=31,
        what_changed="Women now call us before going to the police.",
        spend=Decimal("5000"),
    )
    page = commissioner_client.get(
        reverse("commissioning:round", args=[funding_round.id])
    ).content.decode()
    assert "Did the money reach them?" in page
    after = _published(rows, service_key, "after", [TARGET])
    assert f'data-reach="after-referred">{after}<' in page
    assert 'data-reach="before-referred">[c]<' in page
    assert "Women now call us before going to the police." in page


def _reach_cells(page):
    """Each line of the reach table by its community's label: its cells by ``data-reach``."""
    section = page[page.index('id="reach"') :]
    lines = {}
    for row in section.split('<tr class="govuk-table__row">')[2:]:
        label = re.search(r'data-label="[^"]*">([^<]*)</td>', row)
        assert label is not None
        lines[html.unescape(label.group(1))] = dict(
            re.findall(r'data-reach="([a-z-]+)">([^<]*)<', row)
        )
    return lines


@pytest.mark.parametrize("people", [FEW_AFTER])
def test_a_service_too_small_to_show_by_community_shows_its_total_only(
    funded, snapshot_dir, commissioner_client
):
    """Decision 0164: 82 people after the award are too few to show a service by its 22
    groups, so provider scrutiny shows its Pakistani count as [c]; so does the reach, and
    its line of everyone keeps the count provider scrutiny publishes."""
    funding_round, _bid, rows, service_key = funded
    (award,), _error = round_reach(funding_round, snapshot_dir=snapshot_dir)
    lines = {line.ethnic_group: line for line in award.lines}
    assert _published(rows, service_key, "after", [TARGET]) >= settings.SUPPRESSION_THRESHOLD
    assert _figure(lines[TARGET].after, "referred") == "[c]"
    assert _figure(lines[TARGET].after, "representation_ratio") == "[c]"
    everyone = _published(rows, service_key, "after", list(FEW_AFTER["after"]))
    assert int(_figure(lines["total"].after, "referred")) == everyone
    assert award.groups_withheld
    assert not award.totals_hidden
    # The same figures as provider scrutiny publishes for the area and period.
    published = provider_report(
        snapshot_dir=snapshot_dir,
        area_code=WEST_YORKSHIRE,
        date_from=award.after_from,
        date_to=award.after_to,
    )
    for line in (lines[TARGET], lines["total"]):
        (shown,) = [
            row
            for row in published.rows
            if row["service_key"] == service_key and row["ethnic_group"] == line.ethnic_group
        ]
        assert line.after is not None
        assert line.after["referred"] == shown["referred"]
    url = reverse("commissioning:round", args=[funding_round.id])
    page = commissioner_client.get(url).content.decode()
    cells = _reach_cells(page)
    assert cells["Pakistani"]["after-referred"] == "[c]"
    assert cells["Everyone the service reached"]["after-referred"] == str(everyone)
    assert "Some providers had too few people referred to show them by ethnic group" in page
    welsh = commissioner_client.get(url, HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert "Roedd gan rai darparwyr rhy ychydig o bobl" in welsh


def test_no_snapshot_says_so_and_does_not_fail(
    commissioner_office, commissioner, organisation, commissioner_client, tmp_path, settings
):
    settings.SNAPSHOT_DIR = tmp_path / "nothing-here"
    funding_round = ClosedFundingRoundFactory(
        commissioner=commissioner_office, area_codes=[WEST_YORKSHIRE]
    )
    bid = ApplicationFactory(funding_round=funding_round, applicant=organisation)
    application_decide(application=bid, actor=commissioner, outcome="awarded", feedback="")
    ServiceFactory(organisation=organisation)
    response = commissioner_client.get(reverse("commissioning:round", args=[funding_round.id]))
    assert response.status_code == 200
    assert "Insight has no figures yet" in response.content.decode()


# Monitoring returns.


@pytest.fixture
def award(commissioner_office, commissioner, organisation):
    funding_round = ClosedFundingRoundFactory(commissioner=commissioner_office)
    bid = ApplicationFactory(
        funding_round=funding_round, applicant=organisation, amount_requested=Decimal("8000")
    )
    application_decide(application=bid, actor=commissioner, outcome="awarded", feedback="")
    return bid


def _return(**changes):
    data = {
        "period_start": "1/4/2026",
        "period_end": "30/6/2026",
        "people_reached": "40",
        "what_changed": "Twelve families now have a caseworker who speaks Urdu.",
        "spend": "2500",
    }
    data.update(changes)
    return data


def test_funded_organisation_sends_a_return_and_the_office_sees_it(
    award, organisation, commissioner_client
):
    client = sign_in(Client(), member(organisation, Membership.Role.ORGANISATION_ADMIN))
    page = client.get(reverse("commissioning:application", args=[award.id])).content.decode()
    assert "Send the return" in page
    response = client.post(reverse("commissioning:monitoring_return", args=[award.id]), _return())
    assert response.status_code == 302
    saved = MonitoringReturn.objects.get()
    assert (saved.people_reached, saved.spend) == (40, Decimal("2500"))
    office = commissioner_client.get(
        reverse("commissioning:application", args=[award.id])
    ).content.decode()
    assert "Twelve families now have a caseworker who speaks Urdu." in office
    assert "Send the return" not in office
    # The office reads returns but does not write them.
    refused = commissioner_client.post(
        reverse("commissioning:monitoring_return", args=[award.id]), _return()
    )
    assert refused.status_code == 403
    assert MonitoringReturn.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"period_end": "1/3/2026"}, "The end of the period must be on or after its start."),
        ({"period_end": "1/1/2099"}, "The period cannot end in the future."),
        ({"period_start": "31/2/2026"}, "Enter a real date, like 31/3/2027."),
        ({"people_reached": "-1"}, "The number of people cannot be below 0."),
        ({"people_reached": "lots"}, "Enter the number of people as a whole number, like 40."),
        ({"what_changed": "  "}, "Say in a few words what changed."),
        ({"spend": "9000"}, "more than the £8,000.00 awarded"),
        ({"spend": "-5"}, "The amount spent cannot be below 0."),
    ],
)
def test_bad_return_is_refused_naming_the_field(award, organisation, changes, message):
    client = sign_in(Client(), member(organisation, Membership.Role.ORGANISATION_ADMIN))
    response = client.post(
        reverse("commissioning:monitoring_return", args=[award.id]), _return(**changes)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "govuk-error-summary" in page
    assert not MonitoringReturn.objects.exists()


def test_another_organisation_gets_a_404(award):
    stranger = member(OrganisationFactory(), Membership.Role.ORGANISATION_ADMIN)
    client = sign_in(Client(), stranger)
    assert client.get(reverse("commissioning:application", args=[award.id])).status_code == 404
    response = client.post(reverse("commissioning:monitoring_return", args=[award.id]), _return())
    assert response.status_code == 404
    assert not MonitoringReturn.objects.exists()


def test_practitioners_and_undecided_applications_send_no_returns(
    award, organisation, funding_round
):
    practitioner = sign_in(Client(), member(organisation, Membership.Role.PRACTITIONER))
    url = reverse("commissioning:monitoring_return", args=[award.id])
    assert practitioner.post(url, _return()).status_code == 403
    waiting = ApplicationFactory(funding_round=funding_round, applicant=organisation)
    admin = sign_in(Client(), member(organisation, Membership.Role.ORGANISATION_ADMIN))
    refused = admin.post(reverse("commissioning:monitoring_return", args=[waiting.id]), _return())
    assert refused.status_code == 400
    assert "Returns are for awards" in refused.content.decode()
    assert not MonitoringReturn.objects.exists()

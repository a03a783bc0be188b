"""Decision 0157: a provider too small for a table by group has it withheld, so the provider
tables, which add up with each other to the area's, cannot pin a small count.

A hand-made snapshot with five providers in West Yorkshire (one large, four with a few people
each, spread over five ethnic groups and two answers to sexual orientation), its two districts
and two overlapping periods: every output with each provider's table, data quality and the
people referred to specialists. With every provider's table shown (the ``no_table_withheld``
control) the attacker pins small counts of the providers' tables; with the rule, none.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.urls import reverse

from bridgeway.conftest import WEST_YORKSHIRE as WEST_YORKSHIRE_CODE
from bridgeway.equality.vocabulary import NOT_KNOWN_CODES
from bridgeway.insight import scrutiny, sparse_tables
from bridgeway.insight.figures import CONFIDENTIAL_FIGURE
from bridgeway.insight.needs_assessment import AreaPopulation, GroupCounts
from bridgeway.insight.services import snapshot_write
from bridgeway.insight.tests.attacker import PINNED_WIDTH, attack, people_from_rows, publish_area
from bridgeway.insight.tests.factories import (
    BRADFORD,
    LEEDS,
    ServiceFactory,
    referral_through,
    snapshot_row,
    write_snapshot,
)
from bridgeway.insight.tests.test_attacker import JUNE, MAY, PERIODS, THRESHOLD, WEST_YORKSHIRE

GROUPS = ["black_african", "asian_indian", "asian_pakistani", "white_british", "not_asked"]
PROVIDERS = [(f"organisation-{n}", f"service-{n}", n % 2 == 1) for n in range(5)]
ONE_WAY = ("ethnic_group", "sex", "sexual_orientation")
AT = dt.datetime(2025, 5, 10, 9, 30, tzinfo=dt.UTC)


def _rows(
    people: int = 60, large: int = 20, seed: int = 3, providers=PROVIDERS
) -> list[dict[str, object]]:
    """``large`` White British people at the first provider, the rest spread over all five."""
    chooser = random.Random(seed)
    rows: list[dict[str, object]] = []
    for number in range(people):
        group = "white_british" if number < large else chooser.choice(GROUPS)
        lad = chooser.choice([LEEDS, LEEDS, BRADFORD])
        organisation, service, specialist = (
            providers[0] if number < large else chooser.choice(providers)
        )
        on = chooser.choice([MAY, JUNE])
        stages = chooser.choice(
            [["referred"], ["referred", "offered"], ["referred", "offered", "accepted"]]
        )
        orientation = chooser.choice(["heterosexual", "heterosexual", "not_asked"])
        person = f"{number:04x}" + "b" * 60
        rows += [
            snapshot_row(
                event_id=f"{person}-{stage}",
                person_key=person,
                case_key=f"case-{number}",
                organisation_key=organisation,
                service_key=service,
                service_specialist=specialist,
                stage=stage,
                occurred_on=on,
                lad_code=lad,
                pfa_code=WEST_YORKSHIRE,
                ethnic_group=group,
                sex="female",
                age_band="25_34",
                sexual_orientation=orientation,
            )
            for stage in stages
        ]
    return rows


def _attack(tmp_path, *, only=None, rows=None):
    rows = rows or _rows()
    path = write_snapshot(tmp_path / "snapshot", rows)
    published = publish_area(
        [path],
        pfa=WEST_YORKSHIRE,
        districts=[LEEDS, BRADFORD],
        periods=PERIODS,
        threshold=THRESHOLD,
        crossings=(),
        one_way=ONE_WAY,
    )
    return attack(people_from_rows(rows), published, width=PINNED_WIDTH, only=only)


def _of_a_provider(query) -> bool:
    return query.provider is not None


def test_no_small_count_is_pinned_through_the_provider_tables(tmp_path):
    pinned, attacked = _attack(tmp_path)
    assert attacked > 200
    assert pinned == [], f"{len(pinned)} of {attacked} small counts pinned: {pinned[:3]}"


@pytest.mark.usefixtures("no_table_withheld", "only_small_totals_hidden")
def test_with_every_provider_table_shown_the_attacker_pins_their_small_counts(tmp_path):
    """The control, and the leak before decision 0157: perturbed as published, but no table
    withheld (nor any total hidden with a small one, decision 0161), the providers' exact
    zeros and their sums with the area pin small counts."""
    pinned, attacked = _attack(tmp_path, only=_of_a_provider)
    assert attacked > 100
    assert pinned
    assert all(finding.low == pytest.approx(finding.true) for finding in pinned)


def _provider(by_group: dict[str, GroupCounts]) -> scrutiny.ProviderCounts:
    total = GroupCounts(
        *(
            sum(getattr(c, s) for c in by_group.values())
            for s in ("referred", "offered", "accepted")
        )
    )
    return scrutiny.ProviderCounts(by_group=by_group, answers={}, total=total)


def test_a_sparse_provider_shows_its_total_and_withholds_every_group_zeros_too():
    area = AreaPopulation("E23000010", "West Yorkshire", "pfa", {"white_british": 900})
    small = scrutiny.Provider("organisation-1", "service-1", "charity", True)
    large = scrutiny.Provider("organisation-2", "service-2", "charity", False)
    # 30 people over 22 groups is under 5 a group; 600 referred is enough, 100 offered is not.
    counts = {
        small: _provider({"white_british": GroupCounts(30, 20, 10)}),
        large: _provider({"white_british": GroupCounts(600, 100, 0)}),
    }
    assert scrutiny.provider_withheld(counts[small], THRESHOLD) == (
        "referred",
        "offered",
        "accepted",
    )
    assert scrutiny.provider_withheld(counts[large], THRESHOLD) == ("offered", "accepted")
    names = {small: "Small", large: "Large"}
    rows = scrutiny.provider_scrutiny_table(area, counts, names, threshold=THRESHOLD)
    small_rows = [row for row in rows if row["provider_name"] == "Small"]
    assert len(small_rows) == len([row for row in rows if row["provider_name"] == "Large"])
    total = small_rows[-1]
    assert (total["referred"], total["offered"], total["accepted"]) == ("30", "20", "10")
    for row in small_rows[:-1]:
        for column in ("referred", "referred_share", "offered", "take_up_rate", "take_up_ratio"):
            assert row[column] == CONFIDENTIAL_FIGURE, (row["ethnic_group"], column)
        if row["ethnic_group"] not in NOT_KNOWN_CODES:
            assert row["representation_ratio"] == CONFIDENTIAL_FIGURE
    large_white = next(
        row
        for row in rows
        if row["provider_name"] == "Large" and row["ethnic_group"] == "white_british"
    )
    assert large_white["referred"] == "600"
    assert large_white["offered"] == CONFIDENTIAL_FIGURE
    (note,) = scrutiny.provider_notes(area, counts, names, threshold=THRESHOLD)
    assert note.startswith("West Yorkshire: too few people reached Large and Small to show")


def test_sparse_answers_are_withheld_and_the_people_referred_stay():
    area = AreaPopulation("E23000010", "West Yorkshire", "pfa", {})
    provider = scrutiny.Provider("organisation-1", "service-1", "charity", False)
    answers = {
        # Three of four answers small: withheld, the zero too.
        "ethnic_group": {"recorded": 95, "not_asked": 3, "prefer_not_to_say": 2, "total": 100},
        # One small answer of two: shown, the small one hidden as before.
        "sex": {"recorded": 97, "not_asked": 3, "total": 100},
    }
    counts = {provider: scrutiny.ProviderCounts(by_group={}, answers=answers)}
    rows = scrutiny.data_quality_table(area, counts, {provider: "P"}, threshold=THRESHOLD)
    by_name = {row["characteristic"]: row for row in rows}
    withheld, shown = by_name["ethnic_group"], by_name["sex"]
    assert withheld["people"] == "100"
    for column in ("recorded", *NOT_KNOWN_CODES):
        assert withheld[column] == CONFIDENTIAL_FIGURE, column
        assert withheld[f"{column}_share"] == CONFIDENTIAL_FIGURE, column
    assert shown["not_recorded"] == "0"
    assert shown["not_asked"] == CONFIDENTIAL_FIGURE
    (note,) = scrutiny.quality_notes(area, counts, {provider: "P"}, threshold=THRESHOLD)
    assert "for P, too few people are spread over the answers" in note


def test_sparse_people_referred_to_specialists_are_withheld_zeros_too():
    area = AreaPopulation(
        "E23000010",
        "West Yorkshire",
        "pfa",
        {"white_british": 800, "asian_pakistani": 100, "asian_indian": 60, "black_african": 40},
    )
    coverage = scrutiny.DirectoryCoverage(specialist_services={}, nearby_services={})

    def column(referred):
        rows = scrutiny.coverage_gaps_table(
            area, coverage, referred, min_share=0.01, threshold=THRESHOLD
        )
        return [row["referred_to_specialist"] for row in rows]

    # Three groups listed: 15 people are enough (5 a group) when no more than one is small.
    assert column({"asian_pakistani": 9, "asian_indian": 6}) == ["6", "9", "0"]
    assert column({"asian_pakistani": 9, "asian_indian": 3}) == [CONFIDENTIAL_FIGURE] * 3
    assert "specialist services" in sparse_tables.specialists_note("Leeds")


@pytest.mark.django_db
def test_the_dashboard_and_the_files_say_why_a_providers_figures_are_withheld(
    commissioner_client, organisation, snapshot_dir
):
    # Twelve people at one provider: far fewer than 5 for each of the 22 groups.
    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS], name="Small")
    for _number in range(12):
        referral_through(service, ["offered", "accepted"], at=AT, ethnic_group="asian_indian")
    snapshot_write(out_dir=snapshot_dir)
    query = {"area": WEST_YORKSHIRE_CODE, "provider": ""}
    page = commissioner_client.get(reverse("insight:dashboard"), query).content.decode()
    providers = page[page.index('id="providers"') :].split("<h2")[0]
    assert "Some providers had too few people referred to show them by ethnic group" in providers
    url = reverse("insight:report-file", args=["providers", "csv"])
    notes = commissioner_client.get(url, query).content.decode()
    assert "reached Leeds Community Support: Small to show every ethnic group" in notes
    welsh = commissioner_client.get(
        reverse("insight:dashboard"), query, HTTP_ACCEPT_LANGUAGE="cy"
    ).content.decode()
    assert "Roedd gan rai darparwyr rhy ychydig o bobl" in welsh

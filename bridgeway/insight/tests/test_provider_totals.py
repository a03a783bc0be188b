"""Decision 0161: when a provider's total is small and hidden, the next smallest are hidden
with it, so the area's total less the others' cannot pin it.

The snapshot of ``test_sparse_provider_tables`` with four providers (one large, with 40 of
50 people; three small) in West Yorkshire, its two districts and two overlapping periods.
With each small total hidden on its own (the ``only_small_totals_hidden`` control, as
before), the attacker pins small providers' totals; with the rule, none.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from bridgeway.conftest import WEST_YORKSHIRE as WEST_YORKSHIRE_CODE
from bridgeway.insight import provider_totals, scrutiny
from bridgeway.insight.figures import CONFIDENTIAL_FIGURE
from bridgeway.insight.needs_assessment import AreaPopulation, GroupCounts
from bridgeway.insight.services import snapshot_write
from bridgeway.insight.tests.factories import LEEDS, ServiceFactory, referral_through
from bridgeway.insight.tests.test_attacker import THRESHOLD
from bridgeway.insight.tests.test_sparse_provider_tables import AT, PROVIDERS, _attack, _rows


def _four_providers():
    return _rows(people=50, large=40, seed=7, providers=PROVIDERS[:4])


def _a_provider_total(query) -> bool:
    return (
        query.provider is not None
        and not query.groups
        and not query.recorded
        and not query.specialist_only
    )


def test_no_small_provider_total_is_pinned(tmp_path):
    pinned, attacked = _attack(tmp_path, only=_a_provider_total, rows=_four_providers())
    assert attacked > 10
    assert pinned == [], f"{len(pinned)} of {attacked} provider totals pinned: {pinned[:3]}"


@pytest.mark.usefixtures("only_small_totals_hidden")
def test_with_each_small_total_hidden_alone_the_attacker_pins_provider_totals(tmp_path):
    """The control, and the leak before decision 0161."""
    pinned, attacked = _attack(tmp_path, only=_a_provider_total, rows=_four_providers())
    assert attacked > 10
    assert pinned
    assert all(finding.low == pytest.approx(finding.true) for finding in pinned)


def test_a_small_total_takes_the_next_smallest_until_the_protection_level():
    hidden = provider_totals.hidden_totals
    # Nothing small: nothing hidden.
    assert hidden({"a": 40, "b": 6, "c": 0}, THRESHOLD) == set()
    # One small total: the next smallest (6) joins it, 3 + 6 < 10, so 7 does too.
    assert hidden({"a": 40, "b": 3, "c": 6, "d": 7, "e": 0}, THRESHOLD) == {"b", "c", "d"}
    # Two small ones summing 7 need one shown total at least, the smallest: 12 (sum 19).
    assert hidden({"a": 40, "b": 3, "c": 4, "d": 12}, THRESHOLD) == {"b", "c", "d"}
    # Ties are broken by the order given; zeros are never hidden.
    assert hidden({"a": 8, "b": 8, "c": 2, "d": 0}, THRESHOLD) == {"a", "c"}
    # Every total hidden when no other is left.
    assert hidden({"a": 2, "b": 5}, THRESHOLD) == {"a", "b"}


def _provider(referred: int, offered: int, accepted: int) -> scrutiny.ProviderCounts:
    counts = GroupCounts(referred, offered, accepted)
    answers = {"sex": {"recorded": referred, "total": referred}}
    return scrutiny.ProviderCounts(by_group={"white_british": counts}, answers=answers)


def test_every_output_hides_the_totals_hidden_with_a_small_one():
    area = AreaPopulation("E23000010", "West Yorkshire", "pfa", {"white_british": 900})
    large, middle, small = (
        scrutiny.Provider(f"organisation-{n}", f"service-{n}", "charity", False) for n in range(3)
    )
    counts = {
        large: _provider(600, 400, 300),
        middle: _provider(30, 20, 10),
        small: _provider(3, 2, 1),
    }
    names = {large: "Large", middle: "Middle", small: "Small"}
    assert scrutiny.totals_hidden(counts, THRESHOLD)[middle] == ("referred", "offered", "accepted")
    assert scrutiny.totals_hidden(counts, THRESHOLD)[large] == ()
    rows = scrutiny.provider_scrutiny_table(area, counts, names, threshold=THRESHOLD)
    total = {row["provider_name"]: row for row in rows if row["ethnic_group"] == "total"}
    for column in ("referred", "offered", "accepted", "take_up_rate"):
        assert total["Middle"][column] == CONFIDENTIAL_FIGURE, column
    assert total["Large"]["referred"] == "600"
    # Commissioning's reach shows one service, but its totals are hidden as in the area's.
    reach = scrutiny.provider_scrutiny_table(
        area,
        {middle: counts[middle]},
        names,
        threshold=THRESHOLD,
        everyone=counts,
    )
    assert reach[-1]["referred"] == CONFIDENTIAL_FIGURE
    quality = scrutiny.data_quality_table(area, counts, names, threshold=THRESHOLD)
    middle_quality = next(row for row in quality if row["provider_name"] == "Middle")
    assert middle_quality["people"] == CONFIDENTIAL_FIGURE
    assert middle_quality["recorded"] == CONFIDENTIAL_FIGURE
    notes = scrutiny.provider_notes(area, counts, names, threshold=THRESHOLD)
    assert any("the next smallest are shown as [c] too (Middle at some stages)" in n for n in notes)


@pytest.mark.django_db
def test_the_dashboard_says_why_a_providers_total_is_hidden(
    commissioner_client, organisation, snapshot_dir
):
    # One person (1 to 4 after perturbation) and 12 (9 to 15): the 12 are hidden with the one.
    for name, people in (("Small", 1), ("Middle", 12), ("Large", 30)):
        service = ServiceFactory(organisation=organisation, district_codes=[LEEDS], name=name)
        for _number in range(people):
            referral_through(service, [], at=AT, ethnic_group="white_british")
    snapshot_write(out_dir=snapshot_dir)
    query = {"area": WEST_YORKSHIRE_CODE, "provider": ""}
    page = commissioner_client.get(reverse("insight:dashboard"), query).content.decode()
    for section in ("providers", "data-quality"):
        text = page[page.index(f'id="{section}"') :].split("<h2")[0]
        assert "or hidden with a smaller one so that the area's total" in text, section
    url = reverse("insight:report-file", args=["providers", "csv"])
    notes = commissioner_client.get(url, query).content.decode()
    assert "the next smallest are shown as [c] too (Leeds Community Support: Middle" in notes
    welsh = commissioner_client.get(
        reverse("insight:dashboard"), query, HTTP_ACCEPT_LANGUAGE="cy"
    ).content.decode()
    assert "neu wedi\N{RIGHT SINGLE QUOTATION MARK}i guddio gydag un llai" in welsh

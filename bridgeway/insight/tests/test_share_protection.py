"""Issue 14: shares give back no count a reader cannot see, and carry their interval
(plain Python, no Django)."""

from __future__ import annotations

import re

import pytest
from statsmodels.stats.proportion import proportion_confint

from bridgeway.insight import perturbation
from bridgeway.insight.figures import Row
from bridgeway.insight.needs_assessment import share_with_interval
from bridgeway.insight.scrutiny import quality_share


def _texts(figures):
    return tuple(figure.text for figure in figures)


def test_a_data_quality_share_of_a_hidden_zero_is_hidden():
    """A hidden count's share is hidden whatever the count is: a share of 0.0000 beside a
    hidden cell would tell the reader the cell is empty."""
    assert _texts(quality_share(0, 20, hidden=True, people_hidden=False)) == ("[c]",) * 3
    assert _texts(quality_share(3, 20, hidden=True, people_hidden=False)) == ("[c]",) * 3
    # A hidden denominator hides every share over it, zero included.
    assert _texts(quality_share(0, 4, hidden=False, people_hidden=True)) == ("[c]",) * 3
    assert quality_share(0, 20, hidden=False, people_hidden=False)[0].text == "0.0000"


@pytest.mark.parametrize(("count", "people"), [(0, 12), (3, 12), (7, 7), (40, 113), (1, 1)])
def test_unperturbed_shares_carry_the_wilson_interval_of_statsmodels(monkeypatch, count, people):
    """With no perturbation to allow for, a data-quality share's interval is the Wilson
    interval exactly as statsmodels works it out."""
    monkeypatch.setattr(perturbation, "MAX_PERTURBATION", 0)
    share, low, high = quality_share(count, people, hidden=False, people_hidden=False)
    expected_low, expected_high = proportion_confint(count, people, alpha=0.05, method="wilson")
    assert float(share) == pytest.approx(round(count / people, 4))
    assert float(low) == pytest.approx(round(expected_low, 4), abs=1e-12)
    assert float(high) == pytest.approx(round(expected_high, 4), abs=1e-12)


def test_a_perturbed_share_interval_is_the_union_of_wilson_intervals_within_the_change():
    """Every pair of true counts within the perturbation of 3 of 6 published out of 20
    published: the interval covers each of their statsmodels Wilson intervals, and reaches
    the lowest and highest of them (decision 0073)."""
    _share, low, high = share_with_interval(6, 20, hidden=False)
    intervals = [
        proportion_confint(k, n, alpha=0.05, method="wilson")
        for n in range(17, 24)
        for k in range(3, 10)
    ]
    assert float(low) == pytest.approx(round(min(i[0] for i in intervals), 4), abs=1e-12)
    assert float(high) == pytest.approx(round(max(i[1] for i in intervals), 4), abs=1e-12)


def _published_shares(path, date_from, date_to):
    """(share, low, high, numerator, denominator) for every funnel, provider and
    data-quality share for West Yorkshire in the period, as published."""
    from bridgeway.insight import breakdown, scrutiny
    from bridgeway.insight.needs_assessment import AreaPopulation
    from bridgeway.insight.tests.test_attacker import THRESHOLD, WEST_YORKSHIRE

    area = AreaPopulation(code=WEST_YORKSHIRE, name="West Yorkshire", kind="pfa")
    counts = scrutiny.count_providers(
        [path], area_code=WEST_YORKSHIRE, area_kind="pfa", date_from=date_from, date_to=date_to
    )
    names = {provider: provider.service_key for provider in counts}
    for row in scrutiny.data_quality_table(area, counts, names, threshold=THRESHOLD):
        for column in ("recorded", "not_asked", "prefer_not_to_say", "not_recorded"):
            yield (
                *(row.figure(f"{column}_share{end}") for end in ("", "_low", "_high")),
                row.figure(column),
                row.figure("people"),
            )
    by_provider: dict[tuple[str, str], list[Row]] = {}
    for row in scrutiny.provider_scrutiny_table(area, counts, names, threshold=THRESHOLD):
        key = (row.label("organisation_key"), row.label("service_key"))
        by_provider.setdefault(key, []).append(row)
    for rows in by_provider.values():
        # The missing answers' shares are over the total row (the recorded groups' over the
        # recorded total, which the representation ratio's interval stands for).
        total = next(row for row in rows if row["ethnic_group"] == "total")
        for row in rows:
            if row["ethnic_group"] in ("not_asked", "prefer_not_to_say", "not_recorded"):
                yield (
                    *(row.figure(f"referred_share{end}") for end in ("", "_low", "_high")),
                    row.figure("referred"),
                    total.figure("referred"),
                )
    for characteristic in ("ethnic_group", "sex"):
        cells = breakdown.count_cells(
            [path],
            area_codes=[WEST_YORKSHIRE],
            area_kind="pfa",
            characteristics=(characteristic,),
            stages=breakdown.FUNNEL_STAGES,
            date_from=date_from,
            date_to=date_to,
        )[WEST_YORKSHIRE]
        for row in breakdown.funnel_table(
            area_code=WEST_YORKSHIRE,
            area_name="West Yorkshire",
            characteristic=characteristic,
            counts=cells,
            threshold=THRESHOLD,
        ):
            for stage in breakdown.FUNNEL_STAGES[1:]:
                yield (
                    *(row.figure(f"{stage}{end}") for end in ("_rate", "_low", "_high")),
                    row.figure(stage),
                    row.figure("referred"),
                )


def test_every_published_share_has_four_places_and_comes_from_published_counts(tmp_path):
    """The issue's rule for precision: shares give no count back. A share is published to
    ``SHARE_PLACES`` (4) decimal places, and only as the published numerator over the
    published denominator (both perturbed, both on the page): four places tell k/n from
    (k+1)/n for any denominator up to 10,000, so a share beside a hidden count or a hidden
    denominator would give it back, and is ``[c]`` instead. Its interval has the same
    places. Checked on every funnel, provider and data-quality share for the hand-made
    snapshot of the attacker test (perturbed), in both its periods."""
    from bridgeway.insight.needs_assessment import SHARE_PLACES
    from bridgeway.insight.tests.factories import write_snapshot
    from bridgeway.insight.tests.test_attacker import PERIODS, _rows

    assert SHARE_PLACES == 4
    path = write_snapshot(tmp_path / "snapshot", _rows())
    checked = hidden = 0
    for date_from, date_to in PERIODS:
        for share, low, high, numerator, denominator in _published_shares(path, date_from, date_to):
            if numerator.text == "[c]" or denominator.text == "[c]":
                assert (share.text, low.text, high.text) == ("[c]",) * 3
                hidden += 1
            elif not share.is_symbol:
                for figure in (share, low, high):
                    assert re.fullmatch(r"\d\.\d{4}", figure.text), figure.text
                assert share.text == f"{int(numerator.text) / int(denominator.text):.4f}"
                assert float(low) <= float(share) <= float(high)
                checked += 1
    # Shares of both kinds were there to check.
    assert checked > 50
    assert hidden > 10

"""Decision 0163: sets of nearby people show small cells wide without the attacker's programs,
and never show a cell wider than the attacker's own programs find it.

The snapshot is ``test_attacker``'s hand-made West Yorkshire (90 people, many small cells).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import sparse  # type: ignore[import-untyped]

from bridgeway.insight.tests import attacker
from bridgeway.insight.tests.attacker import PINNED_WIDTH
from bridgeway.insight.tests.known_people import people_from_rows
from bridgeway.insight.tests.test_attacker import _rows, publish_west_yorkshire
from bridgeway.insight.tests.witnesses import (
    UNBOUNDED,
    _CellProgram,
    cheapest_kind,
    kinds_nearby,
    nearby_universe,
    witness,
)


def _program(tmp_path, *, exact):
    """The attacker's program for every output of the area, and its small cells."""
    rows = _rows()
    published = publish_west_yorkshire(tmp_path, rows, exact=exact)
    queries = list(dict.fromkeys(query for query, _low, _high in published.cells))
    number = {query: n for n, query in enumerate(queries)}
    bounds: dict[int, tuple[float, float]] = {}
    for query, low, high in published.cells:
        least, most = bounds.get(number[query], (0.0, np.inf))
        top = np.inf if high is None else float(high)
        bounds[number[query]] = (max(least, low), min(most, top))
    model = attacker._model(queries, people_from_rows(rows))
    true = model.rows @ model.truth
    secrets = [n for n in range(len(queries)) if 1 <= round(true[n]) <= 4]
    bounded = [(row, least, most) for row, (least, most) in bounds.items()]
    return model, bounded, secrets


def _attackers_range(model, bounded, row):
    """The least and greatest value of one cell over the attacker's whole program."""
    rows = [r for r, _least, _most in bounded]
    signs = [-1.0] * len(rows) + [1.0] * sum(most < np.inf for _r, _l, most in bounded)
    chosen = rows + [r for r, _least, most in bounded if most < np.inf]
    values = [-least for _r, least, _m in bounded] + [m for _r, _l, m in bounded if m < np.inf]
    a_ub = sparse.diags(signs) @ model.rows[chosen]
    program = attacker._Program(model.rows, a_ub, np.array(values), model.a_eq, chosen)
    program.objectives = model.rows[[row]]
    program.seen_low, program.seen_high = np.full(1, np.inf), np.full(1, -np.inf)
    objective = model.rows[row].toarray().ravel()
    low, high = program._solve(objective), program._solve(-objective)
    assert low.status == 0
    return low.fun, (np.inf if high.status == 3 else -high.fun)


def test_nearby_kinds_hold_everyone_and_each_kind_one_characteristic_away():
    people = np.array([[0, 1, 5], [0, 1, 5], [2, 0, 7]])
    kinds = kinds_nearby(people, [3, 2])
    assert {tuple(kind) for kind in people} <= {tuple(kind) for kind in kinds}
    # Each of the two kinds: 3 + 2 values of one characteristic, less itself counted twice.
    assert len(kinds) == 2 * (3 + 2 - 1)
    assert all(kind[2] in (5, 7) for kind in kinds)  # the pattern of events is kept


def test_against_suppression_alone_witnesses_pin_cells_only_as_the_attacker_does(
    tmp_path, raw_counts, no_table_withheld
):
    """Without perturbation the attacker pins cells; witnesses never see any cell outside the
    range the attacker's own programs give it, so they cannot call a pinned cell wide, and a
    cell they leave narrow has its programs' range (the attacker's own) and the published
    counts it rests on."""
    model, bounded, secrets = _program(tmp_path, exact=True)
    witnessed = witness(model, bounded, secrets, width=PINNED_WIDTH)
    narrow = [n for n in range(len(secrets)) if not witnessed.wide(n, PINNED_WIDTH)]
    assert len(narrow) > 10
    assert all(witnessed.exact.get(n) for n in narrow)
    sample = narrow[:8] + [n for n in range(len(secrets)) if witnessed.wide(n, 1)][:8]
    for number in sample:
        least, most = _attackers_range(model, bounded, secrets[number])
        assert least - 1e-6 <= witnessed.low[number] <= witnessed.high[number] <= most + 1e-6
        if number in narrow:
            assert witnessed.low[number] == pytest.approx(least, abs=1e-6)
            assert witnessed.high[number] == pytest.approx(most, abs=1e-6)


def test_with_the_protection_witnesses_show_every_small_cell_wide(tmp_path):
    """The published set as it is: sets of nearby people that give every published figure
    show each small count at two values a whole person apart, in a few programs."""
    model, bounded, secrets = _program(tmp_path, exact=False)
    witnessed = witness(model, bounded, secrets, width=PINNED_WIDTH)
    assert len(secrets) > 100
    assert all(witnessed.wide(n, PINNED_WIDTH) for n in range(len(secrets)))
    assert witnessed.programs < len(secrets) / 4
    for number in (0, len(secrets) // 2, len(secrets) - 1):
        least, most = _attackers_range(model, bounded, secrets[number])
        assert least - 1e-6 <= witnessed.low[number]
        assert witnessed.high[number] <= most + 1e-6
        assert most - least >= PINNED_WIDTH - 1e-6


def test_one_person_away_decides_most_cells_with_no_program_and_within_the_attackers_range(
    tmp_path,
):
    """Sets of people one person away from the snapshot's (one fewer, one more, one with a
    characteristic changed) that keep within every bound are tried all at once: they show
    most small cells wide before any program, and each value they give a cell lies within
    the range the attacker's own programs give it."""
    model, bounded, secrets = _program(tmp_path, exact=False)
    witnessed = witness(model, bounded, secrets, width=PINNED_WIDTH, deadline=0.0)
    assert witnessed.programs == 0  # the deadline has passed: no program
    wide = [n for n in range(len(secrets)) if witnessed.wide(n, PINNED_WIDTH)]
    assert len(wide) > len(secrets) / 2
    for number in wide[:: max(1, len(wide) // 12)]:
        least, most = _attackers_range(model, bounded, secrets[number])
        assert least - 1e-6 <= witnessed.low[number] <= witnessed.high[number] <= most + 1e-6


def _cell_range(universe, number):
    """The least and greatest change of secret cell ``number`` by its own program, run to the
    end both ways."""
    program = _CellProgram(universe, number, np.flatnonzero(universe.secrets[[number]].toarray()))
    extremes = []
    for sign in (1.0, -1.0):
        found = list(program.solutions(sign, None))
        assert program.ended == 1 or found[-1] == UNBOUNDED
        extremes.append(np.inf if isinstance(found[-1], str) else found[-1][number])
    return extremes


@pytest.mark.parametrize("start", ["nearby kinds", "the snapshot's kinds only"])
def test_a_cells_program_ends_at_the_attackers_own_least_and_greatest(
    tmp_path, raw_counts, no_table_withheld, start
):
    """Column generation holds a few kinds at a time, yet ends at the attacker's own optimum
    over every kind of person, pinned cells included: checked against the attacker's program
    over the margins, for a tenth of the small cells. Started from the snapshot's own kinds
    only, every other kind comes in by pricing the whole table of everyone."""
    model, bounded, secrets = _program(tmp_path, exact=True)
    kinds = None if start == "nearby kinds" else np.unique(model.people_kinds, axis=0)
    universe = nearby_universe(model, bounded, secrets, kinds)
    true = universe.secrets @ universe.own
    pinned = 0
    for number in range(0, len(secrets), 10):
        least, most = _attackers_range(model, bounded, secrets[number])
        low, high = _cell_range(universe, number)
        assert true[number] + low == pytest.approx(least, abs=1e-6)
        assert true[number] + high == pytest.approx(most, abs=1e-6)
        pinned += most - least < PINNED_WIDTH
    assert pinned >= 3


def test_the_cheapest_kind_is_the_least_of_every_kind(tmp_path):
    """Min-sum over the junction tree finds the kind whose unknowns weigh least, as trying
    every combination of every characteristic's classes and event pattern does."""
    model, _bounded, _secrets = _program(tmp_path, exact=False)
    every = np.array(
        list(
            itertools.product(
                *(range(size) for size in model.class_sizes), range(model.pattern_count)
            )
        )
    )
    each = model.kind_columns(every)
    chooser = np.random.default_rng(14)
    for _trial in range(20):
        weights = chooser.normal(size=model.rows.shape[1])
        kind, total = cheapest_kind(model, weights)
        totals = each.T @ weights
        assert total == pytest.approx(totals.min())
        assert (model.kind_columns(kind[np.newaxis]).T @ weights)[0] == pytest.approx(total)

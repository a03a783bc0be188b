"""An attacker on every published output for one area: differencing and linear programming.

For the tests (issue 14): plain Python with scipy, no Django. It generates every output the
insight app publishes for a police force area, the districts within it and two overlapping
periods (the needs assessment, by the 19 groups and by the five high-level groups; the funnel
by each characteristic, with and without the five-group roll-up; cross tables of two and three characteristics; each provider's needs
assessment; data quality; people referred to specialists for coverage gaps) with the real
table functions, reads back every published count, and models the people behind them.
Disability is one of the characteristics when asked for: a person's several disabilities are
one value of theirs, counted in the group of each (``known_people.in_group``).

The attacker is stronger than any reader: it knows each *kind* of person the snapshot holds
(their groups, districts, providers, the stages they reached in each period) and only not how
many of each there are. Every published count becomes a bound on a sum of those unknowns
(``perturbation.bounds``: within the maximum change of the published figure, exactly 0 for a
0, at least 1 for ``[c]``). Every relation between outputs — a roll-up and its groups,
providers and the area, districts and the force area, a total and a sibling table's total,
two overlapping periods, cross tables and their margins, the totals that shares and ratios
imply — holds automatically, because each count is the sum of the same unknowns. Shares,
rates and ratios are worked out from published counts only, so they add nothing beyond them;
the recorded-groups totals they imply are read as published counts.

For each cell whose true count is 1 to 4 it minimises and maximises the cell
(``scipy.optimize.linprog``): the cell is pinned when the range is narrower than ``width``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from scipy.optimize import linprog  # type: ignore[import-untyped]

from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, vocabulary
from bridgeway.insight import breakdown, scrutiny
from bridgeway.insight.figures import Figure
from bridgeway.insight.needs_assessment import (
    STAGES,
    AreaPopulation,
    count_people_by_area,
    published_assessment,
)
from bridgeway.insight.perturbation import bounds, is_hidden
from bridgeway.insight.tests.junction_tree import junction_tree as _junction_tree
from bridgeway.insight.tests.known_people import Event as Event
from bridgeway.insight.tests.known_people import Period as Period
from bridgeway.insight.tests.known_people import Person as Person
from bridgeway.insight.tests.known_people import Query as Query
from bridgeway.insight.tests.known_people import people_from_rows as people_from_rows
from bridgeway.insight.tests.witnesses import Witnessed, witness

EVERYWHERE = scrutiny.DirectoryCoverage(specialist_services={}, nearby_services={})
# A small count must stay anywhere in a range at least this wide (decision 0072): a reader
# who uses every published figure is always left with two whole numbers or more (1 or 2, say)
# and never the count itself.
PINNED_WIDTH = 1.0
ONE_WAY = ("ethnic_group", "age_band", "sex")
CROSSINGS = (("ethnic_group", "sex"), ("age_band", "sex"), ("ethnic_group", "age_band", "sex"))


@dataclass
class Published:
    """Every count published, as (query, low, high) bounds on its true value."""

    threshold: int
    # True when the counts were published as they are (no perturbation): each is then exact.
    exact: bool = False
    cells: list[tuple[Query, int, int | None]] = field(default_factory=list)

    def add(self, query: Query, figure: Figure | int, *, zero_may_hide: bool = False) -> None:
        if isinstance(figure, Figure):
            if figure.symbol == "[c]":
                # All a reader knows of a hidden count: someone is there (a cross table may
                # hide a zero), and it may be large (hidden to protect another).
                self.cells.append((query, 0 if zero_may_hide else 1, None))
                return
            if figure.is_symbol:
                return
            value = int(figure.value or 0)
        else:
            value = figure
        low, high = (value, value) if self.exact else bounds(value, self.threshold)
        self.cells.append((query, low, high))


def _stage_figures(
    published: Published, row: Mapping[str, object], stages: Iterable[str], base: Query, **kw: bool
) -> None:
    for stage in stages:
        figure = row[stage]
        assert isinstance(figure, Figure)
        published.add(Query(**{**base.__dict__, "stage": stage}), figure, **kw)


def publish_area(
    files: Sequence[Path],
    *,
    pfa: str,
    districts: Sequence[str],
    periods: Sequence[Period],
    threshold: int,
    providers: bool = True,
    crossings: Sequence[tuple[str, ...]] = CROSSINGS,
    one_way: Sequence[str] = ONE_WAY,
    exact: bool = False,
) -> Published:
    """Every output for the force area and its districts in each period, read back: the
    funnel by each of ``one_way``, the cross tables of ``crossings`` (``exact``: the counts
    were not perturbed, so each published count is the true one). Disability may be among
    them when the people hold it (``people_from_rows(rows, [..., "disability"])``); data
    quality is by ``scrutiny.QUALITY_CHARACTERISTICS`` (not disability) whatever is asked."""
    published = Published(threshold, exact)
    paths = list(files)
    areas = [(pfa, "pfa")] + [(code, "lad") for code in districts]
    for (area, kind), period in itertools.product(areas, periods):
        date_from, date_to = period
        population = AreaPopulation(code=area, name=area, kind=kind)  # type: ignore[arg-type]
        base = Query(area, kind, period, "referred")
        counted = count_people_by_area(
            paths,
            area_codes=[area],
            area_kind=kind,  # type: ignore[arg-type]
            date_from=date_from,
            date_to=date_to,
        )[area]
        # The needs assessment by the 19 groups (or the five standing in) and by the five
        # high-level groups (the dashboard shows both on one page), each roll-up its own cell
        # (decision 0142), each under the sparse rule (decision 0160).
        shown: set[str] = set()
        for roll_up in (False, True):
            assessment = published_assessment(
                population, counted, threshold=threshold, roll_up=roll_up
            )
            shown.update(stage for stage in STAGES if stage not in assessment.withheld)
            for row in assessment.rows:
                code = str(row["ethnic_group"])
                groups = () if code == "total" else (("ethnic_group", code),)
                query = Query(**{**base.__dict__, "groups": groups})
                for stage in STAGES:
                    gone = stage in assessment.withheld  # a withheld [c] may hide a 0
                    _stage_figures(published, row, (stage,), query, zero_may_hide=gone)
        if counted.recorded_total is not None:
            # Shares and representation imply the recorded people referred, and are hidden
            # when that total is (1 to threshold - 1); the take-up ratios of the groups not
            # known imply those offered and accepted whatever their size. A stage withheld
            # in both tables has no share or ratio shown.
            for stage in (stage for stage in STAGES if stage in shown):
                value = getattr(counted.recorded_total, stage)
                implied = stage != "referred" or not is_hidden(value, threshold)
                published.add(
                    Query(**{**base.__dict__, "stage": stage, "recorded": ("ethnic_group",)}),
                    value if implied else Figure.count(value, hidden=True),
                )
        _publish_breakdowns(published, paths, base, crossings, one_way)
        if providers:
            _publish_providers(published, paths, base, population)
    return published


def _publish_breakdowns(
    published: Published,
    paths: list[Path],
    base: Query,
    crossings: Sequence[tuple[str, ...]],
    one_way: Sequence[str],
) -> None:
    date_from, date_to = base.period
    shapes: list[tuple[tuple[str, ...], bool]] = [((name,), False) for name in one_way]
    shapes += [(("ethnic_group",), True)]
    shapes += [(chosen, roll) for chosen in crossings for roll in (False, True)]
    for chosen, roll_up in shapes:
        if roll_up and "ethnic_group" not in chosen:
            continue
        counts = breakdown.count_cells(
            paths,
            area_codes=[base.area],
            area_kind=base.kind,  # type: ignore[arg-type]
            characteristics=chosen,
            stages=breakdown.FUNNEL_STAGES if len(chosen) == 1 else breakdown.PEOPLE_STAGES,
            date_from=date_from,
            date_to=date_to,
            roll_up=roll_up,
        )[base.area]
        recorded = tuple(name for name in chosen if name != "disability")
        # A cross table's take-up ratios compare each cell with the rest of the recorded
        # people, so they imply its recorded totals; a ratio is shown only beside a cell of
        # at least the threshold with others left over, so a total below it is implied by
        # none, nor a table too sparse to show take-up (decision 0155). A funnel's rates imply
        # no total (ethnic group's are the needs assessment's, added there).
        withheld = breakdown.withheld_stages(counts, chosen, published.threshold, roll_up=roll_up)
        if len(chosen) > 1 and not withheld:
            for stage, value in counts.recorded_total.items():
                query = Query(**{**base.__dict__, "stage": stage, "recorded": recorded})
                implied = not is_hidden(value, published.threshold)
                published.add(query, value if implied else Figure.count(value, hidden=True))
        if len(chosen) == 1:
            rows = breakdown.funnel_table(
                area_code=base.area,
                area_name=base.area,
                characteristic=chosen[0],
                counts=counts,
                threshold=published.threshold,
                roll_up=roll_up,
            )
            # A withheld stage's [c] may be a zero (decision 0155).
            gone = breakdown.funnel_withheld(
                counts, chosen[0], published.threshold, roll_up=roll_up
            )
            for row in rows:
                code = str(row["group"])
                groups = () if code == "total" else ((chosen[0], code),)
                for stage in ("referred", "offered", "accepted"):
                    query = Query(**{**base.__dict__, "groups": groups})
                    _stage_figures(published, row, (stage,), query, zero_may_hide=stage in gone)
            continue
        rows = breakdown.intersections_table(
            area_code=base.area,
            area_name=base.area,
            characteristics=chosen,
            counts=counts,
            threshold=published.threshold,
            roll_up=roll_up,
        )
        for row in rows:
            crossed: tuple[tuple[str, str], ...] = tuple(
                (name, str(row[f"group_{n + 1}"])) for n, name in enumerate(chosen)
            )
            _stage_figures(
                published,
                row,
                breakdown.PEOPLE_STAGES,
                Query(**{**base.__dict__, "groups": crossed}),
                zero_may_hide=True,
            )


def _publish_providers(
    published: Published, paths: list[Path], base: Query, population: AreaPopulation
) -> None:
    date_from, date_to = base.period
    counts = scrutiny.count_providers(
        paths,
        area_code=base.area,
        area_kind=base.kind,  # type: ignore[arg-type]
        date_from=date_from,
        date_to=date_to,
    )
    names = {provider: provider.service_key for provider in counts}
    by_key = {(p.organisation_key, p.service_key): p for p in counts}
    withheld = scrutiny.providers_withheld(counts, published.threshold)
    totals_hidden = scrutiny.totals_hidden(counts, published.threshold)
    for row in scrutiny.provider_scrutiny_table(
        population, counts, names, threshold=published.threshold
    ):
        service = "" if row["service_key"] == "[z]" else str(row["service_key"])
        provider = by_key[(str(row["organisation_key"]), service)]
        code = str(row["ethnic_group"])
        groups = () if code == "total" else (("ethnic_group", code),)
        query = Query(
            **{**base.__dict__, "groups": groups, "provider": (provider.organisation_key, service)}
        )
        # A provider's withheld stage is [c] for every group, zeros too (decisions 0157, 0161).
        gone = withheld[provider] if groups else ()
        for stage in STAGES:
            _stage_figures(published, row, (stage,), query, zero_may_hide=stage in gone)
    for row in scrutiny.data_quality_table(
        population, counts, names, threshold=published.threshold
    ):
        service = "" if row["service_key"] == "[z]" else str(row["service_key"])
        provider_query = {**base.__dict__, "provider": (str(row["organisation_key"]), service)}
        name = str(row["characteristic"])
        provider = by_key[(str(row["organisation_key"]), service)]
        hidden = scrutiny.answers_withheld(counts[provider].answers[name], published.threshold)
        hidden = hidden or "referred" in totals_hidden[provider]
        people = row["people"]
        assert isinstance(people, Figure)
        published.add(Query(**provider_query), people)
        recorded = row["recorded"]
        assert isinstance(recorded, Figure)
        published.add(
            Query(**{**provider_query, "recorded": (name,)}), recorded, zero_may_hide=hidden
        )
        for code in NOT_KNOWN_CODES:
            figure = row[code]
            assert isinstance(figure, Figure)
            query = Query(**{**provider_query, "groups": ((name, code),)})
            published.add(query, figure, zero_may_hide=hidden)
    specialists = scrutiny.count_referred_to_specialists(
        paths,
        area_code=base.area,
        area_kind=base.kind,  # type: ignore[arg-type]
        date_from=date_from,
        date_to=date_to,
    )
    # Coverage gaps list the sizeable groups; here every group is sizeable (the strongest
    # reader), and the real table decides what is shown (decision 0157).
    everyone = dict.fromkeys(vocabulary("ethnic_groups").ordered_codes(), 1)
    listed = replace(population, population=everyone)
    for row in scrutiny.coverage_gaps_table(
        listed, EVERYWHERE, specialists, min_share=0.0, threshold=published.threshold
    ):
        groups = (("ethnic_group", str(row["ethnic_group"])),)
        query = Query(**{**base.__dict__, "groups": groups, "specialist_only": True})
        published.add(query, row["referred_to_specialist"], zero_may_hide=True)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Finding:
    """What the attacker learnt of one small count: the least and greatest true count that
    every published figure allows, and the published counts whose bounds decide them (the
    relations that pin the cell, when it is pinned)."""

    query: Query
    true: int
    low: float
    high: float
    relations: tuple[Query, ...] = ()


@dataclass
class Outcome:
    """One attack: the small cells pinned, how many were attacked, and those the solver could
    not decide within its limits (neither pinned nor shown to be wide)."""

    pinned: list[Finding]
    attacked: int
    undecided: list[Query]
    unknowns: int
    programs: int


def _value_test(query: Query, characteristic: str, value: str) -> bool:
    return query.value_matches(characteristic, value)


def _classes(tests: Sequence[Callable[[Any], bool]], items: Sequence[Any]) -> list[int]:
    """Each item's class: items that every test treats alike share one (numbered from 0)."""
    signatures: dict[tuple[bool, ...], int] = {}
    return [
        signatures.setdefault(tuple(test(item) for test in tests), len(signatures))
        for item in items
    ]


@dataclass
class _Model:
    """The attacker's unknowns, a table for each group of characteristics that the outputs
    count together, every one crossed with the classes of event pattern, and tied together
    where they share characteristics (so they are the margins of one table of everyone).

    Modelling every combination of every characteristic (what the attacker knows nothing of)
    would be exact too, but grows as their product: the demo's five characteristics times its
    event patterns run to hundreds of millions of unknowns. The margins give every published
    count and every program the same values, in a few tables of their sums.
    """

    rows: sparse.csr_matrix  # one per query, over the unknowns
    a_eq: sparse.csr_matrix  # the tables agree where they share characteristics
    truth: np.ndarray
    # How a kind of person (a class of each characteristic's values, then a class of event
    # pattern) falls into the unknowns: one cell of each block.
    blocks: list[tuple[int, ...]]
    shapes: list[list[int]]
    offsets: np.ndarray
    class_sizes: list[int]
    pattern_count: int
    people_kinds: np.ndarray  # each person's kind, a row of classes
    parents: list[int | None] = field(default_factory=list)  # each block's in the junction tree

    def kind_columns(self, kinds: np.ndarray) -> sparse.csr_matrix:
        """The unknowns each kind of person (a row of ``kinds``) is counted in, as columns."""
        columns = [
            self.offsets[block]
            + np.ravel_multi_index(tuple(kinds[:, [*chars, -1]].T), self.shapes[block])
            for block, chars in enumerate(self.blocks)
        ]
        cells = np.stack(columns, axis=1).ravel() if columns else np.zeros(0, int)
        which = np.repeat(np.arange(len(kinds)), len(self.blocks))
        return sparse.csr_matrix(
            (np.ones(cells.size), (cells, which)), shape=(int(self.offsets[-1]), len(kinds))
        )


def _model(queries: Sequence[Query], people: Sequence[Person]) -> _Model:
    names = [name for name, _code in people[0].groups] if people else []
    asked = {name for query in queries for name, _code in query.groups}
    assert not people or asked <= set(names), f"the people do not hold {asked - set(names)}"
    value_class: list[dict[str, int]] = []
    class_sizes: list[int] = []
    tests_by_query: list[list[np.ndarray]] = [[] for _query in queries]
    group_tests = sorted({(q.groups, q.recorded) for q in queries}, key=repr)
    for name in names:
        values = sorted({person.group(name) for person in people})
        per_test = [Query("", "", (None, None), "", g, r) for g, r in group_tests]
        numbers = _classes([partial(_value_test, q, name) for q in per_test], values)
        value_class.append(dict(zip(values, numbers, strict=True)))
        representative = {number: value for value, number in zip(values, numbers, strict=True)}
        class_sizes.append(len(representative))
        by_test = {
            test: np.array(
                [query.value_matches(name, representative[c]) for c in range(len(representative))]
            )
            for test, query in zip(group_tests, per_test, strict=True)
        }
        for number, query in enumerate(queries):
            tests_by_query[number].append(by_test[(query.groups, query.recorded)])
    patterns = sorted({person.events for person in people}, key=repr)
    event_tests = list(dict.fromkeys(replace(q, groups=(), recorded=()) for q in queries))
    pattern_numbers = _classes([q.events_match for q in event_tests], patterns)
    pattern_class = dict(zip(patterns, pattern_numbers, strict=True))
    pattern_representative = {n: e for e, n in zip(patterns, pattern_numbers, strict=True)}
    pattern_count = len(pattern_representative)
    pattern_tests = {
        test: np.array([test.events_match(pattern_representative[c]) for c in range(pattern_count)])
        for test in event_tests
    }
    scopes = [
        frozenset(n for n, test in enumerate(tests) if not test.all()) for tests in tests_by_query
    ]
    tree = _junction_tree(set(scopes))
    # A table of its own for every group of characteristics a query counts (its margin, tied
    # to a clique holding it): each count is then a sum over its own small table, not over a
    # clique's every combination.
    blocks: list[tuple[tuple[int, ...], int | None]] = [
        (tuple(sorted(clique)), parent) for clique, parent in tree
    ]
    for scope in sorted(set(scopes) - {clique for clique, _parent in tree}, key=sorted):
        holder = min(
            (n for n, (clique, _p) in enumerate(tree) if scope <= clique),
            key=lambda n: len(tree[n][0]),
        )
        blocks.append((tuple(sorted(scope)), holder))
    shapes = [[class_sizes[n] for n in chars] + [pattern_count] for chars, _p in blocks]
    offsets = np.cumsum([0] + [int(np.prod(shape)) for shape in shapes])
    block_of = {chars: n for n, (chars, _p) in enumerate(blocks)}

    rows, columns = [], []
    for number, query in enumerate(queries):
        chars = tuple(sorted(scopes[number]))
        block = block_of[chars]
        matching = [np.flatnonzero(tests_by_query[number][n]) for n in chars]
        event_test = replace(query, groups=(), recorded=())
        matching.append(np.flatnonzero(pattern_tests[event_test]))
        cells = np.ravel_multi_index(np.ix_(*matching), shapes[block]).ravel() + offsets[block]
        rows.append(np.full(cells.size, number))
        columns.append(cells)
    size = int(offsets[-1])
    query_rows = sparse.csr_matrix(
        (np.ones(sum(c.size for c in columns)), (np.concatenate(rows), np.concatenate(columns))),
        shape=(len(queries), size),
    )
    query_rows.sort_indices()  # a row's columns then identify the people it counts

    eq_rows, eq_columns, eq_values = [], [], []
    equations = 0
    for block, (chars, parent) in enumerate(blocks):
        if parent is None:
            continue
        shared = [c for c in chars if c in blocks[parent][0]]
        separator_shape = [class_sizes[c] for c in shared] + [pattern_count]
        for side, sign in ((block, 1.0), (parent, -1.0)):
            side_chars = blocks[side][0]
            coordinates = np.unravel_index(np.arange(int(np.prod(shapes[side]))), shapes[side])
            kept = [coordinates[side_chars.index(c)] for c in shared] + [coordinates[-1]]
            cells = np.ravel_multi_index(tuple(kept), separator_shape)
            eq_rows.append(cells + equations)
            eq_columns.append(np.arange(cells.size) + offsets[side])
            eq_values.append(np.full(cells.size, sign))
        equations += int(np.prod(separator_shape))
    a_eq = sparse.csr_matrix(
        (
            np.concatenate(eq_values) if eq_values else np.zeros(0),
            (
                np.concatenate(eq_rows) if eq_rows else np.zeros(0, int),
                np.concatenate(eq_columns) if eq_columns else np.zeros(0, int),
            ),
        ),
        shape=(equations, size),
    )

    people_kinds = np.array(
        [
            [value_class[n][person.group(name)] for n, name in enumerate(names)]
            + [pattern_class[person.events]]
            for person in people
        ],
        dtype=np.int64,
    ).reshape(len(people), len(names) + 1)
    model = _Model(
        query_rows,
        a_eq,
        np.zeros(size),
        [chars for chars, _parent in blocks],
        shapes,
        offsets,
        class_sizes,
        pattern_count,
        people_kinds,
        [parent for _chars, parent in blocks],
    )
    model.truth = np.asarray(model.kind_columns(people_kinds).sum(axis=1)).ravel()
    return model


def attack(
    people: Sequence[Person],
    published: Published,
    *,
    width: float,
    stop_after: int | None = None,
    only: Callable[[Query], bool] | None = None,
) -> tuple[list[Finding], int]:
    """Bound every small published cell; returns the cells narrower than ``width`` and how
    many small cells were attacked (``stop_after``: stop once that many are found; ``only``:
    attack only the cells it accepts, every published count still bounding them). Every
    program must be solved: a cell the solver cannot decide fails the test."""
    outcome = attack_bounded(people, published, width=width, stop_after=stop_after, only=only)
    assert not outcome.undecided, f"the solver could not decide {outcome.undecided[:3]}"
    return outcome.pinned, outcome.attacked


def attack_bounded(
    people: Sequence[Person],
    published: Published,
    *,
    width: float,
    stop_after: int | None = None,
    only: Callable[[Query], bool] | None = None,
    time_limit: float | None = None,
    deadline: float | None = None,
) -> Outcome:
    """``attack`` with limits, for large snapshots: ``time_limit`` seconds for each linear
    program (HiGHS's own limit) and a ``deadline`` (``time.monotonic``) after which no more
    cells are attacked. Cells left open by either are reported as undecided, never as safe.
    """
    queries = list(dict.fromkeys(query for query, _low, _high in published.cells))
    index = {query: number for number, query in enumerate(queries)}
    model = _model(queries, people)
    keys = [model.rows[n].indices.tobytes() for n in range(len(queries))]
    # Counts of the same people bound the same sum: keep the tightest bounds of each.
    tightest: dict[bytes, tuple[int, float, float]] = {}
    for query, low, high in published.cells:
        number = index[query]
        top = np.inf if high is None else float(high)
        _n, known_low, known_high = tightest.get(keys[number], (number, -np.inf, np.inf))
        tightest[keys[number]] = (number, max(known_low, low), min(known_high, top))
    bound_rows: list[int] = []
    signs: list[float] = []
    values: list[float] = []
    for number, least, most in tightest.values():
        bound_rows.append(number)
        signs.append(-1.0)
        values.append(-least)
        if most < np.inf:
            bound_rows.append(number)
            signs.append(1.0)
            values.append(most)
    a_ub = sparse.diags(signs) @ model.rows[bound_rows]
    b_ub = np.array(values)
    # The true counts must satisfy everything published, or the people are not the snapshot's.
    violated = int(np.sum(a_ub @ model.truth > b_ub + 1e-6))
    assert violated == 0, f"the people do not give the published counts ({violated} bounds)"
    assert not np.abs(model.a_eq @ model.truth).any(), "the margins do not agree"
    trues = model.rows @ model.truth
    secrets: dict[bytes, tuple[Query, int, int]] = {}
    for query in queries:
        number = index[query]
        true = round(float(trues[number]))
        if 1 <= true <= 4 and (only is None or only(query)):
            secrets.setdefault(keys[number], (query, true, number))
    attacked = list(secrets.values())
    # Sets of nearby people that give every published figure show most cells wide at a
    # fraction of the cost (decision 0163); the programs below decide the rest.
    witnessed = witness(
        model,
        [(number, least, most) for number, least, most in tightest.values()],
        [number for _query, _true, number in attacked],
        width=width,
        deadline=deadline,
    )
    program = _Program(model.rows, a_ub, b_ub, model.a_eq, bound_rows)
    pinned, undecided, programs = program.bound_each(
        attacked,
        queries,
        witnessed,
        width=width,
        stop_after=stop_after,
        time_limit=time_limit,
        deadline=deadline,
    )
    return Outcome(
        pinned, len(secrets), undecided, model.rows.shape[1], witnessed.programs + programs
    )


@dataclass
class _Program:
    """Everything published, as the constraints of a linear program over the unknowns."""

    rows: sparse.csr_matrix
    a_ub: sparse.csr_matrix
    b_ub: np.ndarray
    a_eq: sparse.csr_matrix
    bound_queries: list[int]  # the query behind each row of ``a_ub``
    options: dict[str, float] = field(default_factory=dict)
    solved: int = 0
    objectives: sparse.csr_matrix | None = None
    seen_low: np.ndarray = field(default_factory=lambda: np.zeros(0))
    seen_high: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def bound_each(
        self,
        secrets: list[tuple[Query, int, int]],
        queries: Sequence[Query],
        witnessed: Witnessed,
        *,
        width: float,
        stop_after: int | None,
        time_limit: float | None,
        deadline: float | None,
    ) -> tuple[list[Finding], list[Query], int]:
        """Minimise and maximise each secret cell over everything published.

        Every solution the solver returns is a feasible set of counts, so it witnesses a value
        for every secret at once: a cell already seen at two values at least ``width`` apart
        (here or in ``witnessed``, sets of nearby people) cannot be pinned, and needs no
        programs of its own. The rest get their own minimum and maximum; the answer is the
        same as solving every cell, in a fraction of the time.
        """
        self.objectives = self.rows[[number for _q, _t, number in secrets]]
        self.seen_low = witnessed.low.copy()
        self.seen_high = witnessed.high.copy()
        if all(self._wide(number, width) for number in range(len(secrets))):
            return [], [], 0
        self.options = {} if time_limit is None else {"time_limit": time_limit}
        if any(
            not self._wide(number, width) and number not in witnessed.exact
            for number in range(len(secrets))
        ):
            # Two programs over all the secrets together witness most cells' spread.
            total = np.asarray(self.objectives.sum(axis=0)).ravel()
            self._solve(total)
            self._solve(-total)
        findings: list[Finding] = []
        undecided: list[Query] = []
        for number, (query, true, row) in enumerate(secrets):
            if self._wide(number, width):
                continue
            if number in witnessed.exact:
                # Its programs priced every kind of person: the range is the attacker's own.
                low, top = float(self.seen_low[number]), float(self.seen_high[number])
                resting = tuple(queries[n] for n in witnessed.exact[number])
                findings.append(Finding(query, true, low, top, resting))
                if stop_after is not None and len(findings) >= stop_after:
                    break
                continue
            if deadline is not None and time.monotonic() > deadline:
                undecided.append(query)
                continue
            bounded = self._bound_one(number, row, width)
            if bounded is None:
                continue
            if isinstance(bounded, str):
                undecided.append(query)
                continue
            low, top, relations = bounded
            findings.append(Finding(query, true, low, top, tuple(queries[n] for n in relations)))
            if stop_after is not None and len(findings) >= stop_after:
                break
        return findings, undecided, self.solved

    def _bound_one(
        self, number: int, row: int, width: float
    ) -> tuple[float, float, tuple[int, ...]] | str | None:
        """The cell's range and the counts that decide it when it is pinned; ``None`` when a
        solution shows it wide; ``"undecided"`` when the solver stopped short."""
        objective = self.rows[row].toarray().ravel()
        low = self._solve(objective)
        if self._wide(number, width):
            return None
        high = self._solve(-objective)
        if self._wide(number, width):
            return None
        if low.status != 0 or high.status not in (0, 3):
            return "undecided"
        top = np.inf if high.status == 3 else -high.fun
        # A hair of slack for the solver's rounding: a range of exactly ``width`` passes.
        if top - low.fun >= width - 1e-6:
            return None
        relations = self._binding(low) + (self._binding(high) if high.status == 0 else ())
        return float(low.fun), float(top), tuple(dict.fromkeys(relations))

    def _wide(self, number: int, width: float) -> bool:
        return bool(self.seen_high[number] - self.seen_low[number] >= width - 1e-6)

    def _solve(self, objective: np.ndarray) -> Any:
        self.solved += 1
        equalities = self.a_eq.shape[0] > 0
        result = linprog(
            objective,
            A_ub=self.a_ub,
            b_ub=self.b_ub,
            A_eq=self.a_eq if equalities else None,
            b_eq=np.zeros(self.a_eq.shape[0]) if equalities else None,
            bounds=(0, None),
            method="highs",
            options=self.options,
        )
        if result.status == 0:
            assert self.objectives is not None
            found = self.objectives @ result.x
            np.minimum(self.seen_low, found, out=self.seen_low)
            np.maximum(self.seen_high, found, out=self.seen_high)
        return result

    def _binding(self, result: Any) -> tuple[int, ...]:
        """The published counts whose bounds the optimum rests on (non-zero duals)."""
        marginals = getattr(getattr(result, "ineqlin", None), "marginals", None)
        if marginals is None:
            return ()
        return tuple(self.bound_queries[n] for n in np.flatnonzero(np.abs(marginals) > 1e-9))


Attack = Callable[..., tuple[list[Finding], int]]

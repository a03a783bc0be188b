"""An attacker on every published output for one area: differencing and linear programming.

For the tests (issue 14): plain Python with scipy, no Django. It generates every output the
insight app publishes for a police force area, the districts within it and two overlapping
periods (the needs assessment; the funnel by each characteristic, with and without the
five-group roll-up; cross tables of two and three characteristics; each provider's needs
assessment; data quality; people referred to specialists for coverage gaps) with the real
table functions, reads back every published count, and models the people behind them.

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

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from scipy.optimize import linprog  # type: ignore[import-untyped]

from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, high_level_group
from bridgeway.insight import breakdown, scrutiny
from bridgeway.insight.figures import Figure
from bridgeway.insight.needs_assessment import (
    STAGES,
    AreaPopulation,
    count_people_by_area,
    needs_assessment_table,
)
from bridgeway.insight.perturbation import bounds

Period = tuple[dt.date | None, dt.date | None]
ONE_WAY = ("ethnic_group", "age_band", "sex")
CROSSINGS = (("ethnic_group", "sex"), ("age_band", "sex"), ("ethnic_group", "age_band", "sex"))


@dataclass(frozen=True)
class Event:
    stage: str
    on: dt.date
    lad: str
    pfa: str
    provider: tuple[str, str]
    specialist: bool


@dataclass(frozen=True)
class Person:
    """What the snapshot knows of one person: their newest groups and their events."""

    groups: tuple[tuple[str, str], ...]
    events: tuple[Event, ...]

    def group(self, characteristic: str) -> str:
        return dict(self.groups)[characteristic]


@dataclass(frozen=True)
class Query:
    """Which people a published count counts."""

    area: str
    kind: str  # "pfa" or "lad"
    period: Period
    stage: str
    groups: tuple[tuple[str, str], ...] = ()  # (characteristic, code); code may be rolled up
    recorded: tuple[str, ...] = ()  # characteristics that must be recorded
    provider: tuple[str, str] | None = None
    specialist_only: bool = False

    def counts(self, person: Person) -> bool:
        return self.groups_match(dict(person.groups)) and self.events_match(person.events)

    def groups_match(self, groups: Mapping[str, str]) -> bool:
        """Whether someone in these groups is in the cell (whatever they did)."""
        for characteristic, code in self.groups:
            own = groups[characteristic]
            if own != code and not (
                characteristic == "ethnic_group"
                and own not in NOT_KNOWN_CODES
                and high_level_group(own) == code
            ):
                return False
        return not any(groups[name] in NOT_KNOWN_CODES for name in self.recorded)

    def events_match(self, events: Iterable[Event]) -> bool:
        """Whether someone with these events is in the cell (whatever their groups)."""
        start, end = self.period
        for event in events:
            if event.stage != self.stage:
                continue
            if (event.pfa if self.kind == "pfa" else event.lad) != self.area:
                continue
            if (start and event.on < start) or (end and event.on > end):
                continue
            if self.provider is not None and event.provider != self.provider:
                continue
            if self.specialist_only and not event.specialist:
                continue
            return True
        return False

    def value_matches(self, characteristic: str, value: str) -> bool:
        """Whether someone whose ``characteristic`` is ``value`` passes this query's test on
        that characteristic (``groups_match`` is these tests together)."""
        for name, code in self.groups:
            if name == characteristic and not (
                value == code
                or (
                    name == "ethnic_group"
                    and value not in NOT_KNOWN_CODES
                    and high_level_group(value) == code
                )
            ):
                return False
        return not (characteristic in self.recorded and value in NOT_KNOWN_CODES)


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
    exact: bool = False,
) -> Published:
    """Every output for the force area and its districts in each period, read back
    (``exact``: the counts were not perturbed, so each published count is the true one)."""
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
        for row in needs_assessment_table(
            population,
            counted.by_group,
            threshold=threshold,
            totals=counted.total,
            recorded_totals=counted.recorded_total,
        ):
            code = str(row["ethnic_group"])
            groups = () if code == "total" else (("ethnic_group", code),)
            _stage_figures(published, row, STAGES, Query(**{**base.__dict__, "groups": groups}))
        if counted.recorded_total is not None:
            for stage in STAGES:
                published.add(
                    Query(**{**base.__dict__, "stage": stage, "recorded": ("ethnic_group",)}),
                    getattr(counted.recorded_total, stage),
                )
        _publish_breakdowns(published, paths, base, crossings)
        if providers:
            _publish_providers(published, paths, base, population)
    return published


def _publish_breakdowns(
    published: Published, paths: list[Path], base: Query, crossings: Sequence[tuple[str, ...]]
) -> None:
    date_from, date_to = base.period
    shapes: list[tuple[tuple[str, ...], bool]] = [((name,), False) for name in ONE_WAY]
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
        for stage, value in counts.recorded_total.items():
            published.add(Query(**{**base.__dict__, "stage": stage, "recorded": recorded}), value)
        if len(chosen) == 1:
            rows = breakdown.funnel_table(
                area_code=base.area,
                area_name=base.area,
                characteristic=chosen[0],
                counts=counts,
                threshold=published.threshold,
                roll_up=roll_up,
            )
            for row in rows:
                code = str(row["group"])
                groups = () if code == "total" else ((chosen[0], code),)
                _stage_figures(
                    published,
                    row,
                    ("referred", "offered", "accepted"),
                    Query(**{**base.__dict__, "groups": groups}),
                )
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
        _stage_figures(published, row, STAGES, query)
    for row in scrutiny.data_quality_table(
        population, counts, names, threshold=published.threshold
    ):
        service = "" if row["service_key"] == "[z]" else str(row["service_key"])
        provider_query = {**base.__dict__, "provider": (str(row["organisation_key"]), service)}
        name = str(row["characteristic"])
        people = row["people"]
        assert isinstance(people, Figure)
        published.add(Query(**provider_query), people)
        recorded = row["recorded"]
        assert isinstance(recorded, Figure)
        published.add(Query(**{**provider_query, "recorded": (name,)}), recorded)
        for code in NOT_KNOWN_CODES:
            figure = row[code]
            assert isinstance(figure, Figure)
            published.add(Query(**{**provider_query, "groups": ((name, code),)}), figure)
    specialists = scrutiny.count_referred_to_specialists(
        paths,
        area_code=base.area,
        area_kind=base.kind,  # type: ignore[arg-type]
        date_from=date_from,
        date_to=date_to,
    )
    for code, value in specialists.items():
        figure = Figure.count(value, hidden=0 < value < published.threshold)
        query = Query(**{**base.__dict__, "groups": (("ethnic_group", code),)})
        published.add(Query(**{**query.__dict__, "specialist_only": True}), figure)


@dataclass(frozen=True)
class Finding:
    """What the attacker learnt of one small count."""

    query: Query
    true: int
    low: float
    high: float


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
class _Kinds:
    """The attacker's unknowns before merging: one of each class of every characteristic
    crossed with one class of event patterns, and which queries count each."""

    member: np.ndarray
    truth: np.ndarray


def _kinds(queries: Sequence[Query], people: Sequence[Person]) -> _Kinds:
    """Every combination of the groups seen (a published non-zero count shows a group is
    there; the attacker is not told which combinations occur, that is what the outputs are
    meant to protect) with every pattern of events seen.

    Values of a characteristic that every query treats alike (the recorded religions, say,
    which are only ever counted together) form one class, and so do patterns of events: the
    programs are the same, and the product of classes many times smaller than that of values.
    """
    names = [name for name, _code in people[0].groups] if people else []
    value_class: list[dict[str, int]] = []
    class_tests: list[list[np.ndarray]] = []  # per characteristic, per query: class vector
    for name in names:
        values = sorted({person.group(name) for person in people})
        tests = sorted({(q.groups, q.recorded) for q in queries}, key=repr)
        per_test = [Query("", "", (None, None), "", groups, recorded) for groups, recorded in tests]
        numbers = _classes([partial(_value_test, q, name) for q in per_test], values)
        value_class.append(dict(zip(values, numbers, strict=True)))
        representative = {number: value for value, number in zip(values, numbers, strict=True)}
        count = len(representative)
        vectors = [
            np.array(
                [query.value_matches(name, representative[c]) for c in range(count)], dtype=bool
            )
            for query in queries
        ]
        class_tests.append(vectors)
    patterns = sorted({person.events for person in people}, key=repr)
    event_tests = list(dict.fromkeys(replace(q, groups=(), recorded=()) for q in queries))
    pattern_numbers = _classes([q.events_match for q in event_tests], patterns)
    pattern_class = dict(zip(patterns, pattern_numbers, strict=True))
    pattern_representative = {n: e for e, n in zip(patterns, pattern_numbers, strict=True)}
    pattern_count = len(pattern_representative)
    sizes = [len(tests[0]) for tests in class_tests] + [pattern_count]
    member = np.zeros((len(queries), int(np.prod(sizes))), dtype=bool)
    for number, query in enumerate(queries):
        row = np.array(
            [query.events_match(pattern_representative[c]) for c in range(pattern_count)]
        )
        for tests in reversed(class_tests):
            row = np.multiply.outer(tests[number], row)
        member[number] = row.ravel()
    truth = np.zeros(member.shape[1])
    for person in people:
        position = [value_class[n][person.group(name)] for n, name in enumerate(names)]
        position.append(pattern_class[person.events])
        truth[np.ravel_multi_index(tuple(position), sizes)] += 1
    return _Kinds(member, truth)


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
    attack only the cells it accepts, every published count still bounding them).

    Kinds of person that every published count treats alike are merged into one unknown
    (their sum): the linear program is the same, and many times smaller.
    """
    queries = list(dict.fromkeys(query for query, _low, _high in published.cells))
    index = {query: number for number, query in enumerate(queries)}
    kinds = _kinds(queries, people)
    # Merge kinds with the same column: one unknown per distinct pattern of membership
    # (compared packed, eight queries to a byte).
    packed = np.packbits(kinds.member, axis=0)
    _columns, first, atom_of = np.unique(packed, axis=1, return_index=True, return_inverse=True)
    atoms = kinds.member[:, first].astype(float)
    truth = np.bincount(atom_of.ravel(), weights=kinds.truth, minlength=atoms.shape[1])

    # Counts of the same people bound the same sum: keep the tightest bounds of each.
    tightest: dict[bytes, tuple[int, float, float]] = {}
    for query, low, high in published.cells:
        number = index[query]
        key = atoms[number].tobytes()
        top = np.inf if high is None else float(high)
        _n, known_low, known_high = tightest.get(key, (number, -np.inf, np.inf))
        tightest[key] = (number, max(known_low, low), min(known_high, top))
    upper_rows: list[np.ndarray] = []
    upper_values: list[float] = []
    for number, least, most in tightest.values():
        upper_rows.append(-atoms[number])
        upper_values.append(-least)
        if most < np.inf:
            upper_rows.append(atoms[number])
            upper_values.append(most)
    # Sparse: each count covers a small share of the unknowns; HiGHS is many times faster so.
    a_ub, b_ub = sparse.csr_matrix(np.array(upper_rows)), np.array(upper_values)
    secrets: dict[bytes, tuple[Query, int, np.ndarray]] = {}
    for query in queries:
        row = atoms[index[query]]
        true = round(float(row @ truth))
        if 1 <= true <= 4 and (only is None or only(query)):
            secrets.setdefault(row.tobytes(), (query, true, row))
    findings = _bound_each(list(secrets.values()), a_ub, b_ub, width=width, stop_after=stop_after)
    return findings, len(secrets)


def _bound_each(
    secrets: list[tuple[Query, int, np.ndarray]],
    a_ub: sparse.csr_matrix,
    b_ub: np.ndarray,
    *,
    width: float,
    stop_after: int | None,
) -> list[Finding]:
    """Minimise and maximise each secret cell over everything published.

    Every solution the solver returns is a feasible set of counts, so it witnesses a value
    for every secret at once: a cell already seen at two values at least ``width`` apart
    cannot be pinned, and needs no programs of its own. The rest get their own minimum and
    maximum; the answer is the same as solving every cell, in a fraction of the time.
    """
    objectives = np.array([row for _query, _true, row in secrets])
    seen_low = np.full(len(secrets), np.inf)
    seen_high = np.full(len(secrets), -np.inf)

    def solve(objective: np.ndarray) -> Any:
        result = linprog(objective, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
        if result.status == 0:
            values = objectives @ result.x
            np.minimum(seen_low, values, out=seen_low)
            np.maximum(seen_high, values, out=seen_high)
        return result

    # Two programs over all the secrets together witness most cells' spread.
    solve(objectives.sum(axis=0))
    solve(-objectives.sum(axis=0))
    findings = []
    for number, (query, true, row) in enumerate(secrets):
        if seen_high[number] - seen_low[number] >= width - 1e-6:
            continue
        low = solve(row)
        high = solve(-row)
        assert low.status == 0, low.message
        top = np.inf if high.status == 3 else -high.fun
        # A hair of slack for the solver's rounding: a range of exactly ``width`` passes.
        if top - low.fun < width - 1e-6:
            findings.append(Finding(query, true, float(low.fun), float(top)))
            if stop_after is not None and len(findings) >= stop_after:
                break
    return findings


def people_from_rows(
    rows: Iterable[Mapping[str, object]],
    characteristics: Sequence[str] = scrutiny.QUALITY_CHARACTERISTICS,
) -> list[Person]:
    """The attacker's people from snapshot rows (each person in the groups of their newest
    row, as insight counts them)."""
    by_person: dict[str, list[Mapping[str, object]]] = {}
    for row in rows:
        by_person.setdefault(str(row["person_key"]), []).append(row)
    people = []
    for person_rows in by_person.values():
        newest = max(person_rows, key=lambda row: row["occurred_on"])  # type: ignore[arg-type,return-value]
        events = tuple(
            sorted(
                {
                    Event(
                        stage=str(row["stage"]),
                        on=row["occurred_on"],  # type: ignore[arg-type]
                        lad=str(row["lad_code"]),
                        pfa=str(row["pfa_code"]),
                        provider=(str(row["organisation_key"]), str(row["service_key"] or "")),
                        specialist=bool(row["service_specialist"]),
                    )
                    for row in person_rows
                },
                key=lambda event: (event.on, event.stage, event.lad, event.provider),
            )
        )
        groups = tuple((name, str(newest[name])) for name in characteristics)
        people.append(Person(groups=groups, events=events))
    return people


Attack = Callable[..., tuple[list[Finding], int]]

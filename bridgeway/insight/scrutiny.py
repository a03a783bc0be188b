"""Provider scrutiny, data quality and coverage gaps: plain Python with DuckDB, no Django.

What insight may read: case data only through the pseudonymised snapshot (these functions
take its files), and the public directory (services, the areas they cover, the communities
they serve, whether they take people from outside their area) from the database, passed in
here as plain data. A provider appears in the snapshot as ``organisation_key`` and
``service_key``; the caller maps the keys back to directory names with the same keyed hash,
which needs no case record.

* **Provider scrutiny**: for each service (or organisation, when a referral named no service)
  in an area, the needs assessment of its own referrals: who it reaches against the area's
  census population, universal and specialist providers side by side.
* **Data quality**: per provider, how many of its people have each characteristic recorded,
  not asked, declined (prefer not to say) or not recorded.
* **Coverage gaps**: per area, the ethnic groups with a sizeable population there, how many
  specialist services in the directory cover the area for them, how many of them were
  referred to any specialist service, and specialist services in neighbouring areas that take
  people from outside their own.

Each provider's table sums with the others' to the area's, so a provider too small for a
table by group has it withheld (decision 0157, the rule of ``sparse_tables``): its groups'
counts are ``[c]``, zeros too, and its total stays; the same for a provider's answers to one
characteristic, and for the people referred to specialists by group. The providers' totals
add up to the area's too, so when one is small the next smallest are hidden with it
(decision 0161, ``provider_totals``), with their tables by group from that stage on and,
for the people referred, data quality's people and answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bridgeway.disclosure.suppression import (
    NOT_APPLICABLE,
    ColumnSuppression,
    is_primary,
    suppress_column,
)
from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, vocabulary
from bridgeway.insight import perturbation, provider_totals, sparse_tables
from bridgeway.insight.figures import CONFIDENTIAL_FIGURE, Figure, Row
from bridgeway.insight.needs_assessment import (
    RECORD_KEY_SQL,
    SHARE_INTERVAL_HEADER,
    STAGES,
    TOTAL,
    AreaKind,
    AreaPopulation,
    GroupCounts,
    connect,
    needs_assessment_table,
    protected_counts,
    share_with_interval,
)
from bridgeway.insight.perturbation import KEY_MODULUS, KeyedCount, combine

SHARE_PLACES = 4
# The characteristics whose answers can be missing in the three ways (disability is a list,
# where an empty list cannot tell "none" from "not asked").
QUALITY_CHARACTERISTICS = ("ethnic_group", "age_band", "sex", "religion", "sexual_orientation")
# Everyone is served by universal services; a community-specific gap for the largest group
# would be noise, so it is not listed.
MAJORITY_GROUP = "white_british"

# As in needs_assessment._COUNT_SQL: each person in the groups of their newest record; every
# count is of distinct people, so an event written again by an overlapping run counts once.
_PROVIDER_SQL = """
WITH events AS (
    SELECT *, date_diff('day', DATE '2000-01-01', occurred_on) * 100000
                  + list_position($files, filename) AS newness
    FROM read_parquet($files, filename = true)
), people AS (
    SELECT person_key, newest.* FROM (
        SELECT person_key,
               arg_max(struct_pack(ethnic_group, age_band, sex, religion, sexual_orientation),
                       newness) AS newest
        FROM events GROUP BY person_key
    )
), chosen AS (
    SELECT events.{area_column} AS area, events.organisation_key,
           coalesce(events.service_key, '') AS service_key, events.organisation_kind,
           events.service_specialist, events.stage, events.person_key, people.ethnic_group,
           people.age_band, people.sex, people.religion, people.sexual_orientation
    FROM events JOIN people USING (person_key)
    WHERE events.{area_column} = $area
      AND ($date_from IS NULL OR events.occurred_on >= $date_from)
      AND ($date_to IS NULL OR events.occurred_on <= $date_to)
)
"""


@dataclass(frozen=True)
class Provider:
    """One service (or an organisation's referrals with no service) as the snapshot knows it."""

    organisation_key: str
    service_key: str
    organisation_kind: str
    specialist: bool


@dataclass
class ProviderCounts:
    """Distinct people per ethnic group and stage, and per answer of each characteristic.

    Counts are as published: perturbed by the cell key method (decision 0072), each total
    as its own cell (``None`` in a hand-made table: the sum of the rows).
    """

    by_group: dict[str, GroupCounts]
    # characteristic -> answer ("recorded", a not-known code, or "total") -> people referred
    answers: dict[str, dict[str, int]]
    total: GroupCounts | None = None
    recorded_total: GroupCounts | None = None


def count_providers(
    files: Sequence[Path],
    *,
    area_code: str,
    area_kind: AreaKind,
    date_from: dt.date | None,
    date_to: dt.date | None,
    perturb: bool = True,
) -> dict[Provider, ProviderCounts]:
    """People each provider in the area was asked to help, by group, stage and answer.

    Perturbed by the cell key method unless ``perturb`` is false (tests of the counting).
    """
    if not files:
        return {}
    area_column = "pfa_code" if area_kind == "pfa" else "lad_code"
    base = _PROVIDER_SQL.format(area_column=area_column)
    parameters = {
        "files": [str(path) for path in files],
        "area": area_code,
        "date_from": date_from,
        "date_to": date_to,
    }
    provider_columns = "organisation_key, service_key, organisation_kind, service_specialist"
    answer_columns = ", ".join(
        f"CASE WHEN {name} IN ('not_asked', 'prefer_not_to_say', 'not_recorded') "
        f"THEN {name} ELSE 'recorded' END AS {name}"
        for name in QUALITY_CHARACTERISTICS
    )
    result: dict[Provider, ProviderCounts] = {}

    def of(row: Sequence[object]) -> ProviderCounts:
        provider = Provider(str(row[0]), str(row[1]), str(row[2]), bool(row[3]))
        return result.setdefault(provider, ProviderCounts(by_group={}, answers={}))

    with connect() as connection:
        # A provider's events can repeat a person at a stage, so each person is taken once
        # before their record key is summed into the cell key.
        stages_sql = (
            f", once AS (SELECT DISTINCT {provider_columns}, ethnic_group, stage, person_key "  # noqa: S608
            "FROM chosen WHERE stage IN ('referred', 'offered', 'accepted')) "
            f"SELECT {provider_columns}, ethnic_group, stage, count(*), "
            f"sum({RECORD_KEY_SQL}) % {KEY_MODULUS} FROM once GROUP BY ALL"
        )
        stages = connection.execute(base + stages_sql, parameters).fetchall()
        tallies: dict[Provider, dict[str, dict[str, KeyedCount]]] = {}
        for row in stages:
            of(row)
            provider = Provider(str(row[0]), str(row[1]), str(row[2]), bool(row[3]))
            tallies.setdefault(provider, {}).setdefault(str(row[4]), {})[str(row[5])] = KeyedCount(
                int(row[6]), int(row[7])
            )
        for provider, by_group in tallies.items():
            groups_, total, recorded_total = protected_counts(by_group, perturb=perturb)
            result[provider].by_group = groups_
            result[provider].total = total
            result[provider].recorded_total = recorded_total
        for name in QUALITY_CHARACTERISTICS:
            answers_sql = (
                f", answered AS (SELECT DISTINCT {provider_columns}, person_key, "  # noqa: S608
                f"{answer_columns} FROM chosen WHERE stage = 'referred') "
                f"SELECT {provider_columns}, {name}, count(*), "
                f"sum({RECORD_KEY_SQL}) % {KEY_MODULUS} FROM answered GROUP BY ALL"
            )
            answers = connection.execute(base + answers_sql, parameters).fetchall()
            cells: dict[Provider, dict[str, KeyedCount]] = {}
            for row in answers:
                provider = Provider(str(row[0]), str(row[1]), str(row[2]), bool(row[3]))
                cells.setdefault(provider, {})[str(row[4])] = KeyedCount(int(row[5]), int(row[6]))
            for provider, by_answer in cells.items():
                by_answer[TOTAL] = combine(by_answer.values())
                result.setdefault(provider, ProviderCounts(by_group={}, answers={}))
                result[provider].answers[name] = {
                    answer: perturbation.perturb(cell) if perturb else cell.count
                    for answer, cell in by_answer.items()
                }
    return result


# --- provider scrutiny --------------------------------------------------------------------

PROVIDER_HEADER = (
    "provider_name",
    "organisation_key",
    "service_key",
    "organisation_kind",
    "service_specialist",
    *SHARE_INTERVAL_HEADER,
)


def _provider_order(names: Mapping[Provider, str]) -> list[Provider]:
    # Universal services first, then specialist ones, each by name: side by side in a sheet.
    return sorted(names, key=lambda p: (p.specialist, names[p].lower(), p.service_key))


def provider_withheld(counts: ProviderCounts, threshold: int) -> tuple[str, ...]:
    """The stages of a provider's table by ethnic group too sparse to publish (decision 0157).

    The rule of a funnel by one characteristic (``sparse_tables``, decision 0155) over the
    provider's 22 groups (19 recorded, three not known), on its perturbed counts only: a
    provider needs 5 people a group referred (110) to show its people referred by group.
    """
    codes = [*vocabulary("ethnic_groups").ordered_codes(), *NOT_KNOWN_CODES]
    empty = GroupCounts()
    cells = {
        stage: [getattr(counts.by_group.get(code, empty), stage) for code in codes]
        for stage in STAGES
    }
    total = _total(counts)
    totals = {stage: getattr(total, stage) for stage in STAGES}
    return sparse_tables.withheld_stages(cells, totals, STAGES, threshold)


def _total(counts: ProviderCounts) -> GroupCounts:
    # A hand-made table has no total cell: the sum of its rows.
    return counts.total or GroupCounts(
        *(sum(getattr(c, stage) for c in counts.by_group.values()) for stage in STAGES)
    )


def totals_hidden(
    counts: Mapping[Provider, ProviderCounts], threshold: int
) -> dict[Provider, tuple[str, ...]]:
    """The stages at which each provider's total is hidden (decision 0161): small, or hidden
    with a small one of the area so that the area's total less the others' cannot give it
    back (``provider_totals``), from every provider's perturbed totals in the area."""
    # A fixed order for ties that no name changes: the providers' keys.
    ordered = sorted(counts, key=lambda p: (p.organisation_key, p.service_key))
    hidden: dict[Provider, list[str]] = {provider: [] for provider in ordered}
    for stage in STAGES:
        totals = {provider: getattr(_total(counts[provider]), stage) for provider in ordered}
        for provider in provider_totals.hidden_totals(totals, threshold):
            hidden[provider].append(stage)
    return {provider: tuple(stages) for provider, stages in hidden.items()}


def providers_withheld(
    counts: Mapping[Provider, ProviderCounts], threshold: int
) -> dict[Provider, tuple[str, ...]]:
    """Each provider's stages withheld by group: too sparse (``provider_withheld``) or with
    the total hidden (``totals_hidden``, whose groups would add up to it), and every stage
    after one withheld (take-up is worked out from offered and accepted together)."""
    hidden = totals_hidden(counts, threshold)
    withheld: dict[Provider, tuple[str, ...]] = {}
    for provider, own in counts.items():
        # A small total (1 to threshold - 1) is under the sparse rule's least total already.
        total = _total(own)
        secondary = {stage for stage in hidden[provider] if getattr(total, stage) >= threshold}
        gone = set(provider_withheld(own, threshold)) | secondary
        first = next((n for n, stage in enumerate(STAGES) if stage in gone), len(STAGES))
        withheld[provider] = tuple(STAGES[first:])
    return withheld


def provider_scrutiny_table(
    area: AreaPopulation,
    counts: Mapping[Provider, ProviderCounts],
    names: Mapping[Provider, str],
    *,
    threshold: int,
    everyone: Mapping[Provider, ProviderCounts] | None = None,
) -> list[Row]:
    """The needs assessment's rows for each provider's own referrals, provider columns first.

    A provider too small for a table by group (``provider_withheld``) shows ``[c]`` for every
    group in those stages, with its total. A total hidden with a small one
    (``totals_hidden``, decision 0161) is ``[c]`` with its take-up rate, and its groups
    too. ``everyone``: every provider in the area, when ``counts`` holds only some (the
    commissioning reach, decision 0164): what is withheld and hidden depends on all of
    them, so each provider's rows are the very rows the area's table publishes for it.
    """
    area_counts = counts if everyone is None else everyone
    hidden = totals_hidden(area_counts, threshold)
    withheld = providers_withheld(area_counts, threshold)
    rows: list[Row] = []
    for provider in _provider_order({p: names.get(p, "") for p in counts}):
        table = needs_assessment_table(
            area,
            counts[provider].by_group,
            threshold=threshold,
            totals=counts[provider].total,
            recorded_totals=counts[provider].recorded_total,
            header=SHARE_INTERVAL_HEADER,
            withheld=withheld.get(provider, ()),
        )
        _hide_total(table[-1], hidden.get(provider, ()))
        for row in table:
            rows.append(
                Row(
                    {
                        "provider_name": names.get(provider, "") or "Unknown provider",
                        "organisation_key": provider.organisation_key,
                        "service_key": provider.service_key or NOT_APPLICABLE,
                        "organisation_kind": provider.organisation_kind,
                        "service_specialist": "true" if provider.specialist else "false",
                        **row,
                    }
                )
            )
    return rows


def _hide_total(row: Row, stages: Sequence[str]) -> None:
    # The total row of a provider's table: its hidden stages, and the take-up rate that
    # offered and accepted together would give back.
    for stage in stages:
        row[stage] = CONFIDENTIAL_FIGURE
    if "offered" in stages or "accepted" in stages:
        row["take_up_rate"] = row["take_up_low"] = row["take_up_high"] = CONFIDENTIAL_FIGURE


def secondary_totals(counts: Mapping[Provider, ProviderCounts], threshold: int) -> list[Provider]:
    """The providers with a total hidden only to protect a smaller one (decision 0161)."""
    hidden = totals_hidden(counts, threshold)
    return [
        provider
        for provider, stages in hidden.items()
        if any(getattr(_total(counts[provider]), stage) >= threshold for stage in stages)
    ]


def provider_notes(
    area: AreaPopulation,
    counts: Mapping[Provider, ProviderCounts],
    names: Mapping[Provider, str],
    *,
    threshold: int,
) -> list[str]:
    """What the files say of the area's providers whose table by group, or total, is
    withheld."""
    order = _provider_order({p: names.get(p, "") for p in counts})
    by_group = providers_withheld(counts, threshold)
    withheld = [names.get(p, "") or "Unknown provider" for p in order if by_group[p]]
    secondary = set(secondary_totals(counts, threshold))
    totals = [names.get(p, "") or "Unknown provider" for p in order if p in secondary]
    notes = [sparse_tables.providers_note(area.name, withheld)] if withheld else []
    if totals:
        notes.append(provider_totals.totals_note(area.name, totals))
    return notes


# --- data quality -------------------------------------------------------------------------

QUALITY_HEADER = (
    "area_code",
    "area_name",
    "provider_name",
    "organisation_key",
    "service_key",
    "organisation_kind",
    "service_specialist",
    "characteristic",
    "people",
    "recorded",
    "recorded_share",
    "recorded_share_low",
    "recorded_share_high",
    *(
        f"{code}{suffix}"
        for code in NOT_KNOWN_CODES
        for suffix in ("", "_share", "_share_low", "_share_high")
    ),
)


def answers_withheld(answers: Mapping[str, int], threshold: int) -> bool:
    """Whether a provider's answers to one characteristic are too sparse to publish
    (decision 0157): the rule of ``sparse_tables`` over its four answers (recorded and the
    three not known) with the people referred as their total, perturbed counts only."""
    cells = [answers.get("recorded", 0), *(answers.get(code, 0) for code in NOT_KNOWN_CODES)]
    people = answers.get(TOTAL, sum(cells))
    return bool(sparse_tables.withheld_stages({TOTAL: cells}, {TOTAL: people}, (TOTAL,), threshold))


def data_quality_table(
    area: AreaPopulation,
    counts: Mapping[Provider, ProviderCounts],
    names: Mapping[Provider, str],
    *,
    threshold: int,
) -> list[Row]:
    """For each provider and characteristic: people referred, and how their answers stand.

    Answers too sparse to publish (``answers_withheld``) are ``[c]``, zeros too, with their
    shares; the people referred stay.
    """
    rows: list[Row] = []
    # The people referred are the provider's total referred: hidden with it (decision 0161).
    hidden_people = {
        p for p, stages in totals_hidden(counts, threshold).items() if "referred" in stages
    }
    for provider in _provider_order({p: names.get(p, "") for p in counts}):
        for name in QUALITY_CHARACTERISTICS:
            answers = counts[provider].answers.get(name, {})
            recorded = answers.get("recorded", 0)
            missing = [answers.get(code, 0) for code in NOT_KNOWN_CODES]
            # The people referred are their own perturbed cell, not the sum of the answers.
            people = answers.get(TOTAL, recorded + sum(missing))
            if people == 0:
                continue
            suppression = suppress_column([recorded], missing, threshold)
            if is_primary(people, threshold) or provider in hidden_people:
                suppression = ColumnSuppression(
                    suppression.recorded_hidden, suppression.not_known_hidden, True
                )
            # Answers shown beside hidden people would add up to them.
            withheld = answers_withheld(answers, threshold) or provider in hidden_people
            row = Row(
                {
                    "area_code": area.code,
                    "area_name": area.name,
                    "provider_name": names.get(provider, "") or "Unknown provider",
                    "organisation_key": provider.organisation_key,
                    "service_key": provider.service_key or NOT_APPLICABLE,
                    "organisation_kind": provider.organisation_kind,
                    "service_specialist": "true" if provider.specialist else "false",
                    "characteristic": name,
                    "people": Figure.count(people, hidden=suppression.total_hidden),
                }
            )
            cells = [("recorded", recorded, suppression.recorded_hidden[0])] + [
                (code, value, hidden)
                for code, value, hidden in zip(
                    NOT_KNOWN_CODES, missing, suppression.not_known_hidden, strict=True
                )
            ]
            for column, value, hidden in cells:
                row[column] = (
                    CONFIDENTIAL_FIGURE if withheld else Figure.count(value, hidden=hidden)
                )
                (
                    row[f"{column}_share"],
                    row[f"{column}_share_low"],
                    row[f"{column}_share_high"],
                ) = quality_share(
                    value,
                    people,
                    hidden=hidden or withheld,
                    people_hidden=suppression.total_hidden,
                )
            rows.append(row)
    return rows


def quality_notes(
    area: AreaPopulation,
    counts: Mapping[Provider, ProviderCounts],
    names: Mapping[Provider, str],
    *,
    threshold: int,
) -> list[str]:
    """What the files say of the area's providers whose answers are withheld."""
    withheld = [
        names.get(provider, "") or "Unknown provider"
        for provider in _provider_order({p: names.get(p, "") for p in counts})
        if any(
            answers_withheld(answers, threshold)
            for answers in counts[provider].answers.values()
            if answers.get(TOTAL, sum(answers.values()))  # a row with no one is not shown
        )
    ]
    return [sparse_tables.answers_note(area.name, withheld)] if withheld else []


def quality_share(
    value: int, people: int, *, hidden: bool, people_hidden: bool
) -> tuple[Figure, Figure, Figure]:
    """One answer's share of a provider's people as published, with its interval (Wilson,
    widened to every true count the published ones allow, as every other share).

    A share whose count or denominator is hidden is hidden too, zero or not: a share of 0
    beside a hidden count would say the cell is empty, and any share beside a hidden
    denominator would give it back.
    """
    return share_with_interval(value, people, hidden=hidden or people_hidden)


# --- coverage gaps ------------------------------------------------------------------------

GAPS_HEADER = (
    "area_code",
    "area_name",
    "ethnic_group",
    "ethnic_group_label",
    "population",
    "population_share",
    "specialist_services",
    "gap",
    "referred_to_specialist",
    "nearby_services",
)


@dataclass(frozen=True)
class DirectoryCoverage:
    """What the directory says about an area, by ethnic group.

    ``specialist_services``: names of active specialist services covering the area for the
    group. ``nearby_services``: specialist services for the group in neighbouring areas that
    take people from outside their own area.
    """

    specialist_services: Mapping[str, Sequence[str]]
    nearby_services: Mapping[str, Sequence[str]]


def count_referred_to_specialists(
    files: Sequence[Path],
    *,
    area_code: str,
    area_kind: AreaKind,
    date_from: dt.date | None,
    date_to: dt.date | None,
    perturb: bool = True,
) -> dict[str, int]:
    """Distinct people per ethnic group referred to any specialist service in the area.

    Perturbed by the cell key method unless ``perturb`` is false (tests of the counting).
    """
    if not files:
        return {}
    area_column = "pfa_code" if area_kind == "pfa" else "lad_code"
    with connect() as connection:
        # Only module constants are formatted into the SQL; the values are parameters.
        specialists_sql = (
            f"{_PROVIDER_SQL.format(area_column=area_column)}, once AS ("  # noqa: S608
            "SELECT DISTINCT ethnic_group, person_key FROM chosen "
            "WHERE stage = 'referred' AND service_specialist) "
            f"SELECT ethnic_group, count(*), sum({RECORD_KEY_SQL}) % {KEY_MODULUS} "
            "FROM once GROUP BY ethnic_group"
        )
        found = connection.execute(
            specialists_sql,
            {
                "files": [str(path) for path in files],
                "area": area_code,
                "date_from": date_from,
                "date_to": date_to,
            },
        ).fetchall()
    return {
        str(group): perturbation.perturb(KeyedCount(int(people), int(key)))
        if perturb
        else int(people)
        for group, people, key in found
    }


def coverage_gaps_table(
    area: AreaPopulation,
    coverage: DirectoryCoverage,
    referred_to_specialist: Mapping[str, int],
    *,
    min_share: float,
    threshold: int,
) -> list[Row]:
    """The area's sizeable ethnic groups (share of residents at least ``min_share``).

    ``gap`` is ``true`` where no specialist service covers the area for the group. The
    people counts add up with the specialist providers' tables, so small counts are hidden
    and, where the column is too sparse to publish (``specialists_withheld``), every one is
    ``[c]``, zeros too.
    """
    rows: list[Row] = []
    residents = area.residents
    if residents == 0:
        return rows
    listed = sizeable_groups(area, min_share)
    withheld = specialists_withheld(
        [referred_to_specialist.get(group, 0) for group in listed], threshold
    )
    for group in listed:
        population = area.population.get(group, 0)
        specialists = list(coverage.specialist_services.get(group, ()))
        referred = referred_to_specialist.get(group, 0)
        rows.append(
            Row(
                {
                    "area_code": area.code,
                    "area_name": area.name,
                    "ethnic_group": group,
                    "ethnic_group_label": vocabulary("ethnic_groups").label(group),
                    "population": Figure.count(population),
                    "population_share": Figure.decimal(population / residents, SHARE_PLACES),
                    "specialist_services": Figure.count(len(specialists)),
                    "gap": "false" if specialists else "true",
                    "referred_to_specialist": CONFIDENTIAL_FIGURE
                    if withheld
                    else Figure.count(referred, hidden=is_primary(referred, threshold)),
                    "nearby_services": "; ".join(sorted(coverage.nearby_services.get(group, ()))),
                }
            )
        )
    return rows


def sizeable_groups(area: AreaPopulation, min_share: float) -> list[str]:
    """The groups coverage gaps lists: at least ``min_share`` of the area's residents, other
    than the majority."""
    residents = area.residents
    if residents == 0:
        return []
    return [
        group
        for group in vocabulary("ethnic_groups").ordered_codes()
        if group != MAJORITY_GROUP and area.population.get(group, 0) / residents >= min_share
    ]


def specialists_withheld(referred: Sequence[int], threshold: int) -> bool:
    """Whether the people referred to specialists, one count for each group listed, are too
    sparse to publish (decision 0157): the rule of ``sparse_tables`` with their sum as the
    total (no total is published beside them)."""
    return bool(
        sparse_tables.withheld_stages(
            {TOTAL: list(referred)}, {TOTAL: sum(referred)}, (TOTAL,), threshold
        )
    )

"""What the attacker of the insight tests knows of each person, and which people a published
count counts (issue 14).

Moved out of ``attacker.py`` to keep that module within 800 lines; plain Python.

A person may have several disabilities, and ``breakdown`` counts them in the group of each
(``NO_DISABILITY`` when the list is empty). The attacker holds one value per characteristic,
so a person's disabilities are one value, their sorted codes joined (``disability_value``),
and a count of one disability counts everyone whose value lists it (``in_group``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, high_level_group
from bridgeway.insight import scrutiny
from bridgeway.insight.breakdown import NO_DISABILITY

Period = tuple[dt.date | None, dt.date | None]
# Between a person's disability codes in their one value; no code holds it.
DISABILITIES_JOINED = "+"


def disability_value(codes: Iterable[str]) -> str:
    """A person's disabilities as one value: their codes sorted and joined, or NO_DISABILITY."""
    listed = sorted(set(codes))
    return DISABILITIES_JOINED.join(listed) if listed else NO_DISABILITY


def in_group(characteristic: str, own: str, code: str) -> bool:
    """Whether someone whose ``characteristic`` is ``own`` is counted in the group ``code``:
    their own group, the high-level group of their ethnic group, or any of their disabilities.
    """
    if own == code:
        return True
    if characteristic == "ethnic_group":
        return own not in NOT_KNOWN_CODES and high_level_group(own) == code
    if characteristic == "disability":
        return code in own.split(DISABILITIES_JOINED)
    return False


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
            if not in_group(characteristic, groups[characteristic], code):
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
            if name == characteristic and not in_group(name, value, code):
                return False
        return not (characteristic in self.recorded and value in NOT_KNOWN_CODES)


def people_from_rows(
    rows: Iterable[Mapping[str, object]],
    characteristics: Sequence[str] = scrutiny.QUALITY_CHARACTERISTICS,
) -> list[Person]:
    """The attacker's people from snapshot rows (each person in the groups of their newest
    row, as insight counts them); "disability" reads the row's list of ``disabilities``."""
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
        groups = tuple(
            (name, disability_value(newest["disabilities"]))  # type: ignore[arg-type]
            if name == "disability"
            else (name, str(newest[name]))
            for name in characteristics
        )
        people.append(Person(groups=groups, events=events))
    return people

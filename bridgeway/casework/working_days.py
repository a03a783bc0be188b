"""Working days in England and Wales: weekends and bank holidays skipped. Pure: no Django.

Bank holidays come from the maintained ``holidays`` package (``GB``, subdivision ``ENG``;
England and Wales share theirs), so a new or moved holiday (a coronation, a jubilee) arrives
with a package update rather than an edit here.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays


@cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is a weekday that is not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The day ``days`` working days after ``start`` (``start`` itself is not counted).

    A referral arriving on Friday with two working days to first contact is due on Tuesday;
    arriving on the Thursday before Easter, on the Wednesday after Easter Monday.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days fall after ``start`` up to and including ``end`` (0 if none)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def latest_start_due_by(day: dt.date, days: int) -> dt.date:
    """The latest start whose due date (``days`` working days on) is ``day`` or earlier.

    Due dates grow with the start, so every start up to this one is due by ``day``: the
    inbox turns "overdue" into one range of arrival dates an index can answer.
    """
    start = day
    while add_working_days(start, days) > day:
        start -= dt.timedelta(days=1)
    return start

"""Working days skip weekends and England and Wales bank holidays."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.casework.working_days import (
    add_working_days,
    is_working_day,
    working_days_between,
)

DAYS = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (dt.date(2026, 12, 2), 2, dt.date(2026, 12, 4)),  # Wednesday to Friday
        (dt.date(2026, 12, 4), 2, dt.date(2026, 12, 8)),  # Friday to Tuesday
        (dt.date(2026, 4, 2), 2, dt.date(2026, 4, 8)),  # Easter: Good Friday, Easter Monday
        (dt.date(2026, 12, 24), 2, dt.date(2026, 12, 30)),  # Christmas and Boxing Day (Mon)
        (dt.date(2026, 8, 28), 1, dt.date(2026, 9, 1)),  # Summer bank holiday, 31 August
        (dt.date(2023, 5, 5), 1, dt.date(2023, 5, 9)),  # The coronation's bank holiday
    ],
)
def test_known_due_dates(start: dt.date, days: int, due: dt.date) -> None:
    assert add_working_days(start, days) == due


def test_bank_holidays_are_not_working_days() -> None:
    assert not is_working_day(dt.date(2026, 12, 25))
    assert not is_working_day(dt.date(2026, 5, 4))  # Early May bank holiday
    assert is_working_day(dt.date(2026, 3, 17))  # St Patrick's Day: Northern Ireland only


@given(DAYS, st.integers(min_value=0, max_value=40))
def test_the_due_day_is_a_working_day_and_counts_back(start: dt.date, days: int) -> None:
    due = add_working_days(start, days)
    assert working_days_between(start, due) == days
    if days:
        assert is_working_day(due)
        assert due > start


@given(DAYS, st.integers(min_value=0, max_value=20), st.integers(min_value=0, max_value=20))
def test_adding_working_days_composes(start: dt.date, first: int, second: int) -> None:
    assert add_working_days(add_working_days(start, first), second) == add_working_days(
        start, first + second
    )


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(dt.date(2026, 1, 1), -1)


@given(DAYS, st.integers(min_value=1, max_value=10))
def test_latest_start_due_by_is_the_boundary(day: dt.date, days: int) -> None:
    from bridgeway.casework.working_days import latest_start_due_by

    start = latest_start_due_by(day, days)
    assert add_working_days(start, days) <= day
    assert add_working_days(start + dt.timedelta(days=1), days) > day

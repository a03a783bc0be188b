"""Who was a child when referred, for keeping their record until adulthood (decision 0046).

Plain data, no Django: the age bands come from the vocabulary's ``min_age``/``max_age``
columns, and years are counted back on the calendar.
"""

from __future__ import annotations

import datetime as dt

from bridgeway.equality.vocabulary import vocabulary

# Below this age a person is a child: their record is kept until RETENTION_YOUNG_PERSON_AGE.
ADULT_AGE = 18


def years_before(moment: dt.datetime, years: int) -> dt.datetime:
    """``moment`` moved back ``years`` calendar years (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def child_age_bands() -> dict[str, int]:
    """The age bands that hold only children, each with the youngest age it allows.

    From the vocabulary's ``min_age``/``max_age`` columns, so finer bands (11 to 15, 16 to
    17) would shorten the wait without a change here. See docs/decisions/0046.
    """
    bands: dict[str, int] = {}
    for term in vocabulary("age_bands"):
        oldest = term.extra.get("max_age") or ""
        if oldest.isdigit() and int(oldest) < ADULT_AGE:
            youngest = term.extra.get("min_age") or "0"
            bands[term.code] = int(youngest) if youngest.isdigit() else 0
    return bands

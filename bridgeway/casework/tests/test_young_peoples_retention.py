"""Young people's records are kept until they are 25, or for the adult period if longer.

The age is held only as a band, so a child's referral is taken to have been made at the
youngest age its band allows (docs/decisions/0046): nobody's record goes before their 25th
birthday, however young they were.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from bridgeway.casework.models import Person, Referral
from bridgeway.casework.services import (
    child_age_bands,
    referral_advance,
    retention_due,
    retention_held_for_young_people,
    years_before,
)
from bridgeway.casework.tests.factories import make_referral

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _periods(settings):
    settings.RETENTION_CLOSED_CASE_DAYS = 6 * 365
    settings.RETENTION_DECLINED_DAYS = 2 * 365
    settings.RETENTION_YOUNG_PERSON_AGE = 25


def _case(service, practitioner, *, age_band, received, closed, stage="closed") -> Referral:
    """A case received and finished at the given times, of a person in ``age_band``."""
    referral = make_referral(service=service, age_band=age_band, received_at=received)
    reason = "person_withdrew" if stage == "declined" else ""
    referral_advance(
        referral=referral, stage=stage, actor=practitioner, at=closed, decline_reason=reason
    )
    return referral


def _due() -> set[str]:
    return {referral.reference for referral in retention_due()}


def test_only_the_under_18_band_holds_only_children_and_from_age_0():
    assert child_age_bands() == {"under_18": 0}


def test_a_childs_case_past_the_adult_period_is_kept_until_25_years_after_referral(
    service, practitioner
):
    now = timezone.now()
    received = years_before(now, 24)
    child = _case(
        service, practitioner, age_band="under_18", received=received, closed=received + DAY
    )
    adult = _case(service, practitioner, age_band="18_24", received=received, closed=received + DAY)

    assert _due() == {adult.reference}
    assert retention_held_for_young_people() == 1
    # A year later the youngest a child in the band could have been is 25.
    assert child.reference in {r.reference for r in retention_due(now=now + 366 * DAY)}


def test_a_childs_case_is_due_once_both_25_and_the_adult_period_have_passed(service, practitioner):
    now = timezone.now()
    received = years_before(now, 25) - DAY
    old = _case(
        service, practitioner, age_band="under_18", received=received, closed=received + DAY
    )

    assert _due() == {old.reference}
    assert retention_held_for_young_people() == 0


def test_the_adult_period_wins_when_it_ends_later_than_the_25th_birthday(service, practitioner):
    now = timezone.now()
    # Referred 26 years ago as a child, but the case was closed only five years ago.
    late = _case(
        service,
        practitioner,
        age_band="under_18",
        received=years_before(now, 26),
        closed=now - 5 * 365 * DAY,
    )

    assert late.reference not in _due()
    assert late.reference in {r.reference for r in retention_due(now=now + 366 * DAY)}


def test_declined_referrals_of_children_are_kept_too(service, practitioner):
    now = timezone.now()
    received = years_before(now, 10)
    child = _case(
        service,
        practitioner,
        age_band="under_18",
        received=received,
        closed=received + DAY,
        stage="declined",
    )

    assert child.reference not in _due()
    assert retention_held_for_young_people() == 1


@pytest.mark.parametrize("age_band", ["not_asked", "prefer_not_to_say", "not_recorded"])
def test_an_unknown_age_uses_the_adult_period(service, practitioner, age_band):
    now = timezone.now()
    received = years_before(now, 10)
    unknown = _case(
        service, practitioner, age_band=age_band, received=received, closed=received + DAY
    )

    assert _due() == {unknown.reference}


def test_the_age_is_a_named_setting(settings, service, practitioner):
    now = timezone.now()
    received = years_before(now, 22)
    child = _case(
        service, practitioner, age_band="under_18", received=received, closed=received + DAY
    )
    assert child.reference not in _due()

    settings.RETENTION_YOUNG_PERSON_AGE = 21

    assert _due() == {child.reference}


def test_the_command_says_how_many_it_keeps_and_anonymises_only_the_rest(service, practitioner):
    now = timezone.now()
    received = years_before(now, 12)
    child = _case(
        service, practitioner, age_band="under_18", received=received, closed=received + DAY
    )
    adult = _case(service, practitioner, age_band="25_34", received=received, closed=received + DAY)
    out = StringIO()

    call_command("retention", "--dry-run", stdout=out)
    assert (
        "Kept 1 cases past the period: the person was a child when referred and may not yet "
        "be 25." in out.getvalue()
    )
    assert child.reference not in out.getvalue()

    call_command("retention", "--apply", stdout=StringIO())
    child.refresh_from_db()
    adult.refresh_from_db()
    assert child.anonymised_at is None
    assert Person.objects.get(pk=child.person_id).name
    assert adult.anonymised_at is not None


@pytest.mark.parametrize(
    ("moment", "years", "expected"),
    [
        (dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC), 25, dt.datetime(2001, 3, 1, 9, tzinfo=dt.UTC)),
        (
            dt.datetime(2024, 2, 29, 9, tzinfo=dt.UTC),
            1,
            dt.datetime(2023, 2, 28, 9, tzinfo=dt.UTC),
        ),
        (
            dt.datetime(2024, 2, 29, 9, tzinfo=dt.UTC),
            4,
            dt.datetime(2020, 2, 29, 9, tzinfo=dt.UTC),
        ),
    ],
)
def test_years_before_counts_calendar_years(moment, years, expected):
    assert years_before(moment, years) == expected

"""Safe contact times: the person's words read into windows of the week, checked in UK time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.casework.contact_times import (
    ANY_TIME_AT_ALL,
    UK_TIME,
    ContactTimes,
    Window,
    contact_times_read,
)
from bridgeway.casework.models import ContactAttempt
from bridgeway.casework.safe_contact import Refusal, contact_refusal, times_refusal
from bridgeway.casework.services import ContactDetails, contact_attempt_record
from bridgeway.casework.tests.factories import make_referral


def uk(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in UK time in the week of Monday 30 November 2026 (``day`` 0 is the Monday)."""
    return (
        dt.datetime(2026, 11, 30 + day, hour, minute, tzinfo=UK_TIME)
        if day == 0
        else (dt.datetime(2026, 12, day, hour, minute, tzinfo=UK_TIME))
    )


# --- reading the words ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "windows"),
    [
        ("after 5pm", [Window(frozenset(range(7)), 17 * 60, 24 * 60)]),
        ("After 5 p.m.", [Window(frozenset(range(7)), 17 * 60, 24 * 60)]),
        ("after 5", [Window(frozenset(range(7)), 17 * 60, 24 * 60)]),
        ("before 9am", [Window(frozenset(range(7)), 0, 9 * 60)]),
        ("Weekday evenings", [Window(frozenset(range(5)), 17 * 60, 21 * 60)]),
        ("weekdays after 6pm", [Window(frozenset(range(5)), 18 * 60, 24 * 60)]),
        ("between 9 and 5", [Window(frozenset(range(7)), 9 * 60, 17 * 60)]),
        ("10am to 2pm", [Window(frozenset(range(7)), 10 * 60, 14 * 60)]),
        ("Mon-Fri 9am\u20135pm", [Window(frozenset(range(5)), 9 * 60, 17 * 60)]),
        ("17:00-19:30", [Window(frozenset(range(7)), 17 * 60, 19 * 60 + 30)]),
        ("weekends only", [Window(frozenset({5, 6}), 0, 24 * 60)]),
        ("Saturday and Sunday after 2pm", [Window(frozenset({5, 6}), 14 * 60, 24 * 60)]),
        (
            "weekday mornings and evenings",
            [
                Window(frozenset(range(5)), 8 * 60, 12 * 60),
                Window(frozenset(range(5)), 17 * 60, 21 * 60),
            ],
        ),
        ("between 10pm and 2am", [Window(frozenset(range(7)), 22 * 60, 2 * 60)]),
    ],
)
def test_common_ways_of_saying_when_are_read(words, windows):
    assert contact_times_read(words) == ContactTimes(tuple(windows))


@pytest.mark.parametrize("words", ["", "   ", "any time", "Anytime is fine"])
def test_no_times_or_any_time_means_any_time(words):
    assert contact_times_read(words) == ANY_TIME_AT_ALL


@pytest.mark.parametrize(
    "words",
    [
        "at 5",  # a moment, not a window
        "not after 8pm",
        "when he is at work",
        "Yn y bore",  # Welsh: read by the worker, not guessed at
        "شام کے بعد",
        "after 25pm",
        "around 6ish",
    ],
)
def test_words_that_cannot_be_read_for_certain_are_not_guessed_at(words):
    assert contact_times_read(words) is None


# --- checking a moment ------------------------------------------------------------------------


def test_a_text_at_quarter_past_four_is_outside_after_5pm():
    assert times_refusal("after 5pm", at=uk(2, 16, 15)) is Refusal.OUTSIDE_TIMES
    assert times_refusal("after 5pm", at=uk(2, 17, 0)) is None


def test_times_are_uk_times_on_both_sides_of_the_clock_change():
    # 17:30 in London is 17:30 UTC in winter and 16:30 UTC in summer.
    winter = dt.datetime(2026, 12, 2, 17, 30, tzinfo=dt.UTC)
    summer_before = dt.datetime(2026, 6, 3, 15, 30, tzinfo=dt.UTC)
    summer_after = dt.datetime(2026, 6, 3, 16, 30, tzinfo=dt.UTC)

    assert times_refusal("after 5pm", at=winter) is None
    assert times_refusal("after 5pm", at=summer_before) is Refusal.OUTSIDE_TIMES
    assert times_refusal("after 5pm", at=summer_after) is None


def test_a_window_past_midnight_covers_the_small_hours_after_a_chosen_day():
    friday_nights = ContactTimes((Window(frozenset({4}), 22 * 60, 2 * 60),))

    assert friday_nights.allow(uk(4, 23, 0))
    assert friday_nights.allow(uk(5, 1, 0))  # early Saturday
    assert not friday_nights.allow(uk(4, 1, 0))  # early Friday follows Thursday
    assert not friday_nights.allow(uk(5, 23, 0))


def test_a_naive_moment_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="timezone-aware"):
        ANY_TIME_AT_ALL.allow(dt.datetime(2026, 12, 1, 12, 0))  # noqa: DTZ001


def test_unclear_words_need_the_worker_to_check_them():
    assert times_refusal("when he is at work", at=uk(0, 12)) is Refusal.TIMES_UNCLEAR
    assert times_refusal("when he is at work", at=uk(0, 12), times_checked=True) is None


def test_a_refused_channel_is_refused_before_the_time_is_looked_at():
    refusal = contact_refusal(
        "email", channels=["phone"], may_leave_message=False, times="after 5pm", at=uk(0, 9)
    )

    assert refusal is Refusal.CHANNEL_NOT_CHOSEN


moments = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis adds the zone
    max_value=dt.datetime(2035, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([dt.UTC, UK_TIME]),
)
hours = st.integers(min_value=1, max_value=23)


@given(at=moments, hour=hours)
def test_after_an_hour_allows_exactly_the_moments_at_or_past_it_in_uk_time(at, hour):
    local = at.astimezone(UK_TIME)

    allowed = times_refusal(f"after {hour:02d}:00", at=at) is None

    assert allowed == (local.hour >= hour)


@given(at=moments, hour=hours)
def test_before_an_hour_allows_exactly_the_moments_before_it_in_uk_time(at, hour):
    local = at.astimezone(UK_TIME)

    allowed = times_refusal(f"before {hour:02d}:00", at=at) is None

    assert allowed == (local.hour < hour)


@given(at=moments, start=st.integers(0, 22), length=st.integers(1, 23))
def test_between_two_hours_allows_exactly_the_span_including_past_midnight(at, start, length):
    end = (start + length) % 24
    local = at.astimezone(UK_TIME)

    allowed = times_refusal(f"between {start:02d}:00 and {end:02d}:00", at=at) is None

    inside = start <= local.hour < end if start < end else (local.hour >= start or local.hour < end)
    assert allowed == inside


@given(at=moments)
def test_weekday_evenings_never_allow_a_weekend_or_a_daytime(at):
    local = at.astimezone(UK_TIME)

    if times_refusal("weekday evenings", at=at) is None:
        assert local.weekday() < 5
        assert 17 <= local.hour < 21


@given(words=st.text(max_size=40), at=moments)
def test_any_words_are_either_read_or_left_to_the_worker_never_an_error(words, at):
    chosen = contact_times_read(words)

    if chosen is None:
        assert times_refusal(words, at=at) is Refusal.TIMES_UNCLEAR
    else:
        assert times_refusal(words, at=at) in (None, Refusal.OUTSIDE_TIMES)


# --- the service and the page ---------------------------------------------------------------


def _referral(service, times: str):
    return make_referral(
        service=service, contact=ContactDetails(channels=("phone", "text"), times=times)
    )


def _clock(monkeypatch, at: dt.datetime) -> None:
    from types import SimpleNamespace

    from bridgeway.casework import views
    from bridgeway.casework.services import contact_attempts

    clock = SimpleNamespace(now=lambda: at)
    monkeypatch.setattr(contact_attempts, "timezone", clock)
    monkeypatch.setattr(views, "timezone", clock)


@pytest.mark.django_db
def test_a_text_at_quarter_past_four_against_after_5pm_is_refused(
    service, practitioner, monkeypatch
):
    referral = _referral(service, "after 5pm")
    _clock(monkeypatch, uk(2, 16, 15))

    with pytest.raises(Exception, match="not a time the person said is safe") as error:
        contact_attempt_record(referral=referral, actor=practitioner, method="text", outcome="sent")

    assert "after 5pm" in error.value.message_dict["method"][0]  # type: ignore[attr-defined]
    assert not ContactAttempt.objects.exists()


@pytest.mark.django_db
def test_a_text_within_the_times_is_recorded(service, practitioner, monkeypatch):
    referral = _referral(service, "after 5pm")
    _clock(monkeypatch, uk(2, 17, 5))

    attempt = contact_attempt_record(
        referral=referral, actor=practitioner, method="text", outcome="sent"
    )

    assert attempt.method == "text"


@pytest.mark.django_db
def test_page_outside_the_times_offers_no_method_and_says_why(
    practitioner_client, service, monkeypatch
):
    referral = _referral(service, "after 5pm")
    _clock(monkeypatch, uk(2, 16, 15))

    page = practitioner_client.get(
        reverse("casework:referral-detail", args=[referral.reference])
    ).content.decode()

    assert "It is not a time the person said is safe (“after 5pm”)." in page
    assert 'name="contact-method"' not in page


@pytest.mark.django_db
def test_page_refuses_a_text_posted_outside_the_times(practitioner_client, service, monkeypatch):
    referral = _referral(service, "after 5pm")
    _clock(monkeypatch, uk(2, 16, 15))

    response = practitioner_client.post(
        reverse("casework:contact-attempt", args=[referral.reference]),
        {"contact-method": "text", "contact-outcome": "sent"},
    )

    assert response.status_code == 400
    assert "It is not a time the person said is safe" in response.content.decode()
    assert not ContactAttempt.objects.exists()


@pytest.mark.django_db
def test_page_asks_the_worker_to_check_times_it_cannot_read(
    practitioner_client, service, monkeypatch
):
    referral = _referral(service, "when he is at work")
    _clock(monkeypatch, uk(2, 11, 0))
    url = reverse("casework:contact-attempt", args=[referral.reference])

    page = practitioner_client.get(
        reverse("casework:referral-detail", args=[referral.reference])
    ).content.decode()
    refused = practitioner_client.post(
        url, {"contact-method": "call", "contact-outcome": "reached"}
    )
    checked = practitioner_client.post(
        url,
        {"contact-method": "call", "contact-outcome": "reached", "contact-times_checked": "on"},
    )

    assert "I have checked the times they said are safe (“when he is at work”)" in page
    assert refused.status_code == 400
    assert "confirm that now is one of them" in refused.content.decode()
    assert checked.status_code == 302
    assert ContactAttempt.objects.filter(referral=referral).count() == 1

"""Counting tries against a rule, in the database; recognising a device by its signed cookie."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from bridgeway.throttles.clients import client_of
from bridgeway.throttles.devices import device_recognise, device_recognised
from bridgeway.throttles.models import Throttle
from bridgeway.throttles.services import (
    Rule,
    Throttled,
    throttle_check,
    throttle_forget,
    throttle_give_back,
    throttle_paused_until,
    throttle_take,
)

pytestmark = pytest.mark.django_db

RULE = Rule("test", 3, dt.timedelta(hours=1))
AGE = dt.timedelta(days=30)


def test_a_rule_allows_exactly_its_limit_then_says_when_to_come_back():
    for _ in range(3):
        throttle_take(rule=RULE, subject="203.0.113.9")

    before = timezone.now()
    with pytest.raises(Throttled) as pause:
        throttle_take(rule=RULE, subject="203.0.113.9")

    assert before < pause.value.until <= timezone.now() + RULE.window
    assert Throttle.objects.get().count == 3


def test_subjects_and_rules_are_counted_apart():
    for _ in range(3):
        throttle_take(rule=RULE, subject="203.0.113.9")

    throttle_take(rule=RULE, subject="198.51.100.7")
    throttle_take(rule=Rule("other", 3, RULE.window), subject="203.0.113.9")
    with pytest.raises(Throttled):
        throttle_check(rule=RULE, subject="203.0.113.9")


def test_a_try_given_back_can_be_taken_again():
    for _ in range(3):
        throttle_take(rule=RULE, subject="s")
    throttle_give_back(rule=RULE, subject="s")

    throttle_take(rule=RULE, subject="s")
    assert throttle_paused_until(rule=RULE, subject="s") is not None


def test_a_new_window_starts_the_count_again():
    for _ in range(3):
        throttle_take(rule=RULE, subject="s")
    Throttle.objects.update(window_started_at=timezone.now() - RULE.window)

    throttle_take(rule=RULE, subject="s")

    assert Throttle.objects.get().count == 1
    assert throttle_paused_until(rule=RULE, subject="s") is None


def test_subjects_are_stored_only_as_keyed_hashes():
    throttle_take(rule=RULE, subject="someone@example.org")

    row = Throttle.objects.get()
    assert "someone" not in row.key
    assert len(row.key) == 64


def test_old_counts_are_forgotten():
    throttle_take(rule=RULE, subject="old")
    throttle_take(rule=RULE, subject="new")
    oldest = Throttle.objects.order_by("pk").values_list("pk", flat=True)[0]
    Throttle.objects.filter(pk=oldest).update(
        window_started_at=timezone.now() - dt.timedelta(days=3)
    )

    assert throttle_forget(older_than=dt.timedelta(days=2)) == 1
    assert Throttle.objects.count() == 1


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "10.0.0.2"),
        (1, "192.0.2.1, 203.0.113.9", "203.0.113.9"),
        (2, "192.0.2.1, 203.0.113.9", "192.0.2.1"),
    ],
)
def test_the_client_honours_the_trusted_proxy_count(settings, trusted, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_of(request) == expected


def _browser_after(response: HttpResponse, name: str = "bridgeway_device_sign_in"):
    return RequestFactory().get("/", HTTP_COOKIE=f"{name}={response.cookies[name].value}")


def test_a_device_is_recognised_for_the_subjects_it_got_in_for_only():
    response = HttpResponse()
    device_recognise(
        RequestFactory().get("/"), response, purpose="sign-in", subject="a", max_age=AGE
    )
    browser = _browser_after(response)

    device = device_recognised(browser, purpose="sign-in", subject="a", max_age=AGE)

    assert device is not None
    assert device_recognised(browser, purpose="sign-in", subject="b", max_age=AGE) is None
    assert device_recognised(browser, purpose="follow-up", subject="a", max_age=AGE) is None
    cookie = response.cookies["bridgeway_device_sign_in"]
    assert cookie["httponly"]
    assert cookie["max-age"] == int(AGE.total_seconds())


def test_a_device_keeps_its_id_as_it_learns_more_subjects():
    first = HttpResponse()
    device_recognise(RequestFactory().get("/"), first, purpose="sign-in", subject="a", max_age=AGE)
    browser = _browser_after(first)
    second = HttpResponse()
    device_recognise(browser, second, purpose="sign-in", subject="b", max_age=AGE)
    later = _browser_after(second)

    assert device_recognised(later, purpose="sign-in", subject="a", max_age=AGE) == (
        device_recognised(browser, purpose="sign-in", subject="a", max_age=AGE)
    )
    assert device_recognised(later, purpose="sign-in", subject="b", max_age=AGE) is not None


def test_a_tampered_or_stale_cookie_is_not_recognised(settings):
    response = HttpResponse()
    device_recognise(
        RequestFactory().get("/"), response, purpose="sign-in", subject="a", max_age=AGE
    )
    value = response.cookies["bridgeway_device_sign_in"].value
    tampered = RequestFactory().get("/", HTTP_COOKIE=f"bridgeway_device_sign_in={value[:-2]}xx")

    assert device_recognised(tampered, purpose="sign-in", subject="a", max_age=AGE) is None
    assert (
        device_recognised(
            _browser_after(response), purpose="sign-in", subject="a", max_age=dt.timedelta(0)
        )
        is None
    )


def test_the_forget_command_keeps_live_counts_and_has_a_dry_run():
    throttle_take(rule=RULE, subject="old")
    throttle_take(rule=RULE, subject="new")
    oldest = Throttle.objects.order_by("pk").values_list("pk", flat=True)[0]
    Throttle.objects.filter(pk=oldest).update(
        window_started_at=timezone.now() - dt.timedelta(days=3)
    )

    call_command("forget_throttles", "--dry-run", stdout=StringIO())
    assert Throttle.objects.count() == 2
    out = StringIO()
    call_command("forget_throttles", "--apply", stdout=out)

    assert Throttle.objects.count() == 1
    assert "Deleted 1 old counts." in out.getvalue()

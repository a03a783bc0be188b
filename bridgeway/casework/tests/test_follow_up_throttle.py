"""Follow-up tries are throttled per client, across every reference."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.casework.models import FollowUpClientAttempts
from bridgeway.casework.services import (
    FOLLOW_UP_CLIENT_FAILURE_LIMIT,
    FOLLOW_UP_CLIENT_WINDOW,
    client_address,
    follow_up_client_failure,
    follow_up_client_key,
    follow_up_client_locked,
)


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.9", "", 0, "203.0.113.9"),
        ("10.0.0.2", "198.51.100.7", 0, "10.0.0.2"),
        ("10.0.0.2", "198.51.100.7", 1, "198.51.100.7"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.7", 1, "198.51.100.7"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.1", 2, "198.51.100.7"),
        ("10.0.0.2", "198.51.100.7", 3, "198.51.100.7"),
        ("10.0.0.2", "", 1, "10.0.0.2"),
        ("2001:db8:1:2:3:4:5:6", "", 0, "2001:db8:1:2::/64"),
    ],
)
def test_client_address_is_the_right_most_address_no_trusted_proxy_wrote(
    remote, forwarded, trusted, expected
):
    assert (
        client_address(remote_addr=remote, forwarded_for=forwarded, trusted_proxies=trusted)
        == expected
    )


@given(st.text(max_size=60))
def test_without_trusted_proxies_a_forged_header_never_changes_the_client(forwarded):
    assert (
        client_address(remote_addr="203.0.113.9", forwarded_for=forwarded, trusted_proxies=0)
        == "203.0.113.9"
    )


def test_client_key_is_a_keyed_hash_not_the_address(settings):
    key = follow_up_client_key("203.0.113.9")
    assert "203.0.113.9" not in key
    assert len(key) == 64
    assert key == follow_up_client_key("203.0.113.9")
    assert key != follow_up_client_key("203.0.113.10")
    settings.SECRET_KEY = "another secret key for this test only, long enough"
    assert follow_up_client_key("203.0.113.9") != key


@pytest.mark.django_db
def test_a_client_is_locked_after_twenty_failures_and_not_before():
    key = follow_up_client_key("203.0.113.9")
    for _ in range(FOLLOW_UP_CLIENT_FAILURE_LIMIT - 1):
        assert follow_up_client_failure(client_key=key) is False
    assert follow_up_client_locked(client_key=key) is False
    assert follow_up_client_failure(client_key=key) is True
    assert follow_up_client_locked(client_key=key) is True
    assert follow_up_client_locked(client_key=follow_up_client_key("203.0.113.10")) is False
    stored = FollowUpClientAttempts.objects.get()
    assert stored.client_key == key
    assert "203.0.113" not in str(stored.__dict__)


@pytest.mark.django_db
def test_a_lock_lapses_after_fifteen_minutes():
    key = follow_up_client_key("203.0.113.9")
    for _ in range(FOLLOW_UP_CLIENT_FAILURE_LIMIT):
        follow_up_client_failure(client_key=key)
    FollowUpClientAttempts.objects.update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert follow_up_client_locked(client_key=key) is False


@pytest.mark.django_db
def test_old_failures_are_forgotten_after_the_window():
    key = follow_up_client_key("203.0.113.9")
    for _ in range(FOLLOW_UP_CLIENT_FAILURE_LIMIT - 1):
        follow_up_client_failure(client_key=key)
    FollowUpClientAttempts.objects.update(
        first_failed_at=timezone.now() - FOLLOW_UP_CLIENT_WINDOW - dt.timedelta(minutes=1)
    )
    assert follow_up_client_failure(client_key=key) is False
    assert FollowUpClientAttempts.objects.get().failures == 1


@pytest.mark.django_db
def test_the_lock_says_when_it_ends():
    from bridgeway.casework.services import FOLLOW_UP_CLIENT_LOCK, follow_up_client_locked_until

    key = follow_up_client_key("203.0.113.77")
    assert follow_up_client_locked_until(client_key=key) is None
    started = timezone.now()
    for _ in range(FOLLOW_UP_CLIENT_FAILURE_LIMIT):
        follow_up_client_failure(client_key=key)
    until = follow_up_client_locked_until(client_key=key)
    assert until is not None
    assert started + FOLLOW_UP_CLIENT_LOCK <= until <= timezone.now() + FOLLOW_UP_CLIENT_LOCK

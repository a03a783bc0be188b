"""``bridgeway clear-sessions``: expired sessions are deleted, live ones kept."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from bridgeway.cli import main

pytestmark = pytest.mark.django_db


def _session(*, expires_in: dt.timedelta) -> str:
    store = SessionStore()
    store["frontdoor.get_support"] = {"where": "LS6"}
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() + expires_in)
    assert store.session_key is not None
    return store.session_key


def test_expired_sessions_are_deleted_and_live_ones_kept() -> None:
    expired = _session(expires_in=-dt.timedelta(minutes=1))
    live = _session(expires_in=dt.timedelta(hours=1))
    out = io.StringIO()
    call_command("clear_sessions", stdout=out)
    assert "Deleted 1 expired sessions." in out.getvalue()
    assert not Session.objects.filter(pk=expired).exists()
    assert Session.objects.filter(pk=live).exists()


def test_a_dry_run_counts_and_deletes_nothing() -> None:
    _session(expires_in=-dt.timedelta(days=2))
    out = io.StringIO()
    call_command("clear_sessions", "--dry-run", stdout=out)
    assert "Would delete 1 expired sessions." in out.getvalue()
    assert Session.objects.count() == 1


def test_the_bridgeway_command_answers_to_clear_sessions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Run by name only: the real command-line run closes the database connection at its end,
    # which would end the test's own transaction on PostgreSQL.
    ran: list[list[str]] = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", ran.append)
    main(["bridgeway", "clear-sessions"])
    assert ran == [["bridgeway", "clear_sessions"]]

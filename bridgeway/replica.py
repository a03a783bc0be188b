"""Reads from a PostgreSQL streaming replica, writes to the primary (decision 0128).

With ``DATABASE_REPLICA_URL`` set, settings add the ``replica`` database. Only reads inside
``reads_from_replica`` (a view decorator) or ``replica_reads()`` (a block, for commands) may go
there: the ORUK feed, public matching, the insight dashboard and the snapshot. Everything else,
every write, sign-in and staff page, uses the primary, as do sessions, accounts, throttles and
the job queue wherever they are read.

Read-your-own-writes: a request that wrote something a person may read back (anything but a
session, a throttle count or a queued job) sets a short-lived cookie, and while it lasts that
person's reads stay on the primary. Its lifetime, ``REPLICA_PIN_SECONDS``, is longer than the
lag the replica is allowed, so once it ends the replica has what they wrote.

The replica is used only while it answers and is no further behind than
``REPLICA_MAX_LAG_SECONDS``; each process checks that at most every ``REPLICA_CHECK_SECONDS``.
A replica that fails in the middle of a view is marked down and the view runs again on the
primary: the views that read from the replica only read, so running one twice is safe.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "bridgeway-primary"
# Always read on the primary: what a person has just changed in their session, who is signed
# in and with which devices, counts that must be exact, and the job queue.
PRIMARY_ONLY_APPS = frozenset(
    {
        "sessions",
        "auth",
        "accounts",
        "contenttypes",
        "otp_totp",
        "otp_static",
        "django_otp_webauthn",
        "throttles",
        "django_tasks_db",
    }
)
# Writes nobody reads back on a replica-served page: they do not pin the person to the primary.
NOT_READ_BACK_APPS = frozenset({"sessions", "throttles", "django_tasks_db"})


@dataclass
class _Request:
    """What the router needs to know about the work in hand."""

    may_use_replica: bool = False
    pinned: bool = False
    wrote: bool = False
    used_replica: bool = False


_state: contextvars.ContextVar[_Request | None] = contextvars.ContextVar(
    "bridgeway_replica", default=None
)


def replica_configured() -> bool:
    """Whether settings name a replica (``DATABASE_REPLICA_URL``)."""
    return REPLICA in connections.settings


# --- is the replica fit to read from? --------------------------------------------------------

_health_lock = threading.Lock()
_health: tuple[float, bool] | None = None


def replica_forget() -> None:
    """Forget the last check, so the next read checks the replica again."""
    global _health
    with _health_lock:
        _health = None


def replica_usable() -> bool:
    """Whether the replica answers and is within the allowed lag (checked at most every
    ``REPLICA_CHECK_SECONDS`` per process)."""
    global _health
    if not replica_configured():
        return False
    now = time.monotonic()
    with _health_lock:
        if _health is not None and now - _health[0] < settings.REPLICA_CHECK_SECONDS:
            return _health[1]
    usable = _replica_check()
    with _health_lock:
        _health = (time.monotonic(), usable)
    return usable


def _replica_down(reason: str) -> None:
    global _health
    logger.warning("Reading from the primary: the replica %s", reason)
    connections[REPLICA].close()
    with _health_lock:
        _health = (time.monotonic(), False)


def replica_lag() -> float | None:
    """Seconds the replica is behind the primary (0 when it has replayed all the primary has
    written), or None when it cannot be asked or is not a replica."""
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            primary_at = cursor.fetchone()[0]
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn, "
                "extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8",
                [primary_at],
            )
            in_recovery, caught_up, behind = cursor.fetchone()
    except DatabaseError as error:
        _replica_down(f"cannot be asked how far behind it is ({error})")
        return None
    if not in_recovery:
        return None
    if caught_up:
        return 0.0
    # Behind: as far as the last transaction it replayed (never replayed one: unknown, so
    # not used until it has).
    return float(behind) if behind is not None else None


def _replica_check() -> bool:
    lag = replica_lag()
    if lag is None:
        return False
    if lag > settings.REPLICA_MAX_LAG_SECONDS:
        logger.warning(
            "Reading from the primary: the replica is %.1f s behind (allowed %s s)",
            lag,
            settings.REPLICA_MAX_LAG_SECONDS,
        )
        return False
    return True


# --- the router --------------------------------------------------------------------------------


class ReplicaRouter:
    """Django's database router: reads on the replica only where allowed and fit, else the
    primary; every write and every migration on the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        state = _state.get()
        if (
            state is not None
            and state.may_use_replica
            and not state.pinned
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and replica_usable()
        ):
            state.used_replica = True
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        state = _state.get()
        if state is not None and model._meta.app_label not in NOT_READ_BACK_APPS:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, first: Model, second: Model, **hints: Any) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


# --- where the replica may be read ---------------------------------------------------------------


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within the block, reads may go to the replica (unless this request is pinned)."""
    state = _state.get()
    if state is None:
        token = _state.set(_Request(may_use_replica=True))
        try:
            yield
        finally:
            _state.reset(token)
        return
    before = state.may_use_replica
    state.may_use_replica = True
    try:
        yield
    finally:
        state.may_use_replica = before


_View = TypeVar("_View", bound=Callable[..., Any])


def reads_from_replica(view: _View) -> _View:
    """A view that only reads, whose reads may come from the replica.

    If the replica fails while the view runs, it is marked down and the view runs again on
    the primary, so a person never sees the replica's failure.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        state = _state.get()
        own = state is None
        if state is None:
            state = _Request()
            token = _state.set(state)
        try:
            try:
                with replica_reads():
                    return view(request, *args, **kwargs)
            except DatabaseError as error:
                if not state.used_replica:
                    raise
                _replica_down(f"failed during {request.path} ({error})")
            state.used_replica = False
            return view(request, *args, **kwargs)
        finally:
            if own:
                _state.reset(token)

    return wrapped  # type: ignore[return-value]


def used_replica() -> bool:
    """Whether a read of the work in hand went to the replica (for logs and tests)."""
    state = _state.get()
    return state is not None and state.used_replica


# --- read-your-own-writes ---------------------------------------------------------------------


class ReplicaPinMiddleware:
    """Keeps a person who has just written something on the primary for a while.

    Does nothing (and sets no cookie) without a replica.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        state = _Request(pinned=_pinned_until(request.COOKIES.get(PIN_COOKIE, "")) > time.time())
        token = _state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if state.wrote:
            seconds = settings.REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def _pinned_until(value: str) -> int:
    # The cookie can only send its holder's reads to the primary, so it needs no signature;
    # a far-off time is capped at the pin's length, so it cannot keep anyone there for long.
    try:
        until = int(value)
    except ValueError:
        return 0
    return min(until, int(time.time()) + settings.REPLICA_PIN_SECONDS)

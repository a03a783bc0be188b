"""``bridgeway serve [ADDR:PORT]``: Bridgeway behind gunicorn, static files and all.

Not Django's development server: gunicorn's pre-fork workers (each with a few threads) serve
the site, and WhiteNoise (in ``MIDDLEWARE``) serves ``/static/`` from ``STATIC_ROOT``, which
this command fills with ``collectstatic`` before it starts.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.wsgi import get_wsgi_application
from gunicorn.app.base import BaseApplication

from bridgeway.environment import env_int

DEFAULT_ADDRESS = "127.0.0.1:8000"
# Seconds an idle keep-alive connection is held: above nginx's upstream keepalive_timeout (60 s).
KEEPALIVE_SECONDS = 75

# A host name as RFC 1123 allows (letters, digits and hyphens between dots).
_HOST_NAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


class InvalidAddress(ValueError):
    """An ADDR:PORT that cannot be listened on; the message says what is wrong."""


@dataclass(frozen=True)
class ListenAddress:
    """Where the server listens: a host (name, IPv4 or IPv6 address) and a TCP port."""

    host: str
    port: int

    @property
    def bind(self) -> str:
        """The address in gunicorn's ``bind`` form (IPv6 in brackets)."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The address people open in a browser."""
        return f"http://{self.bind}/"


def parse_listen_address(text: str, *, default_host: str = "127.0.0.1") -> ListenAddress:
    """Read ``ADDR:PORT``, ``[IPv6]:PORT`` or just ``PORT``.

    Raises ``InvalidAddress`` naming the part that is wrong.
    """
    text = text.strip()
    if text == "":
        raise InvalidAddress("the address is empty; give ADDR:PORT, for example 127.0.0.1:8000")
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or not rest.startswith(":"):
            raise InvalidAddress(f"{text!r} is not [IPv6]:PORT, for example [::1]:8000")
        port_text = rest[1:]
        try:
            if ipaddress.ip_address(host).version != 6:
                raise ValueError(host)
        except ValueError:
            raise InvalidAddress(f"{host!r} in {text!r} is not an IPv6 address") from None
    elif ":" in text:
        host, _, port_text = text.rpartition(":")
        if ":" in host:
            raise InvalidAddress(
                f"write an IPv6 address in brackets, as in [::1]:8000, not {text!r}"
            )
        if host == "":
            raise InvalidAddress(f"{text!r} has no address before the colon")
        if not _HOST_NAME.match(host):
            raise InvalidAddress(f"{host!r} in {text!r} is not a host name or IP address")
    else:
        host, port_text = default_host, text
    if not port_text.isascii() or not port_text.isdigit():
        raise InvalidAddress(f"the port {port_text!r} in {text!r} is not a number")
    port = int(port_text)
    if not 1 <= port <= 65535:
        raise InvalidAddress(f"the port {port} in {text!r} is not between 1 and 65535")
    return ListenAddress(host=host, port=port)


class _GunicornServer(BaseApplication):
    """gunicorn run in this process, configured here rather than from its command line."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            # Newer gunicorn settings are set only where this gunicorn knows them.
            if name in self.cfg.settings:
                self.cfg.set(name, value)

    def load(self) -> Any:
        # Called in each worker after the fork, so no worker shares a database connection.
        return get_wsgi_application()


def _warm_matching_index(worker: Any) -> None:
    from bridgeway.directory.profile_index import profile_index_warm

    profile_index_warm()


class Command(BaseCommand):
    help = (
        "Serve Bridgeway with gunicorn, its static files included, on ADDR:PORT "
        f"(default {DEFAULT_ADDRESS}). Workers: BRIDGEWAY_WORKERS (default 2); threads per "
        "worker: BRIDGEWAY_THREADS (default 4); seconds an idle connection is kept open: "
        f"BRIDGEWAY_KEEPALIVE (default {KEEPALIVE_SECONDS})."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "address",
            nargs="?",
            default=DEFAULT_ADDRESS,
            metavar="ADDR:PORT",
            help=f"where to listen, as ADDR:PORT, [IPv6]:PORT or PORT (default {DEFAULT_ADDRESS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            address = parse_listen_address(options["address"])
        except InvalidAddress as error:
            raise CommandError(f"cannot serve on that address: {error}", returncode=2) from None
        workers = env_int("BRIDGEWAY_WORKERS", 2, minimum=1)
        threads = env_int("BRIDGEWAY_THREADS", 4, minimum=1)
        keepalive = env_int("BRIDGEWAY_KEEPALIVE", KEEPALIVE_SECONDS, minimum=1)

        # Quietly, every start: the files served are always the ones in this release.
        call_command("collectstatic", interactive=False, verbosity=0)

        self.stdout.write(
            f"Bridgeway is serving {address.url} "
            f"({workers} workers x {threads} threads; press Ctrl+C to stop)"
        )
        self.stdout.flush()
        _GunicornServer(
            {
                "bind": [address.bind],
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "accesslog": "-",
                "errorlog": "-",
                # The level Django's logging was configured with (BRIDGEWAY_LOG_LEVEL).
                "loglevel": logging.getLevelName(logging.getLogger().getEffectiveLevel()).lower(),
                "timeout": 60,
                # An idle connection stays open longer than the proxy in front keeps its
                # idle connections to us (nginx's upstream keepalive_timeout, 60 s in
                # deploy/nginx): with gunicorn's default of 2 s the server closed connections
                # the proxy (or a client's pool) was about to reuse, and those requests failed
                # as connection errors under load (issue 19; docs/operating.md).
                "keepalive": keepalive,
                # Connections each worker holds at once, idle keep-alive ones included; its
                # threads serve whichever has a request waiting.
                "worker_connections": 1000,
                # Connections the kernel queues while every worker is busy, so a burst
                # waits rather than being refused.
                "backlog": 2048,
                # The API's longest valid query (two 200-character text filters, each
                # character percent-encoded in up to 12 bytes) is over gunicorn's default of
                # 4,094 bytes, which answered 414 before the API could; 8,190 is its maximum.
                "limit_request_line": 8190,
                "graceful_timeout": 20,
                "proc_name": "bridgeway",
                # Several servers may run on one machine (a demo, the tests), and gunicorn's
                # control socket would be one shared path in the home directory.
                "control_socket_disable": True,
                # Each worker reads the matching index as it starts, not on its first match.
                "post_worker_init": _warm_matching_index,
            }
        ).run()

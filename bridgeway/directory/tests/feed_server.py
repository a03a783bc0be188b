"""A real HTTP server on 127.0.0.1 that publishes an Open Referral UK 3.0 API, for harvests.

It serves ``/`` (api_details), ``/services`` pages (one-to-one fields only, as ORUK list
pages do, or whole records with ``full_lists``) and ``/services/{id}``, from a list of
compiled service documents the test can change between harvests. ``faults`` maps a path
(with its query) to what goes wrong there; every request's path is recorded.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CHILD_ARRAYS = (
    "service_at_locations",
    "phones",
    "schedules",
    "service_areas",
    "languages",
    "funding",
    "cost_options",
    "contacts",
    "attributes",
)


@dataclass
class Fault:
    """What a path answers instead: a status, a raw body, a redirect, or a delay first."""

    status: int = 200
    body: bytes | None = None
    location: str = ""
    delay: float = 0.0


@dataclass
class Feed:
    services: list[dict[str, Any]] = field(default_factory=list)
    full_lists: bool = False
    max_per_page: int = 50
    faults: dict[str, Fault] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    base: str = ""

    def summary(self, service: dict[str, Any]) -> dict[str, Any]:
        if self.full_lists:
            return service
        return {k: v for k, v in service.items() if k not in CHILD_ARRAYS}

    def answer(self, target: str) -> tuple[int, object]:
        parts = urlsplit(target)
        path = parts.path.rstrip("/") or "/"
        if path == "/":
            return 200, {"version": "3.0", "profile": "https://openreferral.org.uk"}
        if path == "/services":
            query = parse_qs(parts.query)
            page = int(query.get("page", ["1"])[0])
            per_page = min(int(query.get("per_page", ["20"])[0]), self.max_per_page)
            total = len(self.services)
            pages = max(1, math.ceil(total / per_page))
            contents = [
                self.summary(s) for s in self.services[(page - 1) * per_page : page * per_page]
            ]
            return 200, {
                "total_items": total,
                "total_pages": pages,
                "page_number": page,
                "size": len(contents),
                "first_page": page == 1,
                "last_page": page >= pages,
                "empty": not contents,
                "contents": contents,
            }
        if path.startswith("/services/"):
            wanted = path.removeprefix("/services/")
            for service in self.services:
                if service["id"] == wanted:
                    return 200, service
        return 404, {"detail": "Not found"}


@contextmanager
def serving(feed: Feed) -> Iterator[Feed]:
    """Serve ``feed`` on a free port of 127.0.0.1 until the block ends."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            feed.requests.append(self.path)
            fault = feed.faults.get(self.path) or feed.faults.get(urlsplit(self.path).path)
            if fault is not None:
                time.sleep(fault.delay)
                if fault.location:
                    self._send(fault.status, b"", location=fault.location)
                    return
                if fault.body is not None or fault.status != 200:
                    self._send(fault.status, fault.body or b'{"detail": "failed"}')
                    return
            status, document = feed.answer(self.path)
            self._send(status, json.dumps(document).encode())

        def _send(self, status: int, body: bytes, location: str = "") -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if location:
                self.send_header("Location", location)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the harvest stopped reading (a size limit, a timeout)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    feed.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield feed
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

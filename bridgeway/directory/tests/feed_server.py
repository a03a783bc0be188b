"""A real HTTP server on 127.0.0.1 that publishes an Open Referral UK 3.0 API, for harvests.

It serves ``/`` (api_details), ``/services`` pages (one-to-one fields only, as ORUK list
pages do, or whole records with ``full_lists``) and ``/services/{id}``, from a list of
compiled service documents the test can change between harvests. ``faults`` maps a path
(with its query) to what goes wrong there; every request's path is recorded. With ``etags``
each answer carries an ``ETag`` (a hash of its body, as a cache in front of a feed sends),
and a request whose ``If-None-Match`` is that tag is answered 304 with no body.
"""

from __future__ import annotations

import hashlib
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
    etags: bool = False
    # With etags, keep each answer and its tag as a CDN in front of a feed does, so a
    # request with the current tag is answered 304 without rendering the page again. Only
    # for a feed nobody changes (the bench): a test that edits ``services`` would be served
    # what it replaced. ``cached_answers`` is the store.
    cache_answers: bool = False
    cached_answers: dict[str, tuple[int, bytes, str]] = field(default_factory=dict)
    # Paths answered 304 Not Modified, and the If-None-Match each request sent ("" if none).
    not_modified: list[str] = field(default_factory=list)
    asked_if_none_match: list[str] = field(default_factory=list)

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


class _FeedHandler(BaseHTTPRequestHandler):
    """Answers for the ``feed`` a subclass names (``serving``)."""

    feed: Feed

    def do_GET(self) -> None:
        self.feed.requests.append(self.path)
        fault = self.feed.faults.get(self.path) or self.feed.faults.get(urlsplit(self.path).path)
        if fault is not None:
            time.sleep(fault.delay)
            if fault.location:
                self._send(fault.status, b"", location=fault.location)
                return
            if fault.body is not None or fault.status != 200:
                self._send(fault.status, fault.body or b'{"detail": "failed"}')
                return
        status, body, tag = self._answer()
        if not self.feed.etags or status != 200:
            self._send(status, body)
            return
        self._send_tagged(body, tag)

    def _answer(self) -> tuple[int, bytes, str]:
        """The status, body and ETag (a hash of the body) for the path asked."""
        kept = self.feed.cached_answers.get(self.path)
        if kept is not None:
            return kept
        status, document = self.feed.answer(self.path)
        body = json.dumps(document).encode()
        answer = status, body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        if self.feed.cache_answers:
            self.feed.cached_answers[self.path] = answer
        return answer

    def _send_tagged(self, body: bytes, tag: str) -> None:
        asked = self.headers.get("If-None-Match", "")
        self.feed.asked_if_none_match.append(asked)
        if asked == tag:
            self.feed.not_modified.append(self.path)
            self._send(304, b"", etag=tag)
            return
        self._send(200, body, etag=tag)

    def _send(self, status: int, body: bytes, location: str = "", etag: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        if location:
            self.send_header("Location", location)
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the harvest stopped reading (a size limit, a timeout)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(feed: Feed) -> Iterator[Feed]:
    """Serve ``feed`` on a free port of 127.0.0.1 until the block ends."""
    handler = type("Handler", (_FeedHandler,), {"feed": feed})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
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

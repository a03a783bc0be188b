"""Logs as one JSON object a line, each with the request it belongs to.

No Django here. The request id is kept in a context variable the request middleware sets,
so every record written while answering a request carries it. Records hold what the code
logged (its message and the logger), never a request's body or query string.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import traceback
from datetime import UTC, datetime

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# A request id sent by the proxy is used only if it looks like one (no room for data in it).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def acceptable_request_id(value: str) -> bool:
    """Whether a request id from a proxy header may be used as it is."""
    return bool(_REQUEST_ID.match(value))


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, exception kind."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Django's own request log is written after the middleware; it carries the request.
        current = getattr(getattr(record, "request", None), "request_id", "") or request_id.get()
        if current:
            entry["request_id"] = current
        for name in ("status_code", "route", "duration_ms"):
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info and record.exc_info[0] is not None:
            # The exception's class and where it was raised; not its message, which can
            # quote the values being handled.
            kind, _, trace = record.exc_info
            frames = traceback.extract_tb(trace)
            entry["exception"] = kind.__name__
            entry["at"] = [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in frames]
        return json.dumps(entry, ensure_ascii=False)

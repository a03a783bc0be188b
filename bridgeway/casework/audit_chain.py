"""The audit log's hash chain: each entry's hash covers its content and the previous hash.

Plain Python so ``audit verify`` and the tests can recompute it from raw rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64


def entry_hash(content: Mapping[str, Any], previous_hash: str) -> str:
    """SHA-256 over the previous hash and the entry's content as canonical JSON."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    """The first entry whose hash or link does not hold."""

    entry_id: int
    reason: str


def first_broken_link(
    entries: Iterable[tuple[int, Mapping[str, Any], str, str]],
) -> BrokenLink | None:
    """Walk ``(id, content, previous_hash, entry_hash)`` in order; the first break, if any."""
    expected_previous = GENESIS_HASH
    last_id: int | None = None
    for entry_id, content, previous_hash, stored_hash in entries:
        # Ids are given out one after another from 1, so a gap is a deleted entry.
        expected_id = 1 if last_id is None else last_id + 1
        if entry_id != expected_id:
            missing = (
                f"entry {expected_id} is missing"
                if entry_id == expected_id + 1
                else f"entries {expected_id} to {entry_id - 1} are missing"
            )
            return BrokenLink(entry_id, missing)
        if previous_hash != expected_previous:
            return BrokenLink(entry_id, "does not link to the entry before it")
        if entry_hash(content, previous_hash) != stored_hash:
            return BrokenLink(entry_id, "its content was changed after it was written")
        expected_previous = stored_hash
        last_id = entry_id
    return None

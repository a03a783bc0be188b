"""The audit log's chain: each entry's seal covers its content and the previous entry's seal.

Since docs/decisions/0060 the seal is an HMAC-SHA256 under a key kept outside the database,
so someone who can write to the database but has no key cannot re-link the chain after an
edit. Each entry records the number of the key that sealed it (keys are rotated by adding a
newer one; old ones stay to verify). Entries written before keys existed carry key 0 and a
plain SHA-256 hash; they are accepted only as the chain's beginning, so a rewrite cannot
pass itself off as one of them once any keyed entry exists.

Plain Python so ``audit verify`` and the tests can recompute it from raw rows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64
# The key number of entries sealed with plain SHA-256, before the chain was keyed.
LEGACY_KEY_ID = 0


def _canonical(content: Mapping[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(content: Mapping[str, Any], previous_hash: str) -> str:
    """The legacy seal: SHA-256 over the previous hash and the content as canonical JSON."""
    return hashlib.sha256(f"{previous_hash}\n{_canonical(content)}".encode()).hexdigest()


def entry_mac(content: Mapping[str, Any], previous_hash: str, *, key_id: int, key: bytes) -> str:
    """The keyed seal: HMAC-SHA256 over the key's number, the previous seal and the content."""
    message = f"{key_id}\n{previous_hash}\n{_canonical(content)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def chain_keys(newest_first: Iterable[str]) -> dict[int, bytes]:
    """Keys by number from a list given newest first: the oldest is 1, the newest the highest.

    Numbering from the oldest keeps every entry's number valid when a newer key is added at
    the front, as the sealed fields' keys are rotated.
    """
    keys = [key.encode() for key in newest_first]
    return {len(keys) - index: key for index, key in enumerate(keys)}


@dataclass(frozen=True)
class BrokenLink:
    """The first entry whose seal or link does not hold."""

    entry_id: int
    reason: str


def first_broken_link(
    entries: Iterable[tuple[int, Mapping[str, Any], str, str, int]],
    keys: Mapping[int, bytes],
) -> BrokenLink | None:
    """Walk ``(id, content, previous_hash, entry_hash, key_id)`` in order; the first break."""
    expected_previous = GENESIS_HASH
    last_id: int | None = None
    keyed = False
    for entry_id, content, previous_hash, stored_hash, key_id in entries:
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
        if key_id == LEGACY_KEY_ID:
            if keyed:
                return BrokenLink(
                    entry_id, "it has no key's seal but follows keyed entries: it was rewritten"
                )
            expected = entry_hash(content, previous_hash)
        elif key_id in keys:
            keyed = True
            expected = entry_mac(content, previous_hash, key_id=key_id, key=keys[key_id])
        else:
            return BrokenLink(
                entry_id,
                f"it was sealed with audit key {key_id}, which this configuration does not "
                "have (BRIDGEWAY_AUDIT_KEYS must keep every key ever used)",
            )
        if not hmac.compare_digest(expected, stored_hash):
            return BrokenLink(entry_id, "its content was changed after it was written")
        expected_previous = stored_hash
        last_id = entry_id
    return None

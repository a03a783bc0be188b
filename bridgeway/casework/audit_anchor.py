"""Signed checkpoints of the audit chain's head, kept outside the database.

A chain, even a keyed one, cannot show that its newest entries were removed: what is left is
still whole. ``bridgeway audit anchor`` appends a checkpoint (the newest entry's id and seal,
the number of entries, the time) signed with HMAC-SHA256 under the anchor key, a key apart
from the chain's, to a file the operator keeps elsewhere. ``audit verify --anchor`` then
finds any checkpoint whose entry is gone or differs. See docs/decisions/0060.

Plain Python: one JSON object a line, so the file can be appended to and read with any tool.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass


class AnchorInvalid(Exception):
    """A line of the anchor file is not a checkpoint signed with a known anchor key."""


@dataclass(frozen=True)
class Checkpoint:
    """The head of the chain at one moment: entry ``entry_id`` sealed ``entry_hash``."""

    entry_id: int
    entry_hash: str
    count: int
    at: str

    def _message(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":")).encode()

    def signed_line(self, key: bytes) -> str:
        """The checkpoint as one line of JSON with its signature."""
        signature = hmac.new(key, self._message(), hashlib.sha256).hexdigest()
        return json.dumps({**asdict(self), "signature": signature}, sort_keys=True)

    def signed_by_any(self, signature: str, keys: Sequence[bytes]) -> bool:
        """Whether one of ``keys`` made ``signature`` over this checkpoint."""
        return any(
            hmac.compare_digest(
                hmac.new(key, self._message(), hashlib.sha256).hexdigest(), signature
            )
            for key in keys
        )


def checkpoints_read(lines: Iterable[str], keys: Sequence[bytes]) -> list[Checkpoint]:
    """Every checkpoint in an anchor file's lines; ``AnchorInvalid`` at the first bad one."""
    checkpoints = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            fields = json.loads(line)
            signature = str(fields.pop("signature"))
            checkpoint = Checkpoint(
                entry_id=int(fields["entry_id"]),
                entry_hash=str(fields["entry_hash"]),
                count=int(fields["count"]),
                at=str(fields["at"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise AnchorInvalid(f"line {number} is not a checkpoint") from None
        if not checkpoint.signed_by_any(signature, keys):
            raise AnchorInvalid(
                f"line {number} (of {checkpoint.at}) is not signed with the anchor key: "
                "the file was altered, or another key made it"
            )
        checkpoints.append(checkpoint)
    return checkpoints


def checkpoint_problem(
    checkpoint: Checkpoint, *, seals: Mapping[int, str], newest_id: int, count: int
) -> str | None:
    """What the chain as it is now lacks that ``checkpoint`` recorded, if anything.

    ``seals`` holds the seal of every entry the anchor file names, as found in the chain;
    ``newest_id`` and ``count`` describe the chain now.
    """
    if checkpoint.entry_id == 0:
        return None  # anchored while the log was empty: nothing to lose
    if checkpoint.entry_id not in seals:
        return (
            f"truncated: the anchor of {checkpoint.at} records entry {checkpoint.entry_id}, "
            f"which is gone (the log now ends at entry {newest_id})"
        )
    if not hmac.compare_digest(seals[checkpoint.entry_id], checkpoint.entry_hash):
        return (
            f"rewritten: entry {checkpoint.entry_id} is not the one the anchor of "
            f"{checkpoint.at} records"
        )
    if count < checkpoint.count:
        return (
            f"truncated: the anchor of {checkpoint.at} records {checkpoint.count} entries, "
            f"the log now has {count}"
        )
    return None

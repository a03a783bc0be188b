"""``bridgeway audit``: check the audit log's chain, and anchor its head outside the database.

``verify`` walks every entry in id order, recomputing each seal (HMAC-SHA256 under the audit
key that made it; plain SHA-256 for the unkeyed entries written before keys) from the stored
content and the seal before it. An entry edited, inserted or deleted in the database breaks
the chain at that point; the command names the first break and exits 1.

Deleting the newest entries leaves a shorter chain that is still whole. ``anchor --out FILE``
therefore appends a signed checkpoint of the newest entry to a file the operator keeps
elsewhere (run it hourly), and ``verify --anchor FILE`` checks the chain still holds every
checkpoint: a checkpoint's entry gone or changed, or fewer entries than it counted, exits 1.
See docs/decisions/0060-audit-chain-keyed-and-anchored.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from bridgeway.casework.audit_anchor import (
    AnchorInvalid,
    Checkpoint,
    checkpoint_problem,
    checkpoints_read,
)
from bridgeway.casework.audit_chain import GENESIS_HASH, LEGACY_KEY_ID, first_broken_link
from bridgeway.casework.models import AuditEntry
from bridgeway.casework.services import audit_content
from bridgeway.casework.services.audit import audit_keys

# Rows are read in chunks so a log of tens of millions of entries fits in memory.
CHUNK_SIZE = 2000


class _Walk:
    """The entries as ``first_broken_link`` reads them, counting as it goes.

    It keeps the seals of the entries named in ``wanted`` (the anchor file's checkpoints).
    """

    def __init__(self, wanted: frozenset[int] = frozenset()) -> None:
        self.count = 0
        self.unkeyed = 0
        self.last_id = 0
        self.last_hash = GENESIS_HASH
        self.wanted = wanted
        self.seals: dict[int, str] = {}

    def entries(self) -> Iterator[tuple[int, Mapping[str, Any], str, str, int]]:
        for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=CHUNK_SIZE):
            yield (
                entry.id,
                audit_content(entry),
                entry.previous_hash,
                entry.entry_hash,
                entry.key_id,
            )
            self.count += 1
            self.unkeyed += entry.key_id == LEGACY_KEY_ID
            self.last_id = entry.id
            self.last_hash = entry.entry_hash
            if entry.id in self.wanted:
                self.seals[entry.id] = entry.entry_hash


class Command(BaseCommand):
    help = "Work with the keyed, chained audit log of case reads and changes."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            dest="subcommand", title="sub-commands", metavar="SUB-COMMAND"
        )
        verify = subcommands.add_parser(
            "verify",
            help="Check every entry's seal and link; exit 1 at the first break.",
            description="Check every entry's seal and link; exit 1 at the first break. "
            "With --anchor, also check the log still holds every checkpoint in FILE.",
        )
        verify.add_argument(
            "--anchor",
            metavar="FILE",
            help="an anchor file written by `bridgeway audit anchor`",
        )
        anchor = subcommands.add_parser(
            "anchor",
            help="Append a signed checkpoint of the newest entry to FILE (run it hourly).",
            description="Verify the chain, then append a signed checkpoint of its newest "
            "entry to FILE. Keep FILE outside the database's reach.",
        )
        anchor.add_argument("--out", metavar="FILE", required=True, help="the anchor file")

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options.get("subcommand")
        if subcommand == "verify":
            self._verify(options.get("anchor"))
        elif subcommand == "anchor":
            self._anchor(Path(options["out"]))
        else:
            raise CommandError(
                "Choose a sub-command: verify or anchor. See `bridgeway audit --help`."
            )

    def _walk(self, wanted: frozenset[int] = frozenset()) -> _Walk:
        walk = _Walk(wanted)
        broken = first_broken_link(walk.entries(), audit_keys())
        if broken is not None:
            raise CommandError(
                f"Audit log broken at entry {broken.entry_id}: {broken.reason}. "
                f"The {walk.count} entries before it are intact.",
                returncode=1,
            )
        return walk

    def _verify(self, anchor: str | None) -> None:
        checkpoints = _checkpoints(Path(anchor)) if anchor else []
        walk = self._walk(frozenset(checkpoint.entry_id for checkpoint in checkpoints))
        for checkpoint in checkpoints:
            problem = checkpoint_problem(
                checkpoint, seals=walk.seals, newest_id=walk.last_id, count=walk.count
            )
            if problem is not None:
                raise CommandError(f"Audit log {problem}.", returncode=1)
        self.stdout.write(f"Audit log intact: {walk.count} entries")
        if walk.unkeyed:
            self.stdout.write(
                f"Of which {walk.unkeyed} unkeyed (sealed with plain SHA-256 before the audit keys)"
            )
        if anchor:
            self.stdout.write(f"Holds all {len(checkpoints)} checkpoints in {anchor}")
        self.stdout.write(f"Newest hash: {walk.last_hash}")

    def _anchor(self, path: Path) -> None:
        walk = self._walk()
        checkpoint = Checkpoint(
            entry_id=walk.last_id,
            entry_hash=walk.last_hash,
            count=walk.count,
            at=timezone.now().isoformat(timespec="seconds"),
        )
        key = settings.AUDIT_ANCHOR_KEYS[0].encode()
        # Readable by its owner only, and appended to: earlier checkpoints stay checkable.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
            handle.write(checkpoint.signed_line(key) + "\n")
        self.stdout.write(
            f"Anchored entry {checkpoint.entry_id} of {checkpoint.count} "
            f"({checkpoint.entry_hash}) in {path}"
        )


def _checkpoints(path: Path) -> list[Checkpoint]:
    keys = [key.encode() for key in settings.AUDIT_ANCHOR_KEYS]
    try:
        with path.open(encoding="utf-8") as handle:
            return checkpoints_read(handle, keys)
    except OSError as error:
        raise CommandError(f"The anchor file cannot be read: {error}", returncode=2) from None
    except AnchorInvalid as error:
        raise CommandError(f"The anchor file {path} is not to be trusted: {error}.") from None

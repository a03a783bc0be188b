"""``bridgeway audit verify``: check that the audit log's hash chain is whole.

Walks every entry in id order, recomputing each hash from the stored content and the hash
before it. An entry edited, inserted or deleted in the database breaks the chain at that
point; the command names the first break and exits 1.

Deleting the newest entries leaves a shorter chain that is still whole, so the command also
prints the newest hash: record it elsewhere (a ticket, a printout) and compare it later.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridgeway.casework.audit_chain import GENESIS_HASH, first_broken_link
from bridgeway.casework.models import AuditEntry
from bridgeway.casework.services import audit_content

# Rows are read in chunks so a log of tens of millions of entries fits in memory.
CHUNK_SIZE = 2000


class _Walk:
    """The entries as ``first_broken_link`` reads them, counting as it goes."""

    def __init__(self) -> None:
        self.count = 0
        self.last_hash = GENESIS_HASH

    def entries(self) -> Iterator[tuple[int, Mapping[str, Any], str, str]]:
        for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=CHUNK_SIZE):
            yield entry.id, audit_content(entry), entry.previous_hash, entry.entry_hash
            self.count += 1
            self.last_hash = entry.entry_hash


class Command(BaseCommand):
    help = "Work with the hash-chained audit log of case reads and changes."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            dest="subcommand", title="sub-commands", metavar="SUB-COMMAND"
        )
        subcommands.add_parser(
            "verify",
            help="Check every entry's hash and link; exit 1 at the first break.",
            description="Check every entry's hash and link; exit 1 at the first break.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("subcommand") != "verify":
            raise CommandError("Choose a sub-command: verify. See `bridgeway audit --help`.")
        self._verify()

    def _verify(self) -> None:
        walk = _Walk()
        broken = first_broken_link(walk.entries())
        if broken is not None:
            raise CommandError(
                f"Audit log broken at entry {broken.entry_id}: {broken.reason}. "
                f"The {walk.count} entries before it are intact.",
                returncode=1,
            )
        self.stdout.write(f"Audit log intact: {walk.count} entries")
        self.stdout.write(f"Newest hash: {walk.last_hash}")

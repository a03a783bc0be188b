"""``bridgeway subject-access REFERENCE``: a person's own data as JSON, for a subject access request.

Prints to standard output, or writes to ``--output FILE`` (created readable by its owner only).
The export is written to the audit log. Review it for other people's data before release.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridgeway.casework.selectors import NoSuchReference, subject_access_data


class Command(BaseCommand):
    help = "Export everything held about the person behind a reference, as JSON (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="A referral or report reference, like BW-7K3P-Q9XM.")
        parser.add_argument("--output", type=Path, help="Write the JSON to this new file.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = subject_access_data(options["reference"])
        except NoSuchReference:
            raise CommandError(
                f"No referral or report has the reference {options['reference']!r}."
            ) from None
        text = json.dumps(data, indent=2, ensure_ascii=False)
        output: Path | None = options.get("output")
        if output is None:
            self.stdout.write(text)
            return
        try:
            # Personal data: never world-readable, and never over an existing file.
            descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{output} already exists; choose a new file.") from None
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}") from None
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text + "\n")
        self.stdout.write(f"Wrote {output}.")

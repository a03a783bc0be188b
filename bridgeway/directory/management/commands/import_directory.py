"""``bridgeway import-directory FILE``: load an Open Referral (HSDS 3) feed, all or nothing."""

from __future__ import annotations

import json
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.checks import Tags
from django.core.management.base import BaseCommand, CommandError

from bridgeway.directory.openreferral import bulk, hsds
from bridgeway.directory.openreferral.fetching import FeedError, http_json
from bridgeway.directory.openreferral.harvest import feed_limits
from bridgeway.directory.openreferral.importing import DirectoryImportError, directory_import

# Feeds at least this long show progress as they load.
PROGRESS_FROM = 500


class Command(BaseCommand):
    # The model checks only: the others (URLs, templates, security) import every view, scipy
    # included, which took two thirds of a small import's time and nothing an import uses;
    # ``bridgeway check`` and the server run them.
    requires_system_checks = [Tags.models]
    help = (
        "Import HSDS 3 compiled services: one service, a list, or an API page "
        '({"contents": [...]}). Services are matched on id and updated in place. A '
        "service that cannot stand is refused and named; a wrong optional value is left out "
        "with a warning; --strict makes either an error, and then nothing changes."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "file", help="The HSDS JSON file, or the http(s) URL of one service, list or page."
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Treat every warning and refused service as an error: then nothing changes.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        if path.startswith(("http://", "https://")):
            try:
                document = http_json(path, feed_limits())
            except FeedError as error:
                raise CommandError(f"{error}. Nothing was imported.") from None
        else:
            document = _read_file(Path(path))
        try:
            services = hsds.services_in(document)
        except ValueError as error:
            raise CommandError(f"{path}: {error}. Nothing was imported.") from None

        started = time.monotonic()
        shown = {"at": 0.0}

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if total >= PROGRESS_FROM and (now - shown["at"] >= 1 or done == total):
                shown["at"] = now
                self.stderr.write(f"\r{done}/{total} services read", ending="")
                if done == total:
                    self.stderr.write("")

        try:
            report = directory_import(services, strict=options["strict"], progress=progress)
        except DirectoryImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(error.problems)} problems in {len({p.position for p in error.problems})} "
                f"of {len(services)} services (listed above). Nothing was imported (--strict)."
            ) from None
        for problem in report.problems:
            self.stderr.write(f"Refused {problem}")
        for warning in report.warnings:
            self.stderr.write(f"Warning {warning}")
        for service_id in report.area_not_known:
            self.stderr.write(
                f"Service {service_id}: area not known (no ONS code or known postcode); "
                "kept and flagged to its organisation."
            )
        self.stdout.write(
            f"Imported {len(services)} services: {report.summary_line()}, in "
            f"{time.monotonic() - started:.1f} s."
        )


def _read_file(path: Path) -> object:
    """The JSON document in ``path``; ``CommandError`` naming the file otherwise."""
    try:
        with path.open(encoding="utf-8") as handle, bulk.collector_paused():
            return json.load(handle)
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"{path} is not JSON: {error}. Nothing was imported.") from None

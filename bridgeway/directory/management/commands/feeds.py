"""``bridgeway feeds add|harvest|list``: the Open Referral UK feeds Bridgeway harvests."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bridgeway.directory.models import FeedSource
from bridgeway.directory.openreferral.fetching import FeedError
from bridgeway.directory.openreferral.harvest import FeedSourceError, feed_add, feed_harvest
from bridgeway.directory.openreferral.importing import DirectoryImportError


class Command(BaseCommand):
    # The system checks import the whole web application (about 1.5 s of CPU) and check
    # nothing a harvest uses; ``bridgeway serve`` and ``bridgeway check`` run them.
    requires_system_checks: list[str] = []
    help = (
        "Open Referral UK 3.0 feeds: `add URL --name NAME` registers one, `harvest NAME` or "
        "`harvest --all` reads each whole feed and only then applies it, `list` shows them."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="Register a feed (the ORUK API's base URL).")
        add.add_argument("url", help="The API's base, where api_details answers.")
        add.add_argument("--name", required=True, help="A short name: leeds, dfe-fsd.")
        add.add_argument(
            "--publisher",
            default="",
            help="Whose directory it is, as the public page says (default: the organisation).",
        )
        add.add_argument("--organisation", default=None, help="Id of the publishing organisation.")
        harvest = actions.add_parser("harvest", help="Harvest one feed, or every feed.")
        harvest.add_argument("name", nargs="?", help="The feed's short name.")
        harvest.add_argument("--all", action="store_true", help="Harvest every feed.")
        harvest.add_argument(
            "--strict", action="store_true", help="Any warning or refusal: change nothing."
        )
        harvest.add_argument(
            "--per-page", type=int, default=None, help="Services per list page to ask for."
        )
        actions.add_parser("list", help="The registered feeds and their last harvests.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            try:
                source = feed_add(
                    url=options["url"],
                    name=options["name"],
                    publisher=options["publisher"],
                    organisation_id=options["organisation"],
                )
            except FeedSourceError as error:
                raise CommandError(f"{error}. Nothing was registered.") from None
            self.stdout.write(f"Registered feed {source.name}: {source.url} ({source.publisher}).")
        elif action == "harvest":
            self._harvest(options)
        else:
            for source in FeedSource.objects.all():
                when = source.last_harvested_at.isoformat() if source.last_harvested_at else "never"
                self.stdout.write(
                    f"{source.name}\t{source.url}\tlast harvested {when}\t{source.last_result}"
                )

    def _harvest(self, options: dict[str, Any]) -> None:
        if options["all"] == bool(options["name"]):
            raise CommandError("Give one feed's name, or --all.")
        if options["all"]:
            sources = list(FeedSource.objects.all())
        else:
            sources = list(FeedSource.objects.filter(name=options["name"]))
            if not sources:
                raise CommandError(
                    f"No feed called {options['name']!r}: see `bridgeway feeds list`."
                )
        failed = 0
        for source in sources:
            self.stderr.write(f"Harvesting {source.name} from {source.url}")
            try:
                report = feed_harvest(
                    source,
                    strict=options["strict"],
                    per_page=options["per_page"],
                    progress=lambda line: self.stderr.write(f"  {line}"),
                )
            except FeedError as error:
                failed += 1
                self.stderr.write(f"{source.name}: {error}. Its listings were left as they were.")
                continue
            except DirectoryImportError as error:
                failed += 1
                for problem in error.problems:
                    self.stderr.write(str(problem))
                self.stderr.write(f"{source.name}: nothing was changed (--strict).")
                continue
            for problem in report.problems:
                self.stderr.write(f"Refused {problem}")
            for warning in report.warnings:
                self.stderr.write(f"Warning {warning}")
            self.stdout.write(f"{source.name}: {report.summary_line()}.")
        if failed:
            raise CommandError(f"{failed} of {len(sources)} feeds could not be harvested.")

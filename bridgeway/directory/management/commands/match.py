"""``bridgeway match``: services ranked for a need, with reasons, as text or JSON."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bridgeway.directory.answers import answer_as_dict
from bridgeway.directory.formats import FORMATS, check_formats
from bridgeway.directory.selectors import (
    InvalidPostcode,
    LocationNotCovered,
    MatchAnswer,
    MatchedService,
    Preferences,
    services_matching,
)
from bridgeway.equality.vocabulary import vocabulary

# How many valid codes an error lists before saying "and N more".
CODES_SHOWN = 15


def _check(vocabulary_name: str, option: str, codes: list[str]) -> list[str]:
    known = vocabulary(vocabulary_name)
    for code in codes:
        if code not in known:
            valid = known.ordered_codes()
            shown = ", ".join(valid[:CODES_SHOWN])
            more = f" and {len(valid) - CODES_SHOWN} more" if len(valid) > CODES_SHOWN else ""
            raise CommandError(
                f"{option} {code!r} is not a known code. Valid codes: {shown}{more}."
            )
    return codes


class Command(BaseCommand):
    help = (
        "Print the services that fit a need, best first, each with plain reasons. "
        'Example: bridgeway match --postcode "LS6 1AA" --harm hate_incident --language pan --json'
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--postcode", required=True, help="A full postcode (LS6 1AA) or district (LS6)."
        )
        parser.add_argument(
            "--harm", action="append", default=[], metavar="CODE", help="A harm_types code."
        )
        parser.add_argument(
            "--hate-strand", action="append", default=[], metavar="CODE", help="A hate strand."
        )
        parser.add_argument(
            "--language", action="append", default=[], metavar="CODE", help="ISO 639-3 (urd)."
        )
        parser.add_argument("--age", type=int, help="The person's age in years.")
        parser.add_argument("--ethnic-group", metavar="CODE", help="An ethnic_groups code.")
        parser.add_argument("--religion", metavar="CODE", help="A religions code.")
        parser.add_argument(
            "--independent-of-police",
            action="store_true",
            help="Never rank a police-linked service above an independent one.",
        )
        parser.add_argument(
            "--same-community",
            action="store_true",
            help="Prefer services for the person's ethnic group or religion.",
        )
        parser.add_argument(
            "--worker-gender", choices=["female", "male"], help="Wants a worker of this gender."
        )
        parser.add_argument("--lived-experience", action="store_true")
        parser.add_argument("--self-referral", action="store_true")
        parser.add_argument(
            "--trauma-informed",
            action="store_true",
            help="Prefer services whose workers are trained in trauma-informed practice.",
        )
        parser.add_argument(
            "--free-only",
            action="store_true",
            help="Free services only: never one whose listing gives a price.",
        )
        parser.add_argument(
            "--format",
            action="append",
            default=[],
            metavar="CODE",
            help="A way of getting support the person would like: " + ", ".join(FORMATS) + ".",
        )
        parser.add_argument("--limit", type=int, default=10, help="At most this many (1 to 50).")
        parser.add_argument("--json", action="store_true", help="Print the API's JSON answer.")

    def handle(self, *args: Any, **options: Any) -> None:
        harms = _check("harm_types", "--harm", options["harm"])
        strands = _check("hate_strands", "--hate-strand", options["hate_strand"])
        languages = _check("languages", "--language", options["language"])
        if options["ethnic_group"]:
            _check("ethnic_groups", "--ethnic-group", [options["ethnic_group"]])
        if options["religion"]:
            _check("religions", "--religion", [options["religion"]])
        try:
            formats = check_formats(options["format"])
        except ValueError as error:
            raise CommandError(f"--format: {error}.") from None
        age = options["age"]
        if age is not None and not 0 <= age <= 130:
            raise CommandError(f"--age {age} is not an age: give years from 0 to 130.")
        if not 1 <= options["limit"] <= 50:
            raise CommandError(f"--limit {options['limit']} must be from 1 to 50.")
        try:
            answer = services_matching(
                location=options["postcode"],
                harm_types=harms,
                hate_strands=strands,
                languages=languages,
                age=age,
                ethnic_group=options["ethnic_group"],
                religion=options["religion"],
                preferences=Preferences(
                    independent_of_police=options["independent_of_police"],
                    same_community=options["same_community"],
                    worker_gender=options["worker_gender"],
                    lived_experience=options["lived_experience"],
                    self_referral=options["self_referral"],
                    trauma_informed=options["trauma_informed"],
                    formats=tuple(formats),
                    free_only=options["free_only"],
                ),
                limit=options["limit"],
            )
        except InvalidPostcode:
            raise CommandError(
                f"--postcode {options['postcode']!r} is not a postcode: give a full postcode "
                "such as 'LS6 1AA' or a postcode district such as 'LS6'."
            ) from None
        except LocationNotCovered as error:
            raise CommandError(f"--postcode {options['postcode']!r}: {error}.") from None
        if options["json"]:
            self.stdout.write(json.dumps(answer_as_dict(answer), ensure_ascii=False, indent=2))
            return
        self._print(answer)

    def _print(self, answer: MatchAnswer) -> None:
        location = answer.location
        places = ", ".join(d.name for d in location.districts)
        self.stdout.write(
            f"Services for {location.query} ({places}; {location.police_force_area.name})"
        )
        if answer.results:
            self._print_list(answer.results)
            return
        self.stdout.write("Nothing fits every need. The broadest options instead:")
        if not answer.fallback:
            self.stdout.write("The directory has no active services yet.")
        self._print_list(answer.fallback)

    def _print_list(self, matches: list[MatchedService]) -> None:
        for position, matched in enumerate(matches, start=1):
            service = matched.service
            self.stdout.write(
                f"\n{position}. {service.name} ({service.organisation.name}), "
                f"score {matched.score:g}"
            )
            for reason in matched.reasons:
                self.stdout.write(f"   + {reason}")
            for caution in matched.cautions:
                self.stdout.write(f"   ! {caution}")

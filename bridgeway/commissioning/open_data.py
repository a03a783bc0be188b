"""Awards published in the open: the 360Giving Data Standard, as JSON or as its spreadsheet.

The package is checked against the official schema (copied in ``threesixtygiving/`` with its
source and licence) before anything is written, so a file we publish is one 360Giving's own
tools accept. Only awards are published: applications, declines and feedback stay private.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from bridgeway.commissioning.dei import dei_details
from bridgeway.commissioning.models import Decision, FundingRound

SCHEMA_DIR = Path(__file__).resolve().parent / "threesixtygiving"
PACKAGE_SCHEMA = SCHEMA_DIR / "360-giving-package-schema.json"
GRANT_SCHEMA = SCHEMA_DIR / "360-giving-schema.json"
DEI_DIR = SCHEMA_DIR / "dei"
DEI_SCHEMA = DEI_DIR / "360-giving-dei-extension-schema.json"
# The DEI Extension's closed codelists, by the field that draws on each.
DEI_CODELISTS = {
    "askedStatus": "askedStatus.csv",
    "replyStatus": "replyStatus.csv",
    "availableOptions": "availableOptions.csv",
    "taxonomyCodes": "taxonomyCodes.csv",
}
SCHEMA_VERSION = "1.4"
# Police force areas' ONS codes start E23 (England) or W15 (Wales); 360Giving's codelist
# names E23 "PFA". Welsh force areas are not in the codelist, so they go without a type.
GEO_CODE_TYPES = {"E23": "PFA"}


@cache
def geo_code_types() -> frozenset[str]:
    """Every code in 360Giving's geoCodeType codelist."""
    with (SCHEMA_DIR / "geoCodeType.csv").open(encoding="utf-8", newline="") as handle:
        return frozenset(row["Code"] for row in csv.DictReader(handle))


def org_id(*, charity_number: str, company_number: str, fallback: str) -> str:
    """The org-id.guide identifier: a charity number, else a company number, else ours."""
    if charity_number.strip():
        return f"GB-CHC-{charity_number.strip()}"
    if company_number.strip():
        return f"GB-COH-{company_number.strip().upper()}"
    return fallback


def awarded_decisions(rounds: QuerySet[FundingRound]) -> QuerySet[Decision]:
    """Awards in ``rounds``, with what the export reads in a fixed number of queries."""
    return (
        Decision.objects.filter(
            outcome=Decision.Outcome.AWARDED, application__funding_round__in=rounds
        )
        .select_related("application__applicant", "application__funding_round__commissioner")
        .prefetch_related(
            "application__funding_round__areas",
            "application__funding_round__partners__office",
            "application__dei_answers",
        )
        .order_by("decided_at", "application_id")
    )


def grant_record(decision: Decision, *, prefix: str) -> dict[str, Any]:
    """One award as a 360Giving grant."""
    application = decision.application
    funding_round = application.funding_round
    office = funding_round.commissioner
    applicant = application.applicant
    recipient: dict[str, Any] = {
        "id": org_id(
            charity_number=application.charity_number,
            company_number=application.company_number,
            fallback=f"{prefix}-org-{applicant.slug}",
        ),
        "name": applicant.name,
    }
    if application.charity_number:
        recipient["charityNumber"] = application.charity_number
    if application.company_number:
        recipient["companyNumber"] = application.company_number
    grant: dict[str, Any] = {
        "id": f"{prefix}-{application.pk}",
        "title": f"{funding_round.title}: {applicant.name}",
        "description": application.summary,
        "currency": "GBP",
        "amountAppliedFor": float(application.amount_requested or 0),
        "amountAwarded": float(decision.amount_awarded or 0),
        "awardDate": timezone.localdate(decision.decided_at).isoformat(),
        "recipientOrganization": [recipient],
        # A joint round is funded by every partner office as well as the lead.
        "fundingOrganization": [
            {"id": f"{prefix}-org-{funder.slug}", "name": funder.name}
            for funder in [office, *(p.office for p in funding_round.partners.all())]
        ],
        "grantProgramme": [{"code": str(funding_round.pk), "title": funding_round.title}],
        "fromOpenCall": "Yes",
        "beneficiaryLocation": [
            _location(area.code, area.name) for area in funding_round.areas.all()
        ],
        "dateModified": decision.updated_at.isoformat(),
    }
    dei = dei_details(
        {
            answer.area: {
                "reply": answer.reply,
                "taxonomy_codes": answer.taxonomy_codes,
                "lived_experience": answer.lived_experience,
            }
            for answer in application.dei_answers.all()
        },
        publish_agreed=application.dei_publish_agreed,
    )
    if dei is not None:
        # The DEI Extension (decision 0138): the answers only where the organisation agreed.
        grant["deiDetails"] = dei
    if decision.planned_start:
        planned: dict[str, Any] = {"startDate": decision.planned_start.isoformat()}
        if decision.planned_end:
            planned["endDate"] = decision.planned_end.isoformat()
        grant["plannedDates"] = [planned]
    return grant


def _location(code: str, name: str) -> dict[str, Any]:
    location: dict[str, Any] = {"name": name, "geoCode": code, "countryCode": "GB"}
    code_type = GEO_CODE_TYPES.get(code[:3])
    if code_type in geo_code_types():
        location["geoCodeType"] = code_type
    return location


def grants(
    rounds: QuerySet[FundingRound], *, prefix: str | None = None
) -> Iterator[dict[str, Any]]:
    """The awards of ``rounds`` as 360Giving grants, oldest decision first."""
    chosen = prefix or settings.THREESIXTYGIVING_PREFIX
    for decision in awarded_decisions(rounds).iterator(chunk_size=2000):
        yield grant_record(decision, prefix=chosen)


def package(records: Iterable[dict[str, Any]], *, publisher: str) -> dict[str, Any]:
    """A 360Giving data package around ``records``."""
    today = timezone.localdate().isoformat()
    return {
        "version": SCHEMA_VERSION,
        "title": f"Grants published by {publisher}",
        "issued": today,
        "modified": today,
        "publisher": {"name": publisher},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "grants": list(records),
    }


@cache
def _validators() -> tuple[Any, Any]:
    """The official package schema's validator, and the grant schema's on its own."""
    # Imported here: only exports and their tests need the schema machinery.
    import jsonschema  # type: ignore[import-untyped]  # no stubs published
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    grant_schema = json.loads(GRANT_SCHEMA.read_text(encoding="utf-8"))
    package_schema = json.loads(PACKAGE_SCHEMA.read_text(encoding="utf-8"))
    # The grant schema names its dialect "http://json-schema.org/draft/2020-12/schema" (http,
    # not https), which the referencing library does not recognise; it is 2020-12 all the same.
    grant_resource = DRAFT202012.create_resource(grant_schema)
    registry = Registry().with_resources(
        [
            (package_schema["properties"]["grants"]["items"]["$ref"], grant_resource),
            (grant_schema["$id"], grant_resource),
        ]
    )
    # 360Giving's dates are oneOf a date-time or a date pattern: without checking formats a
    # plain date would match both and fail, so the format checker is part of the schema here.
    checker = jsonschema.FormatChecker()
    return (
        jsonschema.Draft4Validator(package_schema, registry=registry, format_checker=checker),
        jsonschema.Draft202012Validator(grant_schema, format_checker=checker),
    )


@cache
def _fast_grant_check() -> Any:
    """The grant schema compiled to Python by fastjsonschema: about ten times quicker."""
    import fastjsonschema

    schema = json.loads(GRANT_SCHEMA.read_text(encoding="utf-8"))
    # fastjsonschema reads the dialect from "$schema" and knows up to draft 7; the grant schema
    # uses nothing of 2020-12 that draft 7 reads differently ("$defs" is reached by pointer).
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return fastjsonschema.compile(schema)


@cache
def _dei_codes(listname: str) -> frozenset[str]:
    with (DEI_DIR / listname).open(encoding="utf-8", newline="") as handle:
        return frozenset(
            row["Code"].strip() for row in csv.DictReader(handle, skipinitialspace=True)
        )


@cache
def _dei_validator() -> Any:
    import jsonschema

    schema = json.loads(DEI_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def dei_errors(record: dict[str, Any], index: int) -> list[str]:
    """Where a grant's ``deiDetails`` breaks the DEI Extension's schema or its codelists."""
    if "deiDetails" not in record:
        return []
    errors = [_described(e, ("grants", index)) for e in _dei_validator().iter_errors(record)]
    for area in ("leadership", "mission", "project"):
        entry = record["deiDetails"].get(area) or {}
        given = {
            "askedStatus": [entry.get("askedStatus")],
            "replyStatus": [entry.get("replyStatus")] if "replyStatus" in entry else [],
            "availableOptions": entry.get("availableOptions", []),
            "taxonomyCodes": (entry.get("response") or {}).get("taxonomyCodes", []),
        }
        for name, values in given.items():
            known = _dei_codes(DEI_CODELISTS[name])
            errors.extend(
                f"grants/{index}/deiDetails/{area}/{name}: {value!r} is not in its codelist"
                for value in values
                if value not in known
            )
    return errors


def _grant_errors(record: dict[str, Any], index: int) -> list[str]:
    import fastjsonschema

    try:
        _fast_grant_check()(record)
    except fastjsonschema.JsonSchemaException:
        # The quick check stops at the first fault; the reference validator lists them all.
        _package_validator, grant_validator = _validators()
        return [_described(e, ("grants", index)) for e in grant_validator.iter_errors(record)]
    return []


def _described(error: Any, prefix: tuple[Any, ...] = ()) -> str:
    path = "/".join(str(part) for part in (*prefix, *error.absolute_path)) or "(package)"
    return f"{path}: {error.message}"


def package_errors(document: dict[str, Any]) -> list[str]:
    """Where ``document`` breaks the official 360Giving package schema (empty if valid).

    The schema's ``uniqueItems`` on ``grants`` compares every grant with every other, which
    takes minutes for 10,000 grants, so the same rule is checked here by hashing each grant's
    canonical JSON; the envelope is checked by the package schema with one grant and every
    grant by the grant schema (compiled by fastjsonschema; a grant it refuses is checked
    again by jsonschema for every message). ``package_errors_whole`` runs the schema as
    written with jsonschema, and the tests hold the two to the same answers.
    """
    package_validator, _grant_validator = _validators()
    records = document.get("grants")
    if not isinstance(records, list) or not records:
        return package_errors_whole(document)
    envelope = {**document, "grants": records[:1]}
    errors = [_described(e) for e in package_validator.iter_errors(envelope)]
    errors = [e for e in errors if not e.startswith("grants/0")]
    seen: dict[str, int] = {}
    for index, record in enumerate(records):
        errors.extend(_grant_errors(record, index))
        errors.extend(dei_errors(record, index))
        canonical = json.dumps(record, sort_keys=True)
        if canonical in seen:
            errors.append(f"grants/{index}: the same grant as grants/{seen[canonical]}")
        seen.setdefault(canonical, index)
    return errors


def package_errors_whole(document: dict[str, Any]) -> list[str]:
    """The official package schema run as written, on the whole package (slow for many)."""
    package_validator, _grant_validator = _validators()
    return [
        _described(error)
        for error in sorted(
            package_validator.iter_errors(document), key=lambda e: list(e.absolute_path)
        )
    ]


def write_spreadsheet(document: dict[str, Any], out: Path) -> None:
    """360Giving's spreadsheet layout (one sheet per table) via flattentool, to ``out`` (.xlsx)."""
    import shutil
    import tempfile
    import warnings

    from flattentool import flatten
    from flattentool.exceptions import FlattenToolWarning

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "package.json"
        source.write_text(json.dumps(document), encoding="utf-8")
        # flattentool warns of the official schema's
        # fields without titles (transactions we never fill); nothing to act on.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FlattenToolWarning)
            flatten(
                str(source),
                output_name=str(Path(folder) / "grants.xlsx"),
                output_format="xlsx",
                schema=str(GRANT_SCHEMA),
                root_list_path="grants",
                root_id="",
                main_sheet_name="grants",
                use_titles=True,
            )
        shutil.move(Path(folder) / "grants.xlsx", out)

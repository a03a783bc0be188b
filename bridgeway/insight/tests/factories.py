"""Factories and builders for insight's tests: services, referrals, hand-made snapshot rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from pathlib import Path
from typing import Any

import factory

from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.casework.models import Referral
from bridgeway.casework.services import (
    ContactDetails,
    PersonDetails,
    referral_advance,
    referral_create,
)
from bridgeway.directory.models import Service
from bridgeway.insight.snapshot import write_part

LEEDS = "E08000035"
BRADFORD = "E08000032"
BIRMINGHAM = "E08000025"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Support Service {n}")
    status = Service.Status.ACTIVE

    @factory.post_generation
    def district_codes(self, create, extracted, **kwargs):
        if create and extracted:
            self.districts.set(extracted)

    @factory.post_generation
    def area_codes(self, create, extracted, **kwargs):
        if create and extracted:
            self.police_force_areas.set(extracted)


def referral_through(
    service: Service,
    stages: list[str],
    *,
    at: dt.datetime,
    name: str = "",
    postcode: str = "",
    ethnic_group: str = "not_asked",
    coped_better: bool | None = None,
    decline_reason: str = "service_full",
    **details: Any,
) -> Referral:
    """A referral to ``service`` moved through ``stages`` (after ``referred``), a day apart."""
    referral = referral_create(
        service=service,
        details=PersonDetails(name=name, postcode=postcode, ethnic_group=ethnic_group, **details),
        contact=ContactDetails(),
        narrative=f"What happened to {name}" if name else "",
        received_at=at,
    )
    for day, stage in enumerate(stages, start=1):
        referral_advance(
            referral=referral,
            stage=stage,
            actor=None,
            at=at + dt.timedelta(days=day),
            coped_better=coped_better if stage == "closed" else None,
            decline_reason=decline_reason if stage == "declined" else "",
        )
    return referral


_ids = itertools.count(1)


def pseudonym(name: str | bytes) -> bytes:
    """A readable test name as the 32 bytes a snapshot pseudonym is (bytes pass through)."""
    if isinstance(name, bytes):
        return name
    return hashlib.sha256(name.encode()).digest()


def snapshot_row(**values: Any) -> dict[str, Any]:
    """One hand-made snapshot row with plausible defaults.

    ``event_id``, ``person_key`` and ``case_key`` may be given as readable names; they are
    written as the 32-byte pseudonyms the snapshot holds.
    """
    number = next(_ids)
    row: dict[str, Any] = {
        "event_id": f"event-{number}",
        "person_key": f"person-{number}",
        "case_key": f"case-{number}",
        "organisation_key": "organisation-1",
        "service_key": "service-1",
        "organisation_kind": "specialist",
        "service_specialist": True,
        "stage": "referred",
        "occurred_on": dt.date(2025, 6, 1),
        "lad_code": LEEDS,
        "pfa_code": "E23000010",
        "ethnic_group": "not_asked",
        "age_band": "not_asked",
        "sex": "not_asked",
        "sexual_orientation": "not_asked",
        "religion": "not_asked",
        "disabilities": [],
        "harm_types": [],
        "hate_strands": [],
        "channel": "self",
        "coped_better": None,
    }
    row.update(values)
    for name in ("event_id", "person_key", "case_key"):
        row[name] = pseudonym(row[name])
    return row


def person_events(
    person: str, group: str, stages: list[str], on: dt.date = dt.date(2025, 6, 1), **values: Any
) -> list[dict[str, Any]]:
    """Snapshot rows for one person reaching each of ``stages``."""
    return [
        snapshot_row(
            event_id=f"{person}-{stage}",
            person_key=person,
            case_key=f"case-{person}",
            ethnic_group=group,
            stage=stage,
            occurred_on=on,
            **values,
        )
        for stage in stages
    ]


def write_snapshot(
    directory: Path,
    rows: list[dict[str, Any]],
    *,
    at: dt.datetime | None = None,
    synthetic: bool = False,
) -> Path:
    """A hand-made part file in ``directory``."""
    moment = at or dt.datetime(2025, 7, 1, 12, 0, tzinfo=dt.UTC)
    path, _count = write_part(directory, [rows], written_at=moment, synthetic=synthetic)
    return path

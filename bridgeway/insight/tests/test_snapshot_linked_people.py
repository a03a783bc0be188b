"""One person, counted once: records casework linked across organisations share a person_key.

An onward referral or transfer, made with the person's consent, links the receiving record to
the sending one; the snapshot keys both by the link, so every distinct count in insight
counts the person once. Records not linked (no onward referral) stay apart.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bridgeway.accounts.models import Organisation, User
from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.casework.models import Consent, Person
from bridgeway.casework.services import consent_record, onward_referral_create
from bridgeway.directory.models import Service
from bridgeway.insight.needs_assessment import count_people
from bridgeway.insight.services import snapshot_write
from bridgeway.insight.snapshot import snapshot_files
from bridgeway.insight.tests.factories import LEEDS, ServiceFactory, referral_through

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("raw_counts")]

AT = dt.datetime(2025, 5, 10, 9, 30, tzinfo=dt.UTC)
WEST_YORKSHIRE = "E23000010"


def _referred_in_leeds(directory: Path) -> int:
    counted = count_people(
        snapshot_files(directory),
        area_code=LEEDS,
        area_kind="lad",
        date_from=None,
        date_to=None,
    )
    return sum(group.referred for group in counted.by_group.values())


def _receiving_services(count: int) -> list[Service]:
    return [
        ServiceFactory(
            organisation=OrganisationFactory(
                name=f"Leeds Partner {n}", slug=f"leeds-partner-{n}", area_codes=[WEST_YORKSHIRE]
            ),
            district_codes=[LEEDS],
        )
        for n in range(count)
    ]


def _refer_on(referral, services, actor: User) -> None:
    for service in services:
        consent_record(
            person=referral.person,
            scope=Consent.Scope.ONWARD_REFERRAL,
            actor=actor,
            given_how=Consent.GivenHow.PHONE,
            recipient_organisation=service.organisation,
            includes=[Consent.Item.CHARACTERISTICS],
        )
        onward_referral_create(referral=referral, service=service, actor=actor)


def test_ten_onward_referrals_count_the_person_once(
    organisation: Organisation, practitioner: User, snapshot_dir: Path
) -> None:
    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    referral = referral_through(service, [], at=AT, postcode="LS6 1AA", ethnic_group="asian_indian")
    snapshot_write(out_dir=snapshot_dir)
    assert _referred_in_leeds(snapshot_dir) == 1

    _refer_on(referral, _receiving_services(10), practitioner)
    snapshot_write(out_dir=snapshot_dir)

    # Eleven records, one person: before linking, the ten onward referrals added ten.
    assert Person.objects.count() == 11
    assert _referred_in_leeds(snapshot_dir) == 1


def test_the_same_person_key_for_sender_and_receiver_across_runs(
    organisation: Organisation, practitioner: User, snapshot_dir: Path
) -> None:
    import pyarrow.parquet as pq

    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    referral = referral_through(service, ["contacted"], at=AT, postcode="LS6 1AA")
    snapshot_write(out_dir=snapshot_dir)
    _refer_on(referral, _receiving_services(1), practitioner)
    snapshot_write(out_dir=snapshot_dir)
    table = pq.read_table(snapshot_files(snapshot_dir))
    keys = set(table.column("person_key").to_pylist())
    organisations = set(table.column("organisation_key").to_pylist())
    assert len(organisations) == 2
    assert len(keys) == 1


def test_records_not_linked_by_a_consented_referral_stay_apart(
    organisation: Organisation, snapshot_dir: Path
) -> None:
    # The same details reaching two organisations on their own: no consent links them.
    first = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    (second,) = _receiving_services(1)
    for service in (first, second):
        referral_through(service, [], at=AT, name="Asha Patel", postcode="LS6 1AA")
    snapshot_write(out_dir=snapshot_dir)
    assert _referred_in_leeds(snapshot_dir) == 2
    assert not Person.objects.filter(link_key__isnull=False).exists()

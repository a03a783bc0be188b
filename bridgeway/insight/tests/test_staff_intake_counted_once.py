"""Issue 15, "Done when": a police referral entered by staff, found again by a misspelt,
transliterated name, merged with its duplicate, referred on with consent, and counted once in
the needs assessment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bridgeway.accounts.models import Organisation, User
from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.casework.models import Consent, Person, Referral
from bridgeway.casework.people_selectors import duplicate_suggestions, people_search
from bridgeway.casework.services import consent_record, onward_referral_create
from bridgeway.casework.services.intake import Arrival, referral_intake
from bridgeway.casework.services.merge import person_merge
from bridgeway.casework.services.people import ContactDetails, PersonDetails
from bridgeway.insight.needs_assessment import count_people
from bridgeway.insight.services import snapshot_write
from bridgeway.insight.snapshot import snapshot_files
from bridgeway.insight.tests.factories import LEEDS, ServiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("raw_counts")]

AT = dt.datetime(2025, 5, 10, 9, 30, tzinfo=dt.UTC)
WEST_YORKSHIRE = "E23000010"


def _referred_in_leeds(directory: Path) -> int:
    snapshot_write(out_dir=directory)
    counted = count_people(
        snapshot_files(directory), area_code=LEEDS, area_kind="lad", date_from=None, date_to=None
    )
    return sum(group.referred for group in counted.by_group.values())


def _intake(service, actor, *, channel: str, name: str, phone: str, at: dt.datetime) -> Referral:
    police = channel == "police"
    return referral_intake(
        actor=actor,
        service=service,
        arrival=Arrival(
            channel=channel,
            received_at=at,
            police_reference="WY-2025-0042" if police else "",
            police_passed_on=at.date() if police else None,
        ),
        details=PersonDetails(
            name=name,
            phone=phone,
            postcode="LS6 1AA",
            date_of_birth="1984-03-12",
            ethnic_group="asian_pakistani",
        ),
        contact=ContactDetails(channels=("phone",) if phone else ("none",)),
        harm_types=("hate_crime",),
        hate_strands=("religion",),
    )


def test_police_referral_found_merged_referred_on_and_counted_once(
    organisation: Organisation, practitioner: User, snapshot_dir: Path
) -> None:
    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    police = _intake(
        service, practitioner, channel="police", name="Mohammed Rafiq", phone="07700 900101", at=AT
    )
    assert police.police_reference == "WY-2025-0042"

    # Found again by a misspelt, transliterated name, in another case.
    found = people_search([organisation.pk], "muhamad RAFIK")
    assert [match.person.pk for match in found] == [police.person_id]

    # He phones months later; the new record is offered as a likely duplicate, and merged.
    later = _intake(
        service,
        practitioner,
        channel="phone",
        name="Muhammad Rafiq",
        phone="07700 900202",
        at=AT + dt.timedelta(days=90),
    )
    suggested = duplicate_suggestions(
        organisation.pk, name="Muhammad Rafiq", date_of_birth="1984-03-12", exclude=later.person_id
    )
    assert [match.person.pk for match in suggested] == [police.person_id]
    assert _referred_in_leeds(snapshot_dir) == 2  # two records, not yet known to be one
    person_merge(actor=practitioner, kept=police.person, merged=later.person)
    assert _referred_in_leeds(snapshot_dir) == 1

    # Referred on with consent: the receiving record is linked, so still one person.
    partner = ServiceFactory(
        organisation=OrganisationFactory(
            name="Leeds Partner", slug="leeds-partner", area_codes=[WEST_YORKSHIRE]
        ),
        district_codes=[LEEDS],
    )
    consent_record(
        person=police.person,
        scope=Consent.Scope.ONWARD_REFERRAL,
        actor=practitioner,
        given_how=Consent.GivenHow.PHONE,
        recipient_organisation=partner.organisation,
        includes=[Consent.Item.CHARACTERISTICS],
    )
    onward_referral_create(referral=police, service=partner, actor=practitioner)

    assert Person.objects.count() == 3
    assert _referred_in_leeds(snapshot_dir) == 1


def test_undoing_a_merge_counts_the_two_records_apart_again(
    organisation: Organisation, practitioner: User, organisation_admin: User, snapshot_dir: Path
) -> None:
    from bridgeway.casework.services.merge import person_merge_undo

    service = ServiceFactory(organisation=organisation, district_codes=[LEEDS])
    first = _intake(service, practitioner, channel="police", name="Ayesha Khan", phone="", at=AT)
    second = _intake(service, practitioner, channel="drop_in", name="Aisha Khan", phone="", at=AT)
    merge = person_merge(actor=practitioner, kept=first.person, merged=second.person)
    assert _referred_in_leeds(snapshot_dir) == 1

    person_merge_undo(actor=organisation_admin, merge=merge)

    assert _referred_in_leeds(snapshot_dir) == 2

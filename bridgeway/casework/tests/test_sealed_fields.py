"""Names, contact details and narratives are encrypted at rest: the raw table holds none."""

from __future__ import annotations

import pytest
from django.db import connection

from bridgeway.casework.models import ContactPreference, Person, Referral, Report
from bridgeway.casework.tests.factories import make_referral, make_report
from bridgeway.sealing import SEALED_PREFIX

SECRETS = [
    "Amara Okafor",
    "amara@example.org",
    "07700 900982",
    "bluebell",
    "Weekday evenings",
    "Someone shouted at me on the bus",
    "Outside the community centre",
    "Nigerian Yoruba",
]


def _raw_rows(table: str) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return cursor.fetchall()


def test_raw_tables_hold_no_plaintext_personal_data(service, reporting_centre):
    referral = make_referral(service=service, ethnic_group_description="Nigerian Yoruba")
    make_report(
        organisation=reporting_centre,
        is_anonymous=False,
        incident_place="Outside the community centre",
    )

    raw = " ".join(
        str(value)
        for model in (Person, ContactPreference, Referral, Report)
        for row in _raw_rows(model._meta.db_table)
        for value in row
    )

    for secret in SECRETS:
        assert secret not in raw, f"{secret!r} is stored in clear"
    assert SEALED_PREFIX in raw
    # And the application reads them back.
    person = Person.objects.get(pk=referral.person_id)
    assert person.name == "Amara Okafor"
    assert person.ethnic_group_description == "Nigerian Yoruba"


def test_sealed_columns_hold_tokens(service):
    referral = make_referral(service=service)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, email, phone, postcode FROM casework_person WHERE id = %s",
            [referral.person_id.hex if connection.vendor == "sqlite" else referral.person_id],
        )
        row = cursor.fetchone()

    assert row is not None
    assert all(str(value).startswith(SEALED_PREFIX) for value in row)


@pytest.mark.usefixtures("weekday_evening")
def test_messages_notes_contact_notes_and_named_workers_are_sealed_too(
    service, practitioner, other_organisation
):
    from bridgeway.casework.models import CaseEvent, Consent, ContactAttempt, Share
    from bridgeway.casework.services import (
        consent_record,
        contact_attempt_record,
        note_add,
        share_with_worker,
    )

    referral = make_referral(service=service)
    note_add(referral=referral, actor=practitioner, text="Her brother must not know")
    contact_attempt_record(
        referral=referral,
        actor=practitioner,
        method="call",
        outcome="reached",
        note="Answered by Mara herself",
    )
    consent_record(
        person=referral.person,
        scope="named_worker",
        actor=practitioner,
        given_how="in_person",
        recipient_organisation=other_organisation,
        recipient_worker="Ms Farida Khan",
    )
    share_with_worker(
        referral=referral,
        actor=practitioner,
        organisation=other_organisation,
        worker="Ms Farida Khan",
    )

    raw = " ".join(
        str(value)
        for model in (CaseEvent, ContactAttempt, Consent, Share)
        for row in _raw_rows(model._meta.db_table)
        for value in row
    )

    for secret in ["Her brother must not know", "Answered by Mara", "Farida"]:
        assert secret not in raw, f"{secret!r} is stored in clear"

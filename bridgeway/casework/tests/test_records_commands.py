"""``bridgeway subject-access`` and ``bridgeway retention``."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from bridgeway.casework.models import AuditEntry, CaseEvent, ContactPreference, Person, Referral
from bridgeway.casework.services import (
    consent_record,
    contact_attempt_record,
    note_add,
    referral_advance,
    referral_anonymise,
    retention_due,
)
from bridgeway.casework.tests.factories import make_referral


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- subject access -------------------------------------------------------------------------


def test_subject_access_exports_the_persons_data_as_json(
    referral, practitioner, other_organisation
):
    note_add(referral=referral, actor=practitioner, text="Called the school.")
    consent_record(
        person=referral.person,
        scope="onward_referral",
        actor=practitioner,
        given_how="phone",
        recipient_organisation=other_organisation,
    )

    data = json.loads(_run("subject_access", referral.reference.lower()))

    assert data["person"]["name"] == "Amara Okafor"
    assert data["contact_preferences"]["safe_word"] == "bluebell"
    [exported] = data["referrals"]
    assert exported["reference"] == referral.reference
    assert exported["narrative"].startswith("Someone shouted")
    assert "Called the school." in [event["text"] for event in exported["timeline"]]
    assert data["consents"][0]["recipient_organisation"] == "Birmingham Outreach"


def test_subject_access_is_audited(referral):
    _run("subject_access", referral.reference)

    entry = AuditEntry.objects.get(action="subject_access.export")
    assert entry.object_id == str(referral.person_id)
    assert entry.detail["reference"] == referral.reference


def test_subject_access_of_a_report_leaves_out_the_code_hash(reporting_centre):
    from bridgeway.casework.tests.factories import make_report

    report, code = make_report(organisation=reporting_centre)

    text = _run("subject_access", report.reference)

    assert report.report.follow_up_code_hash not in text
    assert code not in text
    assert json.loads(text)["referrals"][0]["report"]["anonymous"] is False


@pytest.mark.parametrize("reference", ["BW-0000-0000", "nonsense"])
def test_subject_access_for_an_unknown_reference_says_so(db, reference):
    with pytest.raises(CommandError, match="No referral or report has the reference"):
        _run("subject_access", reference)

    assert not AuditEntry.objects.filter(action="subject_access.export").exists()


def test_subject_access_writes_a_private_file_and_never_overwrites(referral, tmp_path):
    target = tmp_path / "export.json"

    _run("subject_access", referral.reference, "--output", str(target))

    assert json.loads(target.read_text())["person"]["name"] == "Amara Okafor"
    assert target.stat().st_mode & 0o077 == 0
    with pytest.raises(CommandError, match="already exists"):
        _run("subject_access", referral.reference, "--output", str(target))


# --- retention ------------------------------------------------------------------------------


def _closed(service, practitioner, *, days_ago: int) -> Referral:
    referral = make_referral(service=service)
    contact_attempt_record(
        referral=referral, actor=practitioner, method="call", outcome="reached", note="Spoke."
    )
    note_add(referral=referral, actor=practitioner, text="Private note about Amara.")
    at = timezone.now() - dt.timedelta(days=days_ago)
    referral_advance(
        referral=referral, stage="declined", actor=practitioner, at=at, decline_reason="other"
    )
    referral_advance(referral=referral, stage="closed", actor=practitioner, at=at)
    return referral


@pytest.mark.usefixtures("weekday_evening")
def test_only_cases_past_the_period_are_due(settings, service, practitioner):
    settings.RETENTION_CLOSED_CASE_DAYS = 100
    old = _closed(service, practitioner, days_ago=101)
    _closed(service, practitioner, days_ago=99)
    make_referral(service=service)  # still open: never due

    assert [r.pk for r in retention_due()] == [old.pk]


def test_declined_cases_use_their_own_period(settings, service, practitioner):
    settings.RETENTION_DECLINED_DAYS = 30
    referral = make_referral(service=service)
    referral_advance(
        referral=referral,
        stage="declined",
        decline_reason="outside_area",
        actor=practitioner,
        at=timezone.now() - dt.timedelta(days=31),
    )

    assert [r.pk for r in retention_due()] == [referral.pk]


@pytest.mark.usefixtures("weekday_evening")
def test_dry_run_lists_and_changes_nothing(settings, service, practitioner):
    settings.RETENTION_CLOSED_CASE_DAYS = 100
    old = _closed(service, practitioner, days_ago=200)

    output = _run("retention", "--dry-run")

    assert old.reference in output
    assert "1 cases would be anonymised. Nothing changed." in output
    assert Person.objects.get(pk=old.person_id).name == "Amara Okafor"


@pytest.mark.usefixtures("weekday_evening")
def test_apply_anonymises_personal_data_and_keeps_the_codes(settings, service, practitioner):
    settings.RETENTION_CLOSED_CASE_DAYS = 100
    old = _closed(service, practitioner, days_ago=200)

    output = _run("retention", "--apply")

    assert "Anonymised 1 cases." in output
    old.refresh_from_db()
    person = Person.objects.get(pk=old.person_id)
    preference = ContactPreference.objects.get(person=person)
    assert old.narrative == ""
    assert old.anonymised_at is not None
    assert old.harm_types == ["hate_crime"]
    assert old.stage == "closed"
    assert (person.name, person.email, person.phone, person.postcode) == ("", "", "", "")
    assert person.ethnic_group == "black_african"
    assert (preference.safe_word, preference.channels) == ("", ["none"])
    assert not CaseEvent.objects.filter(referral=old).exclude(text="").exists()
    stages = CaseEvent.objects.filter(referral=old, kind="stage").values_list("stage", flat=True)
    assert sorted(stages) == ["closed", "declined", "referred"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM casework_contactattempt")
        assert cursor.fetchall() == [("",)]
    assert AuditEntry.objects.filter(action="retention.anonymise").count() == 1
    assert "Nothing changed" in _run("retention", "--dry-run")


def test_anonymising_an_open_case_is_refused(referral):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Only a closed or declined case"):
        referral_anonymise(referral=referral)

    referral.refresh_from_db()
    assert referral.narrative


def test_retention_needs_a_mode(db):
    with pytest.raises(CommandError):
        _run("retention")

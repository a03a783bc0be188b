"""``bridgeway rotate-keys``: old rows open with only the new key after rotation."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from bridgeway.casework.models import ContactPreference, Person, Referral
from bridgeway.casework.tests.factories import make_referral

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def _rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


def _raw_names() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM casework_person ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def old_rows(settings, service):
    settings.ENCRYPTION_KEYS = [OLD_KEY]
    referral = make_referral(service=service)
    settings.ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    return referral


def test_rows_sealed_with_the_old_key_open_with_only_the_new_key_after_rotation(settings, old_rows):
    output = _rotate()
    settings.ENCRYPTION_KEYS = [NEW_KEY]

    person = Person.objects.get(pk=old_rows.person_id)
    assert person.name == "Amara Okafor"
    assert Referral.objects.get(pk=old_rows.pk).narrative.startswith("Someone shouted")
    assert ContactPreference.objects.get(person=person).safe_word == "bluebell"
    assert "casework_person.name: 1 sealed values, resealed 1" in output


def test_without_rotation_the_new_key_alone_cannot_open_old_rows(settings, old_rows):
    settings.ENCRYPTION_KEYS = [NEW_KEY]

    with pytest.raises(ImproperlyConfigured, match="cannot be opened"):
        Person.objects.get(pk=old_rows.person_id)


def test_dry_run_counts_and_changes_nothing(old_rows):
    before = _raw_names()

    output = _rotate("--dry-run")

    assert _raw_names() == before
    assert "casework_person.name: 1 sealed values, would reseal 1" in output
    assert "Nothing changed." in output


def test_a_second_rotation_reseals_nothing(old_rows):
    _rotate()

    output = _rotate()

    assert "Done: 0 values sealed again" in output


def test_rotation_works_across_chunks(settings, service):
    from bridgeway.sealing import reseal_all

    settings.ENCRYPTION_KEYS = [OLD_KEY]
    for number in range(5):
        make_referral(service=service, name=f"Person {number}")
    settings.ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    counts = {c.table + "." + c.column: c for c in reseal_all(dry_run=False, chunk_size=2)}
    settings.ENCRYPTION_KEYS = [NEW_KEY]

    assert counts["casework_person.name"].resealed == 5
    assert sorted(p.name for p in Person.objects.all()) == [f"Person {n}" for n in range(5)]

"""Correcting the record: audited before and after (sealed), shown in the subject access
export; a person's request to erase carried out as retention does."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from bridgeway.accounts.models import User
from bridgeway.casework.models import AuditEntry, Person, PersonCorrection, PersonIndex, Referral
from bridgeway.casework.people_selectors import people_search
from bridgeway.casework.selectors import subject_access_data
from bridgeway.casework.tests.factories import make_referral, make_report
from bridgeway.directory.models import Service

pytestmark = pytest.mark.django_db


def _edit_form(person: Person, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": person.name,
        "phone": person.phone,
        "email": person.email,
        "postcode": person.postcode,
        "channels": ["phone"],
        "times": "",
        "ethnic_group": person.ethnic_group,
        "age_band": person.age_band,
        "sex": person.sex,
        "sexual_orientation": person.sexual_orientation,
        "religion": person.religion,
        "disability_status": person.disability_status,
    }
    data.update(overrides)
    return data


@pytest.fixture
def referral(service: Service) -> Referral:
    return make_referral(service=service, name="Ana Kowalska", ethnic_group="not_asked")


def test_a_not_asked_answer_becomes_an_answer_audited_before_and_after(
    practitioner_client: Client, practitioner: User, referral: Referral
) -> None:
    url = reverse("casework:person-edit", args=[referral.reference])
    page = practitioner_client.get(url).content.decode()
    assert "Ana Kowalska" in page

    response = practitioner_client.post(
        url,
        _edit_form(
            referral.person,
            name="Anna Kowalska",
            ethnic_group="white_other",
            requested_by_person="on",
        ),
    )

    assert response.status_code == 302
    person = Person.objects.get(pk=referral.person_id)
    assert person.name == "Anna Kowalska"
    assert person.ethnic_group == "white_other"
    correction = PersonCorrection.objects.get()
    assert correction.requested_by_person
    changes = json.loads(correction.changes)
    assert changes["name"] == ["Ana Kowalska", "Anna Kowalska"]
    assert changes["ethnic_group"] == ["not_asked", "white_other"]
    # Sealed at rest; the audit entry names the fields and holds no personal data.
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes FROM casework_personcorrection")
        assert "Kowalska" not in str(cursor.fetchall())
    entry = AuditEntry.objects.get(action="person.correct")
    assert entry.actor == practitioner
    assert "name" in entry.detail["fields"]
    assert "Kowalska" not in json.dumps(entry.detail)
    # The index follows the correction.
    assert people_search([person.organisation_id], "Anna Kowalska")


def test_the_subject_access_export_shows_the_history(
    practitioner_client: Client, referral: Referral
) -> None:
    practitioner_client.post(
        reverse("casework:person-edit", args=[referral.reference]),
        _edit_form(referral.person, sex="female"),
    )
    data = subject_access_data(referral.reference)
    assert data["history"][0]["changes"]["sex"] == ["not_asked", "female"]


def test_bad_corrections_name_the_field_and_change_nothing(
    practitioner_client: Client, referral: Referral
) -> None:
    url = reverse("casework:person-edit", args=[referral.reference])
    cases: list[tuple[dict[str, object], str]] = [
        ({"ethnic_group": "nonsense"}, "ethnic_group"),
        ({"channels": ["email"], "email": ""}, "email"),
        ({"date_of_birth": "99/99/2000"}, "date_of_birth"),
        ({"postcode": "12345"}, "postcode"),
    ]
    for overrides, field in cases:
        response = practitioner_client.post(url, _edit_form(referral.person, **overrides))
        assert response.status_code == 400
        assert field in response.context["form"].errors
    assert not PersonCorrection.objects.exists()
    assert Person.objects.get(pk=referral.person_id).name == "Ana Kowalska"


def test_an_outsider_cannot_see_or_edit_the_record(
    outsider_client: Client, referral: Referral
) -> None:
    url = reverse("casework:person-edit", args=[referral.reference])
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, _edit_form(referral.person, name="X")).status_code == 404
    assert Person.objects.get(pk=referral.person_id).name == "Ana Kowalska"


def test_an_anonymous_reports_district_is_kept_when_correcting(
    practitioner_client: Client, reporting_centre, practitioner: User
) -> None:
    from bridgeway.accounts.models import Membership

    Membership.objects.create(
        user=practitioner, organisation=reporting_centre, role=Membership.Role.PRACTITIONER
    )
    referral, _code = make_report(organisation=reporting_centre, is_anonymous=True)
    person = referral.person
    response = practitioner_client.post(
        reverse("casework:person-edit", args=[referral.reference]),
        _edit_form(person, channels=["none"], age_band="25_34"),
    )
    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert person.age_band == "25_34"


def test_erasure_at_the_persons_request_only_by_an_admin(
    practitioner_client: Client, admin_client_of_organisation: Client, referral: Referral
) -> None:
    url = reverse("casework:person-erase", args=[referral.reference])
    assert practitioner_client.post(url, {"confirm": "yes"}).status_code == 403
    admin_client_of_organisation.post(url, {})  # not confirmed: nothing happens
    assert Person.objects.get(pk=referral.person_id).name == "Ana Kowalska"
    admin_client_of_organisation.post(
        reverse("casework:person-edit", args=[referral.reference]),
        _edit_form(referral.person, name="Ana K"),
    )
    admin_client_of_organisation.post(url, {"confirm": "yes"})

    referral.refresh_from_db()
    assert referral.stage == "closed"
    assert referral.anonymised_at is not None
    assert referral.narrative == ""
    person = Person.objects.get(pk=referral.person_id)
    assert (person.name, person.phone, person.email) == ("", "", "")
    assert not PersonIndex.objects.filter(person=person).exists()
    kinds = list(PersonCorrection.objects.values_list("kind", "changes"))
    assert kinds == [("correction", ""), ("erasure", "")]
    assert AuditEntry.objects.filter(action="person.erase").count() == 1

"""People found once: blind indexes, search, likely duplicates on intake, merge and undo."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridgeway.accounts.models import Organisation, User
from bridgeway.casework.models import AuditEntry, Consent, Person, PersonIndex, Referral
from bridgeway.casework.people_selectors import duplicate_suggestions, people_search
from bridgeway.casework.services.merge import person_merge, person_merge_undo
from bridgeway.casework.tests.factories import make_referral
from bridgeway.directory.models import Service

pytestmark = pytest.mark.django_db

SEARCH = reverse("casework:people-search")
INTAKE = reverse("casework:intake")


def _intake_form(service: Service, **overrides: str | list[str]) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "service": str(service.pk),
        "channel": "phone",
        "received_on": timezone.localdate().strftime("%d/%m/%Y"),
        "name": "Mohammad Husain",
        "date_of_birth": "14/02/1988",
        "phone": "+44 7700 900982",
        "channels": ["phone"],
        "harm_types": ["hate_crime"],
        "ethnic_group": "not_asked",
        "age_band": "not_asked",
        "sex": "not_asked",
        "sexual_orientation": "not_asked",
        "religion": "not_asked",
        "disability_status": "not_asked",
    }
    data.update(overrides)
    return data


@pytest.fixture
def earlier(service: Service) -> Referral:
    return make_referral(
        service=service, name="Muhammad Hussain", phone="07700 900982", date_of_birth="1988-02-14"
    )


def test_the_index_holds_no_plaintext(earlier: Referral) -> None:
    rows = list(PersonIndex.objects.values_list("kind", "digest"))
    assert {kind for kind, _d in rows} == {"name", "phone", "email", "birth"}
    dumped = str(rows).casefold()
    for clear in ("hussain", "hsn", "mhmd", "07700", "1988"):
        assert clear not in dumped
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone, date_of_birth FROM casework_person")
        assert "Hussain" not in str(cursor.fetchall())


@pytest.mark.parametrize(
    "query",
    [
        "mohammed hussein",
        "MUHAMAD   HUSAIN",
        "Hussain",
        "14/02/1988",
        "1988-02-14",
        "07700900982",
        "+44 (0)7700 900 982".replace("(0)", ""),
    ],
)
def test_a_person_is_found_by_any_spelling_or_detail(
    earlier: Referral, organisation: Organisation, query: str
) -> None:
    found = people_search([organisation.pk], query)
    assert [m.person.pk for m in found] == [earlier.person_id]


def test_search_is_by_reference_too_and_never_crosses_organisations(
    earlier: Referral, organisation: Organisation, other_organisation: Organisation
) -> None:
    assert [m.person.pk for m in people_search([organisation.pk], earlier.reference)] == [
        earlier.person_id
    ]
    assert people_search([other_organisation.pk], "Mohammed Hussain") == []
    assert people_search([other_organisation.pk], earlier.reference) == []


def test_the_search_page_lists_the_persons_cases_and_audits_without_the_query(
    practitioner_client: Client, outsider_client: Client, earlier: Referral
) -> None:
    page = practitioner_client.get(SEARCH, {"q": "Mohamed Husein"}).content.decode()
    assert earlier.reference in page
    entry = AuditEntry.objects.filter(action="person.search").last()
    assert entry is not None
    assert "Husein" not in str(entry.detail)
    assert (
        earlier.reference
        not in outsider_client.get(SEARCH, {"q": "Mohamed Husein"}).content.decode()
    )


def test_an_empty_or_overlong_search_is_refused_by_name(practitioner_client: Client) -> None:
    response = practitioner_client.get(SEARCH, {"q": "x" * 201})
    assert response.status_code == 400
    assert "200 characters" in response.content.decode()


def test_likely_duplicates_are_shown_before_a_new_person_is_made(
    practitioner_client: Client, service: Service, earlier: Referral
) -> None:
    response = practitioner_client.post(INTAKE, _intake_form(service))

    assert response.status_code == 200
    assert earlier.reference in response.content.decode()
    assert Referral.objects.count() == 1
    # The practitioner says it is the same person: one person, two cases, merge audited.
    response = practitioner_client.post(
        INTAKE, _intake_form(service, same_person=str(earlier.person_id))
    )
    assert response.status_code == 302
    assert Referral.objects.count() == 2
    assert set(Referral.objects.values_list("person_id", flat=True)) == {earlier.person_id}
    assert AuditEntry.objects.filter(action="person.merge").count() == 1


def test_someone_new_is_made_when_the_practitioner_says_so(
    practitioner_client: Client, service: Service, earlier: Referral
) -> None:
    response = practitioner_client.post(INTAKE, _intake_form(service, same_person="new"))
    assert response.status_code == 302
    assert Person.objects.filter(merged_into__isnull=True).count() == 2


def test_a_made_up_choice_of_person_is_refused(
    practitioner_client: Client, service: Service, earlier: Referral, other_service: Service
) -> None:
    stranger = make_referral(service=other_service, phone="07700 900982")
    response = practitioner_client.post(
        INTAKE, _intake_form(service, same_person=str(stranger.person_id))
    )
    assert response.status_code == 400
    assert "same_person" in response.context["form"].errors
    assert Referral.objects.count() == 2


def test_a_shared_name_alone_is_not_a_likely_duplicate(
    service: Service, organisation: Organisation, earlier: Referral
) -> None:
    assert duplicate_suggestions(organisation.pk, name="Mohammed Hussain") == []
    found = duplicate_suggestions(
        organisation.pk, name="Mohammed Hussain", date_of_birth="1988-02-14"
    )
    assert [m.person.pk for m in found] == [earlier.person_id]


def test_merge_moves_cases_and_consents_and_an_admin_can_undo_it(
    service: Service, practitioner: User, organisation_admin: User, earlier: Referral
) -> None:
    later = make_referral(service=service, name="Mo Hussain")
    Consent.objects.create(
        person_id=later.person_id,
        scope=Consent.Scope.POLICE,
        recipient_police_force_area_id="E23000010",
        given_at=timezone.now(),
        given_how=Consent.GivenHow.PHONE,
    )
    merged_person = later.person
    merge = person_merge(actor=practitioner, kept=earlier.person, merged=merged_person)

    later.refresh_from_db()
    assert later.person_id == earlier.person_id
    assert Consent.objects.get().person_id == earlier.person_id
    assert not PersonIndex.objects.filter(person=merged_person).exists()
    with pytest.raises(PermissionDenied):
        person_merge_undo(actor=practitioner, merge=merge)

    person_merge_undo(actor=organisation_admin, merge=merge)

    later.refresh_from_db()
    assert later.person_id == merged_person.pk
    assert Consent.objects.get().person_id == merged_person.pk
    assert PersonIndex.objects.filter(person=merged_person).exists()
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "person.merge" in actions
    assert "person.merge_undo" in actions


def test_records_of_two_organisations_are_never_merged(
    service: Service, other_service: Service, practitioner: User, earlier: Referral
) -> None:
    theirs = make_referral(service=other_service)
    with pytest.raises((ValidationError, PermissionDenied)):
        person_merge(actor=practitioner, kept=earlier.person, merged=theirs.person)
    theirs.refresh_from_db()
    assert theirs.person.merged_into_id is None


def test_the_merge_page_refuses_another_organisations_case(
    practitioner_client: Client,
    outsider_client: Client,
    service: Service,
    other_service: Service,
    earlier: Referral,
) -> None:
    theirs = make_referral(service=other_service)
    url = reverse("casework:person-merge", args=[earlier.reference])
    response = practitioner_client.post(url, {"into": theirs.reference})
    assert response.status_code == 400
    assert "into" in response.context["form"].errors
    assert outsider_client.post(url, {"into": theirs.reference}).status_code == 404
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_the_merge_page_merges_and_an_admin_undoes_it(
    practitioner_client: Client,
    admin_client_of_organisation: Client,
    service: Service,
    earlier: Referral,
) -> None:
    later = make_referral(service=service)
    response = practitioner_client.post(
        reverse("casework:person-merge", args=[later.reference]), {"into": earlier.reference}
    )
    assert response.status_code == 302
    later.refresh_from_db()
    assert later.person_id == earlier.person_id
    practitioner_client.post(reverse("casework:person-merge-undo", args=[earlier.reference]))
    later.refresh_from_db()
    assert later.person_id == earlier.person_id  # a practitioner cannot undo
    admin_client_of_organisation.post(
        reverse("casework:person-merge-undo", args=[earlier.reference])
    )
    later.refresh_from_db()
    assert later.person_id != earlier.person_id


def test_a_future_or_unreal_date_of_birth_is_refused(
    practitioner_client: Client, service: Service
) -> None:
    future = (timezone.localdate() + dt.timedelta(days=2)).strftime("%d/%m/%Y")
    response = practitioner_client.post(INTAKE, _intake_form(service, date_of_birth=future))
    assert response.status_code == 400
    assert "date_of_birth" in response.context["form"].errors
    response = practitioner_client.post(INTAKE, _intake_form(service, date_of_birth="30/02/1990"))
    assert "date_of_birth" in response.context["form"].errors
    assert not Referral.objects.exists()


def test_reindexing_under_a_new_key_finds_people_again(
    earlier: Referral, organisation: Organisation, settings: object
) -> None:
    settings.BLIND_INDEX_KEY = "a-new-key-after-rotation"  # type: ignore[attr-defined]
    assert people_search([organisation.pk], "Mohammed Hussain") == []
    out = io.StringIO()
    call_command("reindex_people", stdout=out)
    assert "indexed 1 people" in out.getvalue()
    assert [m.person.pk for m in people_search([organisation.pk], "Mohammed Hussain")] == [
        earlier.person_id
    ]

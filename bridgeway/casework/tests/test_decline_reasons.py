"""Declining a referral takes a reason from a short list and suggests other services."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from bridgeway.accounts.models import Organisation, User
from bridgeway.casework.models import AuditEntry, CaseEvent, Referral
from bridgeway.casework.services import referral_advance
from bridgeway.conftest import sign_in
from bridgeway.directory.tests.factories import NationalServiceFactory

pytestmark = pytest.mark.django_db


def _offered(referral: Referral, practitioner: User) -> Referral:
    for stage in ("contacted", "assessed", "offered"):
        referral_advance(referral=referral, stage=stage, actor=practitioner)
    return referral


def _advance(client: Client, referral: Referral, **data: str) -> object:
    return client.post(reverse("casework:referral-advance", args=[referral.reference]), data)


# --- the service ------------------------------------------------------------------------------


def test_declining_keeps_the_reason_and_audits_it(referral: Referral, practitioner: User) -> None:
    referral_advance(
        referral=referral, stage="declined", actor=practitioner, decline_reason="outside_area"
    )
    referral_advance(referral=referral, stage="closed", actor=practitioner)

    referral.refresh_from_db()
    assert (referral.stage, referral.decline_reason) == ("closed", "outside_area")
    detail = AuditEntry.objects.filter(action="referral.advance", object_id=str(referral.pk))
    assert {"stage": "declined", "decline_reason": "outside_area"} in [e.detail for e in detail]


@pytest.mark.parametrize(
    ("stage", "reason", "message"),
    [
        ("declined", "", "Choose why the referral is declined."),
        ("declined", "too_busy", "Choose why the referral is declined from the list."),
        ("declined", None, "Choose why the referral is declined."),
        ("contacted", "service_full", "only when declining"),
    ],
)
def test_a_bad_reason_is_refused_and_changes_nothing(
    referral: Referral, practitioner: User, stage: str, reason: str, message: str
) -> None:
    events = CaseEvent.objects.count()

    with pytest.raises(ValidationError) as error:
        referral_advance(referral=referral, stage=stage, actor=practitioner, decline_reason=reason)

    assert message in " ".join(error.value.message_dict["decline_reason"])
    referral.refresh_from_db()
    assert (referral.stage, referral.decline_reason) == ("referred", "")
    assert CaseEvent.objects.count() == events


# --- the page ---------------------------------------------------------------------------------


def test_the_page_asks_for_a_reason_and_says_so_when_none_is_given(
    practitioner_client: Client, referral: Referral
) -> None:
    page = practitioner_client.get(
        reverse("casework:referral-detail", args=[referral.reference])
    ).content.decode()
    assert "Why it is declined" in page
    assert "The service is full" in page

    response = _advance(practitioner_client, referral, stage="declined")

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Choose why the referral is declined." in response.content.decode()  # type: ignore[attr-defined]
    referral.refresh_from_db()
    assert referral.stage == "referred"


def test_a_reason_from_outside_the_list_is_refused_on_the_page(
    practitioner_client: Client, referral: Referral
) -> None:
    response = _advance(practitioner_client, referral, stage="declined", decline_reason="<b>x</b>")

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "from the list" in response.content.decode()  # type: ignore[attr-defined]
    referral.refresh_from_db()
    assert referral.stage == "referred"


def test_declined_as_outside_the_area_suggests_other_services(
    practitioner_client: Client, referral: Referral, other_organisation: Organisation
) -> None:
    NationalServiceFactory(organisation=other_organisation, name="National Hate Crime Line")

    response = _advance(
        practitioner_client, referral, stage="declined", decline_reason="outside_area"
    )
    assert response.status_code == 302  # type: ignore[attr-defined]

    page = practitioner_client.get(
        reverse("casework:referral-detail", args=[referral.reference])
    ).content.decode()
    assert "Outside the area we cover" in page
    assert "Other services that may help" in page
    assert "National Hate Crime Line" in page


def test_no_services_are_suggested_to_someone_who_withdrew(
    practitioner_client: Client,
    referral: Referral,
    practitioner: User,
    other_organisation: Organisation,
) -> None:
    NationalServiceFactory(organisation=other_organisation, name="National Hate Crime Line")
    _offered(referral, practitioner)

    _advance(practitioner_client, referral, stage="declined", decline_reason="person_withdrew")

    page = practitioner_client.get(
        reverse("casework:referral-detail", args=[referral.reference])
    ).content.decode()
    assert "The person withdrew or did not want support" in page
    assert "Other services that may help" not in page


def test_another_organisation_cannot_decline(outsider_client: Client, referral: Referral) -> None:
    response = _advance(outsider_client, referral, stage="declined", decline_reason="other")

    assert response.status_code == 404  # type: ignore[attr-defined]
    referral.refresh_from_db()
    assert (referral.stage, referral.decline_reason) == ("referred", "")


def test_the_page_in_welsh_names_the_reasons_in_welsh(
    practitioner: User, referral: Referral
) -> None:
    practitioner.language = "cy"
    practitioner.save(update_fields=["language"])
    client = sign_in(Client(), practitioner)
    response = _advance(client, referral, stage="declined")

    page = response.content.decode()  # type: ignore[attr-defined]
    assert "Dewiswch pam mae’r atgyfeiriad yn cael ei wrthod." in page  # noqa: RUF001
    assert "Mae’r gwasanaeth yn llawn" in page  # noqa: RUF001

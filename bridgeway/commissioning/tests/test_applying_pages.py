"""The applying pages: drafts, documents served only to those who may see them (and
audited), late submission, withdrawal, and other organisations' ids (decision 0137)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridgeway.accounts.models import Membership
from bridgeway.casework.models import AuditEntry
from bridgeway.commissioning.models import Application, Attachment
from bridgeway.commissioning.services.applying import application_draft_submit
from bridgeway.commissioning.services.reviews import conflict_declare, reviewer_assign
from bridgeway.commissioning.tests.conftest import member
from bridgeway.commissioning.tests.test_applying import PDF
from bridgeway.conftest import WEST_YORKSHIRE, sign_in


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _draft_post(client, funding_round, organisation, **extra):
    data = {"applicant": organisation.pk, "summary": "Two mentors.", "action": "draft"}
    data.update(extra)
    return client.post(reverse("commissioning:apply", args=[funding_round.id]), data)


def _draft(client, funding_round, organisation) -> Application:
    response = _draft_post(
        client, funding_round, organisation, amount_requested="12000", areas_served=WEST_YORKSHIRE
    )
    assert response.status_code == 302
    return Application.objects.get()


def test_a_draft_is_saved_and_its_page_returns_to_it(
    funding_round, organisation, admin_client_of_organisation
):
    response = _draft_post(admin_client_of_organisation, funding_round, organisation)

    application = Application.objects.get()
    assert application.status == Application.Status.DRAFT
    assert response["Location"] == reverse("commissioning:draft", args=[application.id])
    page = admin_client_of_organisation.get(response["Location"]).content.decode()
    assert "Two mentors." in page
    assert "Only your organisation sees a draft" in page


def test_sending_an_incomplete_draft_names_each_missing_field(
    funding_round, organisation, admin_client_of_organisation
):
    response = _draft_post(
        admin_client_of_organisation, funding_round, organisation, action="submit"
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the amount you are asking for." in page
    assert "Choose at least one area your work would reach." in page
    assert Application.objects.get().status == Application.Status.DRAFT


def test_a_complete_application_is_sent(funding_round, organisation, admin_client_of_organisation):
    response = _draft_post(
        admin_client_of_organisation,
        funding_round,
        organisation,
        amount_requested="12000",
        areas_served=WEST_YORKSHIRE,
        dei_leadership="groups",
        dei_leadership_codes=["DEI010000"],
        action="submit",
    )

    assert response.status_code == 302
    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED
    assert application.dei_answers.get(area="leadership").taxonomy_codes == ["DEI010000"]
    assert application.dei_answers.get(area="mission").reply == "no_reply"


def test_the_office_gets_404_for_a_draft(
    funding_round, organisation, admin_client_of_organisation, commissioner_client
):
    application = _draft(admin_client_of_organisation, funding_round, organisation)

    page = commissioner_client.get(reverse("commissioning:round", args=[funding_round.id]))
    assert "Two mentors." not in page.content.decode()
    assert (
        commissioner_client.get(
            reverse("commissioning:application", args=[application.id])
        ).status_code
        == 404
    )


def test_sending_after_the_close_is_refused_with_a_message(
    funding_round, organisation, admin_client_of_organisation
):
    application = _draft(admin_client_of_organisation, funding_round, organisation)
    # The round closed between loading the page and sending it.
    funding_round.opens_on = timezone.localdate() - dt.timedelta(days=30)
    funding_round.closes_on = timezone.localdate() - dt.timedelta(days=1)
    funding_round.save()

    response = admin_client_of_organisation.post(
        reverse("commissioning:draft", args=[application.id]),
        {
            "applicant": organisation.pk,
            "summary": "Two mentors.",
            "amount_requested": "12000",
            "areas_served": WEST_YORKSHIRE,
            "action": "submit",
        },
    )

    assert response.status_code == 400
    assert "This round closed at the end of" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_a_pdf_is_attached_and_a_wrong_file_refused(
    funding_round, organisation, admin_client_of_organisation
):
    application = _draft(admin_client_of_organisation, funding_round, organisation)
    url = reverse("commissioning:attach", args=[application.id])

    bad = admin_client_of_organisation.post(
        url, {"kind": "accounts", "file": SimpleUploadedFile("accounts.pdf", b"MZ not a pdf")}
    )
    good = admin_client_of_organisation.post(
        url, {"kind": "accounts", "file": SimpleUploadedFile("accounts.pdf", PDF)}
    )

    assert bad.status_code == 400
    assert "This file is none of these." in bad.content.decode()
    assert good.status_code == 302
    assert Attachment.objects.get().content_type == "application/pdf"


def test_documents_are_served_to_the_organisation_office_and_reviewer_and_audited(
    funding_round,
    organisation,
    organisation_admin,
    admin_client_of_organisation,
    commissioner,
    commissioner_client,
    outsider_client,
    other_commissioner_client,
    commissioner_office,
):
    application = _draft(admin_client_of_organisation, funding_round, organisation)
    admin_client_of_organisation.post(
        reverse("commissioning:attach", args=[application.id]),
        {"kind": "accounts", "file": SimpleUploadedFile("accounts.pdf", PDF)},
    )
    document = Attachment.objects.get()
    url = reverse("commissioning:attachment", args=[application.id, document.id])
    conflicted = member(commissioner_office, Membership.Role.ANALYST)
    clear = member(commissioner_office, Membership.Role.ANALYST)
    reviewer_assign(funding_round=funding_round, reviewer=conflicted, actor=commissioner)
    reviewer_assign(funding_round=funding_round, reviewer=clear, actor=commissioner)

    # While a draft, only the organisation has it.
    assert commissioner_client.get(url).status_code == 404
    own = admin_client_of_organisation.get(url)
    assert own.status_code == 200
    assert own.content == PDF
    assert own["Content-Type"] == "application/pdf"

    application_draft_submit(application=application, actor=organisation_admin)
    conflict_declare(
        application=application, reviewer=conflicted, has_conflict=True, note="Trustee"
    )
    conflict_declare(application=application, reviewer=clear, has_conflict=False)

    assert commissioner_client.get(url).status_code == 200
    assert sign_in(Client(), clear).get(url).status_code == 200
    assert sign_in(Client(), conflicted).get(url).status_code == 404
    assert outsider_client.get(url).status_code == 404
    assert other_commissioner_client.get(url).status_code == 404
    assert AuditEntry.objects.filter(action="commissioning.attachment_downloaded").count() == 3


def test_another_organisations_ids_are_404(
    funding_round, organisation, admin_client_of_organisation, other_organisation
):
    application = _draft(admin_client_of_organisation, funding_round, organisation)
    admin_client_of_organisation.post(
        reverse("commissioning:attach", args=[application.id]),
        {"kind": "accounts", "file": SimpleUploadedFile("accounts.pdf", PDF)},
    )
    document = Attachment.objects.get()
    stranger = sign_in(Client(), member(other_organisation, Membership.Role.ORGANISATION_ADMIN))

    for name, args in [
        ("commissioning:draft", [application.id]),
        ("commissioning:attachment", [application.id, document.id]),
    ]:
        assert stranger.get(reverse(name, args=args)).status_code == 404
    for name, args in [
        ("commissioning:draft", [application.id]),
        ("commissioning:attach", [application.id]),
        ("commissioning:withdraw", [application.id]),
        ("commissioning:attachment_remove", [application.id, document.id]),
    ]:
        assert stranger.post(reverse(name, args=args), {}).status_code == 404
    assert Attachment.objects.count() == 1


def test_withdrawal_from_the_application_page(
    funding_round, organisation, organisation_admin, admin_client_of_organisation
):
    application = _draft(admin_client_of_organisation, funding_round, organisation)
    application_draft_submit(application=application, actor=organisation_admin)
    page = admin_client_of_organisation.get(
        reverse("commissioning:application", args=[application.id])
    )
    assert "Withdraw the application" in page.content.decode()

    response = admin_client_of_organisation.post(
        reverse("commissioning:withdraw", args=[application.id])
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN


def test_the_public_page_gives_the_timetable_and_how_to_apply_in_welsh(funding_round):
    english = Client().get("/en/funding/").content.decode()
    welsh = Client().get("/cy/funding/").content.decode()

    assert "How to apply" in english
    assert funding_round.opens_on.strftime("%Y") in english
    assert "Sut i wneud cais" in welsh
    assert "Yn agor" in welsh


def test_a_withdrawn_application_leaves_moderation_and_cannot_be_awarded(
    funding_round,
    organisation,
    organisation_admin,
    admin_client_of_organisation,
    commissioner_client,
):
    from bridgeway.commissioning.selectors import moderation_rows
    from bridgeway.commissioning.services.applying import application_withdraw

    application = _draft(admin_client_of_organisation, funding_round, organisation)
    application_draft_submit(application=application, actor=organisation_admin)
    application_withdraw(application=application, actor=organisation_admin)

    assert moderation_rows(funding_round)[1] == []
    response = commissioner_client.post(
        reverse("commissioning:decide", args=[application.id]),
        {f"{application.id}-outcome": "awarded"},
    )
    assert response.status_code == 400
    assert "withdrawn or never sent" in response.content.decode()
    assert not hasattr(Application.objects.get(), "decision")

"""Applying in depth: drafts, documents, the DEI questions, the close and withdrawal
(decisions 0137 and 0138)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from bridgeway.casework.models import AuditEntry
from bridgeway.commissioning import attachment_types
from bridgeway.commissioning.models import Application, Attachment, DeiAnswer
from bridgeway.commissioning.selectors import (
    applications_to_review,
    round_applications,
)
from bridgeway.commissioning.services import application_decide, round_remaining_budget
from bridgeway.commissioning.services.applying import (
    MAX_ATTACHMENTS,
    DeiReply,
    DraftContent,
    application_draft_save,
    application_draft_submit,
    application_withdraw,
    attachment_add,
)
from bridgeway.commissioning.services.reviews import reviewer_assign
from bridgeway.conftest import WEST_YORKSHIRE

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office_zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


XLSX = office_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODS = office_zip(
    {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}
)
XLSM = office_zip(
    {
        "[Content_Types].xml": b"<Types/>",
        "xl/workbook.xml": b"<workbook/>",
        "xl/vbaProject.bin": b"macro",
    }
)


def complete(**changes) -> DraftContent:
    content = DraftContent(
        summary="A caseworker who speaks Urdu and Panjabi.",
        amount_requested="20000",
        answers=["Two years of weekly drop-ins."],
        area_codes=[WEST_YORKSHIRE],
        communities=["asian_pakistani"],
        dei={"leadership": DeiReply("groups", ["DEI010000"], "Founded by survivors")},
        dei_publish_agreed=True,
    )
    for name, value in changes.items():
        setattr(content, name, value)
    return content


@pytest.fixture
def asking_round(funding_round):
    funding_round.questions = "How long have you worked with these communities?"
    funding_round.save()
    return funding_round


def test_a_draft_is_saved_incomplete_and_returned_to(
    asking_round, organisation, organisation_admin
):
    draft = application_draft_save(
        funding_round=asking_round,
        applicant=organisation,
        actor=organisation_admin,
        content=DraftContent(summary="Half a thought"),
    )
    again = application_draft_save(
        funding_round=asking_round,
        applicant=organisation,
        actor=organisation_admin,
        content=complete(),
        application=draft,
    )

    again.refresh_from_db()
    assert again.pk == draft.pk
    assert again.status == Application.Status.DRAFT
    assert again.amount_requested == Decimal("20000.00")
    assert again.answers[0]["answer"] == "Two years of weekly drop-ins."
    assert [a.code for a in again.areas_served.all()] == [WEST_YORKSHIRE]


def test_an_incomplete_draft_is_refused_naming_each_missing_field(
    asking_round, organisation, organisation_admin
):
    draft = application_draft_save(
        funding_round=asking_round,
        applicant=organisation,
        actor=organisation_admin,
        content=DraftContent(summary="Only a summary"),
    )

    with pytest.raises(ValidationError) as refused:
        application_draft_submit(application=draft, actor=organisation_admin)

    assert set(refused.value.message_dict) == {"amount_requested", "answer_1", "areas_served"}
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT
    assert draft.submitted_at is None


def test_a_draft_is_invisible_to_the_office_and_reviewers(
    asking_round, organisation, organisation_admin, commissioner, analyst
):
    draft = application_draft_save(
        funding_round=asking_round,
        applicant=organisation,
        actor=organisation_admin,
        content=complete(),
    )
    reviewer_assign(funding_round=asking_round, reviewer=analyst, actor=commissioner)

    assert list(round_applications(asking_round)) == []
    assert applications_to_review(analyst) == []

    application_draft_submit(application=draft, actor=organisation_admin)

    assert list(round_applications(asking_round)) == [draft]
    assert [a for a, _d in applications_to_review(analyst)] == [draft]


def test_submission_after_the_close_is_refused_by_the_server_clock(
    asking_round, organisation, organisation_admin
):
    draft = application_draft_save(
        funding_round=asking_round,
        applicant=organisation,
        actor=organisation_admin,
        content=complete(),
    )
    just_after = asking_round.closes_at + dt.timedelta(seconds=1)
    just_before = asking_round.closes_at - dt.timedelta(seconds=1)

    with pytest.raises(ValidationError) as refused:
        application_draft_submit(application=draft, actor=organisation_admin, at=just_after)

    assert "closed at the end of" in refused.value.message_dict["funding_round"][0]
    application_draft_submit(application=draft, actor=organisation_admin, at=just_before)
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED


def test_the_close_is_the_end_of_the_day_in_london(funding_round):
    funding_round.closes_on = dt.date(2027, 6, 30)  # British Summer Time: UTC+1

    assert funding_round.closes_at == dt.datetime(2027, 6, 30, 23, 0, tzinfo=dt.UTC)


def test_only_the_organisations_administrators_save_a_draft(
    asking_round, organisation, practitioner
):
    with pytest.raises(PermissionDenied):
        application_draft_save(
            funding_round=asking_round,
            applicant=organisation,
            actor=practitioner,
            content=complete(),
        )


def test_withdrawal_before_the_close_leaves_review_and_the_budget(
    asking_round, organisation, organisation_admin, commissioner, analyst
):
    draft = application_draft_save(
        funding_round=asking_round,
        applicant=organisation,
        actor=organisation_admin,
        content=complete(),
    )
    application_draft_submit(application=draft, actor=organisation_admin)
    reviewer_assign(funding_round=asking_round, reviewer=analyst, actor=commissioner)

    application_withdraw(application=draft, actor=organisation_admin)

    draft.refresh_from_db()
    assert draft.status == Application.Status.WITHDRAWN
    assert draft.withdrawn_at
    assert applications_to_review(analyst) == []
    with pytest.raises(ValidationError):
        application_decide(application=draft, actor=commissioner, outcome="awarded", feedback="")
    assert round_remaining_budget(asking_round) == asking_round.amount_available
    assert AuditEntry.objects.filter(action="commissioning.application_withdrawn").count() == 1


def test_withdrawal_after_the_close_is_refused(asking_round, organisation, organisation_admin):
    draft = application_draft_save(
        funding_round=asking_round,
        applicant=organisation,
        actor=organisation_admin,
        content=complete(),
    )
    application_draft_submit(application=draft, actor=organisation_admin)

    with pytest.raises(ValidationError):
        application_withdraw(
            application=draft,
            actor=organisation_admin,
            at=asking_round.closes_at + dt.timedelta(minutes=1),
        )
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED


def test_dei_questions_keep_not_asked_skipped_and_prefer_not_to_say_apart(
    asking_round, organisation, organisation_admin
):
    asking_round.asks_dei_leadership = True
    asking_round.asks_dei_mission = True
    asking_round.asks_dei_project = False
    asking_round.save()
    draft = application_draft_save(
        funding_round=asking_round,
        applicant=organisation,
        actor=organisation_admin,
        content=complete(dei={"leadership": DeiReply("prefer_not", ["DEI010000"])}),
    )
    application_draft_submit(application=draft, actor=organisation_admin)

    answers = {a.area: a for a in DeiAnswer.objects.filter(application=draft)}
    assert answers["leadership"].reply == "prefer_not"
    assert answers["leadership"].taxonomy_codes == []  # only kept with a choice of groups
    assert answers["mission"].reply == "no_reply"  # asked, skipped
    assert "project" not in answers  # not asked


def test_a_dei_answer_of_groups_needs_a_group(asking_round, organisation, organisation_admin):
    with pytest.raises(ValidationError) as refused:
        application_draft_save(
            funding_round=asking_round,
            applicant=organisation,
            actor=organisation_admin,
            content=complete(dei={"leadership": DeiReply("groups", [])}),
        )
    assert "dei_leadership_codes" in refused.value.message_dict


def test_documents_are_typed_by_their_content(
    asking_round, organisation, organisation_admin, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    draft = application_draft_save(
        funding_round=asking_round,
        applicant=organisation,
        actor=organisation_admin,
        content=complete(),
    )

    pdf = attachment_add(application=draft, actor=organisation_admin, kind="accounts", data=PDF)
    sheet = attachment_add(application=draft, actor=organisation_admin, kind="budget", data=ODS)

    assert pdf.content_type == "application/pdf"
    assert sheet.content_type == attachment_types.ODS
    assert pdf.file.name
    assert default_storage.open(pdf.file.name).read() == PDF
    assert pdf.file.name.startswith("commissioning/")
    assert pdf.file.name.endswith(".pdf")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"MZ\x90\x00 an executable named accounts.pdf", "PDF, Word"),
        (XLSM, "PDF, Word"),
        (b"", "empty"),
        (b"%PDF-" + b"0" * attachment_types.MAX_BYTES, "smaller than 10 MB"),
    ],
    ids=["wrong type", "macro workbook", "empty", "too large"],
)
def test_a_wrong_document_is_refused_and_nothing_stored(
    asking_round, organisation, organisation_admin, settings, tmp_path, data, words
):
    settings.MEDIA_ROOT = tmp_path
    draft = application_draft_save(
        funding_round=asking_round,
        applicant=organisation,
        actor=organisation_admin,
        content=complete(),
    )

    with pytest.raises(ValidationError) as refused:
        attachment_add(application=draft, actor=organisation_admin, kind="accounts", data=data)

    assert words in refused.value.message_dict["file"][0]
    assert Attachment.objects.count() == 0
    assert not list(tmp_path.rglob("*.*"))


def test_documents_are_limited_in_number(
    asking_round, organisation, organisation_admin, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    draft = application_draft_save(
        funding_round=asking_round,
        applicant=organisation,
        actor=organisation_admin,
        content=complete(),
    )
    for _n in range(MAX_ATTACHMENTS):
        attachment_add(application=draft, actor=organisation_admin, kind="other", data=XLSX)

    with pytest.raises(ValidationError) as refused:
        attachment_add(application=draft, actor=organisation_admin, kind="other", data=PDF)
    assert "up to 10" in refused.value.message_dict["file"][0]


def test_documents_cannot_be_added_once_sent(
    asking_round, organisation, organisation_admin, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    draft = application_draft_save(
        funding_round=asking_round,
        applicant=organisation,
        actor=organisation_admin,
        content=complete(),
    )
    application_draft_submit(application=draft, actor=organisation_admin)

    with pytest.raises(ValidationError):
        attachment_add(application=draft, actor=organisation_admin, kind="accounts", data=PDF)


def test_a_practitioner_cannot_add_documents(
    asking_round, organisation, organisation_admin, practitioner
):
    draft = application_draft_save(
        funding_round=asking_round,
        applicant=organisation,
        actor=organisation_admin,
        content=complete(),
    )
    with pytest.raises(PermissionDenied):
        attachment_add(application=draft, actor=practitioner, kind="accounts", data=PDF)


def test_a_round_not_yet_open_takes_no_draft(organisation, organisation_admin, funding_round):
    funding_round.opens_on = timezone.localdate() + dt.timedelta(days=2)
    funding_round.save()

    with pytest.raises(ValidationError):
        application_draft_save(
            funding_round=funding_round,
            applicant=organisation,
            actor=organisation_admin,
            content=complete(),
        )


def test_a_round_chooses_which_dei_questions_it_asks(commissioner_office, commissioner):
    from bridgeway.commissioning.services import funding_round_create, funding_round_update

    terms = {
        "actor": commissioner,
        "title": "Small grants",
        "description": "For small groups.",
        "kind": "grant",
        "opens_on": timezone.localdate(),
        "closes_on": timezone.localdate() + dt.timedelta(days=30),
        "amount_available": "50000",
        "area_codes": [WEST_YORKSHIRE],
    }
    created = funding_round_create(commissioner=commissioner_office, **terms)
    assert created.dei_areas_asked == ["leadership", "mission"]

    changed = funding_round_update(funding_round=created, dei_areas=["project"], **terms)
    assert changed.dei_areas_asked == ["project"]
    with pytest.raises(ValidationError) as refused:
        funding_round_update(funding_round=created, dei_areas=["income"], **terms)
    assert "dei_questions" in refused.value.message_dict

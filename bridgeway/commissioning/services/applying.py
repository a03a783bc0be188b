"""An organisation's application: saved as a draft, documents attached, submitted before
the close by the server's clock, withdrawn before the close (decision 0137), and its
answers to the DEI Data Standard's questions (decision 0138).

Only an administrator of the applying organisation writes here; each write checks it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.access import has_role_in
from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.casework.services import audit_record
from bridgeway.commissioning import attachment_types
from bridgeway.commissioning.dei import POPULATION_GROUPS
from bridgeway.commissioning.models import (
    Application,
    Attachment,
    DeiAnswer,
    FundingRound,
)
from bridgeway.commissioning.services import TEXT_MAX_LENGTH, _amount
from bridgeway.equality.vocabulary import vocabulary
from bridgeway.places.models import PoliceForceArea

# Enough for accounts, a constitution, policies and a budget; more is usually a repeat.
MAX_ATTACHMENTS = 10
ANSWER_MAX_LENGTH = 5_000


@dataclass
class DeiReply:
    """What the organisation said to one DEI question: a ``DeiAnswer.Reply`` value, the
    population groups chosen (with ``groups``) and a few words of lived experience."""

    reply: str = DeiAnswer.Reply.NO_REPLY
    taxonomy_codes: list[str] = field(default_factory=list)
    lived_experience: str = ""


@dataclass
class DraftContent:
    """Everything an application holds; any of it may be empty in a draft."""

    summary: str = ""
    amount_requested: Decimal | int | str | None = None
    answers: Sequence[str] = ()
    area_codes: Sequence[str] = ()
    communities: Sequence[str] = ()
    dei: Mapping[str, DeiReply] = field(default_factory=dict)
    dei_publish_agreed: bool = False


def _require_admin(actor: User, applicant: Organisation | uuid.UUID) -> None:
    if not has_role_in(actor, applicant, [Membership.Role.ORGANISATION_ADMIN]):
        raise PermissionDenied("Only the organisation's administrators may apply for it.")


def closing_message(funding_round: FundingRound) -> str:
    closes = formats.date_format(funding_round.closes_on, "j F Y")
    return _(
        "This round closed at the end of %(date)s, UK time. Applications can no longer be "
        "sent, changed or withdrawn."
    ) % {"date": closes}


def _require_open(funding_round: FundingRound, moment: dt.datetime, field_name: str) -> None:
    if not funding_round.is_published or timezone.localdate(moment) < funding_round.opens_on:
        raise ValidationError({field_name: _("This funding round is not open for applications.")})
    if not funding_round.is_open_at(moment):
        raise ValidationError({field_name: closing_message(funding_round)})


def round_questions(funding_round: FundingRound) -> list[str]:
    return [line.strip() for line in funding_round.questions.splitlines() if line.strip()]


def _dei_checked(
    funding_round: FundingRound, content: DraftContent, errors: dict[str, str]
) -> dict[str, DeiReply]:
    """The replies to the DEI questions the round asks; faults are added to ``errors``."""
    dei: dict[str, DeiReply] = {}
    for area in funding_round.dei_areas_asked:
        reply = content.dei.get(area, DeiReply())
        if reply.reply not in DeiAnswer.Reply.values:
            errors[f"dei_{area}"] = _("Choose one of the answers, or leave it blank.")
            continue
        chosen = list(dict.fromkeys(reply.taxonomy_codes))
        if any(code not in POPULATION_GROUPS for code in chosen):
            errors[f"dei_{area}_codes"] = _("Choose communities from the list.")
        elif reply.reply == DeiAnswer.Reply.GROUPS and not chosen:
            errors[f"dei_{area}_codes"] = _(
                "Choose at least one community, or choose another answer."
            )
        lived = reply.lived_experience.strip()
        if len(lived) > 500:
            errors[f"dei_{area}_lived"] = _("Keep this to 500 characters or fewer.")
        keep_groups = reply.reply == DeiAnswer.Reply.GROUPS
        dei[area] = DeiReply(
            reply=reply.reply,
            taxonomy_codes=chosen if keep_groups else [],
            lived_experience=lived if keep_groups else "",
        )
    return dei


def _content_checked(
    funding_round: FundingRound, content: DraftContent
) -> tuple[dict[str, object], list[PoliceForceArea], dict[str, DeiReply]]:
    """The draft's fields, its areas and its DEI replies, checked for shape (not for being
    complete); a ``ValidationError`` names each field that is wrong."""
    errors: dict[str, str] = {}
    summary = content.summary.strip()
    if len(summary) > TEXT_MAX_LENGTH:
        errors["summary"] = _("Keep the summary to %(limit)d characters or fewer.") % {
            "limit": TEXT_MAX_LENGTH
        }
    amount: Decimal | None = None
    if content.amount_requested not in (None, ""):
        try:
            amount = _amount(content.amount_requested, "amount_requested")
        except ValidationError as error:
            errors["amount_requested"] = error.message_dict["amount_requested"][0]
        else:
            if amount > funding_round.amount_available:
                errors["amount_requested"] = _(
                    "The round has £%(available)s available; ask for that or less."
                ) % {"available": f"{funding_round.amount_available:,.2f}"}
    questions = round_questions(funding_round)
    given = list(content.answers) + [""] * len(questions)
    answers = []
    for number, question in enumerate(questions, start=1):
        text = given[number - 1].strip()
        if len(text) > ANSWER_MAX_LENGTH:
            errors[f"answer_{number}"] = _(
                "Question %(n)d: keep your answer to %(limit)d characters or fewer."
            ) % {"n": number, "limit": ANSWER_MAX_LENGTH}
        answers.append({"question": question, "answer": text})
    covered = {area.code: area for area in funding_round.areas.all()}
    codes = list(dict.fromkeys(content.area_codes))
    outside = [code for code in codes if code not in covered]
    if outside:
        errors["areas_served"] = _("Choose areas this round covers.")
    known = vocabulary("ethnic_groups").codes
    communities = list(dict.fromkeys(content.communities))
    if any(code not in known for code in communities):
        errors["communities_served"] = _("Choose communities from the list.")
    dei = _dei_checked(funding_round, content, errors)
    if errors:
        raise ValidationError(errors)
    fields: dict[str, object] = {
        "summary": summary,
        "amount_requested": amount,
        "answers": answers,
        "communities_served": communities,
        "dei_publish_agreed": bool(content.dei_publish_agreed),
    }
    return fields, [covered[code] for code in codes], dei


@transaction.atomic
def application_draft_save(
    *,
    funding_round: FundingRound,
    applicant: Organisation,
    actor: User,
    content: DraftContent,
    application: Application | None = None,
    at: dt.datetime | None = None,
) -> Application:
    """Save an application as a draft, new or again; nothing in it need be complete.

    A draft is the organisation's alone: the round's office and reviewers never see it.
    Refused after the round's close, and for another organisation's or a sent application.
    """
    if applicant.kind == Organisation.Kind.COMMISSIONER:
        raise ValidationError({"applicant": _("Commissioners' offices cannot apply for funding.")})
    _require_admin(actor, applicant)
    _require_open(funding_round, at or timezone.now(), "funding_round")
    FundingRound.objects.select_for_update().filter(pk=funding_round.pk).first()
    if application is None:
        if Application.objects.filter(funding_round=funding_round, applicant=applicant).exists():
            raise ValidationError(
                {
                    "applicant": _("%(name)s has already applied to this round.")
                    % {"name": applicant.name}
                }
            )
        application = Application(
            funding_round=funding_round, applicant=applicant, status=Application.Status.DRAFT
        )
    else:
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.applicant_id != applicant.pk or application.funding_round_id != (
            funding_round.pk
        ):
            raise PermissionDenied("Not this organisation's application to this round.")
        if not application.is_draft:
            raise ValidationError(
                {"status": _("This application has been sent and can no longer be changed.")}
            )
    fields, areas, dei = _content_checked(funding_round, content)
    for name, value in fields.items():
        setattr(application, name, value)
    application.full_clean(exclude=["areas_served"])
    application.save()
    application.areas_served.set(areas)
    for area, reply in dei.items():
        DeiAnswer.objects.update_or_create(
            application=application,
            area=area,
            defaults={
                "reply": reply.reply,
                "taxonomy_codes": reply.taxonomy_codes,
                "lived_experience": reply.lived_experience,
            },
        )
    # A question the round no longer asks keeps no answer: "not asked" stays "not asked".
    application.dei_answers.exclude(area__in=list(dei)).delete()
    return application


def missing_fields(application: Application) -> dict[str, str]:
    """What a draft still lacks before it can be sent, by field, in the reader's language."""
    missing: dict[str, str] = {}
    if not application.summary.strip():
        missing["summary"] = _("Describe what the money would pay for.")
    if application.amount_requested is None:
        missing["amount_requested"] = _("Enter the amount you are asking for.")
    for number, item in enumerate(application.answers or [], start=1):
        if not str(item.get("answer", "")).strip():
            missing[f"answer_{number}"] = _("Answer question %(n)d: %(question)s") % {
                "n": number,
                "question": item.get("question", ""),
            }
    asked = round_questions(application.funding_round)
    for number in range(len(application.answers or []) + 1, len(asked) + 1):
        missing[f"answer_{number}"] = _("Answer question %(n)d: %(question)s") % {
            "n": number,
            "question": asked[number - 1],
        }
    if not application.areas_served.exists():
        missing["areas_served"] = _("Choose at least one area your work would reach.")
    return missing


@transaction.atomic
def application_draft_submit(
    *, application: Application, actor: User, at: dt.datetime | None = None
) -> Application:
    """Send a complete draft to the round's office, before the close by the server's clock.

    Refused with every missing field named; refused after the close (``at`` is for tests
    and the demo: pages never pass it). Every question the round asks on DEI that has no
    answer yet is recorded as asked and skipped. Audited.
    """
    _require_admin(actor, application.applicant_id)
    funding_round = FundingRound.objects.select_for_update().get(pk=application.funding_round_id)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not locked.is_draft:
        raise ValidationError({"status": _("This application has already been sent.")})
    moment = at or timezone.now()
    _require_open(funding_round, moment, "funding_round")
    missing = missing_fields(locked)
    if missing:
        raise ValidationError(missing)
    for area in funding_round.dei_areas_asked:
        DeiAnswer.objects.get_or_create(application=locked, area=area)
    locked.status = Application.Status.SUBMITTED
    locked.submitted_at = moment
    locked.submitted_by = actor
    locked.full_clean(exclude=["areas_served"])
    locked.save()
    audit_record(
        actor=actor,
        organisation=locked.applicant,
        action="commissioning.application_submitted",
        object_type="funding_application",
        object_id=str(locked.pk),
        detail={"round": str(funding_round.pk), "amount": str(locked.amount_requested)},
    )
    application.status, application.submitted_at = locked.status, locked.submitted_at
    return locked


@transaction.atomic
def application_withdraw(
    *, application: Application, actor: User, at: dt.datetime | None = None
) -> Application:
    """Take a sent application back before the close. It leaves review and can never be
    decided, so nothing is awarded from the budget for it. Audited."""
    _require_admin(actor, application.applicant_id)
    funding_round = FundingRound.objects.select_for_update().get(pk=application.funding_round_id)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status not in {
        Application.Status.SUBMITTED,
        Application.Status.UNDER_REVIEW,
        Application.Status.MORE_INFORMATION,
    }:
        raise ValidationError(
            {"status": _("Only a sent application that is not yet decided can be withdrawn.")}
        )
    moment = at or timezone.now()
    if not funding_round.is_open_at(moment):
        raise ValidationError({"status": closing_message(funding_round)})
    previous = locked.status
    locked.status = Application.Status.WITHDRAWN
    locked.withdrawn_at = moment
    locked.withdrawn_by = actor
    locked.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "updated_at"])
    audit_record(
        actor=actor,
        organisation=locked.applicant,
        action="commissioning.application_withdrawn",
        object_type="funding_application",
        object_id=str(locked.pk),
        detail={"round": str(funding_round.pk), "status_before": previous},
    )
    application.status = locked.status
    return locked


def _refusal(reason: str) -> str:
    megabytes = attachment_types.MAX_BYTES // (1024 * 1024)
    return {
        "empty": _("The file you chose is empty. Choose it again."),
        "size": _("The file must be smaller than %(size)s MB.") % {"size": megabytes},
        "type": _(
            "Send a PDF, Word (.docx), Excel (.xlsx) or OpenDocument (.odt, .ods) file. "
            "This file is none of these."
        ),
    }.get(reason, _("The file could not be read."))


@transaction.atomic
def attachment_add(*, application: Application, actor: User, kind: str, data: bytes) -> Attachment:
    """Keep a document with a draft, in the default storage (the bucket when one is set).

    Its type is read from its bytes (``attachment_types``); a file of another type, an empty
    or too large file, or one more than ``MAX_ATTACHMENTS`` is refused on ``file`` and
    nothing is stored.
    """
    _require_admin(actor, application.applicant_id)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not locked.is_draft:
        raise ValidationError(
            {"file": _("Documents can be added only before the application is sent.")}
        )
    _require_open(locked.funding_round, timezone.now(), "file")
    if kind not in Attachment.Kind.values:
        raise ValidationError({"kind": _("Choose what the document is.")})
    if locked.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "file": _("An application can have up to %(count)d documents.")
                % {"count": MAX_ATTACHMENTS}
            }
        )
    try:
        content_type = attachment_types.document_type(data)
    except attachment_types.Refused as refusal:
        raise ValidationError({"file": _refusal(refusal.reason)}) from refusal
    attachment = Attachment(
        application=locked, kind=kind, content_type=content_type, size=len(data), uploaded_by=actor
    )
    attachment.file.save("upload", ContentFile(data), save=False)
    # If the row cannot be written, the stored file goes too.
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor: User) -> None:
    """Take a document off a draft, and out of storage."""
    application = attachment.application
    _require_admin(actor, application.applicant_id)
    if not application.is_draft:
        raise ValidationError(
            {"file": _("Documents can be removed only before the application is sent.")}
        )
    name = attachment.file.name or ""
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


def attachment_download_record(*, attachment: Attachment, actor: User) -> None:
    """Audit that ``actor`` opened a document (the caller has checked they may)."""
    audit_record(
        actor=actor,
        organisation=attachment.application.applicant,
        action="commissioning.attachment_downloaded",
        object_type="funding_attachment",
        object_id=str(attachment.pk),
        detail={
            "application": str(attachment.application_id),
            "kind": attachment.kind,
            "size": attachment.size,
        },
    )

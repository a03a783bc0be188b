"""Referrals and reports arriving, moving through their stages, and being assigned."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.access import CASEWORK_ROLES, has_role_in
from bridgeway.accounts.models import Organisation, User
from bridgeway.casework.models import (
    CaseEvent,
    ContactPreference,
    Referral,
    Report,
)
from bridgeway.casework.references import (
    new_follow_up_code,
    new_reference,
    normalise_code,
)
from bridgeway.casework.services.audit import audit_record
from bridgeway.casework.services.checks import (
    _bounded_text,
    _checked_codes,
    _received_at,
    _require_caseworker_of,
)
from bridgeway.casework.services.people import (
    NARRATIVE_MAX_LENGTH,
    SHORT_TEXT_MAX_LENGTH,
    ContactDetails,
    PersonDetails,
    _contact_preference_create,
    _person_create,
)
from bridgeway.casework.stages import stage_can_follow
from bridgeway.directory.models import Service
from bridgeway.equality.staff_labels import staff_label
from bridgeway.equality.vocabulary import check_code, vocabulary


def _save_with_reference(referral: Referral) -> None:
    # References are random; on the rare collision, draw again.
    for _attempt in range(5):
        referral.reference = new_reference()
        try:
            with transaction.atomic():
                referral.save(force_insert=True)
            return
        except IntegrityError:
            if not Referral.objects.filter(reference=referral.reference).exists():
                raise
    raise IntegrityError("could not draw an unused reference")


def _narrative(text: str) -> str:
    return _bounded_text(
        text, field_name="narrative", limit=NARRATIVE_MAX_LENGTH, label=_("What happened")
    )


def _stage_event(
    *, referral: Referral, stage: str, actor: User | None, at: dt.datetime
) -> CaseEvent:
    return CaseEvent.objects.create(
        referral=referral, kind=CaseEvent.Kind.STAGE, stage=stage, actor=actor, occurred_at=at
    )


@transaction.atomic
def referral_create(
    *,
    service: Service,
    details: PersonDetails,
    contact: ContactDetails,
    harm_types: list[str] | tuple[str, ...] = (),
    hate_strands: list[str] | tuple[str, ...] = (),
    narrative: str = "",
    channel: str = "self",
    received_at: dt.datetime | None = None,
    actor: User | None = None,
    is_synthetic: bool = False,
) -> Referral:
    """A request for support sent to ``service``'s organisation's inbox."""
    if service.status != Service.Status.ACTIVE:
        raise ValidationError({"service": _("This service is not taking referrals at the moment.")})
    try:
        channel = check_code("referral_channels", channel)
    except ValueError:
        raise ValidationError({"channel": _("Unknown referral channel.")}) from None
    organisation = service.organisation
    # Everything that needs no database is checked before anything is written.
    harms = _checked_codes("harm_types", harm_types, "harm_types")
    strands = _checked_codes("hate_strands", hate_strands, "hate_strands")
    story = _narrative(narrative)
    at = _received_at(received_at)
    person = _person_create(organisation=organisation, details=details, is_synthetic=is_synthetic)
    _contact_preference_create(person=person, contact=contact)
    referral = Referral(
        kind=Referral.Kind.REFERRAL,
        organisation=organisation,
        service=service,
        person=person,
        channel=channel,
        harm_types=harms,
        hate_strands=strands,
        narrative=story,
        stage="referred",
        received_at=at,
        is_synthetic=is_synthetic,
    )
    referral.full_clean(exclude=["reference"])
    _save_with_reference(referral)
    _stage_event(referral=referral, stage="referred", actor=actor, at=at)
    audit_record(
        actor=actor,
        organisation=organisation,
        action="referral.create",
        object_type="referral",
        object_id=str(referral.id),
        detail={"channel": channel},
    )
    return referral


@transaction.atomic
def report_create(
    *,
    organisation: Organisation,
    details: PersonDetails,
    contact: ContactDetails | None,
    is_anonymous: bool,
    harm_types: list[str] | tuple[str, ...] = ("hate_incident",),
    hate_strands: list[str] | tuple[str, ...] = (),
    narrative: str = "",
    incident_date: dt.date | None = None,
    incident_place: str = "",
    wants_police_told: bool = False,
    thinks_crime: str = "",
    received_at: dt.datetime | None = None,
    is_synthetic: bool = False,
) -> tuple[Referral, str]:
    """A third-party report to a reporting centre. Returns it with its follow-up code.

    The code is stored only as an Argon2 hash: this is the one moment it exists in clear.
    An anonymous report keeps no name or contact details, whatever was sent.
    ``thinks_crime`` is the reporter's own view (``Report.ThinksCrime``; "" if not said).
    """
    if organisation.kind not in (Organisation.Kind.REPORTING_CENTRE, Organisation.Kind.HUB):
        raise ValidationError({"organisation": _("This organisation does not take reports.")})
    story = _narrative(narrative)
    if not story:
        raise ValidationError({"narrative": _("Tell us what happened, in your own words.")})
    if incident_date and incident_date > timezone.localdate():
        raise ValidationError({"incident_date": _("The date cannot be in the future.")})
    place = _bounded_text(
        incident_place,
        field_name="incident_place",
        limit=SHORT_TEXT_MAX_LENGTH,
        label=_("Where it happened"),
    )
    harms = _checked_codes("harm_types", harm_types, "harm_types")
    strands = _checked_codes("hate_strands", hate_strands, "hate_strands")
    if thinks_crime not in ("", *Report.ThinksCrime.values):
        raise ValidationError({"thinks_crime": _("Choose yes, no or not sure.")})
    at = _received_at(received_at)
    if is_anonymous:
        details = PersonDetails(
            postcode=details.postcode,
            ethnic_group=details.ethnic_group,
            age_band=details.age_band,
            sex=details.sex,
            sexual_orientation=details.sexual_orientation,
            religion=details.religion,
            disabilities=details.disabilities,
            disability_status=details.disability_status,
            language=details.language,
        )
        contact = ContactDetails(channels=(ContactPreference.Channel.NONE,))
    person = _person_create(
        organisation=organisation,
        details=details,
        is_synthetic=is_synthetic,
        keep_full_postcode=not is_anonymous,
    )
    _contact_preference_create(person=person, contact=contact or ContactDetails())
    referral = Referral(
        kind=Referral.Kind.REPORT,
        organisation=organisation,
        person=person,
        channel="third_party_report",
        harm_types=harms,
        hate_strands=strands,
        narrative=story,
        stage="referred",
        received_at=at,
        is_synthetic=is_synthetic,
    )
    referral.full_clean(exclude=["reference"])
    _save_with_reference(referral)
    code = new_follow_up_code()
    Report.objects.create(
        referral=referral,
        is_anonymous=is_anonymous,
        follow_up_code_hash=make_password(normalise_code(code)),
        incident_date=incident_date,
        incident_place=place,
        wants_police_told=wants_police_told,
        thinks_crime=thinks_crime,
    )
    _stage_event(referral=referral, stage="referred", actor=None, at=at)
    audit_record(
        actor=None,
        organisation=organisation,
        action="report.create",
        object_type="referral",
        object_id=str(referral.id),
        detail={"anonymous": is_anonymous},
    )
    return referral, code


@transaction.atomic
def report_code_renew(*, referral: Referral) -> str:
    """A new follow-up code for a report just made, replacing the one it had; returns it.

    Only for the front door's answer to the same report form sent again (a double click, a
    retry after a dropped connection): the first answer, with the first code, may never have
    reached the person, and the code is kept only as a hash, so it cannot be shown again.
    """
    report = Report.objects.select_for_update().get(referral=referral)
    code = new_follow_up_code()
    report.follow_up_code_hash = make_password(normalise_code(code))
    report.save(update_fields=["follow_up_code_hash", "updated_at"])
    audit_record(
        actor=None,
        organisation=referral.organisation,
        action="report.code_renewed",
        object_type="referral",
        object_id=str(referral.pk),
        detail={"why": "sent again"},
    )
    return code


@transaction.atomic
def referral_advance(
    *,
    referral: Referral,
    stage: str,
    actor: User | None,
    at: dt.datetime | None = None,
    coped_better: bool | None = None,
    decline_reason: str = "",
) -> Referral:
    """Move a referral to a later stage, recording the move on its timeline.

    ``coped_better`` is the outcome measure asked at closure (``None``: not asked); it is
    kept only when the stage is ``closed``. Declining needs a ``decline_reason`` from
    ``decline_reasons.csv``, which the snapshot carries so commissioners see why people are
    turned away (decision 0084). A staff ``actor`` must work cases in the
    referral's organisation: views check first, and this is the second line of defence.
    """
    try:
        check_code("funnel_stages", stage)
    except ValueError:
        raise ValidationError({"stage": _("Choose a stage from the list.")}) from None
    if coped_better not in (None, True, False):
        raise ValidationError({"coped_better": _("Choose yes, no or not asked.")})
    _check_decline_reason(stage, decline_reason)
    locked = Referral.objects.select_for_update().select_related("organisation").get(pk=referral.pk)
    if actor is not None and not has_role_in(actor, locked.organisation_id, CASEWORK_ROLES):
        raise PermissionDenied("This account does not work cases for this organisation.")
    if not stage_can_follow(locked.stage, stage):
        raise ValidationError(
            {
                "stage": _("A referral at “%(current)s” cannot move to “%(proposed)s”.")
                % {
                    "current": staff_label("funnel_stages", locked.stage),
                    "proposed": staff_label("funnel_stages", stage),
                }
            }
        )
    moment = _received_at(at)
    locked.stage = stage
    fields = ["stage", "updated_at"]
    if stage == "closed":
        locked.coped_better = coped_better
        fields.append("coped_better")
    if stage == "declined":
        locked.decline_reason = decline_reason
        fields.append("decline_reason")
    locked.save(update_fields=fields)
    _stage_event(referral=locked, stage=stage, actor=actor, at=moment)
    audit_record(
        actor=actor,
        organisation=locked.organisation,
        action="referral.advance",
        object_type="referral",
        object_id=str(locked.id),
        detail={"stage": stage, **({"decline_reason": decline_reason} if decline_reason else {})},
    )
    referral.stage = locked.stage
    referral.coped_better = locked.coped_better
    referral.decline_reason = locked.decline_reason
    return referral


def _check_decline_reason(stage: str, reason: object) -> None:
    """A decline needs a reason from the list; any other move takes none."""
    if stage != "declined":
        if reason:
            raise ValidationError(
                {"decline_reason": _("A reason is given only when declining a referral.")}
            )
        return
    if not reason:
        raise ValidationError({"decline_reason": _("Choose why the referral is declined.")})
    if not isinstance(reason, str) or reason not in vocabulary("decline_reasons"):
        raise ValidationError(
            {"decline_reason": _("Choose why the referral is declined from the list.")}
        )


@transaction.atomic
def referral_assign(*, referral: Referral, actor: User, assignee: User | None) -> Referral:
    """Give the referral to ``assignee`` (a caseworker of its organisation), or to nobody."""
    _require_caseworker_of(actor, referral.organisation_id)
    if assignee is not None and not has_role_in(assignee, referral.organisation_id, CASEWORK_ROLES):
        raise ValidationError(
            {"assignee": _("Choose someone who works cases for this organisation.")}
        )
    locked = Referral.objects.select_for_update().select_related("organisation").get(pk=referral.pk)
    locked.assigned_to = assignee
    locked.save(update_fields=["assigned_to", "updated_at"])
    audit_record(
        actor=actor,
        organisation=locked.organisation,
        action="referral.assign",
        object_type="referral",
        object_id=str(locked.pk),
        detail={"assignee": str(assignee.pk) if assignee else None},
    )
    referral.assigned_to = assignee
    return referral

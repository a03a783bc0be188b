"""Writes for casework: referrals, reports, stage moves, follow-up and the audit log.

Every function here is the one way its change happens: the front door, staff views, the
API, management commands and tests all call them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.models import Organisation, User
from bridgeway.casework.audit_chain import GENESIS_HASH, entry_hash
from bridgeway.casework.models import (
    AuditEntry,
    CaseEvent,
    ContactPreference,
    Person,
    Referral,
    Report,
)
from bridgeway.casework.references import (
    new_follow_up_code,
    new_reference,
    normalise_code,
    normalise_reference,
)
from bridgeway.directory.models import Service
from bridgeway.equality.vocabulary import (
    NOT_KNOWN_CODES,
    check_code,
    check_codes,
    stage_order,
    vocabulary,
)
from bridgeway.places.selectors import InvalidPostcode, LocationNotCovered, resolve_location

# A follow-up code may be tried this many times for one reference before a pause.
FOLLOW_UP_FAILURE_LIMIT = 5
FOLLOW_UP_LOCK = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class PersonDetails:
    """What a person chose to tell us about themselves. Every field may be left out."""

    name: str = ""
    email: str = ""
    phone: str = ""
    postcode: str = ""
    ethnic_group: str = "not_asked"
    ethnic_group_description: str = ""
    age_band: str = "not_asked"
    sex: str = "not_asked"
    sexual_orientation: str = "not_asked"
    religion: str = "not_asked"
    disabilities: tuple[str, ...] = ()
    # ``recorded`` when ``disabilities`` is the person's answer (even empty); else a not-known code.
    disability_status: str = "not_asked"
    language: str = "eng"


@dataclass(frozen=True)
class ContactDetails:
    """How, when and whether the person may be contacted."""

    channels: tuple[str, ...] = ()
    times: str = ""
    may_leave_message: bool = False
    others_may_see: bool = False
    name_to_use: str = ""
    safe_word: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _characteristic(name: str, code: str, field_name: str) -> str:
    if code in NOT_KNOWN_CODES or code in vocabulary(name):
        return code
    raise ValidationError({field_name: _("%(code)s is not a recognised answer.") % {"code": code}})


def _checked_codes(name: str, codes: list[str] | tuple[str, ...], field_name: str) -> list[str]:
    try:
        return check_codes(name, list(codes))
    except ValueError as error:
        raise ValidationError({field_name: str(error)}) from None


def audit_record(
    *,
    actor: User | None,
    organisation: Organisation | None,
    action: str,
    object_type: str,
    object_id: str,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry to the hash-chained audit log (inside the caller's transaction)."""
    with transaction.atomic():
        # Locking the newest entry serialises writers so the chain never forks (PostgreSQL);
        # SQLite serialises writing transactions by itself.
        last = AuditEntry.objects.select_for_update().order_by("-id").first()
        previous_hash = last.entry_hash if last else GENESIS_HASH
        at = timezone.now()
        entry = AuditEntry(
            id=(last.id + 1) if last else 1,
            at=at,
            actor=actor,
            organisation=organisation,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=detail or {},
            previous_hash=previous_hash,
        )
        entry.entry_hash = entry_hash(audit_content(entry), previous_hash)
        entry.save(force_insert=True)
        return entry


def audit_content(entry: AuditEntry) -> dict[str, Any]:
    """The fields an audit entry's hash covers."""
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor": str(entry.actor_id) if entry.actor_id else None,
        "organisation": str(entry.organisation_id) if entry.organisation_id else None,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "detail": entry.detail,
    }


def _person_create(
    *, organisation: Organisation, details: PersonDetails, is_synthetic: bool
) -> Person:
    district = None
    if details.postcode.strip():
        try:
            district = resolve_location(details.postcode).district
        except InvalidPostcode:
            raise ValidationError(
                {"postcode": _("Enter a full postcode, like LS6 1AA, or leave it out.")}
            ) from None
        except LocationNotCovered:
            raise ValidationError(
                {
                    "postcode": _(
                        "We could not find that postcode in England or Wales. Check it, or leave it out."
                    )
                }
            ) from None
    if details.disability_status not in ("recorded", *NOT_KNOWN_CODES):
        raise ValidationError(
            {"disabilities": _("Choose an answer about disability, or leave it out.")}
        )
    try:
        language = check_code("languages", details.language)
    except ValueError:
        raise ValidationError({"language": _("Choose a language from the list.")}) from None
    person = Person(
        organisation=organisation,
        name=details.name.strip(),
        email=details.email.strip(),
        phone=details.phone.strip(),
        postcode=details.postcode.strip().upper(),
        district=district,
        police_force_area=district.police_force_area if district else None,
        ethnic_group=_characteristic("ethnic_groups", details.ethnic_group, "ethnic_group"),
        ethnic_group_description=details.ethnic_group_description.strip(),
        age_band=_characteristic("age_bands", details.age_band, "age_band"),
        sex=_characteristic("sexes", details.sex, "sex"),
        sexual_orientation=_characteristic(
            "sexual_orientations", details.sexual_orientation, "sexual_orientation"
        ),
        religion=_characteristic("religions", details.religion, "religion"),
        disabilities=_checked_codes("disabilities", details.disabilities, "disabilities"),
        disability_status=details.disability_status,
        language=language,
        is_synthetic=is_synthetic,
    )
    person.full_clean()
    person.save()
    return person


def _contact_preference_create(*, person: Person, contact: ContactDetails) -> ContactPreference:
    channels = list(dict.fromkeys(contact.channels))
    allowed = {choice.value for choice in ContactPreference.Channel}
    unknown = [c for c in channels if c not in allowed]
    if unknown:
        raise ValidationError({"channels": _("Choose how we may contact you from the list.")})
    if ContactPreference.Channel.NONE in channels and len(channels) > 1:
        raise ValidationError(
            {
                "channels": _(
                    "You chose not to be contacted and also a way to contact you. Choose one."
                )
            }
        )
    preference = ContactPreference(
        person=person,
        channels=channels,
        times=contact.times.strip(),
        may_leave_message=contact.may_leave_message,
        others_may_see=contact.others_may_see,
        name_to_use=contact.name_to_use.strip(),
        safe_word=contact.safe_word.strip(),
    )
    preference.full_clean(exclude=["person"])
    preference.save()
    return preference


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
    person = _person_create(organisation=organisation, details=details, is_synthetic=is_synthetic)
    _contact_preference_create(person=person, contact=contact)
    at = received_at or timezone.now()
    referral = Referral(
        kind=Referral.Kind.REFERRAL,
        organisation=organisation,
        service=service,
        person=person,
        channel=channel,
        harm_types=_checked_codes("harm_types", harm_types, "harm_types"),
        hate_strands=_checked_codes("hate_strands", hate_strands, "hate_strands"),
        narrative=narrative.strip(),
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
    received_at: dt.datetime | None = None,
    is_synthetic: bool = False,
) -> tuple[Referral, str]:
    """A third-party report to a reporting centre. Returns it with its follow-up code.

    The code is stored only as an Argon2 hash: this is the one moment it exists in clear.
    An anonymous report keeps no name or contact details, whatever was sent.
    """
    if organisation.kind not in (Organisation.Kind.REPORTING_CENTRE, Organisation.Kind.HUB):
        raise ValidationError({"organisation": _("This organisation does not take reports.")})
    if not narrative.strip():
        raise ValidationError({"narrative": _("Tell us what happened, in your own words.")})
    if incident_date and incident_date > timezone.localdate():
        raise ValidationError({"incident_date": _("The date cannot be in the future.")})
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
    person = _person_create(organisation=organisation, details=details, is_synthetic=is_synthetic)
    _contact_preference_create(person=person, contact=contact or ContactDetails())
    at = received_at or timezone.now()
    referral = Referral(
        kind=Referral.Kind.REPORT,
        organisation=organisation,
        person=person,
        channel="third_party_report",
        harm_types=_checked_codes("harm_types", harm_types, "harm_types"),
        hate_strands=_checked_codes("hate_strands", hate_strands, "hate_strands"),
        narrative=narrative.strip(),
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
        incident_place=incident_place.strip(),
        wants_police_told=wants_police_told,
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


class FollowUpRefused(Exception):
    """The reference and code do not open a report (deliberately vague to the person)."""

    def __init__(self, locked: bool = False) -> None:
        super().__init__("locked" if locked else "no match")
        self.locked = locked


def follow_up_open(*, reference: str, code: str) -> Referral:
    """The report a reference and follow-up code open, or ``FollowUpRefused``.

    Failed tries are counted per reference; after ``FOLLOW_UP_FAILURE_LIMIT`` the reference
    is locked for ``FOLLOW_UP_LOCK`` even for the right code, so codes cannot be guessed.
    """
    normalised_reference = normalise_reference(reference)
    with transaction.atomic():
        report = (
            Report.objects.select_for_update()
            .select_related("referral__organisation")
            .filter(referral__reference=normalised_reference)
            .first()
            if normalised_reference
            else None
        )
        if report is None:
            # Spend the same time as a real check so a reference's existence does not show.
            check_password(normalise_code(code), make_password("not-a-code"))
            raise FollowUpRefused()
        now = timezone.now()
        if report.follow_up_locked_until and report.follow_up_locked_until > now:
            raise FollowUpRefused(locked=True)
        if not check_password(normalise_code(code), report.follow_up_code_hash):
            report.failed_follow_ups += 1
            fields = ["failed_follow_ups"]
            if report.failed_follow_ups >= FOLLOW_UP_FAILURE_LIMIT:
                report.failed_follow_ups = 0
                report.follow_up_locked_until = now + FOLLOW_UP_LOCK
                fields.append("follow_up_locked_until")
            report.save(update_fields=fields)
            raise FollowUpRefused()
        if report.failed_follow_ups:
            report.failed_follow_ups = 0
            report.save(update_fields=["failed_follow_ups"])
    audit_record(
        actor=None,
        organisation=report.referral.organisation,
        action="report.follow_up",
        object_type="referral",
        object_id=str(report.referral_id),
    )
    return report.referral


def stage_can_follow(current: str, proposed: str) -> bool:
    """Stages move only forwards; after ``declined`` only ``closed`` may follow."""
    if current == "closed":
        return False
    if current == "declined":
        return proposed == "closed"
    if proposed == "started" and current != "accepted":
        return False
    return stage_order(proposed) > stage_order(current)


@transaction.atomic
def referral_advance(
    *,
    referral: Referral,
    stage: str,
    actor: User | None,
    at: dt.datetime | None = None,
    coped_better: bool | None = None,
) -> Referral:
    """Move a referral to a later stage, recording the move on its timeline."""
    try:
        check_code("funnel_stages", stage)
    except ValueError:
        raise ValidationError({"stage": _("Choose a stage from the list.")}) from None
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if not stage_can_follow(locked.stage, stage):
        raise ValidationError({"stage": _("A referral at this stage cannot move to that stage.")})
    moment = at or timezone.now()
    locked.stage = stage
    fields = ["stage", "updated_at"]
    if stage == "closed":
        locked.coped_better = coped_better
        fields.append("coped_better")
    locked.save(update_fields=fields)
    _stage_event(referral=locked, stage=stage, actor=actor, at=moment)
    audit_record(
        actor=actor,
        organisation=locked.organisation,
        action="referral.advance",
        object_type="referral",
        object_id=str(locked.id),
        detail={"stage": stage},
    )
    referral.stage = locked.stage
    referral.coped_better = locked.coped_better
    return referral

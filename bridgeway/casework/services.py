"""Writes for casework: referrals, reports, stage moves, follow-up and the audit log.

Every function here is the one way its change happens: the front door, staff views, the
API, management commands and tests all call them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.access import CASEWORK_ROLES
from bridgeway.accounts.models import Membership, Organisation, User
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
    UnknownCode,
    check_code,
    check_codes,
    stage_order,
    vocabulary,
)
from bridgeway.places.selectors import InvalidPostcode, LocationNotCovered, resolve_location

# A follow-up code may be tried this many times for one reference before a pause.
FOLLOW_UP_FAILURE_LIMIT = 5
FOLLOW_UP_LOCK = dt.timedelta(minutes=15)

# The advisory lock that serialises audit writers on PostgreSQL ("BWAUDIT" as a number).
AUDIT_CHAIN_LOCK_KEY = 0x4257415544495400

# Upper bounds on what a person can type, so one submission cannot fill the database.
NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 40
SHORT_TEXT_MAX_LENGTH = 500
NARRATIVE_MAX_LENGTH = 20_000
# Digits with the spaces, brackets, dashes and leading + people write phone numbers with.
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{5,38}")


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
    raise ValidationError(
        {
            field_name: _("%(code)s is not one of the answers you can choose.")
            % {"code": _shown(code)}
        }
    )


def _checked_codes(name: str, codes: list[str] | tuple[str, ...], field_name: str) -> list[str]:
    if isinstance(codes, str) or not isinstance(codes, list | tuple):
        raise ValidationError({field_name: _("Choose answers from the list.")})
    try:
        return check_codes(name, list(codes))
    except UnknownCode as error:
        raise ValidationError(
            {
                field_name: _("%(code)s is not one of the answers you can choose.")
                % {"code": _shown(error.code)}
            }
        ) from None


def _shown(value: object) -> str:
    """A value someone sent, short enough to quote back in a message."""
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _bounded_text(value: str, *, field_name: str, limit: int, label: str) -> str:
    """``value`` stripped, or a message naming the field when it is too long or not text."""
    if not isinstance(value, str):
        raise ValidationError({field_name: _("%(label)s must be text.") % {"label": label}})
    text = value.strip()
    if "\x00" in text:
        raise ValidationError(
            {
                field_name: _("%(label)s contains a character that cannot be stored.")
                % {"label": label}
            }
        )
    if len(text) > limit:
        raise ValidationError(
            {
                field_name: _("%(label)s must be %(limit)s characters or fewer.")
                % {"label": label, "limit": limit}
            }
        )
    return text


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
        _audit_chain_lock()
        last = AuditEntry.objects.order_by("-id").first()
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


def _audit_chain_lock() -> None:
    """Serialise writers of the audit chain until the surrounding transaction ends.

    Locking the newest row is not enough on PostgreSQL: a writer that waited for it reads
    the same row again after the lock is released, computes the same id and fails, and an
    empty table has no row to lock at all. A transaction-scoped advisory lock covers both.
    SQLite allows one writing transaction at a time, so it needs nothing more.
    """
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_KEY])


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
    *,
    organisation: Organisation,
    details: PersonDetails,
    is_synthetic: bool,
    keep_full_postcode: bool = True,
) -> Person:
    name = _bounded_text(details.name, field_name="name", limit=NAME_MAX_LENGTH, label=_("Name"))
    email = _bounded_text(
        details.email, field_name="email", limit=EMAIL_MAX_LENGTH, label=_("Email address")
    )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                {"email": _("Enter an email address like name@example.com, or leave it out.")}
            ) from None
    phone = _bounded_text(
        details.phone, field_name="phone", limit=PHONE_MAX_LENGTH, label=_("Phone number")
    )
    if phone and not _PHONE.fullmatch(phone):
        raise ValidationError(
            {"phone": _("Enter a phone number using digits, like 07700 900 982, or leave it out.")}
        )
    description = _bounded_text(
        details.ethnic_group_description,
        field_name="ethnic_group_description",
        limit=SHORT_TEXT_MAX_LENGTH,
        label=_("Your description of your ethnic group"),
    )
    postcode_text = _bounded_text(
        details.postcode, field_name="postcode", limit=SHORT_TEXT_MAX_LENGTH, label=_("Postcode")
    )
    district = None
    postcode = ""
    if postcode_text:
        try:
            location = resolve_location(postcode_text)
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
        district = location.district
        # The tidy form (LS6 1AA), or only its district (LS6) when the person should not be
        # findable from it: a full postcode can narrow a household down to a few doors.
        postcode = str(location.query) if keep_full_postcode else location.query.outcode
    disabilities = _checked_codes("disabilities", details.disabilities, "disabilities")
    disability_status = details.disability_status
    if disabilities and disability_status == "not_asked":
        # Listing disabilities is an answer; the default status only means it was not set.
        disability_status = "recorded"
    if disability_status not in ("recorded", *NOT_KNOWN_CODES):
        raise ValidationError(
            {"disabilities": _("Choose an answer about disability, or leave it out.")}
        )
    if disabilities and disability_status != "recorded":
        raise ValidationError(
            {
                "disabilities": _(
                    "You chose disabilities and also that you would rather not say. Choose one."
                )
            }
        )
    try:
        language = check_code("languages", details.language)
    except ValueError:
        raise ValidationError({"language": _("Choose a language from the list.")}) from None
    person = Person(
        organisation=organisation,
        name=name,
        email=email,
        phone=phone,
        postcode=postcode,
        district=district,
        police_force_area=district.police_force_area if district else None,
        ethnic_group=_characteristic("ethnic_groups", details.ethnic_group, "ethnic_group"),
        ethnic_group_description=description,
        age_band=_characteristic("age_bands", details.age_band, "age_band"),
        sex=_characteristic("sexes", details.sex, "sex"),
        sexual_orientation=_characteristic(
            "sexual_orientations", details.sexual_orientation, "sexual_orientation"
        ),
        religion=_characteristic("religions", details.religion, "religion"),
        disabilities=disabilities,
        disability_status=disability_status,
        language=language,
        is_synthetic=is_synthetic,
    )
    person.full_clean()
    person.save()
    return person


def _contact_preference_create(*, person: Person, contact: ContactDetails) -> ContactPreference:
    if isinstance(contact.channels, str) or not isinstance(contact.channels, list | tuple):
        raise ValidationError({"channels": _("Choose how we may contact you from the list.")})
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
    # A way to be contacted with nothing to contact would leave a worker unable to keep to it.
    wants_call = bool(
        {ContactPreference.Channel.PHONE, ContactPreference.Channel.TEXT} & set(channels)
    )
    if wants_call and not person.phone:
        raise ValidationError(
            {"phone": _("You chose to be phoned or sent texts. Enter a phone number.")}
        )
    if ContactPreference.Channel.EMAIL in channels and not person.email:
        raise ValidationError(
            {"email": _("You chose to be contacted by email. Enter an email address.")}
        )
    preference = ContactPreference(
        person=person,
        channels=channels,
        times=_bounded_text(
            contact.times,
            field_name="times",
            limit=SHORT_TEXT_MAX_LENGTH,
            label=_("When we may contact you"),
        ),
        may_leave_message=bool(contact.may_leave_message),
        others_may_see=bool(contact.others_may_see),
        name_to_use=_bounded_text(
            contact.name_to_use,
            field_name="name_to_use",
            limit=NAME_MAX_LENGTH,
            label=_("The name to use"),
        ),
        safe_word=_bounded_text(
            contact.safe_word,
            field_name="safe_word",
            limit=NAME_MAX_LENGTH,
            label=_("Safe word"),
        ),
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


def _narrative(text: str) -> str:
    return _bounded_text(
        text, field_name="narrative", limit=NARRATIVE_MAX_LENGTH, label=_("What happened")
    )


def _received_at(moment: dt.datetime | None) -> dt.datetime:
    if moment is None:
        return timezone.now()
    if timezone.is_naive(moment):
        # A naive time could be read as UTC or as London time: an hour's error either way.
        raise ValueError("received_at must be timezone-aware")
    return moment


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
    received_at: dt.datetime | None = None,
    is_synthetic: bool = False,
) -> tuple[Referral, str]:
    """A third-party report to a reporting centre. Returns it with its follow-up code.

    The code is stored only as an Argon2 hash: this is the one moment it exists in clear.
    An anonymous report keeps no name or contact details, whatever was sent.
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


@cache
def _decoy_hash() -> str:
    # Made once: hashing it afresh on every unknown reference would take twice a real check.
    return make_password(new_follow_up_code())


def follow_up_open(*, reference: str, code: str) -> Referral:
    """The report a reference and follow-up code open, or ``FollowUpRefused``.

    Failed tries are counted per reference; after ``FOLLOW_UP_FAILURE_LIMIT`` the reference
    is locked for ``FOLLOW_UP_LOCK`` even for the right code, so codes cannot be guessed.
    Every try on a real reference, opened or refused, is in the audit log.
    """
    normalised_reference = normalise_reference(reference) if isinstance(reference, str) else ""
    typed = normalise_code(code)[:64] if isinstance(code, str) else ""
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
            check_password(typed, _decoy_hash())
            refused: FollowUpRefused | None = FollowUpRefused()
        else:
            refused = _follow_up_check(report, typed)
    # Raised only after the transaction commits: raising inside it would roll back the
    # count of failed tries, and the lock would never come.
    if refused is not None or report is None:
        raise refused or FollowUpRefused()
    return report.referral


def _follow_up_check(report: Report, typed: str) -> FollowUpRefused | None:
    """Check ``typed`` against a locked row; count failures. ``None`` when it opens."""
    now = timezone.now()
    detail: dict[str, Any]
    if report.follow_up_locked_until and report.follow_up_locked_until > now:
        refusal: FollowUpRefused | None = FollowUpRefused(locked=True)
        detail = {"locked": True}
    elif typed and check_password(typed, report.follow_up_code_hash):
        refusal = None
        detail = {}
        if report.failed_follow_ups:
            report.failed_follow_ups = 0
            report.save(update_fields=["failed_follow_ups"])
    else:
        report.failed_follow_ups += 1
        fields = ["failed_follow_ups"]
        locks = report.failed_follow_ups >= FOLLOW_UP_FAILURE_LIMIT
        if locks:
            report.failed_follow_ups = 0
            report.follow_up_locked_until = now + FOLLOW_UP_LOCK
            fields.append("follow_up_locked_until")
        report.save(update_fields=fields)
        refusal = FollowUpRefused(locked=locks)
        detail = {"locked": locks}
    audit_record(
        actor=None,
        organisation=report.referral.organisation,
        action="report.follow_up" if refusal is None else "report.follow_up_refused",
        object_type="referral",
        object_id=str(report.referral_id),
        detail=detail,
    )
    return refusal


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
    """Move a referral to a later stage, recording the move on its timeline.

    ``coped_better`` is the outcome measure asked at closure (``None``: not asked); it is
    kept only when the stage is ``closed``. A staff ``actor`` must work cases in the
    referral's organisation: views check first, and this is the second line of defence.
    """
    try:
        check_code("funnel_stages", stage)
    except ValueError:
        raise ValidationError({"stage": _("Choose a stage from the list.")}) from None
    if coped_better not in (None, True, False):
        raise ValidationError({"coped_better": _("Choose yes, no or not asked.")})
    locked = Referral.objects.select_for_update().select_related("organisation").get(pk=referral.pk)
    if (
        actor is not None
        and not Membership.objects.filter(
            user=actor, organisation_id=locked.organisation_id, role__in=CASEWORK_ROLES
        ).exists()
    ):
        raise PermissionDenied("This account does not work cases for this organisation.")
    if not stage_can_follow(locked.stage, stage):
        raise ValidationError(
            {
                "stage": _("A referral at “%(current)s” cannot move to “%(proposed)s”.")
                % {
                    "current": vocabulary("funnel_stages").label(locked.stage),
                    "proposed": vocabulary("funnel_stages").label(stage),
                }
            }
        )
    moment = _received_at(at)
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

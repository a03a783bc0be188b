"""Writes for casework: referrals, reports, stage moves, follow-up and the audit log.

Every function here is the one way its change happens: the front door, staff views, the
API, management commands and tests all call them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.access import CASEWORK_ROLES, has_role_in
from bridgeway.accounts.models import Organisation, User
from bridgeway.casework.audit_chain import GENESIS_HASH, entry_hash
from bridgeway.casework.models import (
    AuditEntry,
    CaseEvent,
    Consent,
    ContactAttempt,
    ContactPreference,
    FollowUpClientAttempts,
    Person,
    Referral,
    Report,
    Share,
)
from bridgeway.casework.references import (
    new_follow_up_code,
    new_reference,
    normalise_code,
    normalise_reference,
)
from bridgeway.casework.safe_contact import Refusal, contact_refusal
from bridgeway.directory.models import Service
from bridgeway.equality.vocabulary import (
    NOT_KNOWN_CODES,
    UnknownCode,
    check_code,
    check_codes,
    stage_order,
    vocabulary,
)
from bridgeway.places.models import PoliceForceArea
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
    """The reference and code do not open a report (deliberately vague to the person).

    ``locked`` when tries are paused; ``until`` then says when they may start again.
    """

    def __init__(self, locked: bool = False, until: dt.datetime | None = None) -> None:
        super().__init__("locked" if locked else "no match")
        self.locked = locked
        self.until = until


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
        refusal: FollowUpRefused | None = FollowUpRefused(
            locked=True, until=report.follow_up_locked_until
        )
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
        refusal = FollowUpRefused(
            locked=locks, until=report.follow_up_locked_until if locks else None
        )
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
    if actor is not None and not has_role_in(actor, locked.organisation_id, CASEWORK_ROLES):
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


# --- two-way messages and notes -------------------------------------------------------------

# A message is a few paragraphs; a longer story belongs in the report itself.
MESSAGE_MAX_LENGTH = 5_000


@dataclass(frozen=True)
class ReporterMessage:
    """One message as the person who reported sees it: never who at the organisation wrote it."""

    from_reporter: bool
    text: str
    sent_at: dt.datetime


def _message_text(text: str, *, field_name: str = "text") -> str:
    body = _bounded_text(text, field_name=field_name, limit=MESSAGE_MAX_LENGTH, label=_("Message"))
    if not body:
        raise ValidationError({field_name: _("Write a message before sending it.")})
    return body


def _report_of(referral: Referral) -> Report:
    """The report behind ``referral``; messages go only where the person can read them back."""
    try:
        return Report.objects.get(referral_id=referral.pk)
    except Report.DoesNotExist:
        raise ValidationError(
            {
                "text": _(
                    "Messages can only be sent on a report: the person has no way to read them here."
                )
            }
        ) from None


def _require_caseworker(actor: User, referral: Referral) -> None:
    """The second line of defence behind the views: ``actor`` works this organisation's cases."""
    _require_caseworker_of(actor, referral.organisation_id)


@transaction.atomic
def message_to_reporter(*, referral: Referral, actor: User, text: str) -> CaseEvent:
    """A reply from the organisation the person who reported reads on the follow-up page.

    Sealed at rest, on the timeline as ``MESSAGE_OUT``, and audited.
    """
    _require_caseworker(actor, referral)
    body = _message_text(text)
    _report_of(referral)
    event = CaseEvent(
        referral_id=referral.pk,
        kind=CaseEvent.Kind.MESSAGE_OUT,
        text=body,
        actor=actor,
        occurred_at=timezone.now(),
    )
    event.full_clean()
    event.save()
    audit_record(
        actor=actor,
        organisation=referral.organisation,
        action="message.send",
        object_type="referral",
        object_id=str(referral.pk),
        detail={"event": event.pk},
    )
    return event


@transaction.atomic
def message_from_reporter(*, referral: Referral, text: str) -> CaseEvent:
    """A message the person who reported wrote on the follow-up page (after ``follow_up_open``).

    Sealed at rest, on the timeline as ``MESSAGE_IN``, and audited with no actor: the person
    has no account, and the audit log must not learn who they are.
    """
    body = _message_text(text)
    _report_of(referral)
    event = CaseEvent(
        referral_id=referral.pk,
        kind=CaseEvent.Kind.MESSAGE_IN,
        text=body,
        actor=None,
        occurred_at=timezone.now(),
    )
    event.full_clean()
    event.save()
    audit_record(
        actor=None,
        organisation=referral.organisation,
        action="message.receive",
        object_type="referral",
        object_id=str(referral.pk),
        detail={"event": event.pk},
    )
    return event


@transaction.atomic
def messages_for_reporter(referral: Referral) -> list[ReporterMessage]:
    """What the person who reported may read, oldest first: replies and their own messages.

    Never internal notes, stage moves or the names of staff. The read is audited.
    """
    events = CaseEvent.objects.filter(
        referral_id=referral.pk,
        kind__in=[CaseEvent.Kind.MESSAGE_IN, CaseEvent.Kind.MESSAGE_OUT],
    ).order_by("occurred_at", "id")
    shown = [
        ReporterMessage(
            from_reporter=event.kind == CaseEvent.Kind.MESSAGE_IN,
            text=event.text,
            sent_at=event.occurred_at,
        )
        for event in events
    ]
    audit_record(
        actor=None,
        organisation=referral.organisation,
        action="message.read_by_reporter",
        object_type="referral",
        object_id=str(referral.pk),
        detail={"count": len(shown)},
    )
    return shown


@transaction.atomic
def note_add(*, referral: Referral, actor: User, text: str) -> CaseEvent:
    """An internal note on the timeline: seen by the organisation's staff, never the person."""
    _require_caseworker(actor, referral)
    body = _message_text(text)
    event = CaseEvent(
        referral_id=referral.pk,
        kind=CaseEvent.Kind.NOTE,
        text=body,
        actor=actor,
        occurred_at=timezone.now(),
    )
    event.full_clean()
    event.save()
    audit_record(
        actor=actor,
        organisation=referral.organisation,
        action="note.add",
        object_type="referral",
        object_id=str(referral.pk),
        detail={"event": event.pk},
    )
    return event


# --- consent and shares ---------------------------------------------------------------------

# Who a worker named in a consent is, as the person gave it ("Ms Khan, safeguarding lead").
WORKER_MAX_LENGTH = 200


def _consent_items(includes: list[str] | tuple[str, ...]) -> list[str]:
    if isinstance(includes, str) or not isinstance(includes, list | tuple):
        raise ValidationError({"includes": _("Choose what may be shared from the list.")})
    allowed = {item.value for item in Consent.Item}
    items = list(dict.fromkeys(includes))
    if any(item not in allowed for item in items):
        raise ValidationError({"includes": _("Choose what may be shared from the list.")})
    return items


@transaction.atomic
def consent_record(
    *,
    person: Person,
    scope: str,
    actor: User,
    given_how: str,
    recipient_organisation: Organisation | None = None,
    recipient_police_force_area: PoliceForceArea | None = None,
    recipient_worker: str = "",
    includes: list[str] | tuple[str, ...] = (),
    given_at: dt.datetime | None = None,
    expires: dt.datetime | None = None,
) -> Consent:
    """Record the person's consent to one kind of share with one recipient.

    ``onward_referral`` names the receiving organisation; ``police`` names the police force;
    ``named_worker`` names the worker and their organisation. ``includes`` lists what the
    share may carry beyond the minimum (see ``Consent.Item``).
    """
    _require_caseworker_of(actor, person.organisation_id)
    if scope not in Consent.Scope.values:
        raise ValidationError({"scope": _("Choose what the person agreed to from the list.")})
    if given_how not in Consent.GivenHow.values:
        raise ValidationError({"given_how": _("Choose how the person gave their consent.")})
    items = _consent_items(includes)
    worker = _bounded_text(
        recipient_worker,
        field_name="recipient_worker",
        limit=WORKER_MAX_LENGTH,
        label=_("The worker's name and role"),
    )
    now = timezone.now()
    given = _received_at(given_at) if given_at is not None else now
    if given > now:
        raise ValidationError({"given_at": _("Consent cannot be given in the future.")})
    if expires is not None:
        expires = _received_at(expires)
        if expires <= now:
            raise ValidationError({"expires": _("The end date must be in the future.")})
    recipient_organisation, recipient_police_force_area, worker = _consent_recipient(
        person=person,
        scope=scope,
        organisation=recipient_organisation,
        police_force_area=recipient_police_force_area,
        worker=worker,
    )
    consent = Consent(
        person=person,
        scope=scope,
        recipient_organisation=recipient_organisation,
        recipient_police_force_area=recipient_police_force_area,
        recipient_worker=worker,
        includes=items,
        given_at=given,
        given_how=given_how,
        expires=expires,
        recorded_by=actor,
    )
    consent.full_clean()
    consent.save()
    _consent_event(
        person=person,
        actor=actor,
        text=_("Consent recorded: %(scope)s") % {"scope": consent.get_scope_display()},
    )
    audit_record(
        actor=actor,
        organisation=person.organisation,
        action="consent.record",
        object_type="consent",
        object_id=str(consent.pk),
        detail={"scope": scope, "includes": items, "person": str(person.pk)},
    )
    return consent


def _consent_recipient(
    *,
    person: Person,
    scope: str,
    organisation: Organisation | None,
    police_force_area: PoliceForceArea | None,
    worker: str,
) -> tuple[Organisation | None, PoliceForceArea | None, str]:
    """The recipient a consent of ``scope`` names, each part checked; the others cleared."""
    if scope == Consent.Scope.POLICE:
        if police_force_area is None:
            raise ValidationError(
                {"recipient_police_force_area": _("Choose the police force the person agreed to.")}
            )
        return None, police_force_area, ""
    if organisation is None:
        raise ValidationError(
            {"recipient_organisation": _("Choose the organisation the person agreed to.")}
        )
    if organisation.pk == person.organisation_id:
        raise ValidationError(
            {
                "recipient_organisation": _(
                    "Choose another organisation: consent is not needed inside your own."
                )
            }
        )
    if scope == Consent.Scope.NAMED_WORKER:
        if not worker:
            raise ValidationError(
                {
                    "recipient_worker": _(
                        "Write the name and role of the worker the person agreed to."
                    )
                }
            )
        return organisation, None, worker
    return organisation, None, ""


@transaction.atomic
def consent_revoke(*, consent: Consent, actor: User) -> Consent:
    """The person withdraws a consent: no share may rely on it from now on.

    What was already shared stays listed (``Share``); it cannot be called back by software.
    """
    locked = (
        Consent.objects.select_for_update()
        .select_related("person__organisation")
        .get(pk=consent.pk)
    )
    _require_caseworker_of(actor, locked.person.organisation_id)
    if locked.revoked_at is not None:
        raise ValidationError({"consent": _("This consent was already withdrawn.")})
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at", "updated_at"])
    _consent_event(
        person=locked.person,
        actor=actor,
        text=_("Consent withdrawn: %(scope)s") % {"scope": locked.get_scope_display()},
    )
    audit_record(
        actor=actor,
        organisation=locked.person.organisation,
        action="consent.revoke",
        object_type="consent",
        object_id=str(locked.pk),
        detail={"scope": locked.scope, "person": str(locked.person_id)},
    )
    consent.revoked_at = locked.revoked_at
    return consent


@transaction.atomic
def consent_revoke_by_reporter(*, referral: Referral, consent: Consent) -> Consent:
    """The person who reported withdraws a consent themselves, on the follow-up page.

    Only after ``follow_up_open`` opened ``referral``; the consent must be the reporter's own
    (``PermissionDenied`` otherwise: the view's 404 is the first line of defence, this the
    second). Audited with no actor, as the person has no account; the timeline says the
    person withdrew it, so whoever works the case sees it before sharing anything more.
    """
    locked = (
        Consent.objects.select_for_update()
        .select_related("person__organisation")
        .get(pk=consent.pk)
    )
    if (
        locked.person_id != referral.person_id
        or not Report.objects.filter(referral_id=referral.pk).exists()
    ):
        raise PermissionDenied("This consent is not the reporter's.")
    if locked.revoked_at is not None:
        raise ValidationError({"consent": _("You already stopped this.")})
    now = timezone.now()
    if locked.expires is not None and locked.expires <= now:
        raise ValidationError(
            {"consent": _("This has already ended. Nothing more will be shared.")}
        )
    locked.revoked_at = now
    locked.save(update_fields=["revoked_at", "updated_at"])
    _consent_event(
        person=locked.person,
        actor=None,
        text=_("Consent withdrawn by the person on the follow-up page: %(scope)s")
        % {"scope": locked.get_scope_display()},
    )
    audit_record(
        actor=None,
        organisation=locked.person.organisation,
        action="consent.revoke",
        object_type="consent",
        object_id=str(locked.pk),
        detail={
            "scope": locked.scope,
            "person": str(locked.person_id),
            "by": "reporter",
            "referral": str(referral.pk),
        },
    )
    consent.revoked_at = locked.revoked_at
    return consent


def consent_is_live(consent: Consent, *, at: dt.datetime) -> bool:
    """Given by ``at``, and neither expired nor withdrawn by then."""
    if consent.given_at > at:
        return False
    if consent.revoked_at is not None and consent.revoked_at <= at:
        return False
    return not (consent.expires is not None and consent.expires <= at)


def _consent_event(*, person: Person, actor: User | None, text: str) -> None:
    # On the timeline of each of the person's referrals, so whoever works the case sees it.
    now = timezone.now()
    CaseEvent.objects.bulk_create(
        CaseEvent(
            referral_id=referral_id,
            kind=CaseEvent.Kind.CONSENT,
            text=text,
            actor=actor,
            occurred_at=now,
        )
        for referral_id in Referral.objects.filter(person=person).values_list("id", flat=True)
    )


def _require_caseworker_of(actor: User, organisation_id: Any) -> None:
    if not has_role_in(actor, organisation_id, CASEWORK_ROLES):
        raise PermissionDenied("This account does not work cases for this organisation.")


def consent_for_share(
    *,
    person: Person,
    scope: str,
    recipient_organisation: Organisation | None = None,
    recipient_police_force_area: PoliceForceArea | None = None,
    recipient_worker: str = "",
    at: dt.datetime | None = None,
) -> Consent:
    """The live consent that covers this share, or ``ValidationError`` saying why there is none.

    The message names the problem: no consent, one withdrawn, one expired.
    """
    moment = at or timezone.now()
    candidates = Consent.objects.filter(person=person, scope=scope).select_related(
        "recipient_organisation", "recipient_police_force_area"
    )
    if scope == Consent.Scope.POLICE:
        candidates = candidates.filter(recipient_police_force_area=recipient_police_force_area)
    else:
        candidates = candidates.filter(recipient_organisation=recipient_organisation)
    matching = [
        consent
        for consent in candidates.order_by("-given_at")
        if scope != Consent.Scope.NAMED_WORKER
        or consent.recipient_worker.strip().casefold() == recipient_worker.strip().casefold()
    ]
    for consent in matching:
        if consent_is_live(consent, at=moment):
            return consent
    label = Consent.Scope(scope).label if scope in Consent.Scope.values else scope
    if any(c.revoked_at is not None and c.revoked_at <= moment for c in matching):
        message = _(
            "The person withdrew their consent to this (%(scope)s). Nothing was shared."
        ) % {"scope": label}
    elif any(c.expires is not None and c.expires <= moment for c in matching):
        message = _(
            "The person's consent to this (%(scope)s) has ended. Ask them again before sharing."
        ) % {"scope": label}
    else:
        message = _(
            "The person has not agreed to this (%(scope)s) for this recipient. "
            "Record their consent first. Nothing was shared."
        ) % {"scope": label}
    raise ValidationError({"consent": message})


def _share_event(*, referral: Referral, actor: User | None, text: str) -> None:
    CaseEvent.objects.create(
        referral=referral,
        kind=CaseEvent.Kind.SHARE,
        text=text,
        actor=actor,
        occurred_at=timezone.now(),
    )


@transaction.atomic
def share_with_police(
    *, referral: Referral, actor: User, police_force_area: PoliceForceArea
) -> Share:
    """Record that the report was passed to ``police_force_area``, under the person's consent.

    Refused (``ValidationError``) without a live ``police`` consent naming that force.
    """
    _require_caseworker_of(actor, referral.organisation_id)
    consent = consent_for_share(
        person=referral.person,
        scope=Consent.Scope.POLICE,
        recipient_police_force_area=police_force_area,
    )
    share = Share.objects.create(
        consent=consent,
        referral=referral,
        scope=Consent.Scope.POLICE,
        recipient_police_force_area=police_force_area,
        items=list(consent.includes),
        shared_at=timezone.now(),
        shared_by=actor,
    )
    _share_event(
        referral=referral,
        actor=actor,
        text=_("Passed to %(force)s") % {"force": police_force_area.name},
    )
    _share_audit(share, actor=actor, organisation=referral.organisation)
    return share


@transaction.atomic
def share_with_worker(
    *, referral: Referral, actor: User, organisation: Organisation, worker: str
) -> Share:
    """Record a share with one named worker at ``organisation``, under the person's consent."""
    _require_caseworker_of(actor, referral.organisation_id)
    consent = consent_for_share(
        person=referral.person,
        scope=Consent.Scope.NAMED_WORKER,
        recipient_organisation=organisation,
        recipient_worker=worker if isinstance(worker, str) else "",
    )
    share = Share.objects.create(
        consent=consent,
        referral=referral,
        scope=Consent.Scope.NAMED_WORKER,
        recipient_organisation=organisation,
        recipient_worker=consent.recipient_worker,
        items=list(consent.includes),
        shared_at=timezone.now(),
        shared_by=actor,
    )
    _share_event(
        referral=referral,
        actor=actor,
        text=_("Shared with %(worker)s at %(organisation)s")
        % {"worker": consent.recipient_worker, "organisation": organisation.name},
    )
    _share_audit(share, actor=actor, organisation=referral.organisation)
    return share


def _share_audit(share: Share, *, actor: User, organisation: Organisation) -> None:
    audit_record(
        actor=actor,
        organisation=organisation,
        action="share.create",
        object_type="share",
        object_id=str(share.pk),
        detail={
            "scope": share.scope,
            "consent": str(share.consent_id),
            "referral": str(share.referral_id),
            "items": share.items,
        },
    )


# --- onward referral and transfer -----------------------------------------------------------

# What the receiving organisation is told about characteristics it was not given.
NOT_SHARED = "not_recorded"
# Timeline entries a transfer carries with it. Stage moves stay behind: the receiving
# organisation's case starts at "referred", and insight must not count the old moves twice.
TRANSFERRED_KINDS = (CaseEvent.Kind.NOTE, CaseEvent.Kind.MESSAGE_IN, CaseEvent.Kind.MESSAGE_OUT)


@transaction.atomic
def onward_referral_create(
    *, referral: Referral, service: Service, actor: User, transfer: bool = False
) -> Share:
    """Refer the person to ``service`` at another organisation, under their consent.

    Needs a live ``onward_referral`` consent naming the service's organisation. The receiving
    organisation gets a new referral holding only what the consent ``includes``: always the
    kinds of harm and the local authority district (to route it); contact details, the
    characteristics, the narrative and, for a ``transfer``, the case's notes and messages only
    when covered. Without covered contact details the new record says not to contact the
    person directly. A ``transfer`` (a young person who has moved to another area) needs
    ``history`` in the consent. Returns the ``Share``; ``share.onward_referral`` is the new
    referral, whose stage both organisations can see.
    """
    _require_caseworker_of(actor, referral.organisation_id)
    if service.status != Service.Status.ACTIVE:
        raise ValidationError({"service": _("This service is not taking referrals at the moment.")})
    receiving = service.organisation
    if receiving.pk == referral.organisation_id:
        raise ValidationError(
            {"service": _("Choose a service of another organisation; this one is your own.")}
        )
    person = referral.person
    consent = consent_for_share(
        person=person, scope=Consent.Scope.ONWARD_REFERRAL, recipient_organisation=receiving
    )
    items = set(consent.includes)
    if transfer and Consent.Item.HISTORY not in items:
        raise ValidationError(
            {
                "consent": _(
                    "The person's consent does not cover their case history, so the case "
                    "cannot be transferred. Refer them on instead, or ask them first."
                )
            }
        )
    shares_contact = Consent.Item.CONTACT_DETAILS in items
    shares_characteristics = Consent.Item.CHARACTERISTICS in items
    new_person = Person(
        organisation=receiving,
        name=person.name if shares_contact else "",
        email=person.email if shares_contact else "",
        phone=person.phone if shares_contact else "",
        postcode=person.postcode if shares_contact else "",
        district=person.district,
        police_force_area=person.police_force_area,
        is_synthetic=person.is_synthetic,
    )
    if shares_characteristics:
        for name in (
            "ethnic_group",
            "ethnic_group_description",
            "age_band",
            "sex",
            "sexual_orientation",
            "religion",
            "disabilities",
            "disability_status",
            "language",
        ):
            setattr(new_person, name, getattr(person, name))
    else:
        for name in ("ethnic_group", "age_band", "sex", "sexual_orientation", "religion"):
            setattr(new_person, name, NOT_SHARED)
        new_person.disability_status = NOT_SHARED
    new_person.full_clean()
    new_person.save()
    _copy_contact_preference(person, new_person, shares_contact=shares_contact)
    now = timezone.now()
    new_referral = Referral(
        kind=Referral.Kind.REFERRAL,
        organisation=receiving,
        service=service,
        person=new_person,
        channel="other_agency",
        harm_types=list(referral.harm_types),
        hate_strands=list(referral.hate_strands),
        narrative=referral.narrative if Consent.Item.NARRATIVE in items else "",
        stage="referred",
        received_at=now,
        is_synthetic=referral.is_synthetic,
    )
    new_referral.full_clean(exclude=["reference"])
    _save_with_reference(new_referral)
    _stage_event(referral=new_referral, stage="referred", actor=None, at=now)
    if transfer:
        CaseEvent.objects.bulk_create(
            CaseEvent(
                referral=new_referral,
                kind=event.kind,
                text=event.text,
                actor=None,
                occurred_at=event.occurred_at,
            )
            for event in CaseEvent.objects.filter(
                referral=referral, kind__in=TRANSFERRED_KINDS
            ).order_by("occurred_at", "id")
        )
    share = Share.objects.create(
        consent=consent,
        referral=referral,
        scope=Consent.Scope.ONWARD_REFERRAL,
        recipient_organisation=receiving,
        items=sorted(items),
        onward_referral=new_referral,
        shared_at=now,
        shared_by=actor,
    )
    _share_event(
        referral=referral,
        actor=actor,
        text=(
            _("Case transferred to %(service)s (%(reference)s)")
            if transfer
            else _("Referred on to %(service)s (%(reference)s)")
        )
        % {"service": service.name, "reference": new_referral.reference},
    )
    _share_audit(share, actor=actor, organisation=referral.organisation)
    audit_record(
        actor=actor,
        organisation=receiving,
        action="referral.create",
        object_type="referral",
        object_id=str(new_referral.pk),
        detail={"channel": "other_agency", "transfer": transfer, "share": share.pk},
    )
    return share


def _copy_contact_preference(person: Person, new_person: Person, *, shares_contact: bool) -> None:
    try:
        preference: ContactPreference | None = person.contact_preference
    except ContactPreference.DoesNotExist:
        preference = None
    if not shares_contact or preference is None:
        # No consent to contact details: the receiving organisation must go through the
        # referrer, and its pages say "Do not contact this person".
        ContactPreference.objects.create(
            person=new_person, channels=[ContactPreference.Channel.NONE]
        )
        return
    ContactPreference.objects.create(
        person=new_person,
        channels=list(preference.channels),
        times=preference.times,
        may_leave_message=preference.may_leave_message,
        others_may_see=preference.others_may_see,
        name_to_use=preference.name_to_use,
        safe_word=preference.safe_word,
    )


# --- safe contact ---------------------------------------------------------------------------

CONTACT_NOTE_MAX_LENGTH = 2_000


def _contact_refusal_message(refusal: Refusal, method_label: str) -> str:
    messages = {
        Refusal.NO_PREFERENCES: _(
            "No contact preferences were recorded. Do not contact this person until you "
            "know it is safe."
        ),
        Refusal.DO_NOT_CONTACT: _("This person asked not to be contacted."),
        Refusal.CHANNEL_NOT_CHOSEN: _(
            "The person did not choose to be contacted this way (%(method)s)."
        )
        % {"method": method_label},
        Refusal.NO_MESSAGES: _("The person said no message may be left. Do not leave a voicemail."),
        Refusal.UNKNOWN_METHOD: _("Choose how you contacted the person from the list."),
    }
    return str(messages[refusal])


@transaction.atomic
def contact_attempt_record(
    *, referral: Referral, actor: User, method: str, outcome: str, note: str = ""
) -> ContactAttempt:
    """Record a try at reaching the person; refused when it breaks their contact preferences.

    Checked against the preferences they gave (``bridgeway.casework.safe_contact``): a
    voicemail when no message may be left, an email when email was not chosen, any contact
    when they asked for none or none were recorded.
    """
    _require_caseworker_of(actor, referral.organisation_id)
    try:
        preference: ContactPreference | None = ContactPreference.objects.get(
            person_id=referral.person_id
        )
    except ContactPreference.DoesNotExist:
        preference = None
    refusal = contact_refusal(
        method,
        channels=preference.channels if preference else None,
        may_leave_message=bool(preference and preference.may_leave_message),
    )
    if refusal is not None:
        label = dict(ContactAttempt.Method.choices).get(method, _shown(method))
        raise ValidationError({"method": _contact_refusal_message(refusal, str(label))})
    if outcome not in ContactAttempt.Outcome.values:
        raise ValidationError({"outcome": _("Choose what happened from the list.")})
    text = _bounded_text(note, field_name="note", limit=CONTACT_NOTE_MAX_LENGTH, label=_("Note"))
    now = timezone.now()
    attempt = ContactAttempt(
        referral_id=referral.pk,
        method=method,
        outcome=outcome,
        note=text,
        actor=actor,
        attempted_at=now,
    )
    attempt.full_clean()
    attempt.save()
    CaseEvent.objects.create(
        referral_id=referral.pk,
        kind=CaseEvent.Kind.CONTACT,
        text=f"{attempt.get_method_display()}: {attempt.get_outcome_display()}"
        + (f"\n{text}" if text else ""),
        actor=actor,
        occurred_at=now,
    )
    audit_record(
        actor=actor,
        organisation=referral.organisation,
        action="contact.attempt",
        object_type="referral",
        object_id=str(referral.pk),
        detail={"method": method, "outcome": outcome},
    )
    return attempt


# --- the audit log's protection -------------------------------------------------------------

AUDIT_TRIGGER = "casework_auditentry_append_only"


@transaction.atomic
def audit_demo_entries_delete(*, entries: QuerySet[AuditEntry]) -> int:
    """Delete the audit entries of demo records (``seed-demo --replace`` on a demo database).

    The one deletion of audit entries anywhere. On PostgreSQL the append-only trigger is
    switched off for this transaction only, which needs the table's owner: in production the
    application's role does not own it, so this fails there, as it should.
    """
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        deleted, _by_model = entries.delete()
        return deleted
    with connection.cursor() as cursor:
        # ALTER TABLE waits for no deferred foreign-key checks: run those now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE casework_auditentry DISABLE TRIGGER {AUDIT_TRIGGER}")
        try:
            deleted, _by_model = entries.delete()
        finally:
            cursor.execute(f"ALTER TABLE casework_auditentry ENABLE TRIGGER {AUDIT_TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return deleted


# --- retention ------------------------------------------------------------------------------

# The stages that end a case, and the setting naming how long each keeps personal data.
RETENTION_SETTINGS = {"closed": "RETENTION_CLOSED_CASE_DAYS", "declined": "RETENTION_DECLINED_DAYS"}


# Below this age a person is a child: their record is kept until RETENTION_YOUNG_PERSON_AGE.
ADULT_AGE = 18


def years_before(moment: dt.datetime, years: int) -> dt.datetime:
    """``moment`` moved back ``years`` calendar years (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def child_age_bands() -> dict[str, int]:
    """The age bands that hold only children, each with the youngest age it allows.

    From the vocabulary's ``min_age``/``max_age`` columns, so finer bands (11 to 15, 16 to
    17) would shorten the wait without a change here. See docs/decisions/0046.
    """
    bands: dict[str, int] = {}
    for term in vocabulary("age_bands"):
        oldest = term.extra.get("max_age") or ""
        if oldest.isdigit() and int(oldest) < ADULT_AGE:
            youngest = term.extra.get("min_age") or "0"
            bands[term.code] = int(youngest) if youngest.isdigit() else 0
    return bands


def _young_person_held(moment: dt.datetime) -> Q:
    """Referrals of people who were children when referred and may not yet be old enough.

    The age is held only as a band, so each is taken to have been the youngest age its band
    allows: nobody's record goes before their RETENTION_YOUNG_PERSON_AGE-th birthday, however
    young they were. A referral is held while it arrived less than (that age - youngest)
    years ago.
    """
    until_age = int(settings.RETENTION_YOUNG_PERSON_AGE)
    held = Q(pk__in=[])
    for band, youngest in child_age_bands().items():
        held |= Q(
            person__age_band=band,
            received_at__gt=years_before(moment, max(until_age - youngest, 0)),
        )
    return held


def _finished_by(stage: str, setting: str, moment: dt.datetime) -> QuerySet[Referral]:
    """Referrals still holding data that reached ``stage`` at least the period ago."""
    cutoff = moment - dt.timedelta(days=int(getattr(settings, setting)))
    return (
        Referral.objects.filter(stage=stage, anonymised_at__isnull=True)
        .annotate(
            finished_at=Max(
                "events__occurred_at",
                filter=Q(events__kind=CaseEvent.Kind.STAGE, events__stage=F("stage")),
            )
        )
        .filter(finished_at__lte=cutoff)
    )


def retention_due(*, now: dt.datetime | None = None) -> list[Referral]:
    """Finished referrals whose retention period has ended and which still hold personal data.

    The period runs from the moment the referral reached its finishing stage (its stage event),
    not from when it arrived, so a long case keeps its record for the whole period after it.
    A person who was a child when referred keeps it until their RETENTION_YOUNG_PERSON_AGE-th
    birthday (see ``_young_person_held``) when that comes later.
    """
    moment = now or timezone.now()
    due: list[Referral] = []
    held = _young_person_held(moment)
    for stage, setting in RETENTION_SETTINGS.items():
        due.extend(
            _finished_by(stage, setting, moment)
            .exclude(held)
            .select_related("organisation")
            .defer("narrative")
            # F(): the annotation is made in ``_finished_by``, out of the type checker's sight.
            .order_by(F("finished_at").asc(), "id")
        )
    return due


def retention_held_for_young_people(*, now: dt.datetime | None = None) -> int:
    """How many finished referrals are past the adult period but kept for a young person."""
    moment = now or timezone.now()
    held = _young_person_held(moment)
    held_count = 0
    for stage, setting in RETENTION_SETTINGS.items():
        held_count += _finished_by(stage, setting, moment).filter(held).count()
    return held_count


@transaction.atomic
def referral_anonymise(*, referral: Referral, at: dt.datetime | None = None) -> Referral:
    """Remove the personal data of a finished referral; keep the codes insight counts.

    Blanks the narrative, the place of the incident, every timeline text and contact note.
    When the person has no other referral still holding data, their name, contact details,
    postcode, own description and contact preferences go too. Stages, kinds of harm and
    characteristic codes stay, so published statistics do not change. Audited.
    """
    moment = at or timezone.now()
    locked = Referral.objects.select_for_update().select_related("organisation").get(pk=referral.pk)
    if locked.stage not in RETENTION_SETTINGS:
        raise ValidationError({"stage": _("Only a closed or declined case can be anonymised.")})
    if locked.anonymised_at is not None:
        return locked
    locked.narrative = ""
    locked.anonymised_at = moment
    locked.save(update_fields=["narrative", "anonymised_at", "updated_at"])
    Report.objects.filter(referral=locked).update(incident_place="")
    CaseEvent.objects.filter(referral=locked).exclude(text="").update(text="")
    ContactAttempt.objects.filter(referral=locked).exclude(note="").update(note="")
    person_cleared = not Referral.objects.filter(
        person_id=locked.person_id, anonymised_at__isnull=True
    ).exists()
    if person_cleared:
        Person.objects.filter(pk=locked.person_id).update(
            name="", email="", phone="", postcode="", ethnic_group_description=""
        )
        ContactPreference.objects.filter(person_id=locked.person_id).update(
            channels=[ContactPreference.Channel.NONE], times="", name_to_use="", safe_word=""
        )
    audit_record(
        actor=None,
        organisation=locked.organisation,
        action="retention.anonymise",
        object_type="referral",
        object_id=str(locked.pk),
        detail={"stage": locked.stage, "person_cleared": person_cleared},
    )
    referral.narrative = ""
    referral.anonymised_at = moment
    return referral


# --- assignment -----------------------------------------------------------------------------


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


# Failed follow-up tries one client may make, across every reference, before it is locked
# out for FOLLOW_UP_CLIENT_LOCK: per-reference locks alone let one machine try codes on many
# references; this caps it. Failures older than FOLLOW_UP_CLIENT_WINDOW are forgotten.
FOLLOW_UP_CLIENT_FAILURE_LIMIT = 20
FOLLOW_UP_CLIENT_LOCK = dt.timedelta(minutes=15)
FOLLOW_UP_CLIENT_WINDOW = dt.timedelta(hours=1)


def client_address(*, remote_addr: str, forwarded_for: str, trusted_proxies: int) -> str:
    """The address of the client a request came from, as far as the proxies can be trusted.

    With no trusted proxies it is the connection's own address: X-Forwarded-For is then
    anyone's to write. With ``n`` trusted proxies it is the ``n``-th address counting back
    from the connection, the right-most one no trusted proxy wrote (or the left-most there
    is, when the header is shorter). IPv6 addresses are taken to their /64, which one home
    or phone holds whole, so moving within it does not make a new client.
    """
    hops = [remote_addr.strip()]
    hops += [part.strip() for part in reversed(forwarded_for.split(",")) if part.strip()]
    chosen = hops[min(max(trusted_proxies, 0), len(hops) - 1)]
    try:
        address = ipaddress.ip_address(chosen)
    except ValueError:
        return chosen
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def follow_up_client_key(address: str) -> str:
    """An HMAC of the client's address under the secret key: the stored form of a client."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"follow-up-client:{address}".encode(), hashlib.sha256
    ).hexdigest()


def follow_up_client_locked(*, client_key: str) -> bool:
    """True while the client is locked out of follow-up after too many failures."""
    return follow_up_client_locked_until(client_key=client_key) is not None


def follow_up_client_locked_until(*, client_key: str) -> dt.datetime | None:
    """When the client's lock-out ends, or None if it is not locked out."""
    return (
        FollowUpClientAttempts.objects.filter(
            client_key=client_key, locked_until__gt=timezone.now()
        )
        .values_list("locked_until", flat=True)
        .first()
    )


@transaction.atomic
def follow_up_client_failure(*, client_key: str) -> bool:
    """Count one failed follow-up try by the client; True when it has just been locked.

    A good code does not clear the count: anyone can hold one report of their own, and
    opening it must not buy more guesses at other people's.
    """
    now = timezone.now()
    attempts, _created = FollowUpClientAttempts.objects.select_for_update().get_or_create(
        client_key=client_key, defaults={"first_failed_at": now}
    )
    if now - attempts.first_failed_at > FOLLOW_UP_CLIENT_WINDOW:
        attempts.failures = 0
        attempts.first_failed_at = now
    attempts.failures += 1
    locks = attempts.failures >= FOLLOW_UP_CLIENT_FAILURE_LIMIT
    if locks:
        attempts.failures = 0
        attempts.first_failed_at = now
        attempts.locked_until = now + FOLLOW_UP_CLIENT_LOCK
    attempts.full_clean()
    attempts.save()
    return locks

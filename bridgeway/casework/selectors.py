"""Reads for casework: the inbox, one referral for a member of staff, its timeline.

Lists are filtered by membership; a single referral someone may not see is a 404, the same
as one that does not exist. Every successful read of a referral is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from bridgeway.accounts.access import CASEWORK_ROLES, organisations_for
from bridgeway.accounts.models import User
from bridgeway.casework.models import (
    CaseEvent,
    Consent,
    ContactAttempt,
    ContactPreference,
    Person,
    PersonCorrection,
    Referral,
    Report,
    Share,
)
from bridgeway.casework.references import normalise_reference
from bridgeway.casework.services import audit_record, consent_is_live
from bridgeway.casework.timescales import due_filter

INBOX_PAGE_SIZE = 50
INBOX_MAX_PAGE_SIZE = 200

# Until someone has been contacted, the inbox shows how long they have waited.
WAITING_STAGES = frozenset({"referred"})
# The inbox filter value for referrals nobody has taken on.
UNASSIGNED = "unassigned"


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_CURSOR = re.compile(r"^(-?[0-9]{1,20})\.([0-9a-f]{32})$")


@dataclass(frozen=True)
class InboxCursor:
    """A place in the inbox's order: a referral's arrival time and, for ties, its id.

    The inbox is sorted newest first by ``received_at`` and then by ``id``, which is unique,
    so every referral has its own place and a page that starts after one never repeats or
    skips a row, whatever arrives meanwhile.
    """

    received_at: dt.datetime
    id: uuid.UUID

    @classmethod
    def of(cls, referral: Referral) -> InboxCursor:
        """The place of ``referral``."""
        return cls(referral.received_at, referral.id)

    def token(self) -> str:
        """The place as it goes in a page link: microseconds since 1970, a dot, the id in hex."""
        return f"{(self.received_at - _EPOCH) // dt.timedelta(microseconds=1)}.{self.id.hex}"

    @classmethod
    def parse(cls, token: str) -> InboxCursor:
        """The place a page link names; ``ValueError`` if it is not one ``token`` makes."""
        match = _CURSOR.match(token.strip()) if isinstance(token, str) else None
        if match is None:
            raise ValueError("not an inbox cursor")
        try:
            received_at = _EPOCH + dt.timedelta(microseconds=int(match.group(1)))
        except OverflowError:
            raise ValueError("not an inbox cursor") from None
        return cls(received_at, uuid.UUID(hex=match.group(2)))

    def older(self) -> Q:
        """Referrals after this place in the inbox's order (older, or as old with a later id).

        Written as ``received_at <= t AND NOT (received_at = t AND id <= i)`` rather than an
        ``OR`` so both databases seek the (organisation, received_at, id) index to ``t``.
        """
        return Q(received_at__lte=self.received_at) & ~Q(
            received_at=self.received_at, id__lte=self.id
        )

    def newer(self) -> Q:
        """Referrals before this place in the inbox's order."""
        return Q(received_at__gte=self.received_at) & ~Q(
            received_at=self.received_at, id__gte=self.id
        )


@dataclass
class InboxPage:
    """One page of the inbox, with the links to the pages either side of it.

    ``number`` is the page's position when it was asked for by number (the first pages);
    a page reached by "Older" or "Newer" is found from its neighbour's last or first row
    (keyset paging) and has no number, because counting the rows above it would cost what
    keyset paging saves.
    """

    object_list: list[Referral]
    count: int
    per_page: int
    number: int | None
    older: str | None
    newer: str | None

    @property
    def num_pages(self) -> int:
        """How many pages the matching referrals fill (at least one)."""
        return max(1, -(-self.count // self.per_page))

    @property
    def has_other_pages(self) -> bool:
        """Whether there is a page either side to link to."""
        return bool(self.older or self.newer)


def inbox_for_user(
    user: User,
    *,
    stage: str | None = None,
    kind: str | None = None,
    harm: str | None = None,
    age_band: str | None = None,
    waited_days: int | None = None,
    assignee: User | str | None = None,
    due: str | None = None,
    page: int | str = 1,
    after: InboxCursor | None = None,
    before: InboxCursor | None = None,
    per_page: int = INBOX_PAGE_SIZE,
    now: dt.datetime | None = None,
) -> InboxPage:
    """One page of the referrals and reports in the user's casework organisations.

    Newest first, optionally narrowed to one ``stage``, ``kind``, kind of ``harm``, the
    person's ``age_band``, those still waiting for first contact after ``waited_days``, and an
    ``assignee`` (a user, or ``"unassigned"``). ``page`` counts pages from the newest (one
    past the end gives the last); ``after`` is the page of referrals that come after that
    place, ``before`` the page before it (keyset paging: each costs the same however deep).
    Sealed fields the list does not show are not read, so a page costs the same few
    queries however many rows it holds or match.
    """
    organisations = organisations_for(user, CASEWORK_ROLES)
    # Paged on the referral table alone: the rows of one page are fetched with what they show
    # afterwards, so a deep page does not join every row it skips.
    referrals = Referral.objects.filter(organisation__in=organisations)
    if stage:
        referrals = referrals.filter(stage=stage)
    if kind:
        referrals = referrals.filter(kind=kind)
    if harm:
        referrals = referrals.filter(_harm_includes(harm))
    if age_band:
        referrals = referrals.filter(
            person_id__in=Person.objects.filter(
                organisation__in=organisations, age_band=age_band
            ).values("id")
        )
    if waited_days is not None:
        moment = now or timezone.now()
        referrals = referrals.filter(
            stage__in=WAITING_STAGES, received_at__lte=moment - dt.timedelta(days=waited_days)
        )
    if due:
        # First contact overdue or due today (working days), or an open task overdue.
        today = timezone.localdate(now or timezone.now())
        referrals = referrals.filter(due_filter(due, [o.pk for o in organisations], today))
    if assignee == UNASSIGNED:
        referrals = referrals.filter(assigned_to__isnull=True)
    elif isinstance(assignee, User):
        referrals = referrals.filter(assigned_to=assignee)
    size = max(1, min(per_page, INBOX_MAX_PAGE_SIZE))
    count = referrals.count()
    number, keys, has_older, has_newer = _inbox_page_keys(
        referrals, count=count, size=size, page=page, after=after, before=before
    )
    ids = [key for _at, key in keys]
    rows = (
        Referral.objects.filter(id__in=ids)
        .select_related("organisation", "service", "report", "assigned_to")
        .defer("narrative", "report__incident_place")
        .in_bulk()
    )
    shown = [rows[key] for key in ids if key in rows]
    return InboxPage(
        object_list=shown,
        count=count,
        per_page=size,
        number=number,
        older=InboxCursor(*keys[-1]).token() if has_older and keys else None,
        newer=InboxCursor(*keys[0]).token() if has_newer and keys else None,
    )


def _inbox_page_keys(
    referrals: QuerySet[Referral],
    *,
    count: int,
    size: int,
    page: int | str,
    after: InboxCursor | None,
    before: InboxCursor | None,
) -> tuple[int | None, list[tuple[dt.datetime, uuid.UUID]], bool, bool]:
    """The places of one page's rows, newest first: its number, keys, and older/newer pages.

    One query: a seek from ``after`` or ``before`` along the inbox's order, or an OFFSET for a
    numbered page (used for the first pages, where it costs no more).
    """
    places = referrals.values_list("received_at", "id")
    newest_first = places.order_by("-received_at", "id")
    number: int | None = None
    keys: list[tuple[dt.datetime, uuid.UUID]] = []
    has_older = has_newer = False
    if before is not None:
        keys = list(places.filter(before.newer()).order_by("received_at", "-id")[: size + 1])
        has_newer = len(keys) > size
        keys = keys[:size][::-1]
        if not has_newer:
            # Back at the top: the first page, full, with its number.
            before, keys = None, []
    elif after is not None:
        keys = list(newest_first.filter(after.older())[: size + 1])
        has_older = len(keys) > size
        keys = keys[:size]
        has_newer = True
        if not keys:
            # A link past the end (the rows it followed have gone): the first page instead.
            after = None
    if before is None and after is None:
        try:
            wanted = max(1, int(page))
        except (TypeError, ValueError):
            wanted = 1
        number = min(wanted, max(1, -(-count // size)))
        start = (number - 1) * size
        keys = list(newest_first[start : start + size + 1])
        has_older = len(keys) > size
        keys = keys[:size]
        has_newer = number > 1
    return number, keys, has_older, has_newer


def _harm_includes(code: str) -> Q:
    """Referrals whose ``harm_types`` list holds ``code``.

    PostgreSQL tests JSON containment; SQLite has no such lookup, so its JSON text is searched
    for the quoted code (codes are lower-case letters and underscores, so one code cannot be
    found inside another when quoted).
    """
    if connection.vendor == "postgresql":
        return Q(harm_types__contains=[code])
    return Q(harm_types__icontains=f'"{code}"')


def inbox_assignees(user: User) -> list[User]:
    """The people a referral in the user's casework organisations can be assigned to."""
    organisations = organisations_for(user, CASEWORK_ROLES)
    return list(
        User.objects.filter(
            memberships__organisation__in=organisations, memberships__role__in=CASEWORK_ROLES
        )
        .distinct()
        .order_by("full_name", "email")
    )


def referral_waited(referral: Referral, *, now: dt.datetime) -> dt.timedelta | None:
    """How long the person has waited since the referral arrived, while nobody has contacted them."""
    if referral.stage not in WAITING_STAGES:
        return None
    return max(now - referral.received_at, dt.timedelta(0))


def _referrals_for_user(user: User) -> QuerySet[Referral]:
    return Referral.objects.filter(
        organisation__in=organisations_for(user, CASEWORK_ROLES)
    ).select_related(
        "organisation",
        "service",
        "report",
        "assigned_to",
        "person__contact_preference",
        "person__district",
        "person__police_force_area",
    )


def referral_for_user(user: User, reference: str) -> Referral:
    """The referral with ``reference`` in one of the user's casework organisations, or 404.

    Writes nothing: for changes whose service records its own audit entry. Anything that
    shows the referral to someone uses ``referral_get_for_user``.
    """
    normalised = normalise_reference(reference) if isinstance(reference, str) else ""
    if not normalised:
        raise Http404("No such referral")
    referral = _referrals_for_user(user).filter(reference=normalised).first()
    if referral is None:
        raise Http404("No such referral")
    return referral


def referral_get_for_user(user: User, reference: str) -> Referral:
    """The referral for a member of staff to read, or 404; the read is written to the audit log.

    404 for a reference that does not exist and for another organisation's referral alike.
    """
    referral = referral_for_user(user, reference)
    audit_record(
        actor=user,
        organisation=referral.organisation,
        action="referral.read",
        object_type="referral",
        object_id=str(referral.id),
        detail={"reference": referral.reference},
    )
    return referral


def referral_timeline(referral: Referral) -> list[CaseEvent]:
    """The referral's events, oldest first, with who recorded each."""
    return list(
        CaseEvent.objects.filter(referral=referral)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )


def consents_for_referral(referral: Referral) -> list[Consent]:
    """The person's consents, newest first, with their recipients."""
    return list(
        Consent.objects.filter(person_id=referral.person_id)
        .select_related("recipient_organisation", "recipient_police_force_area")
        .order_by("-given_at", "id")
    )


def shares_for_referral(referral: Referral) -> list[Share]:
    """What was shared from this referral, oldest first, with each onward referral's stage."""
    return list(
        Share.objects.filter(referral=referral)
        .select_related(
            "recipient_organisation", "recipient_police_force_area", "onward_referral", "shared_by"
        )
        .order_by("shared_at", "id")
    )


def arrival_for_referral(referral: Referral) -> Share | None:
    """The share this referral arrived by, when another organisation referred the person on."""
    return (
        Share.objects.filter(onward_referral=referral)
        .select_related("referral__organisation", "referral__service")
        .first()
    )


def consent_for_user(user: User, reference: str, consent_id: str) -> Consent:
    """A consent of the person on one of the user's referrals, or 404 (missing or not theirs)."""
    referral = referral_for_user(user, reference)
    try:
        return Consent.objects.select_related("person__organisation").get(
            pk=consent_id, person_id=referral.person_id
        )
    except (Consent.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such consent") from None


@dataclass(frozen=True)
class ShareSeen:
    """One share as the person sees it: to whom, when and what, never who at our end did it."""

    scope: str
    recipient: str
    worker: str
    shared_at: dt.datetime
    items: tuple[str, ...]
    # An onward referral always carries the person's local authority district, when known.
    carried_area: bool
    # When a handover pack (PDF) was made for the police from this share, if one was.
    pack_made_at: dt.datetime | None = None


@dataclass(frozen=True)
class ConsentSeen:
    """One consent the person gave, as they see it on the follow-up page, with its shares."""

    id: str
    scope: str
    recipient: str
    worker: str
    includes: tuple[str, ...]
    given_at: dt.datetime
    expires: dt.datetime | None
    revoked_at: dt.datetime | None
    is_live: bool
    shares: tuple[ShareSeen, ...]

    @property
    def has_ended(self) -> bool:
        """Expired (not withdrawn): nothing more will be shared under it."""
        return not self.is_live and self.revoked_at is None


def _recipient_name(item: Consent | Share) -> str:
    if item.recipient_police_force_area is not None:
        return item.recipient_police_force_area.name
    if item.recipient_organisation is not None:
        return item.recipient_organisation.name
    return ""


def sharing_for_reporter(referral: Referral) -> list[ConsentSeen]:
    """The consents of the person behind a report, newest first, each with what was shared.

    For the follow-up page, after ``follow_up_open``: every share made under each consent,
    from any of the person's records at this organisation. Two queries whatever the number;
    the read is audited, as every read of a consent is.
    """
    now = timezone.now()
    consents = list(
        Consent.objects.filter(person_id=referral.person_id)
        .select_related("recipient_organisation", "recipient_police_force_area")
        .order_by("-given_at", "id")
    )
    shares: dict[Any, list[ShareSeen]] = {consent.pk: [] for consent in consents}
    for share in (
        Share.objects.filter(consent__person_id=referral.person_id)
        .select_related("recipient_organisation", "recipient_police_force_area", "referral__person")
        .order_by("shared_at", "id")
    ):
        shares[share.consent_id].append(
            ShareSeen(
                scope=share.scope,
                recipient=_recipient_name(share),
                worker=share.recipient_worker,
                shared_at=share.shared_at,
                items=tuple(share.items),
                carried_area=share.scope == Consent.Scope.ONWARD_REFERRAL
                and share.referral.person.district_id is not None,
                pack_made_at=share.pack_made_at,
            )
        )
    seen = [
        ConsentSeen(
            id=str(consent.pk),
            scope=consent.scope,
            recipient=_recipient_name(consent),
            worker=consent.recipient_worker,
            includes=tuple(consent.includes),
            given_at=consent.given_at,
            expires=consent.expires,
            revoked_at=consent.revoked_at,
            is_live=consent_is_live(consent, at=now),
            shares=tuple(shares[consent.pk]),
        )
        for consent in consents
    ]
    audit_record(
        actor=None,
        organisation=referral.organisation,
        action="consent.read_by_reporter",
        object_type="referral",
        object_id=str(referral.pk),
        detail={"consents": len(seen), "shares": sum(len(c.shares) for c in seen)},
    )
    return seen


def consent_for_reporter(referral: Referral, consent_id: object) -> Consent:
    """A consent of the person behind an opened report, or 404 (missing or someone else's)."""
    if not isinstance(consent_id, str) or not consent_id:
        raise Http404("No such consent")
    try:
        return Consent.objects.select_related(
            "recipient_organisation", "recipient_police_force_area"
        ).get(pk=consent_id, person_id=referral.person_id)
    except (Consent.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such consent") from None


class NoSuchReference(Exception):
    """No referral or report has this reference."""


def subject_access_data(reference: str) -> dict[str, Any]:
    """Everything the organisation holds about the person behind ``reference``, as plain data.

    For a subject access request: the person, how they may be contacted, each of their
    referrals or reports at that organisation with its timeline (internal notes included: the
    organisation reviews the export for other people's data before it is released), consents,
    shares and contact attempts. The follow-up code's hash is left out. The export is audited.
    """
    normalised = normalise_reference(reference) if isinstance(reference, str) else ""
    referral = (
        Referral.objects.select_related("person__organisation").filter(reference=normalised).first()
        if normalised
        else None
    )
    if referral is None:
        raise NoSuchReference(reference)
    person = referral.person
    referrals = list(
        Referral.objects.filter(person=person)
        .select_related("service", "report")
        .order_by("received_at", "id")
    )
    try:
        contact: ContactPreference | None = person.contact_preference
    except ContactPreference.DoesNotExist:
        contact = None
    data: dict[str, Any] = {
        "organisation": person.organisation.name,
        "person": {
            "name": person.name,
            "email": person.email,
            "phone": person.phone,
            "postcode": person.postcode,
            "district": person.district_id,
            "police_force_area": person.police_force_area_id,
            "ethnic_group": person.ethnic_group,
            "ethnic_group_description": person.ethnic_group_description,
            "age_band": person.age_band,
            "sex": person.sex,
            "sexual_orientation": person.sexual_orientation,
            "religion": person.religion,
            "disabilities": person.disabilities,
            "disability_status": person.disability_status,
            "language": person.language,
            "recorded_at": person.created_at.isoformat(),
        },
        "contact_preferences": None
        if contact is None
        else {
            "channels": contact.channels,
            "times": contact.times,
            "may_leave_message": contact.may_leave_message,
            "others_may_see": contact.others_may_see,
            "name_to_use": contact.name_to_use,
            "safe_word": contact.safe_word,
        },
        "referrals": [_referral_data(item) for item in referrals],
        "consents": [
            {
                "scope": consent.scope,
                "recipient_organisation": consent.recipient_organisation.name
                if consent.recipient_organisation
                else None,
                "recipient_police_force_area": consent.recipient_police_force_area_id,
                "recipient_worker": consent.recipient_worker,
                "includes": consent.includes,
                "given_at": consent.given_at.isoformat(),
                "given_how": consent.given_how,
                "expires": consent.expires.isoformat() if consent.expires else None,
                "withdrawn_at": consent.revoked_at.isoformat() if consent.revoked_at else None,
            }
            for consent in Consent.objects.filter(person=person)
            .select_related("recipient_organisation")
            .order_by("given_at", "id")
        ],
        # Every change made to the record, with what it held before and after.
        "history": [
            {
                "at": correction.at.isoformat(),
                "kind": correction.kind,
                "requested_by_person": correction.requested_by_person,
                "changes": json.loads(correction.changes) if correction.changes else {},
            }
            for correction in PersonCorrection.objects.filter(person=person).order_by("at", "id")
        ],
    }
    audit_record(
        actor=None,
        organisation=person.organisation,
        action="subject_access.export",
        object_type="person",
        object_id=str(person.pk),
        detail={"reference": referral.reference, "referrals": len(referrals)},
    )
    return data


def _referral_data(referral: Referral) -> dict[str, Any]:
    try:
        report: Report | None = referral.report
    except Report.DoesNotExist:
        report = None
    return {
        "reference": referral.reference,
        "kind": referral.kind,
        "service": referral.service.name if referral.service else None,
        "received_at": referral.received_at.isoformat(),
        "channel": referral.channel,
        "stage": referral.stage,
        "harm_types": referral.harm_types,
        "hate_strands": referral.hate_strands,
        "narrative": referral.narrative,
        "coped_better": referral.coped_better,
        "report": None
        if report is None
        else {
            "anonymous": report.is_anonymous,
            "incident_date": report.incident_date.isoformat() if report.incident_date else None,
            "incident_place": report.incident_place,
            "wants_police_told": report.wants_police_told,
        },
        "timeline": [
            {
                "at": event.occurred_at.isoformat(),
                "kind": event.kind,
                "stage": event.stage,
                "text": event.text,
            }
            for event in CaseEvent.objects.filter(referral=referral).order_by("occurred_at", "id")
        ],
        "contact_attempts": [
            {
                "at": attempt.attempted_at.isoformat(),
                "method": attempt.method,
                "outcome": attempt.outcome,
                "note": attempt.note,
            }
            for attempt in ContactAttempt.objects.filter(referral=referral)
        ],
        "shared": [
            {
                "at": share.shared_at.isoformat(),
                "scope": share.scope,
                "recipient_organisation": share.recipient_organisation.name
                if share.recipient_organisation
                else None,
                "recipient_police_force_area": share.recipient_police_force_area_id,
                "recipient_worker": share.recipient_worker,
                "items": share.items,
            }
            for share in Share.objects.filter(referral=referral).select_related(
                "recipient_organisation"
            )
        ],
    }

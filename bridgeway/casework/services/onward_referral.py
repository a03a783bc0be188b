"""Referring a person on to another organisation's service, or transferring their case there."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.models import Organisation, User
from bridgeway.casework.models import (
    CaseEvent,
    Consent,
    ContactPreference,
    Person,
    Referral,
    Share,
)
from bridgeway.casework.services.audit import audit_record
from bridgeway.casework.services.checks import (
    _require_caseworker_of,
)
from bridgeway.casework.services.consent import _share_audit, _share_event, consent_for_share
from bridgeway.casework.services.evidence import evidence_copy
from bridgeway.casework.services.person_index import person_index_refresh
from bridgeway.casework.services.referrals import _save_with_reference, _stage_event
from bridgeway.directory.models import Service

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
    consent = _consent_to_refer(referral=referral, service=service, actor=actor, transfer=transfer)
    items = set(consent.includes)
    now = timezone.now()
    new_person = _person_as_shared(referral.person, organisation=service.organisation, items=items)
    _link(referral.person, new_person)
    new_referral = _referral_as_shared(
        referral, service=service, person=new_person, items=items, at=now
    )
    if transfer:
        _history_carry(referral, to=new_referral)
    if Consent.Item.EVIDENCE in items:
        evidence_copy(source=referral, to=new_referral)
    share = Share.objects.create(
        consent=consent,
        referral=referral,
        scope=Consent.Scope.ONWARD_REFERRAL,
        recipient_organisation=service.organisation,
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
        organisation=service.organisation,
        action="referral.create",
        object_type="referral",
        object_id=str(new_referral.pk),
        detail={"channel": "other_agency", "transfer": transfer, "share": share.pk},
    )
    return share


def _consent_to_refer(
    *, referral: Referral, service: Service, actor: User, transfer: bool
) -> Consent:
    """The live consent an onward referral or transfer to ``service`` rests on, all checked.

    Refused when ``actor`` does not work the case, the service is not taking referrals or is
    the referrer's own, there is no live consent naming its organisation, or (for a
    transfer) the consent does not cover the case's history.
    """
    _require_caseworker_of(actor, referral.organisation_id)
    if service.status != Service.Status.ACTIVE:
        raise ValidationError({"service": _("This service is not taking referrals at the moment.")})
    if service.organisation_id == referral.organisation_id:
        raise ValidationError(
            {"service": _("Choose a service of another organisation; this one is your own.")}
        )
    consent = consent_for_share(
        person=referral.person,
        scope=Consent.Scope.ONWARD_REFERRAL,
        recipient_organisation=service.organisation,
    )
    if transfer and Consent.Item.HISTORY not in consent.includes:
        raise ValidationError(
            {
                "consent": _(
                    "The person's consent does not cover their case history, so the case "
                    "cannot be transferred. Refer them on instead, or ask them first."
                )
            }
        )
    return consent


# The characteristics a consent covering them carries over as they are.
_CHARACTERISTICS = (
    "ethnic_group",
    "ethnic_group_description",
    "age_band",
    "sex",
    "sexual_orientation",
    "religion",
    "disabilities",
    "disability_status",
    "language",
)


def _person_as_shared(person: Person, *, organisation: Organisation, items: set[str]) -> Person:
    """The receiving ``organisation``'s own record of ``person``: only what ``items`` cover.

    The district and police force always travel (to route the referral); contact details
    and characteristics only when the consent covers them, else "not recorded".
    """
    shares_contact = Consent.Item.CONTACT_DETAILS in items
    new_person = Person(
        organisation=organisation,
        name=person.name if shares_contact else "",
        email=person.email if shares_contact else "",
        phone=person.phone if shares_contact else "",
        postcode=person.postcode if shares_contact else "",
        date_of_birth=person.date_of_birth if shares_contact else "",
        district=person.district,
        police_force_area=person.police_force_area,
        is_synthetic=person.is_synthetic,
    )
    if Consent.Item.CHARACTERISTICS in items:
        for name in _CHARACTERISTICS:
            setattr(new_person, name, getattr(person, name))
    else:
        for name in ("ethnic_group", "age_band", "sex", "sexual_orientation", "religion"):
            setattr(new_person, name, NOT_SHARED)
        new_person.disability_status = NOT_SHARED
    new_person.full_clean()
    new_person.save()
    person_index_refresh(new_person)
    _copy_contact_preference(person, new_person, shares_contact=shares_contact)
    return new_person


def _link(person: Person, new_person: Person) -> None:
    """Give the receiving record the sending record's link key, so insight counts one person.

    The first link takes the sending record's own id as the key: the snapshot already keys
    that record by it, so its earlier rows and every later one keep one person_key. Only an
    onward referral or transfer, which needs the person's consent, ever links two records.
    """
    root = person.link_key or person.pk
    if person.link_key is None:
        Person.objects.filter(pk=person.pk).update(link_key=root)
        person.link_key = root
    Person.objects.filter(pk=new_person.pk).update(link_key=root)
    new_person.link_key = root


def _referral_as_shared(
    referral: Referral, *, service: Service, person: Person, items: set[str], at: dt.datetime
) -> Referral:
    """The new referral in ``service``'s organisation's inbox, at "referred" from ``at``."""
    new_referral = Referral(
        kind=Referral.Kind.REFERRAL,
        organisation=service.organisation,
        service=service,
        person=person,
        channel="other_agency",
        harm_types=list(referral.harm_types),
        hate_strands=list(referral.hate_strands),
        narrative=referral.narrative if Consent.Item.NARRATIVE in items else "",
        stage="referred",
        received_at=at,
        is_synthetic=referral.is_synthetic,
    )
    new_referral.full_clean(exclude=["reference"])
    _save_with_reference(new_referral)
    _stage_event(referral=new_referral, stage="referred", actor=None, at=at)
    return new_referral


def _history_carry(referral: Referral, *, to: Referral) -> None:
    """Copy the case's notes and messages onto the transferred case, keeping their times.

    Without their authors: the receiving organisation's staff are not told who wrote them.
    """
    CaseEvent.objects.bulk_create(
        CaseEvent(
            referral=to,
            kind=event.kind,
            text=event.text,
            actor=None,
            occurred_at=event.occurred_at,
        )
        for event in CaseEvent.objects.filter(
            referral=referral, kind__in=TRANSFERRED_KINDS
        ).order_by("occurred_at", "id")
    )


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

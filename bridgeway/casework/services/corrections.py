"""Correcting a person's record, and carrying out their request to erase it."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from bridgeway.accounts.access import has_role_in
from bridgeway.accounts.models import Membership, User
from bridgeway.casework.models import (
    ContactPreference,
    Person,
    PersonCorrection,
    Referral,
)
from bridgeway.casework.services.audit import audit_record
from bridgeway.casework.services.checks import _require_caseworker_of
from bridgeway.casework.services.people import (
    ContactDetails,
    PersonDetails,
    _contact_fields,
    _person_fields,
)
from bridgeway.casework.services.person_index import person_index_refresh
from bridgeway.casework.services.referrals import referral_advance
from bridgeway.casework.services.retention import RETENTION_SETTINGS, referral_anonymise

# Foreign keys compared and recorded by their code.
_KEYS = {"district": "district_id", "police_force_area": "police_force_area_id"}


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    return list(value) if isinstance(value, tuple) else value


def _differences(current: Any, proposed: dict[str, Any], prefix: str = "") -> dict[str, list[Any]]:
    changed = {}
    for name, value in proposed.items():
        before = getattr(current, _KEYS.get(name, name)) if current is not None else None
        after = _plain(value)
        if before != after:
            changed[prefix + name] = [before, after]
    return changed


@transaction.atomic
def person_correct(
    *,
    actor: User,
    person: Person,
    details: PersonDetails,
    contact: ContactDetails,
    requested_by_person: bool = False,
) -> PersonCorrection | None:
    """Change ``person``'s details, contact preferences and equality answers to these.

    Checked as when the person was first recorded; a ValidationError names the field and
    changes nothing. The before and after of every changed field is kept sealed in a
    ``PersonCorrection``; the audit entry names the fields only. None when nothing changed.
    """
    _require_caseworker_of(actor, person.organisation_id)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    same_postcode = details.postcode.strip() == (locked.postcode or "")
    if same_postcode:
        # Kept as it is: an anonymous report holds only the district (LS6), which is not
        # a postcode the check would take.
        details = replace(details, postcode="")
    fields = _person_fields(details)
    if same_postcode:
        for name in ("postcode", "district", "police_force_area"):
            fields.pop(name)
    contact_fields = _contact_fields(Person(phone=fields["phone"], email=fields["email"]), contact)
    preference = ContactPreference.objects.filter(person=locked).first()
    changes = _differences(locked, fields)
    changes.update(_differences(preference, contact_fields, prefix="contact."))
    if not changes:
        return None
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    person_index_refresh(locked)
    if preference is None:
        preference = ContactPreference(person=locked)
    for name, value in contact_fields.items():
        setattr(preference, name, value)
    preference.full_clean(exclude=["person"])
    preference.save()
    correction = PersonCorrection.objects.create(
        person=locked,
        kind=PersonCorrection.Kind.CORRECTION,
        fields=sorted(changes),
        changes=json.dumps(changes, ensure_ascii=False, default=str),
        requested_by_person=requested_by_person,
        actor=actor,
        at=timezone.now(),
    )
    audit_record(
        actor=actor,
        organisation=locked.organisation,
        action="person.correct",
        object_type="person",
        object_id=str(locked.pk),
        detail={
            "fields": sorted(changes),
            "correction": correction.pk,
            "requested_by_person": requested_by_person,
        },
    )
    return correction


@transaction.atomic
def person_erase(*, actor: User, person: Person) -> PersonCorrection:
    """Carry out the person's request to erase their record (organisation administrators).

    Every open case is closed and every case anonymised as the retention command does: the
    name, contact details, narrative and notes go; the codes insight counts stay.
    """
    if not has_role_in(actor, person.organisation_id, (Membership.Role.ORGANISATION_ADMIN,)):
        raise PermissionDenied("Only an organisation administrator can erase a record.")
    referrals = list(Referral.objects.filter(person=person, anonymised_at__isnull=True))
    for referral in referrals:
        if referral.stage not in RETENTION_SETTINGS:
            referral_advance(referral=referral, stage="closed", actor=actor)
        referral_anonymise(referral=referral)
    Person.objects.filter(pk=person.pk).update(
        name="", email="", phone="", postcode="", ethnic_group_description="", date_of_birth=""
    )
    ContactPreference.objects.filter(person=person).update(
        channels=[ContactPreference.Channel.NONE], times="", name_to_use="", safe_word=""
    )
    # What earlier corrections said before and after is the person's data too.
    PersonCorrection.objects.filter(person=person).update(changes="")
    person.refresh_from_db()
    person_index_refresh(person)
    correction = PersonCorrection.objects.create(
        person=person,
        kind=PersonCorrection.Kind.ERASURE,
        fields=[],
        requested_by_person=True,
        actor=actor,
        at=timezone.now(),
    )
    audit_record(
        actor=actor,
        organisation=person.organisation,
        action="person.erase",
        object_type="person",
        object_id=str(person.pk),
        detail={"referrals": len(referrals), "correction": correction.pk},
    )
    return correction

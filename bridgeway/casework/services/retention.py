"""Retention: which finished cases are due to lose their personal data, and removing it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.casework.models import (
    CaseEvent,
    ContactAttempt,
    ContactPreference,
    Evidence,
    Person,
    PersonIndex,
    Referral,
    Report,
)
from bridgeway.casework.services.audit import audit_record
from bridgeway.casework.young_people import child_age_bands, years_before

# The stages that end a case, and the setting naming how long each keeps personal data.
RETENTION_SETTINGS = {"closed": "RETENTION_CLOSED_CASE_DAYS", "declined": "RETENTION_DECLINED_DAYS"}


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
    # Who referred and the police's reference name or point to the person too.
    locked.referred_by = ""
    locked.police_reference = ""
    locked.anonymised_at = moment
    locked.save(
        update_fields=[
            "narrative",
            "referred_by",
            "police_reference",
            "anonymised_at",
            "updated_at",
        ]
    )
    Report.objects.filter(referral=locked).update(incident_place="")
    # Screenshots and photos are personal data through and through: nothing of them is kept.
    Evidence.objects.filter(referral=locked).delete()
    CaseEvent.objects.filter(referral=locked).exclude(text="").update(text="")
    ContactAttempt.objects.filter(referral=locked).exclude(note="").update(note="")
    person_cleared = not Referral.objects.filter(
        person_id=locked.person_id, anonymised_at__isnull=True
    ).exists()
    if person_cleared:
        Person.objects.filter(pk=locked.person_id).update(
            name="",
            email="",
            phone="",
            postcode="",
            ethnic_group_description="",
            date_of_birth="",
        )
        # Nothing left to find the person by.
        PersonIndex.objects.filter(person_id=locked.person_id).delete()
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

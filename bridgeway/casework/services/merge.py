"""Two records of one person made one, and undone by an organisation administrator."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.access import has_role_in
from bridgeway.accounts.models import Membership, User
from bridgeway.casework.models import Consent, Person, PersonMerge, Referral
from bridgeway.casework.services.audit import audit_record
from bridgeway.casework.services.checks import _require_caseworker_of
from bridgeway.casework.services.person_index import person_index_refresh


@transaction.atomic
def person_merge(*, actor: User, kept: Person, merged: Person) -> PersonMerge:
    """Move ``merged``'s referrals and consents to ``kept`` and retire ``merged``.

    Both must be records of the actor's organisation, and the same one. ``merged`` keeps its
    own details (nothing is overwritten, so the merge can be undone exactly); it no longer
    appears in searches. History stays with each referral; the merge is audited.
    """
    people = {
        p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[kept.pk, merged.pk])
    }
    kept, merged = people[kept.pk], people[merged.pk]
    _require_caseworker_of(actor, kept.organisation_id)
    if kept.pk == merged.pk:
        raise ValidationError({"merged": _("Choose two different records to merge.")})
    if kept.organisation_id != merged.organisation_id:
        raise ValidationError({"merged": _("Only records of the same organisation can be merged.")})
    if kept.merged_into_id is not None or merged.merged_into_id is not None:
        raise ValidationError({"merged": _("One of these records has already been merged.")})
    referral_ids = [
        str(i) for i in Referral.objects.filter(person=merged).values_list("id", flat=True)
    ]
    consent_ids = [
        str(i) for i in Consent.objects.filter(person=merged).values_list("id", flat=True)
    ]
    Referral.objects.filter(person=merged).update(person=kept)
    Consent.objects.filter(person=merged).update(person=kept)
    merged.merged_into = kept
    merged.save(update_fields=["merged_into", "updated_at"])
    if kept.link_key is None and merged.link_key is not None:
        # The merged record was linked to another organisation's: the kept one now is.
        kept.link_key = merged.link_key
        kept.save(update_fields=["link_key", "updated_at"])
    person_index_refresh(merged)
    record = PersonMerge.objects.create(
        kept=kept,
        merged=merged,
        referral_ids=referral_ids,
        consent_ids=consent_ids,
        merged_by=actor,
        merged_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        organisation=kept.organisation,
        action="person.merge",
        object_type="person",
        object_id=str(kept.pk),
        detail={"merged": str(merged.pk), "referrals": referral_ids, "merge": record.pk},
    )
    return record


@transaction.atomic
def person_merge_undo(*, actor: User, merge: PersonMerge) -> PersonMerge:
    """Put back what ``merge`` moved; only an organisation administrator may."""
    locked = (
        PersonMerge.objects.select_for_update().select_related("kept", "merged").get(pk=merge.pk)
    )
    if not has_role_in(actor, locked.kept.organisation_id, (Membership.Role.ORGANISATION_ADMIN,)):
        raise PermissionDenied("Only an organisation administrator can undo a merge.")
    if locked.undone_at is not None:
        raise ValidationError({"merge": _("This merge has already been undone.")})
    Referral.objects.filter(pk__in=locked.referral_ids).update(person=locked.merged)
    Consent.objects.filter(pk__in=locked.consent_ids).update(person=locked.merged)
    merged = locked.merged
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "updated_at"])
    person_index_refresh(merged)
    locked.undone_by = actor
    locked.undone_at = timezone.now()
    locked.save(update_fields=["undone_by", "undone_at"])
    audit_record(
        actor=actor,
        organisation=locked.kept.organisation,
        action="person.merge_undo",
        object_type="person",
        object_id=str(locked.kept_id),
        detail={"merged": str(merged.pk), "merge": locked.pk},
    )
    return locked

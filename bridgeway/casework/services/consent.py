"""Consent to share, its withdrawal, and the shares made under it (decision 0040)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.models import Organisation, User
from bridgeway.casework.consent_lifetime import consent_is_live
from bridgeway.casework.models import (
    CaseEvent,
    Consent,
    Person,
    Referral,
    Report,
    Share,
)
from bridgeway.casework.services.audit import audit_record
from bridgeway.casework.services.checks import (
    _bounded_text,
    _received_at,
    _require_caseworker_of,
)
from bridgeway.places.models import PoliceForceArea

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

"""Screenshots and photos given with a report: taken cleaned and sealed, passed on under consent.

See docs/decisions/0115-evidence-cleaned-and-sealed.md.
"""

from __future__ import annotations

import base64

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.models import User
from bridgeway.casework.evidence_images import MAX_BYTES, Refused, evidence_image_clean
from bridgeway.casework.models import Evidence, Referral
from bridgeway.casework.services.audit import audit_record
from bridgeway.casework.services.checks import _require_caseworker_of

# Enough for a run of screenshots of one thread of messages; more is usually the same again.
MAX_EVIDENCE_PER_REFERRAL = 10


def _refusal_message(reason: str) -> str:
    megabytes = MAX_BYTES // (1024 * 1024)
    messages = {
        "type": _("Choose a picture saved as PNG, JPEG or WebP."),
        "empty": _("The file you chose is empty. Choose the picture again."),
        "size": _("The picture must be smaller than %(size)s MB.") % {"size": megabytes},
        "not_image": _("The file could not be opened as a picture. Choose a PNG, JPEG or WebP."),
        "mismatch": _(
            "The file is not the kind of picture its name says. Save it again as PNG, JPEG "
            "or WebP and choose it again."
        ),
        "pixels": _("The picture is too large to take. Send a smaller screenshot or photo."),
    }
    return messages.get(reason, messages["not_image"])


@transaction.atomic
def evidence_attach(
    *, referral: Referral, data: bytes, declared_type: str, actor: User | None = None
) -> Evidence:
    """Keep a screenshot or photo with ``referral``, cleaned of metadata and sealed.

    ``actor`` is the member of staff adding what the person sent them, or ``None`` when the
    person adds it themselves. A refused file changes nothing and raises ``ValidationError``
    on ``file`` saying why, in the page's language. Audited without the picture.
    """
    if actor is not None:
        _require_caseworker_of(actor, referral.organisation_id)
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.anonymised_at is not None:
        raise ValidationError({"file": _("This case's personal data has been removed.")})
    if Evidence.objects.filter(referral=locked).count() >= MAX_EVIDENCE_PER_REFERRAL:
        raise ValidationError(
            {
                "file": _("A report can have up to %(count)s pictures.")
                % {"count": MAX_EVIDENCE_PER_REFERRAL}
            }
        )
    try:
        clean = evidence_image_clean(data, declared_type)
    except Refused as refusal:
        raise ValidationError({"file": _refusal_message(refusal.reason)}) from refusal
    evidence = Evidence(
        referral=locked,
        content_type=clean.content_type,
        content=base64.b64encode(clean.content).decode("ascii"),
        size=len(clean.content),
        width=clean.width,
        height=clean.height,
        added_at=timezone.now(),
        added_by=actor,
    )
    evidence.full_clean()
    evidence.save(force_insert=True)
    audit_record(
        actor=actor,
        organisation=referral.organisation,
        action="evidence.add",
        object_type="evidence",
        object_id=str(evidence.pk),
        detail={
            "referral": str(referral.pk),
            "content_type": evidence.content_type,
            "size": evidence.size,
            "by_person": actor is None,
        },
    )
    return evidence


def evidence_bytes(evidence: Evidence) -> bytes:
    """The cleaned picture itself (opened from its seal)."""
    return base64.b64decode(evidence.content)


def evidence_copy(*, source: Referral, to: Referral) -> int:
    """Copy ``source``'s pictures onto ``to`` (an onward referral whose consent covers them).

    The caller has checked the consent; the copies keep where they came from. Returns how many.
    """
    copies = [
        Evidence(
            referral=to,
            content_type=item.content_type,
            content=item.content,
            size=item.size,
            width=item.width,
            height=item.height,
            added_at=item.added_at,
            copied_from=item,
        )
        for item in Evidence.objects.filter(referral=source)
    ]
    Evidence.objects.bulk_create(copies)
    return len(copies)

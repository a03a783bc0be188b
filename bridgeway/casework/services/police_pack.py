"""The handover pack for the police: a PDF holding only what the person's consent covers.

See docs/decisions/0116-police-handover-pack.md.
"""

from __future__ import annotations

import base64
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.models import User
from bridgeway.casework.consent_lifetime import consent_is_live
from bridgeway.casework.models import (
    CaseEvent,
    Consent,
    ContactPreference,
    Evidence,
    Report,
    Share,
)
from bridgeway.casework.services.audit import audit_record
from bridgeway.casework.services.checks import _require_caseworker_of
from bridgeway.casework.services.evidence import evidence_bytes


def police_pack_context(share: Share) -> dict[str, Any]:
    """What the pack shows: the reference and kinds of harm always; the rest only if covered.

    ``share.items`` are what the consent covered when the report was passed on; nothing
    outside them is read into the context, so the template cannot show it by mistake.
    """
    referral = share.referral
    person = referral.person
    items = set(share.items)
    try:
        report: Report | None = referral.report
    except Report.DoesNotExist:
        report = None
    context: dict[str, Any] = {
        "share": share,
        "referral": referral,
        "organisation": referral.organisation,
        "force": share.recipient_police_force_area,
        "items": sorted(items),
        "made_at": timezone.now(),
    }
    if Consent.Item.NARRATIVE in items:
        context["narrative"] = referral.narrative
        context["report"] = report
    if Consent.Item.CONTACT_DETAILS in items:
        try:
            contact: ContactPreference | None = person.contact_preference
        except ContactPreference.DoesNotExist:
            contact = None
        context["contact"] = {
            "name": person.name,
            "phone": person.phone,
            "email": person.email,
            "postcode": person.postcode,
            "preference": contact,
        }
    if Consent.Item.CHARACTERISTICS in items:
        context["characteristics"] = person
    if Consent.Item.HISTORY in items:
        context["history"] = list(
            CaseEvent.objects.filter(referral=referral)
            .exclude(text="")
            .filter(
                kind__in=[
                    CaseEvent.Kind.MESSAGE_IN,
                    CaseEvent.Kind.MESSAGE_OUT,
                    CaseEvent.Kind.NOTE,
                ]
            )
            .order_by("occurred_at", "id")
        )
    if Consent.Item.EVIDENCE in items:
        context["evidence"] = [
            {
                "src": f"data:{item.content_type};base64,"
                + base64.b64encode(evidence_bytes(item)).decode("ascii"),
                "added_at": item.added_at,
            }
            for item in Evidence.objects.filter(referral=referral)
        ]
    return context


def police_pack_html(share: Share) -> str:
    """The pack as a standalone HTML page (no external files, so it prints alone)."""
    return render_to_string("casework/police_pack.html", police_pack_context(share))


@transaction.atomic
def police_pack_make(*, share: Share, actor: User) -> bytes:
    """The PDF for a report passed to the police, while the person's consent still stands.

    Refused (``ValidationError`` on ``consent``) once the consent has been withdrawn or has
    ended: a pack made then would be a new disclosure. Audited with what it held; the first
    pack is dated on the share, so the person sees it on their follow-up page.
    """
    _require_caseworker_of(actor, share.referral.organisation_id)
    if share.scope != Consent.Scope.POLICE:
        raise ValidationError({"share": _("Only a report passed to the police has a pack.")})
    if share.referral.anonymised_at is not None:
        raise ValidationError({"share": _("This case's personal data has been removed.")})
    # Read afresh: the share may hold the consent as it was before the person withdrew it.
    consent = Consent.objects.get(pk=share.consent_id)
    if not consent_is_live(consent, at=timezone.now()):
        raise ValidationError(
            {
                "consent": _(
                    "The person's consent to pass this to the police has been withdrawn or "
                    "has ended. No pack was made."
                )
            }
        )
    # Imported here: WeasyPrint loads Pango when imported, which only the PDF needs.
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf: bytes = HTML(string=police_pack_html(share)).write_pdf()
    if share.pack_made_at is None:
        share.pack_made_at = timezone.now()
        share.save(update_fields=["pack_made_at"])
    audit_record(
        actor=actor,
        organisation=share.referral.organisation,
        action="share.police_pack",
        object_type="share",
        object_id=str(share.pk),
        detail={
            "referral": str(share.referral_id),
            "consent": str(share.consent_id),
            "items": sorted(share.items),
            "bytes": len(pdf),
        },
    )
    return pdf

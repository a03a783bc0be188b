"""Reads of the screenshots and photos kept with a case: its own organisation's staff only."""

from __future__ import annotations

import uuid

from django.http import Http404

from bridgeway.accounts.models import User
from bridgeway.casework.models import Evidence, Referral
from bridgeway.casework.selectors import referral_for_user
from bridgeway.casework.services.audit import audit_record


def evidence_for_referral(referral: Referral) -> list[Evidence]:
    """The case's pictures, oldest first, without opening them (the sealed content is left)."""
    return list(Evidence.objects.filter(referral=referral).defer("content"))


def evidence_get_for_user(user: User, reference: str, evidence_id: str) -> Evidence:
    """One picture of a case in one of ``user``'s casework organisations, or 404; audited.

    404 alike for a picture that does not exist, one of another case, and another
    organisation's: a picture passed on is a copy on the receiving organisation's own case.
    """
    referral = referral_for_user(user, reference)
    try:
        key = uuid.UUID(str(evidence_id))
    except ValueError as error:
        raise Http404("No such picture") from error
    evidence = Evidence.objects.filter(referral=referral, pk=key).first()
    if evidence is None:
        raise Http404("No such picture")
    audit_record(
        actor=user,
        organisation=referral.organisation,
        action="evidence.read",
        object_type="evidence",
        object_id=str(evidence.pk),
        detail={"referral": str(referral.pk)},
    )
    return evidence

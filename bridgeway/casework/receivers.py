"""Audit entries for changes other apps make, written when those apps say they happened.

The directory may not import casework (the arrows point one way), yet changes to what a
service publishes, such as its spoken introductions, belong in the same hash-chained log.
The directory sends a signal from inside its service's transaction; this writes the entry
there, so the change and its entry commit or roll back together.
"""

from __future__ import annotations

from typing import Any

from bridgeway.accounts.models import User
from bridgeway.casework.services import audit_record
from bridgeway.directory.introductions import introduction_changed
from bridgeway.directory.models import ServiceIntroduction


def audit_introduction_change(
    sender: Any,
    *,
    action: str,
    introduction: ServiceIntroduction,
    actor: User | None,
    detail: dict[str, Any],
    **_kwargs: Any,
) -> None:
    """Write an introduction's upload, replacement or removal to the audit log."""
    audit_record(
        actor=actor,
        organisation=introduction.service.organisation,
        action=action,
        object_type="service_introduction",
        object_id=str(introduction.pk),
        detail=detail,
    )


def connect() -> None:
    """Listen for the other apps' changes (called once, from the app's ``ready``)."""
    introduction_changed.connect(
        audit_introduction_change,
        sender=ServiceIntroduction,
        dispatch_uid="casework.audit_introduction_change",
    )

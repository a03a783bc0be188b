"""Writes for casework, one module per part: every change to a case happens through them.

The front door, staff views, the API, management commands and tests all call these
services; nothing else writes casework's tables. One module per part of the domain, as
Zulip's ``zerver/actions``:

- ``referrals``: referrals and reports arriving, stage moves, assignment
  (``people``: the person and contact preferences both create);
- ``follow_up``: a person who reported opening their report again;
- ``messages``: messages both ways between that person and the organisation, and notes;
- ``consent``: consent to share, its withdrawal, and the shares made under it;
- ``onward_referral``: referring a person on, or transferring their case;
- ``contact_attempts``: tries at reaching a person, kept to their contact preferences;
- ``audit``: the hash-chained audit log;
- ``retention``: removing personal data when its period ends.

Everything importable from ``bridgeway.casework.services`` before the split still is,
including the pure rules that now live outside it (``stages``, ``consent_lifetime``,
``client_address``, ``young_people``).
"""

from __future__ import annotations

from bridgeway.casework.client_address import client_address
from bridgeway.casework.consent_lifetime import consent_is_live
from bridgeway.casework.services.audit import (
    AUDIT_CHAIN_LOCK_KEY,
    AUDIT_TRIGGER,
    audit_content,
    audit_demo_entries_delete,
    audit_record,
)
from bridgeway.casework.services.consent import (
    WORKER_MAX_LENGTH,
    consent_for_share,
    consent_record,
    consent_revoke,
    consent_revoke_by_reporter,
    share_with_police,
    share_with_worker,
)
from bridgeway.casework.services.contact_attempts import (
    CONTACT_NOTE_MAX_LENGTH,
    contact_attempt_record,
)
from bridgeway.casework.services.follow_up import (
    FOLLOW_UP_CLIENT_FAILURE_LIMIT,
    FOLLOW_UP_CLIENT_LOCK,
    FOLLOW_UP_CLIENT_WINDOW,
    FOLLOW_UP_FAILURE_LIMIT,
    FOLLOW_UP_LOCK,
    FollowUpRefused,
    follow_up_client_failure,
    follow_up_client_key,
    follow_up_client_locked,
    follow_up_client_locked_until,
    follow_up_code_check,
    follow_up_open,
)
from bridgeway.casework.services.intake import Arrival, referral_intake
from bridgeway.casework.services.messages import (
    MESSAGE_MAX_LENGTH,
    ReporterMessage,
    message_from_reporter,
    message_to_reporter,
    messages_for_reporter,
    note_add,
)
from bridgeway.casework.services.onward_referral import (
    NOT_SHARED,
    TRANSFERRED_KINDS,
    onward_referral_create,
)
from bridgeway.casework.services.people import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NARRATIVE_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    SHORT_TEXT_MAX_LENGTH,
    ContactDetails,
    PersonDetails,
)
from bridgeway.casework.services.referrals import (
    referral_advance,
    referral_assign,
    referral_create,
    report_code_renew,
    report_create,
)
from bridgeway.casework.services.retention import (
    RETENTION_SETTINGS,
    referral_anonymise,
    retention_due,
    retention_held_for_young_people,
)
from bridgeway.casework.stages import stage_can_follow
from bridgeway.casework.young_people import ADULT_AGE, child_age_bands, years_before

__all__ = [
    "ADULT_AGE",
    "AUDIT_CHAIN_LOCK_KEY",
    "AUDIT_TRIGGER",
    "CONTACT_NOTE_MAX_LENGTH",
    "EMAIL_MAX_LENGTH",
    "FOLLOW_UP_CLIENT_FAILURE_LIMIT",
    "FOLLOW_UP_CLIENT_LOCK",
    "FOLLOW_UP_CLIENT_WINDOW",
    "FOLLOW_UP_FAILURE_LIMIT",
    "FOLLOW_UP_LOCK",
    "MESSAGE_MAX_LENGTH",
    "NAME_MAX_LENGTH",
    "NARRATIVE_MAX_LENGTH",
    "NOT_SHARED",
    "PHONE_MAX_LENGTH",
    "RETENTION_SETTINGS",
    "SHORT_TEXT_MAX_LENGTH",
    "TRANSFERRED_KINDS",
    "WORKER_MAX_LENGTH",
    "Arrival",
    "ContactDetails",
    "FollowUpRefused",
    "PersonDetails",
    "ReporterMessage",
    "audit_content",
    "audit_demo_entries_delete",
    "audit_record",
    "child_age_bands",
    "client_address",
    "consent_for_share",
    "consent_is_live",
    "consent_record",
    "consent_revoke",
    "consent_revoke_by_reporter",
    "contact_attempt_record",
    "follow_up_client_failure",
    "follow_up_client_key",
    "follow_up_client_locked",
    "follow_up_client_locked_until",
    "follow_up_code_check",
    "follow_up_open",
    "message_from_reporter",
    "message_to_reporter",
    "messages_for_reporter",
    "note_add",
    "onward_referral_create",
    "referral_advance",
    "referral_anonymise",
    "referral_assign",
    "referral_create",
    "referral_intake",
    "report_code_renew",
    "report_create",
    "retention_due",
    "retention_held_for_young_people",
    "share_with_police",
    "share_with_worker",
    "stage_can_follow",
    "years_before",
]

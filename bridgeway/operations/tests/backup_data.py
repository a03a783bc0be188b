"""Cases to back up, and what a restored database holds, as another process sees them.

``python -m bridgeway.operations.tests.backup_data fill N`` makes N referrals (each with its
timeline events, a consent and audit entries, written by the real services) and an uploaded
file; ``... describe`` prints, as JSON, what the tests compare before and after a restore:
counts, each referral's reference with its person's (sealed) name, and the upload's bytes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import django


def fill(count: int) -> None:
    from django.conf import settings

    from bridgeway.accounts.models import Membership
    from bridgeway.accounts.tests.factories import MembershipFactory, OrganisationFactory
    from bridgeway.casework.models import Consent
    from bridgeway.casework.services import consent_record, referral_advance
    from bridgeway.casework.tests.factories import CaseworkServiceFactory, make_referral

    organisation = OrganisationFactory()
    service = CaseworkServiceFactory(organisation=organisation)
    practitioner = MembershipFactory(
        organisation=organisation, role=Membership.Role.PRACTITIONER
    ).user
    elsewhere = OrganisationFactory()
    for number in range(count):
        referral = make_referral(service=service, name=f"Person {number} Ní Bhriain", postcode="")
        referral_advance(referral=referral, stage="contacted", actor=practitioner)
        consent_record(
            person=referral.person,
            scope=Consent.Scope.ONWARD_REFERRAL,
            actor=practitioner,
            given_how=Consent.GivenHow.PHONE,
            recipient_organisation=elsewhere,
        )
    upload = Path(settings.MEDIA_ROOT) / "introductions" / "letter.txt"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_text("An introduction letter, uploaded.\n")


def describe() -> dict[str, object]:
    from django.conf import settings

    from bridgeway.casework.models import AuditEntry, CaseEvent, Consent, Referral

    upload = Path(settings.MEDIA_ROOT) / "introductions" / "letter.txt"
    return {
        "referrals": {
            r.reference: r.person.name for r in Referral.objects.select_related("person")
        },
        "events": CaseEvent.objects.count(),
        "consents": Consent.objects.count(),
        "audit": AuditEntry.objects.count(),
        "upload": upload.read_text() if upload.exists() else None,
    }


if __name__ == "__main__":
    django.setup()
    if sys.argv[1] == "fill":
        fill(int(sys.argv[2]))
    else:
        sys.stdout.write(json.dumps(describe()))

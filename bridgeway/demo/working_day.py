"""A practitioner's working day in the demo: referrals entered by staff from every channel, a
person recorded twice to merge, tasks due and overdue, a linked onward referral, and a report
with a screenshot passed to the police with a handover pack (issue 15).

Everything goes through casework's services, as a practitioner would; all of it is made up.
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from PIL import Image, ImageDraw

from bridgeway.accounts.models import Organisation, User
from bridgeway.casework.models import REFERRAL_CHANNELS, Consent, Referral
from bridgeway.casework.services import (
    consent_record,
    onward_referral_create,
    share_with_police,
)
from bridgeway.casework.services.evidence import evidence_attach
from bridgeway.casework.services.intake import PUBLIC_CHANNELS, Arrival, referral_intake
from bridgeway.casework.services.people import ContactDetails, PersonDetails
from bridgeway.casework.services.referrals import report_create
from bridgeway.casework.services.tasks import task_create
from bridgeway.directory.models import Service
from bridgeway.places.models import PoliceForceArea

# The reporting centre whose practitioner's day this is, and where people are referred on.
WORKING_DAY_ORGANISATION = "demo-aire-calder-hate-reporting"
REFERRED_ON_TO = "demo-pennine-asian-womens-service"
# One made-up person per staff channel: (name, date of birth, phone).
_PEOPLE = (
    ("Mohammed Rafiq", "1984-03-12", "07700 900101"),
    ("Agnieszka Kowalczyk", "1991-07-30", "07700 900102"),
    ("Daniel Mensah", "1978-11-02", "07700 900103"),
    ("Fatima Begum", "1969-05-21", "07700 900104"),
    ("Stefan Lakatos", "2001-01-15", "07700 900105"),
    ("Hodan Warsame", "1996-09-09", "07700 900106"),
    ("Ruth Adeyemi", "1988-12-24", "07700 900107"),
    ("Gurpreet Sandhu", "1975-04-04", "07700 900108"),
)
STAFF_CHANNELS = tuple(code for code in REFERRAL_CHANNELS if code not in PUBLIC_CHANNELS)
# One per staff channel, the duplicate, the onward referral and the report.
WORKING_DAY_REFERRALS = len(STAFF_CHANNELS) + 3


def _screenshot() -> bytes:
    """A made-up screenshot of a hateful message (grey boxes, no real words)."""
    image = Image.new("RGB", (360, 200), (245, 245, 245))
    draw = ImageDraw.Draw(image)
    for row in range(4):
        draw.rounded_rectangle((16, 16 + row * 44, 300 - row * 30, 48 + row * 44), 8, (200, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def build_working_day(
    *,
    organisations: dict[str, Organisation],
    users: dict[tuple[str, str], User],
    services: list[Service],
    now: dt.datetime,
) -> int:
    """Add the working day; returns how many referrals and reports it made."""
    organisation = organisations[WORKING_DAY_ORGANISATION]
    worker = users[(WORKING_DAY_ORGANISATION, "practitioner")]
    service = next(s for s in services if s.organisation_id == organisation.pk)
    onward_service = next(
        s for s in services if s.organisation_id == organisations[REFERRED_ON_TO].pk
    )
    channels = STAFF_CHANNELS
    made: list[Referral] = []
    for n, channel in enumerate(channels):
        name, birth, phone = _PEOPLE[n % len(_PEOPLE)]
        received = now - dt.timedelta(days=n + 1, hours=2)
        police = channel == "police"
        made.append(
            referral_intake(
                actor=worker,
                service=service,
                arrival=Arrival(
                    channel=channel,
                    received_at=received,
                    referred_by="" if police else "Made-up referrer (demo)",
                    police_reference=f"WY-DEMO-{1000 + n}" if police else "",
                    police_passed_on=timezone.localdate(received) if police else None,
                ),
                details=PersonDetails(
                    name=name, phone=phone, date_of_birth=birth, ethnic_group="not_asked"
                ),
                contact=ContactDetails(channels=("phone",), times="Weekday evenings"),
                harm_types=("hate_incident",),
                hate_strands=("race",),
                narrative="Made-up account for the demo: shouting in the street, twice.",
                is_synthetic=True,
            )
        )
    # The first person phones again under another spelling: a likely duplicate to merge.
    made.append(
        referral_intake(
            actor=worker,
            service=service,
            arrival=Arrival(channel="phone", received_at=now - dt.timedelta(hours=3)),
            details=PersonDetails(
                name="Muhammad Rafiq", date_of_birth=_PEOPLE[0][1], phone="07700 900111"
            ),
            contact=ContactDetails(channels=("phone",)),
            harm_types=("hate_incident",),
            hate_strands=("religion",),
            narrative="Made-up account for the demo: it happened again at the bus stop.",
            is_synthetic=True,
        )
    )
    # Due dates from the real day: a task cannot be set in the past.
    today = timezone.localdate()
    task_create(
        actor=worker,
        referral=made[0],
        kind="call_back",
        due_on=today - dt.timedelta(days=1),
        assignee=worker,
        note="Overdue in the demo",
    )
    task_create(
        actor=worker,
        referral=made[1],
        kind="safety_review",
        due_on=today + dt.timedelta(days=2),
        assignee=worker,
    )
    # Referred on with consent: both records share one pseudonymous link, counted once.
    consent_record(
        person=made[3].person,
        scope=Consent.Scope.ONWARD_REFERRAL,
        actor=worker,
        given_how=Consent.GivenHow.PHONE,
        recipient_organisation=onward_service.organisation,
        includes=[Consent.Item.NARRATIVE, Consent.Item.CONTACT_DETAILS],
    )
    onward_referral_create(referral=made[3], service=onward_service, actor=worker)
    # A report with a screenshot, passed to the police under consent: the pack is ready.
    report, _code = report_create(
        organisation=organisation,
        details=PersonDetails(name="Layla Haddad", phone="07700 900109"),
        contact=ContactDetails(channels=("phone",)),
        is_anonymous=False,
        hate_strands=("religion",),
        narrative="Made-up report for the demo: abusive messages online, screenshots kept.",
        wants_police_told=True,
        received_at=now - dt.timedelta(hours=5),
        is_synthetic=True,
    )
    evidence_attach(referral=report, data=_screenshot(), declared_type="image/png")
    force = PoliceForceArea.objects.filter(organisations=organisation).first()
    if force is not None:
        consent_record(
            person=report.person,
            scope=Consent.Scope.POLICE,
            actor=worker,
            given_how=Consent.GivenHow.ONLINE,
            recipient_police_force_area=force,
            includes=[Consent.Item.NARRATIVE, Consent.Item.EVIDENCE],
        )
        share_with_police(referral=report, actor=worker, police_force_area=force)
    return len(made) + 1 + 1  # the staff referrals, the onward referral and the report

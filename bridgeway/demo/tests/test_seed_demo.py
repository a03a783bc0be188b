"""``bridgeway seed-demo``: synthetic organisations, sign-ins, referrals, and no duplicates."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.casework.models import Evidence, Person, Referral, Share, Task
from bridgeway.casework.people_selectors import duplicate_suggestions
from bridgeway.casework.services.intake import PUBLIC_CHANNELS
from bridgeway.commissioning.models import (
    ConflictDeclaration,
    FundingRound,
    Score,
)
from bridgeway.commissioning.selectors import round_times
from bridgeway.conftest import sign_in
from bridgeway.demo.catalogue import DEMO_AREAS, DEMO_PASSWORD, ORGANISATIONS
from bridgeway.demo.generator import (
    DemoDataPresent,
    RealDataPresent,
    demo_data_delete,
    demo_sign_ins,
    generate_demo,
)
from bridgeway.demo.working_day import WORKING_DAY_ORGANISATION, WORKING_DAY_REFERRALS
from bridgeway.directory.models import Service
from bridgeway.equality.vocabulary import vocabulary


def seed(*arguments: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *arguments, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_creates_organisations_in_all_six_areas_all_synthetic(db):
    output = seed("--seed", "1", "--referrals-per-area", "0")

    areas = set(Organisation.objects.values_list("areas__code", flat=True))
    assert areas == set(DEMO_AREAS)
    assert not Organisation.objects.filter(is_synthetic=False).exists()
    assert not Service.objects.filter(is_synthetic=False).exists()
    assert f"{len(ORGANISATIONS)} organisations" in output
    for area in DEMO_AREAS[:3]:
        kinds = set(Organisation.objects.filter(areas__code=area).values_list("kind", flat=True))
        assert {"specialist", "universal", "hub", "reporting_centre", "commissioner"} <= kinds
        assert Organisation.objects.filter(areas__code=area, independence="independent").exists()


def test_services_cover_real_districts_of_their_area_and_speak_community_languages(db):
    seed("--referrals-per-area", "0")

    sikh_service = Service.objects.get(organisation__slug="demo-black-country-sikh-women")
    assert {d.police_force_area_id for d in sikh_service.districts.all()} == {"E23000014"}
    assert "Sandwell" in {d.name for d in sikh_service.districts.all()}
    assert {"pan"} <= set(sikh_service.languages.values_list("code", flat=True))
    assert Service.objects.filter(is_national=True).count() == 2
    assert Service.objects.filter(accepts_out_of_area=True).exists()
    assert Service.objects.filter(third_party_reporting=True).exists()


def test_referrals_are_synthetic_and_placed_in_their_areas(db):
    output = seed("--referrals-per-area", "12")

    assert Referral.objects.count() == 12 * 6 + WORKING_DAY_REFERRALS
    assert not Referral.objects.filter(is_synthetic=False).exists()
    assert not Person.objects.filter(is_synthetic=False).exists()
    for referral in Referral.objects.select_related("person", "organisation"):
        if referral.person.police_force_area_id:
            assert referral.organisation.areas.filter(
                code=referral.person.police_force_area_id
            ).exists() or (referral.service and referral.service.is_national)
        assert referral.received_at < timezone.now()
        assert timezone.now() - referral.received_at < dt.timedelta(days=366)
    assert "West Yorkshire (E23000010): 12 referrals and reports" in output


def test_printed_sign_ins_carry_password_totp_secret_and_a_code_that_works(db):
    output = seed("--referrals-per-area", "0")

    assert DEMO_PASSWORD in output
    commissioner = User.objects.get(
        memberships__role=Membership.Role.COMMISSIONER,
        memberships__organisation__slug="demo-west-yorkshire-commissioner",
    )
    block = output[output.index(commissioner.email) :].split("\n", 4)
    secret = re.search(r"TOTP secret: ([A-Z2-7]{32})\s+current code: (\d{6})", "\n".join(block))
    assert secret is not None
    device = TOTPDevice.objects.get(user=commissioner)
    account = next(a for a in demo_sign_ins() if a.email == commissioner.email)
    assert account.totp_secret == secret.group(1)
    assert device.verify_token(account.current_code())
    assert commissioner.check_password(DEMO_PASSWORD)


def test_second_run_adds_nothing_and_prints_the_sign_ins_again(db):
    seed("--referrals-per-area", "3")
    counts = (Organisation.objects.count(), User.objects.count(), Referral.objects.count())

    output = seed("--referrals-per-area", "3")

    assert "Demo data already present" in output
    assert "TOTP secret:" in output
    assert (Organisation.objects.count(), User.objects.count(), Referral.objects.count()) == counts


# Replacing demo data deletes its audit entries: the owner role's work (bridgeway/cli.py).
@pytest.mark.database_owner
def test_replace_deletes_and_regenerates_without_duplicates(db):
    seed("--referrals-per-area", "3")

    output = seed("--replace", "--referrals-per-area", "2")

    assert f"Deleted: {len(ORGANISATIONS)} organisations" in output
    assert Organisation.objects.count() == len(ORGANISATIONS)
    assert Referral.objects.count() == 12 + WORKING_DAY_REFERRALS
    assert FundingRound.objects.count() == 4


def test_replace_dry_run_changes_nothing(db):
    seed("--referrals-per-area", "2")

    output = seed("--replace", "--dry-run")

    assert f"Would delete: {len(ORGANISATIONS)} organisations" in output
    assert Referral.objects.count() == 12 + WORKING_DAY_REFERRALS


def test_refuses_when_real_organisations_exist(organisation):
    with pytest.raises(CommandError, match="real organisations"):
        seed("--referrals-per-area", "0")

    assert not Organisation.objects.filter(is_synthetic=True).exists()


def test_generate_demo_refuses_real_data_and_duplicates(organisation):
    with pytest.raises(RealDataPresent):
        generate_demo(seed=1, referrals_per_area=0)

    organisation.delete()
    generate_demo(seed=1, referrals_per_area=0)
    with pytest.raises(DemoDataPresent):
        generate_demo(seed=1, referrals_per_area=0)


def test_negative_referral_count_is_refused(db):
    with pytest.raises(CommandError, match="--referrals-per-area"):
        seed("--referrals-per-area", "-1")


# Replacing demo data deletes its audit entries: the owner role's work (bridgeway/cli.py).
@pytest.mark.database_owner
def test_same_seed_gives_the_same_synthetic_people(db):
    now = timezone.now().replace(microsecond=0)

    def people() -> list[tuple[object, ...]]:
        return sorted(
            (
                r.received_at,
                r.person.ethnic_group,
                r.person.age_band,
                tuple(r.harm_types),
                r.stage,
                r.channel,
            )
            # An onward referral arrives when it is made, not at a time the seed sets.
            for r in Referral.objects.select_related("person").filter(arrived_by__isnull=True)
        )

    generate_demo(seed=5, referrals_per_area=6, now=now)
    first = people()
    demo_data_delete()
    generate_demo(seed=5, referrals_per_area=6, now=now)

    assert people() == first
    # Six in each area, and the working day's eight staff channels, duplicate and report.
    assert len(first) == 36 + WORKING_DAY_REFERRALS - 1


def test_demo_round_has_a_declined_application_with_feedback(db):
    seed("--referrals-per-area", "0")

    funding_round = FundingRound.objects.get(title__startswith="Reaching communities we miss")
    assert funding_round.commissioner.slug == "demo-west-yorkshire-commissioner"
    assert funding_round.is_open_on(timezone.localdate())
    statuses = dict(funding_round.applications.values_list("applicant__slug", "status"))
    assert statuses == {
        "demo-pennine-asian-womens-service": "declined",
        "demo-second-chapter-youth": "under_review",
    }
    declined = funding_round.applications.get(status="declined")
    assert "next round" in declined.decision.feedback


def test_demo_shows_every_part_of_commissioning(db):
    seed("--referrals-per-area", "0")
    rounds = {r.title.split(" ")[0]: r for r in FundingRound.objects.all()}
    assert set(rounds) == {"Reaching", "Small", "Hate", "Led"}

    current = rounds["Reaching"]
    assert current.reviewer_assignments.count() == 1
    assert Score.objects.filter(application__funding_round=current).count() == 3

    last_year = rounds["Small"]
    outcomes = sorted(last_year.applications.values_list("status", flat=True))
    assert outcomes == ["awarded", "awarded", "declined"]
    times = round_times(last_year)
    assert (times.from_close.count, times.decision_date_met) == (3, True)

    joint = rounds["Hate"]
    assert [p.office.slug for p in joint.partners.all()] == ["demo-west-midlands-commissioner"]
    assert joint.areas.count() == 2
    assert ConflictDeclaration.objects.filter(
        application__funding_round=joint, has_conflict=True
    ).exists()
    assert round_times(joint).decision_date_met is False
    assert all(a.decision.feedback for a in joint.applications.filter(status="declined"))

    from_gaps = rounds["Led"]
    assert from_gaps.gaps.count() == 2
    assert all(gap.residents > 0 for gap in from_gaps.gaps.all())

    page = Client().get("/en/funding/").content.decode()
    assert "Small grants 2025/26" in page
    assert "West Midlands Commissioner&#x27;s Office (demo)" in page


def test_pages_showing_demo_data_say_it_is_synthetic(db):
    seed("--referrals-per-area", "0")
    commissioner = User.objects.get(
        memberships__organisation__slug="demo-west-yorkshire-commissioner",
        memberships__role="commissioner",
    )

    page = sign_in(Client(), commissioner).get(reverse("commissioning:rounds")).content.decode()

    assert "Reaching communities we miss" in page
    assert "made-up demonstration data" in page


@pytest.mark.database_owner
def test_demo_shows_a_practitioners_working_day(db):
    """Issue 15: staff-entered referrals from each channel, a likely duplicate to merge, tasks
    due and overdue, a linked onward referral, and a report with a picture and a police pack."""
    generate_demo(seed=3, referrals_per_area=0)
    centre = Organisation.objects.get(slug=WORKING_DAY_ORGANISATION)
    staff_channels = {
        code
        for code in vocabulary("referral_channels").ordered_codes()
        if code not in PUBLIC_CHANNELS
    }
    channels = set(Referral.objects.filter(organisation=centre).values_list("channel", flat=True))
    assert staff_channels <= channels
    police = Referral.objects.get(organisation=centre, channel="police")
    assert police.police_reference.startswith("WY-DEMO-")
    first = Referral.objects.filter(organisation=centre, channel="phone").order_by("received_at")
    newest = first.last()
    assert newest is not None
    suggested = duplicate_suggestions(
        centre.pk, name="Muhammad Rafiq", date_of_birth="1984-03-12", exclude=newest.person_id
    )
    assert suggested, "the second Rafiq record is suggested as a duplicate of the first"
    today = timezone.localdate()
    tasks = Task.objects.filter(referral__organisation=centre)
    assert tasks.filter(due_on__lt=today).exists()
    assert tasks.filter(due_on__gte=today).exists()
    onward = Share.objects.get(scope="onward_referral", referral__organisation=centre)
    assert onward.onward_referral is not None
    assert onward.onward_referral.person.link_key == onward.referral.person.link_key
    assert onward.referral.person.link_key is not None
    assert Evidence.objects.filter(referral__organisation=centre).exists()
    assert Share.objects.filter(scope="police", referral__organisation=centre).exists()

    demo_data_delete()
    assert not Referral.objects.exists()

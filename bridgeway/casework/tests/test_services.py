"""The casework write services: validation, anonymity, follow-up codes, stage moves."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.casework.models import AuditEntry, CaseEvent, Person, Referral, Report
from bridgeway.casework.services import (
    FOLLOW_UP_FAILURE_LIMIT,
    NARRATIVE_MAX_LENGTH,
    ContactDetails,
    FollowUpRefused,
    PersonDetails,
    follow_up_code_check,
    referral_advance,
    stage_can_follow,
)
from bridgeway.casework.tests.factories import (
    DEFAULT_CONTACT,
    DEFAULT_DETAILS,
    make_referral,
    make_referral_at_stage,
    make_report,
)
from bridgeway.equality.vocabulary import vocabulary

STAGES = vocabulary("funnel_stages").ordered_codes()


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


# --- referral_create ------------------------------------------------------------------------


def test_referral_arrives_in_the_services_organisation_at_the_first_stage(service, organisation):
    referral = make_referral(service=service)

    assert referral.organisation == organisation
    assert referral.stage == "referred"
    assert referral.reference.startswith("BW-")
    assert [event.stage for event in referral.events.all()] == ["referred"]
    assert AuditEntry.objects.filter(action="referral.create", object_id=str(referral.id)).exists()


def test_referral_keeps_the_postcode_tidy_and_finds_its_district(service):
    referral = make_referral(service=service, postcode="ls61aa")

    person = Person.objects.select_related("district").get(pk=referral.person_id)
    assert person.postcode == "LS6 1AA"
    assert person.district is not None
    assert person.district.name == "Leeds"


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("not a postcode", "Enter a full postcode, like LS6 1AA, or leave it out."),
        ("EH1 1YZ", "We could not find that postcode in England or Wales."),
    ],
)
def test_referral_with_a_bad_postcode_is_refused_with_a_message(service, postcode, message):
    with pytest.raises(ValidationError) as error:
        make_referral(service=service, postcode=postcode)

    assert message in _messages(error)["postcode"][0]
    assert not Referral.objects.exists()
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ethnic_group", "bame"),
        ("age_band", "ancient"),
        ("sex", "x"),
        ("religion", "jedi"),
        ("sexual_orientation", "unknown"),
    ],
)
def test_referral_with_an_unknown_characteristic_code_names_the_field(service, field, value):
    with pytest.raises(ValidationError) as error:
        make_referral(service=service, **{field: value})

    assert f"{value} is not one of the answers you can choose." in _messages(error)[field]
    assert not Referral.objects.exists()


def test_referral_with_an_unknown_harm_type_names_the_code(service):
    with pytest.raises(ValidationError) as error:
        make_referral(service=service, harm_types=("hate_crime", "jaywalking"))

    assert _messages(error)["harm_types"] == [
        "jaywalking is not one of the answers you can choose."
    ]
    assert not Referral.objects.exists()


def test_referral_with_an_unknown_hate_strand_is_refused(service):
    with pytest.raises(ValidationError) as error:
        make_referral(service=service, hate_strands=("accent",))

    assert "accent" in _messages(error)["hate_strands"][0]


def test_referral_to_an_inactive_service_is_refused(service):
    service.status = service.Status.INACTIVE
    service.save()

    with pytest.raises(ValidationError) as error:
        make_referral(service=service)

    assert _messages(error)["service"] == ["This service is not taking referrals at the moment."]
    assert not Referral.objects.exists()


def test_referral_with_a_bad_email_is_refused(service):
    with pytest.raises(ValidationError) as error:
        make_referral(service=service, email="not an email")

    assert "name@example.com" in _messages(error)["email"][0]


def test_referral_asking_for_calls_without_a_phone_number_is_refused(service):
    with pytest.raises(ValidationError) as error:
        make_referral(service=service, phone="")

    assert _messages(error)["phone"] == [
        "You chose to be phoned or sent texts. Enter a phone number."
    ]


def test_referral_choosing_no_contact_and_a_channel_is_refused(service):
    with pytest.raises(ValidationError) as error:
        make_referral(service=service, contact=replace(DEFAULT_CONTACT, channels=("none", "phone")))

    assert "Choose one" in _messages(error)["channels"][0]


def test_referral_with_an_overlong_narrative_is_refused(service):
    with pytest.raises(ValidationError) as error:
        make_referral(service=service, narrative="x" * (NARRATIVE_MAX_LENGTH + 1))

    assert _messages(error)["narrative"] == [
        f"What happened must be {NARRATIVE_MAX_LENGTH} characters or fewer."
    ]


def test_listing_disabilities_records_the_answer(service):
    referral = make_referral(service=service, disabilities=("autism",))

    person = Person.objects.get(pk=referral.person_id)
    assert person.disabilities == ["autism"]
    assert person.disability_status == "recorded"


def test_disabilities_with_prefer_not_to_say_is_refused(service):
    with pytest.raises(ValidationError) as error:
        make_referral(
            service=service, disabilities=("autism",), disability_status="prefer_not_to_say"
        )

    assert "Choose one" in _messages(error)["disabilities"][0]


def test_not_asked_and_prefer_not_to_say_are_kept_apart(service):
    first = make_referral(service=service, ethnic_group="not_asked")
    second = make_referral(service=service, ethnic_group="prefer_not_to_say")

    assert Person.objects.get(pk=first.person_id).ethnic_group == "not_asked"
    assert Person.objects.get(pk=second.person_id).ethnic_group == "prefer_not_to_say"


def test_naive_received_at_is_refused(service):
    with pytest.raises(ValueError, match="timezone-aware"):
        make_referral(service=service, received_at=dt.datetime(2026, 1, 1, 9, 0))  # noqa: DTZ001


# --- report_create --------------------------------------------------------------------------


def test_anonymous_report_keeps_no_name_contact_or_full_postcode(reporting_centre):
    referral, code = make_report(organisation=reporting_centre, is_anonymous=True)

    person = Person.objects.get(pk=referral.person_id)
    assert (person.name, person.email, person.phone) == ("", "", "")
    assert person.postcode == "LS6"
    assert person.district is not None
    preference = person.contact_preference
    assert preference.channels == ["none"]
    assert (preference.name_to_use, preference.safe_word, preference.times) == ("", "", "")
    assert Report.objects.get(pk=referral.pk).is_anonymous
    assert len(code) == 19


def test_named_report_keeps_the_name_and_contact(reporting_centre):
    referral, _code = make_report(organisation=reporting_centre, is_anonymous=False)

    person = Person.objects.get(pk=referral.person_id)
    assert person.name == DEFAULT_DETAILS.name
    assert person.contact_preference.safe_word == "bluebell"


def test_report_to_an_organisation_that_does_not_take_reports_is_refused(organisation):
    with pytest.raises(ValidationError) as error:
        make_report(organisation=organisation)

    assert _messages(error)["organisation"] == ["This organisation does not take reports."]


def test_report_without_a_narrative_is_refused(reporting_centre):
    with pytest.raises(ValidationError) as error:
        make_report(organisation=reporting_centre, narrative="   ")

    assert _messages(error)["narrative"] == ["Tell us what happened, in your own words."]
    assert not Referral.objects.exists()


def test_report_dated_in_the_future_is_refused(reporting_centre):
    with pytest.raises(ValidationError) as error:
        make_report(
            organisation=reporting_centre,
            incident_date=timezone.localdate() + dt.timedelta(days=1),
        )

    assert _messages(error)["incident_date"] == ["The date cannot be in the future."]


# --- follow_up_open -------------------------------------------------------------------------


def test_follow_up_with_the_right_code_opens_the_report(reporting_centre):
    referral, code = make_report(organisation=reporting_centre, is_anonymous=True)

    opened = follow_up_code_check(reference=referral.reference.lower(), code=code.replace("-", " "))

    assert opened.pk == referral.pk
    assert AuditEntry.objects.filter(action="report.follow_up", object_id=str(referral.id)).exists()


def test_follow_up_with_the_wrong_code_is_refused_and_counted(reporting_centre):
    referral, _code = make_report(organisation=reporting_centre, is_anonymous=True)

    with pytest.raises(FollowUpRefused) as refusal:
        follow_up_code_check(reference=referral.reference, code="AAAA-BBBB-CCCC-DDDD")

    assert not refusal.value.locked
    assert Report.objects.get(pk=referral.pk).failed_follow_ups == 1
    assert AuditEntry.objects.filter(action="report.follow_up_refused").count() == 1


def test_follow_up_for_an_unknown_reference_is_refused(reporting_centre):
    with pytest.raises(FollowUpRefused) as refusal:
        follow_up_code_check(reference="BW-0000-0000", code="AAAA-BBBB-CCCC-DDDD")

    assert not refusal.value.locked


def test_follow_up_locks_after_five_failures_even_for_the_right_code(reporting_centre):
    referral, code = make_report(organisation=reporting_centre, is_anonymous=True)

    for attempt in range(FOLLOW_UP_FAILURE_LIMIT):
        with pytest.raises(FollowUpRefused) as refusal:
            follow_up_code_check(reference=referral.reference, code=f"WRONG-{attempt}")
    assert refusal.value.locked

    with pytest.raises(FollowUpRefused) as refusal:
        follow_up_code_check(reference=referral.reference, code=code)
    assert refusal.value.locked
    locked_until = Report.objects.get(pk=referral.pk).follow_up_locked_until
    assert locked_until is not None
    assert locked_until > timezone.now()


def test_follow_up_opens_again_once_the_lock_has_passed(reporting_centre):
    referral, code = make_report(organisation=reporting_centre, is_anonymous=True)
    Report.objects.filter(pk=referral.pk).update(
        follow_up_locked_until=timezone.now() - dt.timedelta(seconds=1)
    )

    assert follow_up_code_check(reference=referral.reference, code=code).pk == referral.pk


def test_four_failures_then_the_right_code_opens_and_resets_the_count(reporting_centre):
    referral, code = make_report(organisation=reporting_centre, is_anonymous=True)
    for _ in range(FOLLOW_UP_FAILURE_LIMIT - 1):
        with pytest.raises(FollowUpRefused):
            follow_up_code_check(reference=referral.reference, code="nope")

    follow_up_code_check(reference=referral.reference, code=code)

    assert Report.objects.get(pk=referral.pk).failed_follow_ups == 0


# --- stages ---------------------------------------------------------------------------------


def test_stage_moves_forwards_and_is_recorded_on_the_timeline(referral, practitioner):
    referral_advance(referral=referral, stage="contacted", actor=practitioner)
    referral_advance(referral=referral, stage="assessed", actor=practitioner)

    referral.refresh_from_db()
    assert referral.stage == "assessed"
    assert list(CaseEvent.objects.filter(referral=referral).values_list("stage", flat=True)) == [
        "referred",
        "contacted",
        "assessed",
    ]
    assert AuditEntry.objects.filter(action="referral.advance").count() == 2


def test_stage_cannot_move_backwards_and_nothing_changes(referral, practitioner):
    referral_advance(referral=referral, stage="assessed", actor=practitioner)

    with pytest.raises(ValidationError) as error:
        referral_advance(referral=referral, stage="contacted", actor=practitioner)

    assert "cannot move to" in _messages(error)["stage"][0]
    referral.refresh_from_db()
    assert referral.stage == "assessed"
    assert CaseEvent.objects.filter(referral=referral).count() == 2


def test_declined_can_only_be_closed(service, practitioner):
    referral = make_referral_at_stage(
        service=service, stages=["offered", "declined"], actor=practitioner
    )

    with pytest.raises(ValidationError):
        referral_advance(referral=referral, stage="started", actor=practitioner)
    referral_advance(referral=referral, stage="closed", actor=practitioner, coped_better=False)

    referral.refresh_from_db()
    assert (referral.stage, referral.coped_better) == ("closed", False)


def test_closing_records_whether_the_person_copes_better(service, practitioner):
    referral = make_referral_at_stage(
        service=service, stages=["accepted", "started"], actor=practitioner
    )

    referral_advance(referral=referral, stage="closed", actor=practitioner, coped_better=True)

    referral.refresh_from_db()
    assert referral.coped_better is True


def test_unknown_stage_is_refused(referral, practitioner):
    with pytest.raises(ValidationError) as error:
        referral_advance(referral=referral, stage="finished", actor=practitioner)

    assert _messages(error)["stage"] == ["Choose a stage from the list."]


def test_outsider_cannot_move_another_organisations_referral(referral, outsider):
    with pytest.raises(PermissionDenied):
        referral_advance(referral=referral, stage="contacted", actor=outsider)

    referral.refresh_from_db()
    assert referral.stage == "referred"


def test_commissioner_cannot_move_a_referral(referral, commissioner):
    with pytest.raises(PermissionDenied):
        referral_advance(referral=referral, stage="contacted", actor=commissioner)


@given(current=st.sampled_from(STAGES), proposed=st.sampled_from(STAGES))
def test_stage_rules_only_ever_move_forwards(current, proposed):
    order = {code: int(vocabulary("funnel_stages").get(code).extra["order"]) for code in STAGES}

    if stage_can_follow(current, proposed):
        assert order[proposed] > order[current]
        assert current != "closed"
        if current == "declined":
            assert proposed == "closed"
        if proposed == "started":
            assert current == "accepted"


def test_every_stage_but_closed_can_reach_closed():
    assert all(stage_can_follow(stage, "closed") for stage in STAGES if stage != "closed")


def test_contact_details_with_a_string_for_channels_is_refused(service):
    with pytest.raises(ValidationError) as error:
        make_referral(service=service, contact=ContactDetails(channels="phone"))  # type: ignore[arg-type]

    assert "channels" in _messages(error)


def test_person_details_defaults_are_not_asked():
    details = PersonDetails()
    assert (details.ethnic_group, details.disability_status) == ("not_asked", "not_asked")

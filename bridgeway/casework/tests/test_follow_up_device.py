"""``follow_up_open`` on a recognised device: strangers' pauses do not stop it, its own tries do."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from bridgeway.casework.models import Report
from bridgeway.casework.services import (
    FollowUpRefused,
    follow_up_client_failure,
    follow_up_client_key,
    follow_up_open,
)
from bridgeway.casework.services.follow_up import FOLLOW_UP_LOCK
from bridgeway.casework.tests.factories import make_report

DEVICE = "a-device-id"


def _strangers_pause(reference: str) -> None:
    for number in range(settings.FOLLOW_UP_FAILURE_LIMIT):
        with pytest.raises(FollowUpRefused):
            follow_up_open(
                reference=reference,
                code="WRONG",
                client_key=follow_up_client_key(f"198.51.100.{number}"),
            )


def test_strangers_pause_a_reference_for_a_day(reporting_centre):
    referral, code = make_report(organisation=reporting_centre)
    _strangers_pause(referral.reference)

    with pytest.raises(FollowUpRefused) as refusal:
        follow_up_open(
            reference=referral.reference, code=code, client_key=follow_up_client_key("192.0.2.1")
        )

    assert refusal.value.locked
    assert not refusal.value.client_locked
    assert FOLLOW_UP_LOCK == dt.timedelta(days=1)
    until = refusal.value.until
    assert until is not None
    assert until > timezone.now() + dt.timedelta(hours=23)


def test_the_recognised_device_opens_the_paused_reference(reporting_centre):
    referral, code = make_report(organisation=reporting_centre)
    _strangers_pause(referral.reference)

    grant = follow_up_open(
        reference=referral.reference,
        code=code,
        client_key=follow_up_client_key("192.0.2.1"),
        device=DEVICE,
    )

    assert grant.referral_id == str(referral.pk)


def test_the_recognised_device_is_not_stopped_by_its_clients_pause(reporting_centre):
    referral, code = make_report(organisation=reporting_centre)
    client = follow_up_client_key("192.0.2.1")
    for _ in range(settings.FOLLOW_UP_CLIENT_FAILURE_LIMIT):
        follow_up_client_failure(client_key=client)

    grant = follow_up_open(
        reference=referral.reference, code=code, client_key=client, device=DEVICE
    )

    assert grant.reference == referral.reference


def test_wrong_codes_on_the_device_count_against_it_alone(reporting_centre):
    referral, _code = make_report(organisation=reporting_centre)
    client = follow_up_client_key("192.0.2.1")
    for _ in range(settings.FOLLOW_UP_DEVICE_LIMIT):
        with pytest.raises(FollowUpRefused) as refusal:
            follow_up_open(
                reference=referral.reference, code="WRONG", client_key=client, device=DEVICE
            )
        assert not refusal.value.locked

    report = Report.objects.get(pk=referral.pk)
    assert report.failed_follow_ups == 0
    assert report.follow_up_locked_until is None
    # Its tries used up, the device is one more stranger: its next wrong code counts.
    with pytest.raises(FollowUpRefused):
        follow_up_open(reference=referral.reference, code="WRONG", client_key=client, device=DEVICE)
    assert Report.objects.get(pk=referral.pk).failed_follow_ups == 1

"""``follow_up_open``: the code check, the client's count and the grant, in one service."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bridgeway.casework.follow_up_grant import FollowUpGrant
from bridgeway.casework.models import Report
from bridgeway.casework.services import (
    FOLLOW_UP_CLIENT_FAILURE_LIMIT,
    FOLLOW_UP_FAILURE_LIMIT,
    FollowUpRefused,
    follow_up_client_failure,
    follow_up_client_key,
    follow_up_client_locked,
    follow_up_open,
)
from bridgeway.casework.tests.factories import make_report

CLIENT = follow_up_client_key("203.0.113.9")


def test_the_right_code_grants_leave_to_read_the_report(reporting_centre):
    referral, code = make_report(organisation=reporting_centre)

    grant = follow_up_open(reference=referral.reference, code=code, client_key=CLIENT)

    assert isinstance(grant, FollowUpGrant)
    assert (grant.reference, grant.referral_id) == (referral.reference, str(referral.pk))
    assert grant.is_live(timezone.now())


def test_a_wrong_code_counts_against_the_reference_and_the_client(reporting_centre):
    referral, _code = make_report(organisation=reporting_centre)

    with pytest.raises(FollowUpRefused) as refusal:
        follow_up_open(reference=referral.reference, code="WRONG", client_key=CLIENT)

    assert not refusal.value.locked
    assert not refusal.value.client_locked
    assert Report.objects.get(pk=referral.pk).failed_follow_ups == 1
    # One more failure short of the limit: the client's count includes the one above.
    for _ in range(FOLLOW_UP_CLIENT_FAILURE_LIMIT - 2):
        follow_up_client_failure(client_key=CLIENT)
    assert not follow_up_client_locked(client_key=CLIENT)
    follow_up_client_failure(client_key=CLIENT)
    assert follow_up_client_locked(client_key=CLIENT)


def test_a_locked_out_client_is_refused_even_the_right_code_and_nothing_is_checked(
    reporting_centre,
):
    referral, code = make_report(organisation=reporting_centre)
    for _ in range(FOLLOW_UP_CLIENT_FAILURE_LIMIT):
        follow_up_client_failure(client_key=CLIENT)

    with pytest.raises(FollowUpRefused) as refusal:
        follow_up_open(reference=referral.reference, code=code, client_key=CLIENT)

    assert refusal.value.locked
    assert refusal.value.client_locked
    assert refusal.value.until is not None
    assert Report.objects.get(pk=referral.pk).failed_follow_ups == 0


def test_the_failure_that_locks_the_client_names_the_clients_pause(reporting_centre):
    referral, _code = make_report(organisation=reporting_centre)
    for _ in range(FOLLOW_UP_CLIENT_FAILURE_LIMIT - 1):
        follow_up_client_failure(client_key=CLIENT)

    with pytest.raises(FollowUpRefused) as refusal:
        follow_up_open(reference=referral.reference, code="WRONG", client_key=CLIENT)

    assert refusal.value.locked
    assert refusal.value.client_locked


def test_a_paused_reference_is_named_as_the_references_pause(reporting_centre):
    referral, code = make_report(organisation=reporting_centre)
    for number in range(FOLLOW_UP_FAILURE_LIMIT):
        with pytest.raises(FollowUpRefused):
            follow_up_open(reference=referral.reference, code=f"WRONG-{number}", client_key=CLIENT)

    with pytest.raises(FollowUpRefused) as refusal:
        follow_up_open(reference=referral.reference, code=code, client_key=CLIENT)

    assert refusal.value.locked
    assert not refusal.value.client_locked


def test_a_good_code_does_not_clear_the_clients_count(reporting_centre):
    referral, code = make_report(organisation=reporting_centre)
    for _ in range(FOLLOW_UP_CLIENT_FAILURE_LIMIT - 1):
        follow_up_client_failure(client_key=CLIENT)

    follow_up_open(reference=referral.reference, code=code, client_key=CLIENT)

    assert follow_up_client_failure(client_key=CLIENT) is True

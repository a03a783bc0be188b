"""Awards are held to the round's budget, also when two commissioners decide at once."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.casework.models import AuditEntry
from bridgeway.commissioning.models import Application, Decision
from bridgeway.commissioning.services import application_decide, round_remaining_budget
from bridgeway.commissioning.tests.factories import ApplicationFactory, FundingRoundFactory


def _round_with_four_bids(office, total="120000.00", each="40000.00"):
    funding_round = FundingRoundFactory(commissioner=office, amount_available=Decimal(total))
    bids = [
        ApplicationFactory(
            funding_round=funding_round,
            applicant=OrganisationFactory(),
            amount_requested=Decimal(each),
        )
        for _ in range(4)
    ]
    return funding_round, bids


def test_fourth_40000_award_on_a_120000_round_is_refused(commissioner_office, commissioner):
    funding_round, bids = _round_with_four_bids(commissioner_office)
    for bid in bids[:3]:
        application_decide(application=bid, actor=commissioner, outcome="awarded", feedback="")
    with pytest.raises(ValidationError) as raised:
        application_decide(application=bids[3], actor=commissioner, outcome="awarded", feedback="")
    assert "£0.00 left" in raised.value.message_dict["amount_awarded"][0]
    bids[3].refresh_from_db()
    assert bids[3].status == Application.Status.SUBMITTED
    assert not Decision.objects.filter(application=bids[3]).exists()
    assert round_remaining_budget(funding_round) == Decimal("0.00")


def test_a_smaller_award_fits_what_is_left(commissioner_office, commissioner):
    _funding_round, bids = _round_with_four_bids(commissioner_office, total="100000.00")
    for bid in bids[:2]:
        application_decide(application=bid, actor=commissioner, outcome="awarded", feedback="")
    with pytest.raises(ValidationError):
        application_decide(application=bids[2], actor=commissioner, outcome="awarded", feedback="")
    decision = application_decide(
        application=bids[2],
        actor=commissioner,
        outcome="awarded",
        feedback="",
        amount_awarded="20000",
    )
    assert decision.amount_awarded == Decimal("20000.00")


def test_declines_do_not_use_the_budget(commissioner_office, commissioner):
    funding_round, bids = _round_with_four_bids(commissioner_office)
    application_decide(
        application=bids[0], actor=commissioner, outcome="declined", feedback="Show the costs."
    )
    assert round_remaining_budget(funding_round) == Decimal("120000.00")


def test_every_decision_is_in_the_audit_log(commissioner_office, commissioner):
    _funding_round, bids = _round_with_four_bids(commissioner_office)
    application_decide(application=bids[0], actor=commissioner, outcome="awarded", feedback="")
    application_decide(
        application=bids[1], actor=commissioner, outcome="declined", feedback="Show the costs."
    )
    entries = AuditEntry.objects.filter(object_type="funding_application").order_by("id")
    assert [(e.action, e.object_id, e.actor_id) for e in entries] == [
        ("commissioning.application_awarded", str(bids[0].pk), commissioner.pk),
        ("commissioning.application_declined", str(bids[1].pk), commissioner.pk),
    ]
    assert entries[0].detail["amount_awarded"] == "40000.00"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrency")
def test_two_simultaneous_awards_cannot_pass_the_budget(
    live_reference_data, commissioner_office, commissioner
):
    # £60,000 left and two £40,000 awards decided at the same instant: exactly one may win.
    funding_round, bids = _round_with_four_bids(commissioner_office, total="100000.00")
    application_decide(application=bids[0], actor=commissioner, outcome="awarded", feedback="")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def award(bid: Application) -> None:
        try:
            start.wait()
            application_decide(application=bid, actor=commissioner, outcome="awarded", feedback="")
            outcomes.append("awarded")
        except ValidationError:
            outcomes.append("refused")
        except BaseException as error:  # reported by the assertion below
            outcomes.append(repr(error))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=award, args=(bid,)) for bid in bids[1:3]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["awarded", "refused"]
    assert round_remaining_budget(funding_round) == Decimal("20000.00")

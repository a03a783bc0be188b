"""Casework's invariants hold in the database too: a write that breaks one is refused.

Each test makes a good row through the services (or the ORM where no service makes one
directly), then breaks one invariant with a plain ORM write, as a bug or a hand-edit might.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from bridgeway.casework import models
from bridgeway.casework.models import (
    CaseEvent,
    Consent,
    ContactAttempt,
    Person,
    Referral,
    Share,
)
from bridgeway.equality.vocabulary import vocabulary

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def _refused(queryset: Any, **values: Any) -> None:
    """``queryset.update(**values)`` raises IntegrityError, and changes nothing."""
    with pytest.raises(IntegrityError), transaction.atomic():
        queryset.update(**values)


def _consent(referral: Referral, other_organisation: Any, **values: Any) -> Consent:
    return Consent.objects.create(
        **{
            "person_id": referral.person_id,
            "scope": Consent.Scope.ONWARD_REFERRAL,
            "recipient_organisation": other_organisation,
            "given_at": NOW,
            "given_how": Consent.GivenHow.PHONE,
            **values,
        }
    )


@pytest.mark.parametrize(
    ("values"),
    [
        {"stage": "finished"},
        {"kind": "letter"},
        {"channel": "carrier_pigeon"},
        # The outcome measure belongs to a closed case only.
        {"coped_better": True},
        # Only a finished case loses its personal data.
        {"anonymised_at": NOW},
    ],
    ids=["stage", "kind", "channel", "coped_better", "anonymised_at"],
)
def test_a_referral_that_breaks_an_invariant_is_refused(
    referral: Referral, values: dict[str, Any]
) -> None:
    _refused(Referral.objects.filter(pk=referral.pk), **values)


def test_a_closed_referral_keeps_its_outcome_and_may_be_anonymised(referral: Referral) -> None:
    Referral.objects.filter(pk=referral.pk).update(
        stage="closed", coped_better=False, anonymised_at=NOW
    )
    Referral.objects.filter(pk=referral.pk).update(stage="declined", coped_better=None)


def test_every_stage_and_channel_of_the_vocabulary_may_be_stored(referral: Referral) -> None:
    for stage in vocabulary("funnel_stages").ordered_codes():
        Referral.objects.filter(pk=referral.pk).update(stage=stage)
    for channel in vocabulary("referral_channels").ordered_codes():
        Referral.objects.filter(pk=referral.pk).update(channel=channel)


def test_a_stage_event_must_name_a_known_stage_and_no_other_event_may(referral: Referral) -> None:
    stage_event = CaseEvent.objects.filter(referral=referral, kind=CaseEvent.Kind.STAGE)
    _refused(stage_event, stage="finished")
    _refused(stage_event, stage="")
    note = CaseEvent.objects.create(referral=referral, kind=CaseEvent.Kind.NOTE, occurred_at=NOW)
    _refused(CaseEvent.objects.filter(pk=note.pk), stage="closed")
    _refused(CaseEvent.objects.filter(pk=note.pk), kind="gossip")


def test_a_person_with_an_unknown_disability_status_is_refused(referral: Referral) -> None:
    _refused(Person.objects.filter(pk=referral.person_id), disability_status="maybe")


def test_a_consent_cannot_end_before_it_was_given(referral, other_organisation) -> None:
    consent = _consent(referral, other_organisation)
    _refused(Consent.objects.filter(pk=consent.pk), expires=NOW)
    _refused(Consent.objects.filter(pk=consent.pk), expires=NOW - dt.timedelta(days=1))
    Consent.objects.filter(pk=consent.pk).update(expires=NOW + dt.timedelta(days=1))


def test_a_consent_cannot_be_withdrawn_before_it_was_given(referral, other_organisation) -> None:
    consent = _consent(referral, other_organisation)
    _refused(Consent.objects.filter(pk=consent.pk), revoked_at=NOW - dt.timedelta(seconds=1))
    # Withdrawn the moment it was given is possible (one click after the other).
    Consent.objects.filter(pk=consent.pk).update(revoked_at=NOW)


def test_a_new_consent_ending_before_it_was_given_is_refused(referral, other_organisation) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _consent(referral, other_organisation, expires=NOW - dt.timedelta(hours=1))


@pytest.mark.parametrize(
    "values",
    [{"scope": "everyone"}, {"given_how": "telepathy"}],
    ids=["scope", "given_how"],
)
def test_a_consent_with_an_unknown_choice_is_refused(
    referral, other_organisation, values: dict[str, Any]
) -> None:
    consent = _consent(referral, other_organisation)
    _refused(Consent.objects.filter(pk=consent.pk), **values)


def test_a_consent_names_the_recipient_its_scope_needs(referral, other_organisation) -> None:
    consent = _consent(referral, other_organisation)
    # The police are reached through a force, never through an organisation.
    _refused(Consent.objects.filter(pk=consent.pk), scope=Consent.Scope.POLICE)
    _refused(Consent.objects.filter(pk=consent.pk), recipient_organisation=None)
    _refused(Consent.objects.filter(pk=consent.pk), recipient_police_force_area_id="E23000010")
    Consent.objects.filter(pk=consent.pk).update(
        scope=Consent.Scope.POLICE,
        recipient_organisation=None,
        recipient_police_force_area_id="E23000010",
    )


def _share(referral: Referral, other_organisation: Any) -> Share:
    return Share.objects.create(
        consent=_consent(referral, other_organisation),
        referral=referral,
        scope=Consent.Scope.NAMED_WORKER,
        recipient_organisation=other_organisation,
        shared_at=NOW,
    )


def test_a_share_with_an_unknown_scope_is_refused(referral, other_organisation) -> None:
    share = _share(referral, other_organisation)
    _refused(Share.objects.filter(pk=share.pk), scope="everyone")


def test_a_share_names_the_recipient_its_scope_needs(referral, other_organisation) -> None:
    share = _share(referral, other_organisation)
    # The police are reached through a force, not an organisation.
    _refused(Share.objects.filter(pk=share.pk), scope=Consent.Scope.POLICE)
    _refused(Share.objects.filter(pk=share.pk), recipient_organisation=None)


def test_only_an_onward_referral_share_makes_a_referral(
    referral, other_referral, other_organisation
) -> None:
    share = _share(referral, other_organisation)
    _refused(Share.objects.filter(pk=share.pk), onward_referral=other_referral)
    Share.objects.filter(pk=share.pk).update(
        scope=Consent.Scope.ONWARD_REFERRAL, onward_referral=other_referral
    )


@pytest.mark.parametrize(
    "values", [{"method": "carrier_pigeon"}, {"outcome": "maybe"}], ids=["method", "outcome"]
)
def test_a_contact_attempt_with_an_unknown_choice_is_refused(
    referral, values: dict[str, Any]
) -> None:
    attempt = ContactAttempt.objects.create(
        referral=referral,
        method=ContactAttempt.Method.CALL,
        outcome=ContactAttempt.Outcome.REACHED,
        attempted_at=timezone.now(),
    )
    _refused(ContactAttempt.objects.filter(pk=attempt.pk), **values)


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Referral, "kind"),
        (CaseEvent, "kind"),
        (Consent, "scope"),
        (Consent, "given_how"),
        (ContactAttempt, "method"),
        (ContactAttempt, "outcome"),
    ],
)
def test_the_choices_written_into_a_constraint_are_the_fields_choices(
    model: Any, field: str
) -> None:
    # The nested Meta cannot name the choices class, so the constraint spells them out.
    lists = [
        value
        for constraint in model._meta.constraints
        for child in constraint.condition.children
        if isinstance(child, tuple) and child[0] == f"{field}__in"
        for value in [child[1]]
    ]
    assert lists, f"no constraint on {model.__name__}.{field}"
    assert set(lists[0]) == {value for value, _label in model._meta.get_field(field).choices}


def test_the_migration_finds_nothing_to_put_right_in_good_rows(referral, other_organisation):
    _share(referral, other_organisation)
    migration = importlib.import_module(
        "bridgeway.casework.migrations.0009_invariants_as_constraints"
    )

    migration._check_existing_rows(apps, connection.schema_editor())


def test_the_migration_names_the_rows_that_break_a_constraint(
    referral, other_organisation, monkeypatch
):
    migration = importlib.import_module(
        "bridgeway.casework.migrations.0009_invariants_as_constraints"
    )
    # A row that breaks no constraint the database holds can still break a new one.
    strict = migration.CONSTRAINTS[0].__class__(
        model_name="referral",
        constraint=type(migration.CONSTRAINTS[0].constraint)(
            condition=Q(stage="closed"), name="casework_test_only_closed"
        ),
    )
    monkeypatch.setattr(migration, "CONSTRAINTS", [strict])

    with pytest.raises(RuntimeError) as error:
        migration._check_existing_rows(apps, connection.schema_editor())

    assert "casework_test_only_closed" in str(error.value)
    assert str(referral.pk) in str(error.value)


def test_stage_codes_in_the_model_follow_the_vocabulary() -> None:
    assert models.STAGES == tuple(vocabulary("funnel_stages").ordered_codes())

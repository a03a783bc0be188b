"""Factories for funding rounds, applications and decisions, one per state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from bridgeway.accounts.models import Organisation
from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.commissioning.models import Application, Decision, FundingRound


class CommissionerOfficeFactory(OrganisationFactory):
    kind = Organisation.Kind.COMMISSIONER
    independence = "police_linked"


class FundingRoundFactory(factory.django.DjangoModelFactory):
    """An open grant round."""

    class Meta:
        model = FundingRound
        skip_postgeneration_save = True

    commissioner = factory.SubFactory(CommissionerOfficeFactory)
    title = factory.Sequence(lambda n: f"Community grants round {n}")
    description = "Grants for community organisations supporting people after crime or hate."
    kind = FundingRound.Kind.GRANT
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=20))
    amount_available = Decimal("100000.00")
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))

    @factory.post_generation
    def area_codes(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)


class ClosedFundingRoundFactory(FundingRoundFactory):
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A submitted application."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    funding_round = factory.SubFactory(FundingRoundFactory)
    applicant = factory.SubFactory(OrganisationFactory)
    summary = "A part-time caseworker who speaks Urdu and Panjabi."
    amount_requested = Decimal("25000.00")
    submitted_at = factory.LazyFunction(timezone.now)


class DeclinedApplicationFactory(ApplicationFactory):
    status = Application.Status.DECLINED
    decision = factory.RelatedFactory(
        "bridgeway.commissioning.tests.factories.DecisionFactory",
        factory_related_name="application",
        outcome=Decision.Outcome.DECLINED,
        feedback="The budget did not show how the post continues after the grant.",
    )


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    application = factory.SubFactory(ApplicationFactory)
    outcome = Decision.Outcome.AWARDED
    feedback = ""
    amount_awarded = factory.LazyAttribute(
        lambda o: o.application.amount_requested if o.outcome == Decision.Outcome.AWARDED else None
    )
    decided_at = factory.LazyFunction(timezone.now)

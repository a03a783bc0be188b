"""Factories for organisations, staff accounts and memberships."""

from __future__ import annotations

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.models import Membership, Organisation, User

TEST_PASSWORD = "correct horse battery staple 42"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test Organisation {n}")
    slug = factory.Sequence(lambda n: f"test-organisation-{n}")
    kind = Organisation.Kind.SPECIALIST
    independence = "independent"

    @factory.post_generation
    def area_codes(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Staff Member {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save(update_fields=["password"])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.PRACTITIONER


def totp_device_for(user: User) -> TOTPDevice:
    """A confirmed TOTP device, as a person has after enrolling their authenticator app."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)

"""Factories for services, built through ``service_create`` so every code is checked."""

from __future__ import annotations

import factory

from bridgeway.accounts.tests.factories import OrganisationFactory
from bridgeway.directory.models import Service
from bridgeway.directory.services import service_create


class ServiceFactory(factory.django.DjangoModelFactory):
    """An active, independent service; pass ``district_codes`` etc. as ``service_create`` takes."""

    class Meta:
        model = Service

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Test Service {n:03d}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return service_create(**kwargs)


class InactiveServiceFactory(ServiceFactory):
    status = Service.Status.INACTIVE


class NationalServiceFactory(ServiceFactory):
    is_national = True

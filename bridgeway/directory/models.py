"""Services, the areas they cover and what they offer, as their organisations describe them."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from bridgeway.accounts.models import Organisation
from bridgeway.equality.models import Term
from bridgeway.places.models import LocalAuthorityDistrict, PoliceForceArea
from bridgeway.records import TimestampedModel


class Service(TimestampedModel):
    """One service an organisation offers to people who need support."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        DEFUNCT = "defunct", _("Defunct")
        TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # Codes of independence.csv.
    independence = models.CharField(max_length=20, default="independent")
    # Culturally specific or specialist (as opposed to universal).
    is_specialist = models.BooleanField(default=False)
    accepts_out_of_area = models.BooleanField(default=False)
    self_referral = models.BooleanField(
        default=True, help_text="People can refer themselves without a police report."
    )
    third_party_reporting = models.BooleanField(default=False)
    lived_experience = models.BooleanField(default=False)
    worker_gender_choice = models.BooleanField(default=False)
    trauma_informed = models.BooleanField(default=False)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    waiting_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    is_national = models.BooleanField(
        default=False, help_text="Takes people from anywhere in England and Wales."
    )
    assured_date = models.DateField(null=True, blank=True)
    is_synthetic = models.BooleanField(default=False)

    districts = models.ManyToManyField(LocalAuthorityDistrict, blank=True, related_name="services")
    police_force_areas = models.ManyToManyField(
        PoliceForceArea, blank=True, related_name="services"
    )
    languages = models.ManyToManyField(
        Term,
        blank=True,
        related_name="services_by_language",
        limit_choices_to={"vocabulary": "languages"},
    )
    harm_types = models.ManyToManyField(
        Term,
        blank=True,
        related_name="services_by_harm",
        limit_choices_to={"vocabulary": "harm_types"},
    )
    ethnic_groups = models.ManyToManyField(
        Term,
        blank=True,
        related_name="services_by_ethnic_group",
        limit_choices_to={"vocabulary": "ethnic_groups"},
    )
    religions = models.ManyToManyField(
        Term,
        blank=True,
        related_name="services_by_religion",
        limit_choices_to={"vocabulary": "religions"},
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum_age__isnull=True)
                | models.Q(maximum_age__isnull=True)
                | models.Q(minimum_age__lte=models.F("maximum_age")),
                name="directory_service_age_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

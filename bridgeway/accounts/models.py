"""Organisations, people's staff accounts, and memberships with roles."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgeway.places.models import PoliceForceArea
from bridgeway.records import TimestampedModel

# The languages the staff, insight and funding pages are translated into (decision 0070).
# Other languages' catalogues cover only the public pages: a staff page in them would be
# half English.
STAFF_LANGUAGES = ("en", "cy")


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff: practitioner, administrator, commissioner or analyst.

    People seeking help never need an account.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # The language the staff pages speak to this person, once they have chosen one ("" until
    # then): the choice follows them from one sign-in, and one computer, to the next.
    language = models.CharField(_("language of the staff pages"), max_length=8, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email


class Organisation(TimestampedModel):
    """An organisation working in Bridgeway: a service provider, hub, reporting centre or PCC office."""

    class Kind(models.TextChoices):
        SPECIALIST = "specialist", _("Specialist community organisation")
        UNIVERSAL = "universal", _("Universal support service")
        HUB = "hub", _("Support hub")
        REPORTING_CENTRE = "reporting_centre", _("Third-party reporting centre")
        COMMISSIONER = "commissioner", _("Commissioner's office")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # How independent of the police and the state it is (codes of independence.csv).
    independence = models.CharField(max_length=20, default="independent")
    website = models.URLField(blank=True)
    # The areas it works in; for a commissioner's office, the areas whose insight it may read.
    areas = models.ManyToManyField(PoliceForceArea, blank=True, related_name="organisations")
    is_synthetic = models.BooleanField(
        default=False, help_text="Made-up demo data; every page showing it says so."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(TimestampedModel):
    """A person's role in one organisation."""

    class Role(models.TextChoices):
        PRACTITIONER = "practitioner", _("Practitioner")
        ORGANISATION_ADMIN = "organisation_admin", _("Organisation administrator")
        COMMISSIONER = "commissioner", _("Commissioner")
        ANALYST = "analyst", _("Analyst")
        PLATFORM_ADMIN = "platform_admin", _("Platform administrator")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="accounts_membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"

    @property
    def can_work_cases(self) -> bool:
        return self.role in {self.Role.PRACTITIONER, self.Role.ORGANISATION_ADMIN}

    @property
    def can_manage_listing(self) -> bool:
        return self.role == self.Role.ORGANISATION_ADMIN

    @property
    def can_manage_staff(self) -> bool:
        return self.role == self.Role.ORGANISATION_ADMIN

    @property
    def can_read_insight(self) -> bool:
        return self.role in {self.Role.COMMISSIONER, self.Role.ANALYST}


class EnrolmentLink(TimestampedModel):
    """A single-use, expiring permission to set up a new authenticator app.

    Issued by an administrator of one of the person's organisations (or by the operator, or
    by a used set-up link), so a password alone never lets anyone add an app of their own
    (docs/decisions/0062-enrolment-links-recovery-codes-passkeys.md). Only the SHA-256 of the
    link's random token is kept: the token itself is shown once to whoever passes it on.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_links")
    token_hash = models.CharField(max_length=64, unique=True)
    # Who vouched for it: an administrator of ``organisation``; both empty when the operator's
    # command or a used set-up link issued it.
    issued_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Enrolment link for {self.user} until {self.expires_at:%Y-%m-%d %H:%M}"

    def is_usable(self) -> bool:
        """Not used, not expired, and for an account that is switched on."""
        return self.used_at is None and self.expires_at > timezone.now() and self.user.is_active

"""Services, the areas they cover and what they offer, as their organisations describe them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgeway.accounts.models import Organisation
from bridgeway.equality.models import Term
from bridgeway.equality.vocabulary import languages
from bridgeway.places.models import LocalAuthorityDistrict, PoliceForceArea
from bridgeway.records import TimestampedModel
from bridgeway.sealing import SealedTextField

# A listing nobody has confirmed for this long is flagged to its organisation and marked
# unverified on its public page (the "not confirmed for 6 months").
UNVERIFIED_AFTER = timedelta(days=183)


class FeedSource(TimestampedModel):
    """An Open Referral UK feed Bridgeway harvests (``bridgeway feeds add``): a council's or a
    national body's directory, read night after night."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The short name staff give it on the command line ("leeds").
    name = models.SlugField(max_length=60, unique=True)
    # Whose directory it is, as the public page says: "From Leeds City Council's directory".
    publisher = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    # The organisation that publishes it, when Bridgeway knows it: its listings are its own.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="feeds"
    )
    last_harvested_at = models.DateTimeField(null=True, blank=True)
    # The last harvest's summary (created, updated, unchanged, withdrawn, refused, warnings)
    # or its error, as staff see it.
    last_result = models.JSONField(default=dict, blank=True)
    # The list pages the last harvest read, by URL: a hash of each page's body, its totals,
    # its services' ids and a hash of their keys as then held (``fetching.PageSeen``). A
    # re-harvest skips a page that is the same, without decoding or checking it again.
    seen_pages = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
    # Codes of bridgeway.directory.formats (audio, video, bsl, easy_read, interpreters).
    formats = models.JSONField(default=list, blank=True)
    restorative_justice = models.BooleanField(default=False)
    # A refuge or safe-house address: sealed at rest, never shown publicly, never exported.
    confidential_address = SealedTextField(blank=True, default="")
    # When the organisation last said the listing is true; null for never.
    last_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Imported with service areas that name no place Bridgeway knows and no location postcode
    # to take one from: kept, and flagged to its organisation, never dropped silently.
    area_not_known = models.BooleanField(default=False)
    # HSDS fields Bridgeway does not model, kept from an import so an export gives them back.
    extra = models.JSONField(default=dict, blank=True)
    # Provenance of a harvested listing: the feed it came from, when it was last read there,
    # and a hash of the record as read, so an unchanged record is not written again.
    source = models.ForeignKey(
        FeedSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    harvested_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    # Gone from its source: kept (cases may point at it), out of every public result.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The directory's version (``DirectoryStamp``) when this listing last changed: each
    # process's matching index reads only the listings stamped after its own version.
    stamp = models.BigIntegerField(default=0, editable=False)

    # Each code relation has its own through model so its table needs no index of its own on
    # the service: the unique (service, code) index leads with it (decision 0159).
    districts = models.ManyToManyField(
        LocalAuthorityDistrict, blank=True, related_name="services", through="ServiceDistrict"
    )
    police_force_areas = models.ManyToManyField(
        PoliceForceArea, blank=True, related_name="services", through="ServicePoliceForceArea"
    )
    languages = models.ManyToManyField(
        Term,
        blank=True,
        related_name="services_by_language",
        limit_choices_to={"vocabulary": "languages"},
        through="ServiceLanguage",
    )
    harm_types = models.ManyToManyField(
        Term,
        blank=True,
        related_name="services_by_harm",
        limit_choices_to={"vocabulary": "harm_types"},
        through="ServiceHarmType",
    )
    ethnic_groups = models.ManyToManyField(
        Term,
        blank=True,
        related_name="services_by_ethnic_group",
        limit_choices_to={"vocabulary": "ethnic_groups"},
        through="ServiceEthnicGroup",
    )
    religions = models.ManyToManyField(
        Term,
        blank=True,
        related_name="services_by_religion",
        limit_choices_to={"vocabulary": "religions"},
        through="ServiceReligion",
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # The matching index asks "when did any service last change?" before each match.
            models.Index(fields=["updated_at"], name="directory_service_updated"),
            models.Index(fields=["stamp"], name="directory_service_stamp"),
        ]
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

    def is_unverified(self, now: datetime | None = None) -> bool:
        """True when nobody has confirmed the listing within ``UNVERIFIED_AFTER``."""
        if self.last_confirmed_at is None:
            return True
        return (now or timezone.now()) - self.last_confirmed_at > UNVERIFIED_AFTER


class ServiceCode(models.Model):
    """One code a service carries (a district, a force area or a vocabulary term): a row of
    one of its six code relations. The tables are those Django made for the relations before
    they had through models (decision 0159).

    The code's own foreign key (to the district, force area or term) has no constraint in the
    database, only in Django (decision 0162). Every writer takes the code from the reference
    table first: ``service_create`` and its kin look the rows up, and the import refuses a code
    the vocabulary does not hold before it writes anything. Reference rows are only ever added
    or relabelled (``load-reference-data``); deleting one through Django still deletes its
    code rows (``on_delete``). Without the constraint PostgreSQL checks no key at commit for
    each of the import's code rows (about 470,000 at 50,000 services).
    """

    # No index of its own: the unique (service, code) index leads with the service, and an
    # import writes hundreds of thousands of these rows (decision 0159).
    service = models.ForeignKey(Service, on_delete=models.CASCADE, db_index=False, related_name="+")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.service_id} ({self.pk})"


class ServiceDistrict(ServiceCode):
    """A local authority district a service covers."""

    localauthoritydistrict = models.ForeignKey(
        LocalAuthorityDistrict, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    class Meta:
        db_table = "directory_service_districts"
        unique_together = [("service", "localauthoritydistrict")]


class ServicePoliceForceArea(ServiceCode):
    """A police force area a service covers."""

    policeforcearea = models.ForeignKey(
        PoliceForceArea, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    class Meta:
        db_table = "directory_service_police_force_areas"
        unique_together = [("service", "policeforcearea")]


class ServiceLanguage(ServiceCode):
    """A language a service works in."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+", db_constraint=False)

    class Meta:
        db_table = "directory_service_languages"
        unique_together = [("service", "term")]


class ServiceHarmType(ServiceCode):
    """A kind of harm a service supports people after."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+", db_constraint=False)

    class Meta:
        db_table = "directory_service_harm_types"
        unique_together = [("service", "term")]


class ServiceEthnicGroup(ServiceCode):
    """An ethnic group a culturally specific service is for."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+", db_constraint=False)

    class Meta:
        db_table = "directory_service_ethnic_groups"
        unique_together = [("service", "term")]


class ServiceReligion(ServiceCode):
    """A religion a culturally specific service is for."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+", db_constraint=False)

    class Meta:
        db_table = "directory_service_religions"
        unique_together = [("service", "term")]


class DirectoryStamp(models.Model):
    """The directory's version: one row, one number, raised in the same transaction as every
    change of a listing (``directory.stamps``).

    Raising it locks the row until the change commits, so versions are handed out in the
    order changes become visible, and a process that has read version ``n`` has seen every
    change stamped ``n`` or less. Each app server checks it before matching (decision 0096).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="directory_stamp_single_row")
        ]

    def __str__(self) -> str:
        return f"directory version {self.version}"


class RemovedService(models.Model):
    """A service deleted from the database (not merely withdrawn), so matching indexes in
    other processes drop it: the row itself is gone and cannot carry its stamp."""

    service_id = models.UUIDField(primary_key=True)
    stamp = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.service_id} removed at version {self.stamp}"


class ServiceChild(models.Model):
    """A record an HSDS service carries inside it; ``id`` is its HSDS id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # HSDS fields Bridgeway does not model, kept from an import.
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class Location(ServiceChild):
    """A place where the service is offered (HSDS location, with one address): one row for
    each service at the place (an HSDS service_at_location, decision 0154).

    ``id`` names this service's row; ``hsds_id`` is the HSDS location's id, shared by the
    rows of every service at the same place (a community centre hosting several services)
    and published once under it. A row an organisation adds takes its own ``id``.
    """

    class Kind(models.TextChoices):
        PHYSICAL = "physical", _("Physical")
        POSTAL = "postal", _("Postal")
        VIRTUAL = "virtual", _("Virtual")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="locations")
    # Not unique: several services may be at one HSDS location; empty until saved (``save``).
    hsds_id = models.UUIDField(blank=True, editable=False)
    location_type = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PHYSICAL)
    name = models.CharField(max_length=200, blank=True)
    address_1 = models.CharField(max_length=200, blank=True)
    address_2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["hsds_id"], name="directory_location_hsds_id")]
        constraints = [
            # A service is at a place once (a feed giving it twice is refused: decision 0151).
            models.UniqueConstraint(
                fields=["service", "hsds_id"], name="directory_location_once_per_service"
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="directory_location_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="directory_location_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.postal_code or str(self.id)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save; a place added without an HSDS id is its own location (``hsds_id`` = ``id``)."""
        if self.hsds_id is None:
            self.hsds_id = self.id
        super().save(*args, **kwargs)


class Phone(ServiceChild):
    """A phone number for the service."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=40)
    type = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["number", "id"]

    def __str__(self) -> str:
        return self.number


class Schedule(ServiceChild):
    """Opening hours, as HSDS (RFC 5545-like) schedule fields."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    freq = models.CharField(max_length=10, blank=True)
    byday = models.CharField(max_length=40, blank=True)
    opens_at = models.CharField(max_length=20, blank=True)
    closes_at = models.CharField(max_length=20, blank=True)
    valid_from = models.CharField(max_length=20, blank=True)
    valid_to = models.CharField(max_length=20, blank=True)
    description = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["byday", "opens_at", "id"]

    def __str__(self) -> str:
        return self.description or f"{self.byday} {self.opens_at}-{self.closes_at}"


class CostOption(ServiceChild):
    """What the service costs, if anything."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    option = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    amount_description = models.TextField(blank=True)

    class Meta:
        ordering = ["option", "id"]

    def __str__(self) -> str:
        return self.option or str(self.amount)


class Funding(ServiceChild):
    """Who funds the service."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="funding")
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["source", "id"]

    def __str__(self) -> str:
        return self.source


def _introduction_file_name(instance: ServiceIntroduction, filename: str) -> str:
    """A random name under ``introductions/``: the uploader's file name is never kept."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"introductions/{uuid.uuid4().hex}.{extension[:5]}"


class ServiceIntroduction(models.Model):
    """A short spoken introduction to a service, with its transcript, for its public page."""

    class Kind(models.TextChoices):
        AUDIO = "audio", _("Audio")
        VIDEO = "video", _("Video")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="introductions")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    file = models.FileField(upload_to=_introduction_file_name, max_length=200)
    # Taken from the file's own bytes when it was uploaded, never from the browser.
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    transcript = models.TextField()
    # An ISO 639-3 code of languages.csv: the language spoken in the recording.
    language = models.CharField(max_length=8)
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # One introduction per language: a page with several in one language confuses.
            models.UniqueConstraint(
                fields=["service", "language"], name="directory_introduction_one_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} ({self.kind}, {self.language})"

    @property
    def language_name(self) -> str:
        """The spoken language, named in itself (the code if the vocabulary lost it)."""
        language = languages().get(self.language)
        return language.endonym if language else self.language

    @property
    def language_tag(self) -> str:
        """The spoken language's BCP 47 tag, for ``lang`` attributes."""
        language = languages().get(self.language)
        return language.bcp47 if language else ""

    @property
    def language_direction(self) -> str:
        """``rtl`` or ``ltr``: the transcript's writing direction."""
        language = languages().get(self.language)
        return language.direction if language else "ltr"

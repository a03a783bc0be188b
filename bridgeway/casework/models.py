"""Referrals and reports, the people they concern, their timelines and the audit log.

Names, contact details and narratives are sealed (encrypted at rest). Characteristics are
codes from the vocabulary, with ``not_asked``, ``prefer_not_to_say`` and ``not_recorded``
kept apart, because insight must tell "we never asked" from "they chose not to say".
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bridgeway.accounts.models import Organisation
from bridgeway.directory.models import Service
from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, vocabulary
from bridgeway.places.models import LocalAuthorityDistrict, PoliceForceArea
from bridgeway.records import TimestampedModel
from bridgeway.sealing import SealedTextField

# The vocabulary's codes a column may hold, checked by the database as by the services: a
# change to funnel_stages.csv or referral_channels.csv then needs a migration, as it should.
STAGES = tuple(vocabulary("funnel_stages").ordered_codes())
FINISHING_STAGES = ("closed", "declined")
REFERRAL_CHANNELS = tuple(vocabulary("referral_channels").ordered_codes())
DECLINE_REASONS = tuple(vocabulary("decline_reasons").ordered_codes())
DISABILITY_STATUSES = ("recorded", *NOT_KNOWN_CODES)


class Person(TimestampedModel):
    """Someone an organisation holds a record of. Belongs to that organisation alone."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people")
    name = SealedTextField(blank=True)
    email = SealedTextField(blank=True)
    phone = SealedTextField(blank=True)
    postcode = SealedTextField(blank=True)
    district = models.ForeignKey(
        LocalAuthorityDistrict, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    police_force_area = models.ForeignKey(
        PoliceForceArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Codes from the vocabulary, or one of not_known.csv.
    ethnic_group = models.CharField(max_length=40, default="not_asked")
    ethnic_group_description = SealedTextField(blank=True)
    age_band = models.CharField(max_length=20, default="not_asked")
    sex = models.CharField(max_length=20, default="not_asked")
    sexual_orientation = models.CharField(max_length=20, default="not_asked")
    religion = models.CharField(max_length=20, default="not_asked")
    # A list of disability codes; [] with ``disability_status`` saying whether that means none.
    disabilities = models.JSONField(default=list, blank=True)
    disability_status = models.CharField(max_length=20, default="not_asked")
    language = models.CharField(max_length=3, default="eng")
    is_synthetic = models.BooleanField(default=False)
    # ISO date (YYYY-MM-DD) as text, sealed; found through the blind index.
    date_of_birth = SealedTextField(blank=True)
    # Set when a practitioner merged this record into another of the same person; its
    # referrals and consents moved there, and an admin can undo it (``PersonMerge``).
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # One person across organisations: an onward referral or transfer made with consent
    # gives the receiving record the sending record's ``link_key`` (the sending record's own
    # id the first time), so the snapshot pseudonymises both to one person_key. Null: the
    # record stands alone, and the snapshot keys it by its own id. Never shown to anyone.
    link_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        indexes = [
            # The inbox's age filter.
            models.Index(fields=["organisation", "age_band"], name="casework_person_age_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(disability_status__in=DISABILITY_STATUSES),
                name="casework_person_disability_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Person {self.id}"


class PersonIndex(models.Model):
    """A blind index entry: a keyed hash of one normalised value of a person's details.

    Lets staff find a person by name, phone, email or date of birth within their own
    organisation while the database holds those only sealed. The key
    (``BLIND_INDEX_KEY``) is apart from the encryption keys; see ``casework.blind_index``.
    """

    class Kind(models.TextChoices):
        NAME = "name", _("Name")
        PHONE = "phone", _("Phone number")
        EMAIL = "email", _("Email address")
        BIRTH = "birth", _("Date of birth")

    id = models.BigAutoField(primary_key=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="index_entries")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(
                fields=["organisation", "kind", "digest"], name="casework_personindex_find_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "digest"], name="casework_personindex_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:8]}…"


class PersonMerge(models.Model):
    """Two records of one person made one, with what moved, so an admin can undo it."""

    id = models.BigAutoField(primary_key=True)
    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    referral_ids = models.JSONField(default=list)
    consent_ids = models.JSONField(default=list)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField()
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Merge {self.id}"


class PersonCorrection(models.Model):
    """One change to a person's record by staff, or their request to erase it carried out.

    What changed is kept sealed (``changes``: JSON of field name to [before, after]); the
    audit entry names the fields and points here, so the audit log holds no personal data.
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        ERASURE = "erasure", _("Erasure")

    id = models.BigAutoField(primary_key=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CORRECTION)
    fields = models.JSONField(default=list)
    changes = SealedTextField(blank=True)
    # The person asked for it (their right to rectification or erasure), not staff alone.
    requested_by_person = models.BooleanField(default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class ContactPreference(TimestampedModel):
    """How, when and whether a person may be contacted. Workers must keep to it."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone call")
        TEXT = "text", _("Text message")
        EMAIL = "email", _("Email")
        NONE = "none", _("Do not contact me")

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="contact_preference"
    )
    channels = models.JSONField(default=list, blank=True)
    times = SealedTextField(blank=True)
    may_leave_message = models.BooleanField(default=False)
    others_may_see = models.BooleanField(default=False)
    name_to_use = SealedTextField(blank=True)
    safe_word = SealedTextField(blank=True)


class Referral(TimestampedModel):
    """A first contact with an organisation: a request for support or a report.

    Moves through the stages of ``funnel_stages.csv``; every move is a ``CaseEvent``.
    """

    class Kind(models.TextChoices):
        REFERRAL = "referral", _("Referral")
        REPORT = "report", _("Report")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=16, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REFERRAL)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    channel = models.CharField(max_length=30, default="self")
    harm_types = models.JSONField(default=list, blank=True)
    hate_strands = models.JSONField(default=list, blank=True)
    narrative = SealedTextField(blank=True)
    stage = models.CharField(max_length=20, default="referred")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The outcome measure asked at closure: did the person feel better able to cope?
    coped_better = models.BooleanField(null=True, blank=True)
    # Why the organisation declined it (``decline_reasons.csv``); kept once the case closes.
    decline_reason = models.CharField(max_length=30, blank=True, default="")
    received_at = models.DateTimeField(db_index=True)
    is_synthetic = models.BooleanField(default=False)
    # Set when its retention period ended and its personal data was removed.
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # Staff intake: who passed the referral on (a named officer, a teacher), sealed like any
    # name; for a police referral the force's own reference and the day they passed it on.
    referred_by = SealedTextField(blank=True)
    police_reference = SealedTextField(blank=True)
    police_passed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "id"]
        indexes = [
            models.Index(
                fields=["organisation", "stage", "-received_at"], name="casework_inbox_idx"
            ),
            # The unfiltered inbox: one organisation's cases, newest first, without a sort.
            models.Index(
                fields=["organisation", "-received_at", "id"], name="casework_inbox_order_idx"
            ),
        ]
        # Kind's choices written out: a nested Meta cannot see Kind (a test keeps them equal).
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["referral", "report"]),
                name="casework_referral_kind_known",
            ),
            models.CheckConstraint(
                condition=models.Q(stage__in=STAGES), name="casework_referral_stage_known"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=REFERRAL_CHANNELS),
                name="casework_referral_channel_known",
            ),
            # The outcome measure is asked at closure, and kept only then.
            models.CheckConstraint(
                condition=models.Q(coped_better__isnull=True) | models.Q(stage="closed"),
                name="casework_referral_coped_better_only_when_closed",
            ),
            models.CheckConstraint(
                condition=models.Q(decline_reason="")
                | models.Q(decline_reason__in=DECLINE_REASONS),
                name="casework_referral_decline_reason_known",
            ),
            # Only a finished case's personal data is ever removed.
            models.CheckConstraint(
                condition=models.Q(anonymised_at__isnull=True)
                | models.Q(stage__in=FINISHING_STAGES),
                name="casework_referral_anonymised_only_when_finished",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Report(TimestampedModel):
    """What a third-party hate report adds to its referral: anonymity and the follow-up code."""

    class ThinksCrime(models.TextChoices):
        """Whether the reporter thinks what happened was a crime."""

        YES = "yes", _("They think it was a crime")
        NO = "no", _("They do not think it was a crime")
        NOT_SURE = "not_sure", _("They are not sure whether it was a crime")

    referral = models.OneToOneField(
        Referral, on_delete=models.CASCADE, primary_key=True, related_name="report"
    )
    is_anonymous = models.BooleanField(default=False)
    # Argon2 hash of the follow-up code; the code itself is shown to the person once.
    follow_up_code_hash = models.CharField(max_length=200)
    incident_date = models.DateField(null=True, blank=True)
    incident_place = SealedTextField(blank=True)
    wants_police_told = models.BooleanField(default=False)
    # The reporter's own view, in their words; blank when they did not say. Not a finding.
    thinks_crime = models.CharField(
        max_length=10, choices=ThinksCrime.choices, blank=True, default=""
    )
    failed_follow_ups = models.PositiveSmallIntegerField(default=0)
    follow_up_locked_until = models.DateTimeField(null=True, blank=True)


class Evidence(models.Model):
    """A screenshot or photo given with a report, re-encoded without metadata and sealed.

    ``content`` is the cleaned image, base64 in a sealed field, so it is encrypted at rest,
    rotated with the other keys and blanked by erasure like the rest of the person's data.
    Only the organisation the referral belongs to sees it; it goes further only under a
    consent that ``includes`` evidence (docs/decisions/0115-evidence-cleaned-and-sealed.md).
    """

    class ContentType(models.TextChoices):
        PNG = "image/png", "PNG"
        JPEG = "image/jpeg", "JPEG"
        WEBP = "image/webp", "WebP"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="evidence")
    content_type = models.CharField(max_length=20, choices=ContentType.choices)
    content = SealedTextField()
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    added_at = models.DateTimeField()
    # Blank when the person added it themselves (with the report or on the follow-up page).
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The evidence this copy was passed on from, under an onward referral's consent.
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(content_type__in=["image/png", "image/jpeg", "image/webp"]),
                name="casework_evidence_type_known",
            ),
            models.CheckConstraint(
                condition=models.Q(size__gt=0), name="casework_evidence_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"Evidence {self.id} ({self.content_type})"


class CaseEvent(models.Model):
    """One entry of a referral's timeline. Insight's snapshot is made from these."""

    class Kind(models.TextChoices):
        STAGE = "stage", _("Stage reached")
        NOTE = "note", _("Note")
        MESSAGE_IN = "message_in", _("Message from the person")
        MESSAGE_OUT = "message_out", _("Message to the person")
        CONSENT = "consent", _("Consent")
        SHARE = "share", _("Information shared")
        CONTACT = "contact", _("Contact attempt")

    # Sequential so snapshots can be taken incrementally; never shown outside the database.
    id = models.BigAutoField(primary_key=True)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STAGE)
    stage = models.CharField(max_length=20, blank=True)
    text = SealedTextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["referral", "occurred_at"], name="casework_event_timeline_idx")
        ]
        # The choices written out: a nested Meta cannot see Kind (a test keeps them equal).
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "stage",
                        "note",
                        "message_in",
                        "message_out",
                        "consent",
                        "share",
                        "contact",
                    ]
                ),
                name="casework_caseevent_kind_known",
            ),
            # A stage event names a stage of the funnel; no other event names one.
            models.CheckConstraint(
                condition=models.Q(kind="stage", stage__in=STAGES)
                | (~models.Q(kind="stage") & models.Q(stage="")),
                name="casework_caseevent_stage_only_on_stage_events",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.stage} at {self.occurred_at:%Y-%m-%d %H:%M}"


class AuditEntry(models.Model):
    """An append-only, hash-chained record of every read and change of a case."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    detail = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    # The audit key that sealed the entry (BRIDGEWAY_AUDIT_KEYS, numbered from the oldest);
    # 0 for entries sealed with plain SHA-256 before the chain was keyed (ADR 0060).
    key_id = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.object_type} {self.object_id}"


class Consent(TimestampedModel):
    """A person's permission to share their information: one scope, one recipient, one time.

    Scopes (see docs/decisions/0040):

    * ``onward_referral``: refer the person to a named organisation's service. The receiving
      organisation sees only the parts listed in ``includes``.
    * ``police``: pass the person's report to one police force. Nothing goes to the police
      without it, whatever the person ticked on the report form.
    * ``named_worker``: share with one named worker at another organisation (a school's
      safeguarding lead, a youth worker in the area the person moved to).

    A consent is live from ``given_at`` until ``expires`` or ``revoked_at``, whichever comes
    first. It is never edited: revoking sets ``revoked_at``; a change is a new consent.
    """

    class Scope(models.TextChoices):
        ONWARD_REFERRAL = "onward_referral", _("Refer to another organisation")
        POLICE = "police", _("Pass to the police")
        NAMED_WORKER = "named_worker", _("Share with a named worker")

    class GivenHow(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("On the phone")
        WRITTEN = "written", _("In writing (letter, email or text)")
        ONLINE = "online", _("On the website")

    class Item(models.TextChoices):
        # What a share may carry besides the reference and the kinds of harm.
        CONTACT_DETAILS = "contact_details", _("Name, contact details and contact preferences")
        CHARACTERISTICS = "characteristics", _("Age, ethnic group and other characteristics")
        NARRATIVE = "narrative", _("What happened, in their words")
        HISTORY = "history", _("The case timeline, messages and notes")
        EVIDENCE = "evidence", _("Screenshots and photos they gave")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(max_length=20, choices=Scope.choices)
    recipient_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient_police_force_area = models.ForeignKey(
        PoliceForceArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient_worker = SealedTextField(blank=True)
    includes = models.JSONField(default=list, blank=True)
    given_at = models.DateTimeField()
    given_how = models.CharField(max_length=20, choices=GivenHow.choices)
    expires = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-given_at", "id"]
        indexes = [models.Index(fields=["person", "scope"], name="casework_consent_scope_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["onward_referral", "police", "named_worker"]),
                name="casework_consent_scope_known",
            ),
            models.CheckConstraint(
                condition=models.Q(given_how__in=["in_person", "phone", "written", "online"]),
                name="casework_consent_given_how_known",
            ),
            models.CheckConstraint(
                condition=models.Q(expires__isnull=True)
                | models.Q(expires__gt=models.F("given_at")),
                name="casework_consent_expires_after_given",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True)
                | models.Q(revoked_at__gte=models.F("given_at")),
                name="casework_consent_revoked_after_given",
            ),
            # A consent names the one recipient its scope allows: a police force for the
            # police, an organisation otherwise (services.consent._consent_recipient).
            models.CheckConstraint(
                condition=models.Q(
                    scope="police",
                    recipient_police_force_area__isnull=False,
                    recipient_organisation__isnull=True,
                )
                | (
                    ~models.Q(scope="police")
                    & models.Q(
                        recipient_organisation__isnull=False,
                        recipient_police_force_area__isnull=True,
                    )
                ),
                name="casework_consent_recipient_fits_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} ({self.person_id})"


class Share(models.Model):
    """One disclosure of a person's information, made under a consent. Never deleted."""

    id = models.BigAutoField(primary_key=True)
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="shares")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="shares")
    scope = models.CharField(max_length=20, choices=Consent.Scope.choices)
    recipient_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient_police_force_area = models.ForeignKey(
        PoliceForceArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient_worker = SealedTextField(blank=True)
    items = models.JSONField(default=list, blank=True)
    # The referral the receiving organisation works, for an onward referral or a transfer.
    onward_referral = models.OneToOneField(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="arrived_by"
    )
    shared_at = models.DateTimeField()
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the handover pack (PDF) for the police was first made from this share; shown to the
    # person on the follow-up page (docs/decisions/0116-police-handover-pack.md).
    pack_made_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shared_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=Consent.Scope.values),
                name="casework_share_scope_known",
            ),
            # The police get a report through their force; everyone else is an organisation.
            models.CheckConstraint(
                condition=models.Q(
                    scope=Consent.Scope.POLICE,
                    recipient_police_force_area__isnull=False,
                    recipient_organisation__isnull=True,
                )
                | (
                    ~models.Q(scope=Consent.Scope.POLICE)
                    & models.Q(
                        recipient_organisation__isnull=False,
                        recipient_police_force_area__isnull=True,
                    )
                ),
                name="casework_share_recipient_matches_scope",
            ),
            # Only an onward referral (or transfer) makes a referral at the receiving end.
            models.CheckConstraint(
                condition=models.Q(onward_referral__isnull=True)
                | models.Q(scope=Consent.Scope.ONWARD_REFERRAL),
                name="casework_share_onward_referral_only_when_referred_on",
            ),
        ]

    def __str__(self) -> str:
        return f"Share {self.id} ({self.scope})"


class ContactAttempt(models.Model):
    """A worker's try at reaching the person, allowed only within their contact preferences."""

    class Method(models.TextChoices):
        CALL = "call", _("Phone call")
        TEXT = "text", _("Text message")
        EMAIL = "email", _("Email")
        VOICEMAIL = "voicemail", _("Voicemail or answerphone message")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Spoke to or heard back from the person")
        NOT_REACHED = "not_reached", _("Did not reach them")
        SENT = "sent", _("Sent")

    id = models.BigAutoField(primary_key=True)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="contacts")
    method = models.CharField(max_length=20, choices=Method.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    note = SealedTextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempted_at = models.DateTimeField()

    class Meta:
        ordering = ["attempted_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(method__in=["call", "text", "email", "voicemail"]),
                name="casework_contactattempt_method_known",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=["reached", "not_reached", "sent"]),
                name="casework_contactattempt_outcome_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} at {self.attempted_at:%Y-%m-%d %H:%M}"


class FollowUpClientAttempts(models.Model):
    """Failed follow-up tries from one client (address), across every reference.

    The client is kept only as an HMAC of its address under the secret key, so the table
    holds no raw IP addresses; see ``follow_up_client_key``.
    """

    client_key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    # The failures counted are those since this moment; older ones are forgotten.
    first_failed_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.client_key[:8]}… {self.failures} failures"


class CaseworkSettings(models.Model):
    """An organisation's own casework timescales."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # Working days from a referral arriving to first contact: two by default, the Victims'
    # Code expectation for a referral to support services.
    first_contact_working_days = models.PositiveSmallIntegerField(default=2)

    class Meta:
        verbose_name_plural = "casework settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_contact_working_days__gte=1)
                & models.Q(first_contact_working_days__lte=30),
                name="casework_settings_first_contact_days_sensible",
            )
        ]

    def __str__(self) -> str:
        return f"Casework settings of {self.organisation_id}"


class Task(models.Model):
    """Something to do on a case by a day, by one member of staff."""

    class Kind(models.TextChoices):
        CALL_BACK = "call_back", _("Call back")
        COURT_FOLLOW_UP = "court_follow_up", _("Follow up after a court date")
        SAFETY_REVIEW = "safety_review", _("Review safety")
        OTHER = "other", _("Something else")

    id = models.BigAutoField(primary_key=True)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What to do, in the worker's words; may name the person, so sealed.
    note = SealedTextField(blank=True)
    due_on = models.DateField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="casework_tasks"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            # The inbox's "task overdue" filter and each worker's digest.
            models.Index(fields=["referral", "done_at", "due_on"], name="casework_task_case_idx"),
            models.Index(fields=["assignee", "done_at", "due_on"], name="casework_task_worker_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["call_back", "court_follow_up", "safety_review", "other"]
                ),
                name="casework_task_kind_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.due_on}"


class NotificationSetting(models.Model):
    """What one member of staff is emailed about, and how far their emails have got.

    The emails say only that something is new or due, with a link to sign in (no names, no
    references, nothing of what happened). Nothing is queued per event: each run counts what
    arrived after ``notified_until``, and moves it on only once the email has been accepted,
    so a failed send is retried by the next run and never loses anything.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="casework_notifications",
    )
    on_referral = models.BooleanField(_("new referrals and reports"), default=True)
    on_message = models.BooleanField(_("new messages from people who reported"), default=True)
    on_task_due = models.BooleanField(_("tasks due today"), default=True)
    daily_digest = models.BooleanField(_("a daily list of what is overdue"), default=True)
    notified_until = models.DateTimeField(null=True, blank=True)
    tasks_notified_on = models.DateField(null=True, blank=True)
    digest_sent_on = models.DateField(null=True, blank=True)
    # The last failure, in words with no personal data (the SMTP server's complaint).
    failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"Notification settings of {self.user_id}"

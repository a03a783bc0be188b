"""Funding rounds, applications to them, and decisions with feedback.

The briefing asks commissioners for grants as well as contracts, quick decisions, and
feedback to the organisations they turn down, so a declined decision cannot be saved
without feedback (a database constraint, not only a form check).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bridgeway.accounts.models import Organisation
from bridgeway.equality.staff_labels import staff_label
from bridgeway.places.models import PoliceForceArea
from bridgeway.records import TimestampedModel


class FundingRound(TimestampedModel):
    """A commissioner's call for applications: a grant or a contract, open between two dates."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("Grant")
        CONTRACT = "contract", _("Contract")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    commissioner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="funding_rounds"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    # Whole pounds and pence; never a float.
    amount_available = models.DecimalField(_("amount available"), max_digits=12, decimal_places=2)
    areas = models.ManyToManyField(PoliceForceArea, related_name="funding_rounds")
    # The published timetable: applications close at the end of ``closes_on`` (Europe/London)
    # and the office promises a decision by ``decision_by``.
    decision_by = models.DateField(_("decisions by"), null=True, blank=True)
    eligibility = models.TextField(_("who can apply"), blank=True)
    # One question a line; an application answers each.
    questions = models.TextField(_("questions"), blank=True)
    reviewer_guidance = models.TextField(_("guidance for reviewers"), blank=True)
    score_max = models.PositiveSmallIntegerField(_("highest score"), default=5)
    # Which of the DEI Data Standard's questions the round asks (decision 0138): whether the
    # organisation is led by, and is for, communities facing structural inequity, and whom
    # the project serves. A question not asked is published as "not asked", never as skipped.
    asks_dei_leadership = models.BooleanField(_("ask who leads the organisation"), default=True)
    asks_dei_mission = models.BooleanField(_("ask whom the organisation is for"), default=True)
    asks_dei_project = models.BooleanField(_("ask whom the project serves"), default=False)
    # A round is a draft, seen only by its offices, until a commissioner publishes it; only a
    # published round is on the public page and takes applications (decision 0087).
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["closes_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="commissioning_round_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_available__gt=0),
                name="commissioning_round_amount_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(decision_by__isnull=True)
                | models.Q(decision_by__gte=models.F("closes_on")),
                name="commissioning_round_decides_after_closing",
            ),
            models.CheckConstraint(
                condition=models.Q(score_max__gte=2, score_max__lte=10),
                name="commissioning_round_score_scale",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def office_ids(self) -> list[uuid.UUID]:
        """The leading office and any partner offices of a joint round."""
        return [self.commissioner_id, *self.partners.values_list("office_id", flat=True)]

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def is_open_on(self, day: dt.date) -> bool:
        """Whether applications are taken on ``day``: published, and both end dates included."""
        return self.is_published and self.opens_on <= day <= self.closes_on

    @property
    def closes_at(self) -> dt.datetime:
        """The published close: the end of ``closes_on`` in Europe/London (decision 0137)."""
        from django.utils import timezone

        next_day = dt.datetime.combine(self.closes_on + dt.timedelta(days=1), dt.time())
        return timezone.make_aware(next_day, timezone.get_default_timezone())

    def is_open_at(self, moment: dt.datetime) -> bool:
        """Whether an application may be submitted or withdrawn at ``moment`` (server clock)."""
        from django.utils import timezone

        return self.is_open_on(timezone.localdate(moment)) and moment < self.closes_at

    @property
    def dei_areas_asked(self) -> list[str]:
        """The DEI Data Standard areas the round asks applicants about (decision 0138)."""
        return [
            area
            for area, asked in (
                (DeiAnswer.Area.LEADERSHIP, self.asks_dei_leadership),
                (DeiAnswer.Area.MISSION, self.asks_dei_mission),
                (DeiAnswer.Area.PROJECT, self.asks_dei_project),
            )
            if asked
        ]


class RoundPartner(TimestampedModel):
    """Another commissioner's office that shares a joint round's budget and its decisions.

    Neighbouring offices fund shared services together: each partner's contribution is part
    of the round's budget (the leading office gives the rest), and its commissioners see the
    applications and decide alongside the lead (decision 0087).
    """

    funding_round = models.ForeignKey(
        FundingRound, on_delete=models.CASCADE, related_name="partners"
    )
    office = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    contribution = models.DecimalField(_("contribution"), max_digits=12, decimal_places=2)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["office__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["funding_round", "office"], name="commissioning_partner_once_a_round"
            ),
            models.CheckConstraint(
                condition=models.Q(contribution__gt=0),
                name="commissioning_partner_contribution_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} in {self.funding_round}"


class Application(TimestampedModel):
    """An organisation's bid to a funding round."""

    class Status(models.TextChoices):
        # Saved, not sent: seen only by the organisation (decision 0137).
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        AWARDED = "awarded", _("Awarded")
        DECLINED = "declined", _("Declined")
        # The round asked a question; the decision clock stops until the applicant answers.
        MORE_INFORMATION = "more_information", _("More information needed")
        # Taken back by the organisation before the close: out of review, never decided.
        WITHDRAWN = "withdrawn", _("Withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    funding_round = models.ForeignKey(
        FundingRound, on_delete=models.CASCADE, related_name="applications"
    )
    applicant = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="funding_applications"
    )
    # A draft may be saved with any of these empty; only a complete one is submitted.
    summary = models.TextField(_("summary"), blank=True)
    amount_requested = models.DecimalField(
        _("amount requested"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The round's questions as asked and the organisation's answers: [{"question", "answer"}].
    answers = models.JSONField(default=list, blank=True)
    areas_served = models.ManyToManyField(PoliceForceArea, related_name="+", blank=True)
    # Codes of the equality vocabulary's ethnic groups, the same codes insight's gaps use.
    communities_served = models.JSONField(default=list, blank=True)
    # Whether the organisation agreed to its DEI answers being published with an award in
    # the 360Giving export (decision 0138). Without it the export says only that a reply was
    # given and may not be shared.
    dei_publish_agreed = models.BooleanField(_("agreed to publish"), default=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Registered numbers make the organisation's org-id (org-id.guide) in the 360Giving export.
    charity_number = models.CharField(_("registered charity number"), max_length=12, blank=True)
    company_number = models.CharField(_("company number"), max_length=10, blank=True)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["funding_round", "applicant"], name="commissioning_one_application_each"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_requested__isnull=True)
                | models.Q(amount_requested__gt=0),
                name="commissioning_application_amount_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(submitted_at__isnull=False, amount_requested__isnull=False),
                name="commissioning_sent_application_complete",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="withdrawn") | models.Q(withdrawn_at__isnull=False),
                name="commissioning_withdrawal_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} → {self.funding_round}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_decided(self) -> bool:
        return self.status in {self.Status.AWARDED, self.Status.DECLINED}


class Decision(TimestampedModel):
    """The commissioner's answer to an application, with the feedback behind it."""

    class Outcome(models.TextChoices):
        AWARDED = "awarded", _("Awarded")
        DECLINED = "declined", _("Declined")

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, primary_key=True, related_name="decision"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    feedback = models.TextField(_("feedback"), blank=True)
    amount_awarded = models.DecimalField(
        _("amount awarded"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the funded work is planned to run (360Giving's plannedDates).
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    # For a decline: whether the office offered the organisation support to apply again
    # (a conversation, a capacity-building session), so commissioners can see who was helped.
    support_offered = models.BooleanField(_("support offered"), default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="declined") | ~models.Q(feedback=""),
                name="commissioning_declined_needs_feedback",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="awarded", amount_awarded__gt=0)
                | models.Q(outcome="declined", amount_awarded__isnull=True),
                name="commissioning_award_amount_matches_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.application}"


class Criterion(TimestampedModel):
    """What reviewers score an application on, and how much it counts (its weight)."""

    funding_round = models.ForeignKey(
        FundingRound, on_delete=models.CASCADE, related_name="criteria"
    )
    title = models.CharField(_("criterion"), max_length=200)
    guidance = models.TextField(_("guidance for reviewers"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=1, weight__lte=100),
                name="commissioning_criterion_weight_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReviewerAssignment(TimestampedModel):
    """A reviewer the round's lead has asked to score the round's applications."""

    funding_round = models.ForeignKey(
        FundingRound, on_delete=models.CASCADE, related_name="reviewer_assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["funding_round", "reviewer"], name="commissioning_reviewer_once_a_round"
            )
        ]


class ConflictDeclaration(TimestampedModel):
    """A reviewer's answer, per application, to "do you have a conflict of interest?".

    A reviewer sees an application only after declaring no conflict with it.
    """

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="conflict_declarations"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflict_declarations"
    )
    has_conflict = models.BooleanField(_("conflict of interest"))
    note = models.CharField(_("the conflict, in a few words"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="commissioning_declared_once"
            )
        ]


class Score(TimestampedModel):
    """One reviewer's score of one application on one criterion, with their reasons."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer", "criterion"],
                name="commissioning_one_score_each",
            )
        ]


class RoundGap(TimestampedModel):
    """A coverage gap a round is meant to close: a community in an area with no specialist
    service, and its figures from insight when the round was started (decision 0088).

    The figures are kept as they were, so the round's page shows what the office saw when it
    chose to fund; the count of people referred is empty where insight hid a small count.
    """

    funding_round = models.ForeignKey(FundingRound, on_delete=models.CASCADE, related_name="gaps")
    area_code = models.CharField(max_length=9)
    area_name = models.CharField(max_length=200)
    ethnic_group = models.CharField(_("community"), max_length=64)
    residents = models.PositiveIntegerField()
    # The group's share of the area's residents, 0 to 1 (census 2021).
    resident_share = models.DecimalField(max_digits=7, decimal_places=6)
    referred_to_specialist = models.PositiveIntegerField(null=True, blank=True)
    figures_from = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["area_name", "-residents"]
        constraints = [
            models.UniqueConstraint(
                fields=["funding_round", "area_code", "ethnic_group"],
                name="commissioning_gap_once_a_round",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ethnic_group} in {self.area_name}"

    @property
    def label(self) -> str:
        """The community's name in the reader's language."""
        return staff_label("ethnic_groups", self.ethnic_group)

    @property
    def resident_percent(self) -> str:
        return f"{self.resident_share * 100:.1f}%"


class CriterionFeedback(TimestampedModel):
    """A decline's feedback on one criterion: what was strong, and what would make it succeed.

    A declined application of a round with criteria carries one of these for every criterion
    (decision 0120), so an organisation learns where it fell short, not only that it did.
    """

    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="criterion_feedback"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    strengths = models.TextField(_("what was strong"))
    to_improve = models.TextField(_("what would make it succeed"))

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "criterion"], name="commissioning_feedback_once_a_criterion"
            ),
            models.CheckConstraint(
                condition=~models.Q(strengths="") & ~models.Q(to_improve=""),
                name="commissioning_feedback_both_parts",
            ),
        ]


class InformationRequest(TimestampedModel):
    """The round's question to an applicant; the decision clock stops until it is answered."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="information_requests"
    )
    question = models.TextField(_("what you need to know"))
    asked_at = models.DateTimeField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["asked_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True)
                | models.Q(answered_at__gte=models.F("asked_at")),
                name="commissioning_answered_after_asked",
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class ApplicationMessage(TimestampedModel):
    """One message in the conversation between an applicant and the round's commissioners."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_applicant = models.BooleanField()
    body = models.TextField(_("message"))

    class Meta:
        ordering = ["created_at", "id"]


class MonitoringReturn(TimestampedModel):
    """A funded organisation's short report on an award: a period, the people it reached,
    what changed, and what it spent (decision 0140). Its administrators write it; the round's
    offices read it."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="monitoring_returns"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    people_reached = models.PositiveIntegerField(_("people reached"))
    what_changed = models.TextField(_("what changed"))
    spend = models.DecimalField(_("spent in the period"), max_digits=12, decimal_places=2)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["period_start", "submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="commissioning_return_period_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(spend__gte=0), name="commissioning_return_spend_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(what_changed=""), name="commissioning_return_says_what_changed"
            ),
        ]


class DeiAnswer(TimestampedModel):
    """An applicant's answer to one of the DEI Data Standard's questions (decision 0138).

    A row exists for every question the round asked, so "asked and skipped" (no reply) is
    kept apart from "not asked" (no row) and from "prefer not to say".
    """

    class Area(models.TextChoices):
        LEADERSHIP = "leadership", _("Who leads the organisation")
        MISSION = "mission", _("Whom the organisation is for")
        PROJECT = "project", _("Whom the project serves")

    class Reply(models.TextChoices):
        NO_REPLY = "no_reply", _("Skipped")
        GROUPS = "groups", _("The communities chosen")
        GENERAL = "general", _("No particular community")
        PREFER_NOT = "prefer_not", _("Prefer not to say")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="dei_answers"
    )
    area = models.CharField(max_length=12, choices=Area.choices)
    reply = models.CharField(max_length=12, choices=Reply.choices, default=Reply.NO_REPLY)
    # DEI Data Standard taxonomy codes (population groups), only with ``groups``.
    taxonomy_codes = models.JSONField(default=list, blank=True)
    lived_experience = models.CharField(_("lived experience"), max_length=500, blank=True)

    class Meta:
        ordering = ["area"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "area"], name="commissioning_dei_answer_once_an_area"
            )
        ]


def _attachment_name(instance: Attachment, filename: str) -> str:
    # A random name: the uploader's file name is never kept (decision 0129).
    extension = ATTACHMENT_EXTENSIONS.get(instance.content_type, "bin")
    return f"commissioning/{uuid.uuid4().hex}.{extension}"


ATTACHMENT_EXTENSIONS = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}


class Attachment(TimestampedModel):
    """A document sent with an application (accounts, a policy), kept in the default storage.

    Its type is read from its content, not its name; it is served only to the organisation
    and the round's office and non-conflicted reviewers, and every download is audited.
    """

    class Kind(models.TextChoices):
        ACCOUNTS = "accounts", _("Accounts")
        GOVERNING_DOCUMENT = "governing_document", _("Constitution or governing document")
        POLICY = "policy", _("Policy (for example safeguarding)")
        BUDGET = "budget", _("Budget")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("what it is"), max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=_attachment_name, max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__gt=0), name="commissioning_attachment_not_empty"
            )
        ]

    @property
    def extension(self) -> str:
        return ATTACHMENT_EXTENSIONS.get(self.content_type, "bin")

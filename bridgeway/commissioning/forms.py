"""Forms for applying to a funding round and deciding an application.

They only check shape (a number is a number); the rules live in ``services.py``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.accounts.models import Organisation
from bridgeway.commissioning.dei import POPULATION_GROUPS
from bridgeway.commissioning.models import (
    Application,
    Attachment,
    Criterion,
    Decision,
    DeiAnswer,
    FundingRound,
)
from bridgeway.commissioning.services import AMOUNT_MAX, TEXT_MAX_LENGTH
from bridgeway.commissioning.services.applying import DeiReply, DraftContent
from bridgeway.equality.staff_labels import staff_label
from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, vocabulary

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_AMOUNT_ERRORS = {
    "required": _("Enter an amount in pounds, like 12500."),
    "invalid": _("Enter an amount in pounds, like 12500."),
    "min_value": _("The amount must be more than £0."),
    "max_value": _("The amount is too large; check the figure."),
    "max_decimal_places": _("Enter pounds and pence, with no more than 2 digits after the point."),
    "max_digits": _("The amount is too large; check the figure."),
    "max_whole_digits": _("The amount is too large; check the figure."),
}


def _amount_field(label: StrOrPromise, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0.01"),
        max_value=AMOUNT_MAX,
        max_digits=12,
        decimal_places=2,
        error_messages=_AMOUNT_ERRORS,
    )


class ApplicationForm(forms.Form):
    """An application, saved as a draft or sent; nothing is required to save a draft (the
    service names what is missing when it is sent)."""

    applicant = forms.ModelChoiceField(
        label=_("Organisation applying"),
        queryset=Organisation.objects.none(),
        error_messages={
            "required": _("Choose the organisation applying."),
            "invalid_choice": _("Choose one of the organisations you administer."),
        },
    )
    summary = forms.CharField(
        label=_("What the money would pay for, and who it would reach"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        error_messages={
            "max_length": _("Keep the summary to %(limit_value)d characters or fewer."),
        },
    )
    amount_requested = _amount_field(_("Amount requested, in pounds"), required=False)
    areas_served = forms.MultipleChoiceField(
        label=_("Areas your work would reach"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose areas this round covers.")},
    )
    communities_served = forms.MultipleChoiceField(
        label=_("Communities you serve"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose communities from the list.")},
    )
    dei_publish_agreed = forms.BooleanField(
        label=_(
            "We agree that our answers about who leads us and whom we serve may be published "
            "with any award, in the open 360Giving data"
        ),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        organisations: list[Organisation],
        funding_round: FundingRound | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["applicant"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        if len(organisations) == 1:
            field.initial = organisations[0].pk
        self.questions: list[str] = []
        self.dei_areas: list[str] = []
        if funding_round is None:
            return
        areas = self.fields["areas_served"]
        assert isinstance(areas, forms.MultipleChoiceField)  # noqa: S101 - declared above
        areas.choices = [(a.code, a.name) for a in funding_round.areas.all()]
        communities = self.fields["communities_served"]
        assert isinstance(communities, forms.MultipleChoiceField)  # noqa: S101
        communities.choices = [
            (code, staff_label("ethnic_groups", code))
            for code in vocabulary("ethnic_groups").ordered_codes()
            if code not in NOT_KNOWN_CODES
        ]
        self.questions = [q.strip() for q in funding_round.questions.splitlines() if q.strip()]
        for number, question in enumerate(self.questions, start=1):
            self.fields[f"answer_{number}"] = forms.CharField(
                label=question,
                required=False,
                max_length=5_000,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={
                    "max_length": _("Keep your answer to %(limit_value)d characters or fewer.")
                },
            )
        self.dei_areas = list(funding_round.dei_areas_asked)
        questions: dict[str, StrOrPromise] = {
            DeiAnswer.Area.LEADERSHIP: _(
                "Is your organisation led by people from one or more of these communities? "
                "(Most of your board and senior staff, by their own description.)"
            ),
            DeiAnswer.Area.MISSION: _(
                "Is your organisation set up mainly for one or more of these communities?"
            ),
            DeiAnswer.Area.PROJECT: _(
                "Are most of the people this work would reach from one or more of these "
                "communities?"
            ),
        }
        for area in self.dei_areas:
            self.fields[f"dei_{area}"] = forms.ChoiceField(
                label=questions[area],
                required=False,
                widget=forms.RadioSelect,
                choices=[
                    (DeiAnswer.Reply.GROUPS, _("Yes: the communities ticked below")),
                    (DeiAnswer.Reply.GENERAL, _("No particular community")),
                    (DeiAnswer.Reply.PREFER_NOT, _("Prefer not to say")),
                ],
                error_messages={"invalid_choice": _("Choose one of the answers, or leave it.")},
            )
            self.fields[f"dei_{area}_codes"] = forms.MultipleChoiceField(
                label=_("Communities"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=list(POPULATION_GROUPS.items()),
                error_messages={"invalid_choice": _("Choose communities from the list.")},
            )
            self.fields[f"dei_{area}_lived"] = forms.CharField(
                label=_("Other lived experience, in a few words (optional)"),
                required=False,
                max_length=500,
                error_messages={"max_length": _("Keep this to 500 characters or fewer.")},
            )

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[f"answer_{n}"] for n in range(1, len(self.questions) + 1)]

    def dei_fields(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"dei_{a}"], self[f"dei_{a}_codes"], self[f"dei_{a}_lived"])
            for a in self.dei_areas
        ]

    def content(self) -> DraftContent:
        """What was typed (after ``is_valid``), for the services."""
        data = self.cleaned_data
        return DraftContent(
            summary=data.get("summary", ""),
            amount_requested=data.get("amount_requested"),
            answers=[data.get(f"answer_{n}", "") for n in range(1, len(self.questions) + 1)],
            area_codes=data.get("areas_served", []),
            communities=data.get("communities_served", []),
            dei={
                area: DeiReply(
                    reply=data.get(f"dei_{area}") or DeiAnswer.Reply.NO_REPLY,
                    taxonomy_codes=data.get(f"dei_{area}_codes", []),
                    lived_experience=data.get(f"dei_{area}_lived", ""),
                )
                for area in self.dei_areas
            },
            dei_publish_agreed=data.get("dei_publish_agreed", False),
        )

    @staticmethod
    def initial_from(application: Application) -> dict[str, Any]:
        """A saved draft as the form's starting values."""
        initial: dict[str, Any] = {
            "applicant": application.applicant_id,
            "summary": application.summary,
            "amount_requested": application.amount_requested,
            "areas_served": [a.code for a in application.areas_served.all()],
            "communities_served": list(application.communities_served),
            "dei_publish_agreed": application.dei_publish_agreed,
        }
        for number, item in enumerate(application.answers or [], start=1):
            initial[f"answer_{number}"] = item.get("answer", "")
        for answer in application.dei_answers.all():
            if answer.reply != DeiAnswer.Reply.NO_REPLY:
                initial[f"dei_{answer.area}"] = answer.reply
            initial[f"dei_{answer.area}_codes"] = list(answer.taxonomy_codes)
            initial[f"dei_{answer.area}_lived"] = answer.lived_experience
        return initial


class AttachmentForm(forms.Form):
    """One document; its type and size are read from its content by ``attachment_add``."""

    kind = forms.ChoiceField(
        label=_("What the document is"),
        choices=Attachment.Kind.choices,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={
            "required": _("Choose what the document is."),
            "invalid_choice": _("Choose what the document is."),
        },
    )
    file = forms.FileField(
        label=_("Document"),
        help_text=_(
            "PDF, Word (.docx), Excel (.xlsx) or OpenDocument (.odt, .ods), smaller than 10 MB."
        ),
        error_messages={
            "required": _("Choose a document to add."),
            "invalid": _("Choose a document to add."),
            "empty": _("The file you chose is empty. Choose it again."),
        },
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose award or decline."),
            "invalid_choice": _("Choose award or decline."),
        },
    )
    feedback = forms.CharField(
        label=_("Feedback for the organisation"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        error_messages={"max_length": _("Keep feedback to %(limit_value)d characters or fewer.")},
    )
    amount_awarded = _amount_field(_("Amount awarded, in pounds (if awarding)"), required=False)
    support_offered = forms.BooleanField(
        label=_("We have offered this organisation support to apply again"), required=False
    )

    def __init__(self, *args: Any, criteria: list[Criterion] | None = None, **kwargs: Any) -> None:
        """Two feedback fields per criterion: what was strong, what would make it succeed."""
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria or [])
        for criterion in self.criteria:
            for part, label in (
                ("strengths", _("%(criterion)s: what was strong")),
                ("to_improve", _("%(criterion)s: what would make it succeed")),
            ):
                self.fields[f"criterion_{criterion.pk}_{part}"] = forms.CharField(
                    label=label % {"criterion": criterion.title},
                    required=False,
                    max_length=TEXT_MAX_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    error_messages={
                        "max_length": _("Keep this to %(limit_value)d characters or fewer.")
                    },
                )

    def criterion_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """The per-criterion feedback fields, in pairs, for the page."""
        return [
            (self[f"criterion_{c.pk}_strengths"], self[f"criterion_{c.pk}_to_improve"])
            for c in self.criteria
        ]

    def criterion_feedback(self) -> dict[int, tuple[str, str]]:
        """What was typed per criterion (after ``is_valid``), for ``application_decide``."""
        return {
            c.pk: (
                self.cleaned_data.get(f"criterion_{c.pk}_strengths", ""),
                self.cleaned_data.get(f"criterion_{c.pk}_to_improve", ""),
            )
            for c in self.criteria
        }


class InformationRequestForm(forms.Form):
    question = forms.CharField(
        label=_("What more do you need to know?"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Say what information you need."),
            "max_length": _("Keep this to %(limit_value)d characters or fewer."),
        },
    )


class InformationAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Enter your answer."),
            "max_length": _("Keep this to %(limit_value)d characters or fewer."),
        },
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Write your message."),
            "max_length": _("Keep this to %(limit_value)d characters or fewer."),
        },
    )


_DATE_ERRORS = {
    "required": _("Enter a date, like 31/3/2027."),
    "invalid": _("Enter a real date, like 31/3/2027."),
}
_DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def _date_field(label: StrOrPromise, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, input_formats=_DATE_FORMATS, error_messages=_DATE_ERRORS
    )


class RoundForm(forms.Form):
    """A round's terms. Criteria are typed one a line: title | weight | guidance."""

    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Enter a title.")}
    )
    description = forms.CharField(
        label=_("What the round will fund, in plain words"),
        max_length=TEXT_MAX_LENGTH,
        error_messages={"required": _("Describe what the round will fund.")},
    )
    kind = forms.ChoiceField(
        label=_("Grant or contract"),
        choices=FundingRound.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose grant or contract.")},
    )
    amount_available = _amount_field(_("Budget, in pounds"))
    areas = forms.MultipleChoiceField(
        label=_("Areas the round covers"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one area the round covers."),
            "invalid_choice": _("Choose areas your office covers."),
        },
    )
    opens_on = _date_field(_("Opens on"))
    closes_on = _date_field(_("Closes on (at the end of the day, UK time)"))
    decision_by = _date_field(_("Decisions by"), required=False)
    eligibility = forms.CharField(
        label=_("Who can apply"), required=False, max_length=TEXT_MAX_LENGTH
    )
    questions = forms.CharField(
        label=_("Questions for applicants, one a line"), required=False, max_length=TEXT_MAX_LENGTH
    )
    dei_questions = forms.MultipleChoiceField(
        label=_("The DEI Data Standard's questions to ask applicants"),
        help_text=_(
            "Applicants can leave any of them unanswered. A question not asked is published "
            "as not asked."
        ),
        choices=DeiAnswer.Area.choices,
        required=False,
        initial=[DeiAnswer.Area.LEADERSHIP, DeiAnswer.Area.MISSION],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose from the questions listed.")},
    )
    criteria = forms.CharField(
        label=_("Assessment criteria, one a line: title | weight | guidance"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
    )
    score_max = forms.IntegerField(
        label=_("Highest score on the scale (scores run from 0)"),
        min_value=2,
        max_value=10,
        initial=5,
        error_messages={
            "required": _("Enter the highest score, from 2 to 10."),
            "invalid": _("Enter the highest score, from 2 to 10."),
            "min_value": _("Enter the highest score, from 2 to 10."),
            "max_value": _("Enter the highest score, from 2 to 10."),
        },
    )
    reviewer_guidance = forms.CharField(
        label=_("Guidance for reviewers"), required=False, max_length=TEXT_MAX_LENGTH
    )
    # Only when the round is started from insight's coverage gaps (decision 0088).
    gaps = forms.MultipleChoiceField(
        label=_("The gaps this round is meant to close"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose from the gaps insight shows for this area.")},
    )
    gaps_area = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        area_choices: list[tuple[str, str]],
        gap_choices: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["areas"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - declared above
        field.choices = area_choices
        gaps = self.fields["gaps"]
        assert isinstance(gaps, forms.MultipleChoiceField)  # noqa: S101 - declared above
        gaps.choices = gap_choices or []
        if gap_choices:
            gaps.required = True
            gaps.error_messages["required"] = _("Choose the gaps this round is meant to close.")

    def clean_criteria(self) -> list[tuple[str, int, str]]:
        parsed = []
        for number, line in enumerate(self.cleaned_data["criteria"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            try:
                weight = int(parts[1]) if len(parts) > 1 else 0
            except ValueError:
                weight = 0
            if not parts[0] or not 1 <= weight <= 100:
                raise forms.ValidationError(
                    _("Line %(n)d: write the title, a bar, then a weight from 1 to 100.")
                    % {"n": number}
                )
            parsed.append((parts[0], weight, parts[2] if len(parts) > 2 else ""))
        return parsed


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this organisation?"),
        choices=[("no", _("No")), ("yes", _("Yes"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether you have a conflict of interest.")},
    )
    note = forms.CharField(
        label=_("If yes, what is it, in a few words"), required=False, max_length=500
    )


class ScoreForm(forms.Form):
    """One score and comment per criterion of the round."""

    def __init__(self, *args: Any, criteria: list[Criterion], score_max: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.IntegerField(
                label=criterion.title,
                help_text=criterion.guidance,
                min_value=0,
                max_value=score_max,
                error_messages={
                    key: _("Score %(title)s from 0 to %(max)d.")
                    % {"title": criterion.title, "max": score_max}
                    for key in ("required", "invalid", "min_value", "max_value")
                },
            )
            self.fields[f"criterion_{criterion.pk}_comment"] = forms.CharField(
                label=_("Comment on %(title)s") % {"title": criterion.title},
                required=False,
                max_length=5000,
            )

    def scores(self) -> dict[int, tuple[int, str]]:
        return {
            c.pk: (
                self.cleaned_data[f"criterion_{c.pk}"],
                self.cleaned_data[f"criterion_{c.pk}_comment"],
            )
            for c in self.criteria
        }

    def score_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"criterion_{c.pk}"], self[f"criterion_{c.pk}_comment"]) for c in self.criteria
        ]


class PartnerForm(forms.Form):
    """Another commissioner's office joining a round, and what it gives to the budget."""

    office = forms.ModelChoiceField(
        label=_("Partner office"),
        queryset=Organisation.objects.none(),
        error_messages={
            "required": _("Choose the partner office."),
            "invalid_choice": _("Choose another commissioner's office."),
        },
    )
    contribution = _amount_field(_("Its contribution to the budget, in pounds"))

    def __init__(self, *args: Any, funding_round: FundingRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["office"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = (
            Organisation.objects.filter(kind=Organisation.Kind.COMMISSIONER)
            .exclude(pk__in=funding_round.office_ids())
            .order_by("name")
        )


class MonitoringReturnForm(forms.Form):
    """A funded organisation's short monitoring return (decision 0140)."""

    period_start = _date_field(_("Period from"))
    period_end = _date_field(_("Period to"))
    people_reached = forms.IntegerField(
        label=_("People reached in the period"),
        min_value=0,
        max_value=1_000_000,
        error_messages={
            "required": _("Enter how many people you reached, or 0."),
            "invalid": _("Enter the number of people as a whole number, like 40."),
            "min_value": _("The number of people cannot be below 0."),
            "max_value": _("Enter a number of people under 1,000,000."),
        },
    )
    what_changed = forms.CharField(
        label=_("What changed for the people you reached"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_MAX_LENGTH,
        error_messages={
            "required": _("Say in a few words what changed."),
            "max_length": _("Keep this to %(limit_value)d characters or fewer."),
        },
    )
    spend = forms.DecimalField(
        label=_("Spent in the period (£)"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        error_messages={
            "required": _("Enter what you spent, or 0."),
            "invalid": _("Enter the amount in pounds, like 2500 or 2500.50."),
            "min_value": _("The amount spent cannot be below 0."),
            "max_digits": _("Enter the amount in pounds, like 2500 or 2500.50."),
            "max_decimal_places": _("Enter the amount in pounds, like 2500 or 2500.50."),
            "max_whole_digits": _("Enter the amount in pounds, like 2500 or 2500.50."),
        },
    )

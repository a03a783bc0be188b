"""Forms of the staff casework pages: inbox filters, stage moves, messages, consent, shares."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgeway.accounts.models import Organisation, User
from bridgeway.casework.models import Consent, ContactAttempt, Referral
from bridgeway.casework.selectors import InboxCursor
from bridgeway.directory.models import Service
from bridgeway.equality.staff_labels import staff_choices
from bridgeway.places.models import PoliceForceArea

# The outcome measure asked at closure, as the form offers it.
COPED_BETTER_CHOICES = [
    ("yes", _("Yes")),
    ("no", _("No")),
    ("not_asked", _("Not asked")),
]
_COPED_BETTER_VALUES: dict[str, bool | None] = {"yes": True, "no": False, "not_asked": None}


def stage_choices() -> list[tuple[str, str]]:
    """Every funnel stage with its label, in the vocabulary's order."""
    return staff_choices("funnel_stages")


class InboxFilterForm(forms.Form):
    """What the inbox is narrowed to, read from the query string."""

    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        error_messages={"invalid_choice": _("Choose a stage from the list.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Referrals and reports")), *Referral.Kind.choices],
        error_messages={"invalid_choice": _("Choose referrals, reports or both.")},
    )
    harm = forms.ChoiceField(
        label=_("What it is about"),
        required=False,
        error_messages={"invalid_choice": _("Choose a kind of harm from the list.")},
    )
    age = forms.ChoiceField(
        label=_("Age"),
        required=False,
        error_messages={"invalid_choice": _("Choose an age group from the list.")},
    )
    waited = forms.TypedChoiceField(
        label=_("Waiting for first contact"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", _("Any time")),
            ("1", _("More than a day")),
            ("3", _("More than 3 days")),
            ("7", _("More than a week")),
            ("28", _("More than 4 weeks")),
        ],
        error_messages={"invalid_choice": _("Choose a waiting time from the list.")},
    )
    assignee = forms.ChoiceField(
        label=_("Assigned to"),
        required=False,
        error_messages={"invalid_choice": _("Choose someone from the list.")},
    )
    page = forms.IntegerField(
        label=_("Page"),
        required=False,
        min_value=1,
        error_messages={
            "invalid": _("The page must be a whole number."),
            "min_value": _("The page must be 1 or more."),
        },
    )

    # Where a page reached by "Older" or "Newer" starts (see ``InboxCursor``).
    after = forms.CharField(label=_("Older than"), required=False, max_length=80)
    before = forms.CharField(label=_("Newer than"), required=False, max_length=80)

    # The fields the filter form shows; the rest come from the page links.
    FILTERS = ("stage", "kind", "harm", "age", "waited", "assignee")

    def __init__(
        self,
        *args: Any,
        user: User | None = None,
        assignees: list[User] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.assignees = {str(person.pk): person for person in assignees or []}
        self.fields["stage"].choices = [("", _("All stages")), *stage_choices()]  # type: ignore[attr-defined]
        self.fields["harm"].choices = [  # type: ignore[attr-defined]
            ("", _("All kinds of harm")),
            *staff_choices("harm_types"),
        ]
        self.fields["age"].choices = [  # type: ignore[attr-defined]
            ("", _("All ages")),
            *staff_choices("age_bands"),
            *staff_choices("not_known"),
        ]
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone or no one")),
            ("me", _("Me")),
            ("unassigned", _("No one yet")),
            *[
                (key, person.full_name or person.email)
                for key, person in self.assignees.items()
                if user is None or person.pk != user.pk
            ],
        ]

    def filter_fields(self) -> list[forms.BoundField]:
        """The filters to show, in order (not the page links' own fields)."""
        return [self[name] for name in self.FILTERS]

    def _cursor(self, name: str) -> InboxCursor | None:
        token = self.cleaned_data.get(name) or ""
        if not token:
            return None
        try:
            return InboxCursor.parse(token)
        except ValueError:
            raise forms.ValidationError(
                _("This page link is broken. Start again from the first page."), code="invalid"
            ) from None

    def clean_after(self) -> InboxCursor | None:
        return self._cursor("after")

    def clean_before(self) -> InboxCursor | None:
        return self._cursor("before")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("after") and cleaned.get("before"):
            self.add_error("before", _("A page link can go older or newer, not both."))
        return cleaned

    @property
    def assignee_value(self) -> User | str | None:
        """The chosen assignee: a user, ``"unassigned"``, or ``None`` for anyone."""
        choice = self.cleaned_data.get("assignee") or ""
        if choice == "me":
            return self.user
        if choice == "unassigned":
            return "unassigned"
        return self.assignees.get(choice)


class AssignForm(forms.Form):
    """Give a referral to a caseworker of its organisation, or to no one."""

    assignee = forms.ChoiceField(
        label=_("Assigned to"),
        required=False,
        error_messages={"invalid_choice": _("Choose someone from the list.")},
    )

    def __init__(self, *args: Any, assignees: list[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assignees = {str(person.pk): person for person in assignees or []}
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("No one")),
            *[(key, person.full_name or person.email) for key, person in self.assignees.items()],
        ]

    @property
    def assignee_value(self) -> User | None:
        """The chosen caseworker, or ``None`` for no one."""
        return self.assignees.get(self.cleaned_data.get("assignee") or "")


class StageMoveForm(forms.Form):
    """Move a referral to a later stage; closing asks whether the person copes better."""

    stage = forms.ChoiceField(
        label=_("Move to"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the stage to move this referral to."),
            "invalid_choice": _("Choose a stage from the list."),
        },
    )
    coped_better = forms.ChoiceField(
        label=_("Does the person feel better able to cope?"),
        required=False,
        choices=COPED_BETTER_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose yes, no or not asked.")},
    )

    def __init__(self, *args: Any, next_stages: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Validation accepts every stage so the service can say why a move is not allowed;
        # the page offers only the moves that are.
        self.fields["stage"].choices = stage_choices()  # type: ignore[attr-defined]
        labels = dict(stage_choices())
        self.offered_stages = [(code, labels[code]) for code in (next_stages or [])]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("stage") == "closed" and not cleaned.get("coped_better"):
            self.add_error(
                "coped_better",
                _("Say whether the person feels better able to cope, or choose not asked."),
            )
        return cleaned

    @property
    def coped_better_value(self) -> bool | None:
        """The answer as the referral stores it: yes, no, or ``None`` for not asked."""
        return _COPED_BETTER_VALUES.get(self.cleaned_data.get("coped_better") or "not_asked")


class CaseTextForm(forms.Form):
    """A message to the person who reported, or an internal note: one box of text."""

    text = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a message before sending it.")},
    )


class ConsentForm(forms.Form):
    """Record what the person agreed may be shared, with whom, and how they said so."""

    scope = forms.ChoiceField(
        label=_("What the person agreed to"),
        choices=Consent.Scope.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what the person agreed to."),
            "invalid_choice": _("Choose what the person agreed to from the list."),
        },
    )
    recipient_organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": _("Choose an organisation from the list.")},
    )
    recipient_police_force_area = forms.ModelChoiceField(
        label=_("Police force"),
        queryset=PoliceForceArea.objects.order_by("name"),
        required=False,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": _("Choose a police force from the list.")},
    )
    recipient_worker = forms.CharField(
        label=_("The worker's name and role (for a named worker)"), required=False
    )
    includes = forms.MultipleChoiceField(
        label=_("What may be shared besides the kinds of harm and the area"),
        choices=Consent.Item.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose what may be shared from the list.")},
    )
    given_how = forms.ChoiceField(
        label=_("How the person gave consent"),
        choices=Consent.GivenHow.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how the person gave their consent."),
            "invalid_choice": _("Choose how the person gave their consent."),
        },
    )
    expires = forms.DateField(
        label=_("Ends on (leave empty if the person set no end)"),
        required=False,
        error_messages={"invalid": _("Enter the end date like 2027-03-31.")},
    )

    def __init__(self, *args: Any, own_organisation_id: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["recipient_organisation"]
        field.queryset = (  # type: ignore[attr-defined]
            Organisation.objects.exclude(kind=Organisation.Kind.COMMISSIONER)
            .exclude(pk=own_organisation_id)
            .order_by("name")
        )

    @property
    def expires_at(self) -> dt.datetime | None:
        """The end date as the moment consent ends: the start of the next day, London time."""
        day = self.cleaned_data.get("expires")
        if day is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


class PoliceShareForm(forms.Form):
    """Pass a report to one police force (needs the person's consent for that force)."""

    police_force_area = forms.ModelChoiceField(
        label=_("Police force"),
        queryset=PoliceForceArea.objects.order_by("name"),
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={
            "required": _("Choose the police force to pass this to."),
            "invalid_choice": _("Choose a police force from the list."),
        },
    )


class OnwardReferralForm(forms.Form):
    """Refer the person on to another organisation's service, or transfer their case."""

    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.filter(status=Service.Status.ACTIVE),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the service to refer the person to."),
            "invalid_choice": _("Choose a service from the list."),
        },
    )
    transfer = forms.BooleanField(
        label=_("Transfer the whole case, with its notes and messages (the person has moved)"),
        required=False,
    )


class MatchLocationForm(forms.Form):
    """Where to look for services: the person's postcode, or the area they have moved to."""

    postcode = forms.CharField(label=_("Postcode or postcode district"), max_length=10)


class ContactAttemptForm(forms.Form):
    """Record a try at reaching the person (the service refuses one that breaks their wishes)."""

    method = forms.ChoiceField(
        label=_("How you contacted them"),
        choices=ContactAttempt.Method.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how you contacted the person."),
            "invalid_choice": _("Choose how you contacted the person from the list."),
        },
    )
    outcome = forms.ChoiceField(
        label=_("What happened"),
        choices=ContactAttempt.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what happened."),
            "invalid_choice": _("Choose what happened from the list."),
        },
    )
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # Asked only when the person's words about times cannot be read for certain.
    times_checked = forms.BooleanField(
        label=_("I have checked that now is one of the times they said are safe"), required=False
    )

"""The form of a task on a case."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.accounts.models import User
from bridgeway.casework.intake_forms import DATE_FORMATS
from bridgeway.casework.models import Task


class TaskForm(forms.Form):
    """What to do, by when, and who does it."""

    kind = forms.ChoiceField(
        label=_("What to do"),
        choices=Task.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what the task is."),
            "invalid_choice": _("Choose what the task is from the list."),
        },
    )
    due_on = forms.DateField(
        label=_("Due by"),
        help_text=_("For example, 27/03/2026"),
        input_formats=DATE_FORMATS,
        error_messages={
            "required": _("Enter the date the task is due."),
            "invalid": _("Enter the date the task is due as a real date, like 27/03/2026."),
        },
    )
    assignee = forms.ChoiceField(
        label=_("Who does it"),
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={
            "required": _("Choose who does the task."),
            "invalid_choice": _("Choose someone who works cases for this organisation."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        error_messages={"max_length": _("The note must be 500 characters or fewer.")},
    )

    def __init__(self, *args: Any, colleagues: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.colleagues = {str(person.pk): person for person in colleagues}
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            (key, person.full_name or person.email) for key, person in self.colleagues.items()
        ]

    @property
    def assignee_value(self) -> User:
        """The member of staff chosen."""
        return self.colleagues[self.cleaned_data["assignee"]]

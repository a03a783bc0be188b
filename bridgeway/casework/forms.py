"""Forms of the staff casework pages: inbox filters and moving a referral on."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.casework.models import Referral
from bridgeway.equality.vocabulary import vocabulary

# The outcome measure asked at closure, as the form offers it.
COPED_BETTER_CHOICES = [
    ("yes", _("Yes")),
    ("no", _("No")),
    ("not_asked", _("Not asked")),
]
_COPED_BETTER_VALUES: dict[str, bool | None] = {"yes": True, "no": False, "not_asked": None}


def stage_choices() -> list[tuple[str, str]]:
    """Every funnel stage with its label, in the vocabulary's order."""
    return vocabulary("funnel_stages").choices()


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
    page = forms.IntegerField(
        label=_("Page"),
        required=False,
        min_value=1,
        error_messages={
            "invalid": _("The page must be a whole number."),
            "min_value": _("The page must be 1 or more."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", _("All stages")), *stage_choices()]  # type: ignore[attr-defined]


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

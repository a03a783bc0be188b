"""Forms for applying to a funding round and deciding an application.

They only check shape (a number is a number); the rules live in ``services.py``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.accounts.models import Organisation
from bridgeway.commissioning.models import Decision
from bridgeway.commissioning.services import AMOUNT_MAX, TEXT_MAX_LENGTH

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
        error_messages={
            "required": _("Describe what the money would pay for."),
            "max_length": _("Keep the summary to %(limit_value)d characters or fewer."),
        },
    )
    amount_requested = _amount_field(_("Amount requested, in pounds"))

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["applicant"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        if len(organisations) == 1:
            field.initial = organisations[0].pk


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

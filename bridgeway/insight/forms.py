"""Forms for the insight pages: which area and period a reader asks for."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.equality.staff_labels import staff_choices

DEFAULT_MIN_SHARE = 0.01  # the smallest community, as a share of residents, gaps list

# The characteristics a reader can break the funnel down by (the codes of
# ``breakdown.CHARACTERISTICS``; labels here so they can be translated).
CHARACTERISTIC_CHOICES = [
    ("ethnic_group", _("Ethnic group")),
    ("age_band", _("Age band")),
    ("sex", _("Sex")),
    ("disability", _("Disability")),
    ("religion", _("Religion")),
    ("sexual_orientation", _("Sexual orientation")),
]


class PeriodForm(forms.Form):
    """An optional period; either end may be left open."""

    date_from = forms.DateField(
        label=_("From"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(
            attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
        ),
        error_messages={"invalid": _("Enter the start date as a real date, like 2025-04-01.")},
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(
            attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
        ),
        error_messages={"invalid": _("Enter the end date as a real date, like 2026-03-31.")},
    )

    characteristic = forms.ChoiceField(
        label=_("Characteristic"),
        required=False,
        choices=CHARACTERISTIC_CHOICES,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": _("Choose a characteristic from the list.")},
    )
    roll_up = forms.BooleanField(
        label=_("Show the five high-level ethnic groups instead of the 19"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )

    group = forms.ChoiceField(
        label=_("Compare providers for"),
        required=False,
        choices=[],
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": _("Choose an ethnic group from the list.")},
    )
    provider = forms.RegexField(
        label=_("Provider"),
        required=False,
        regex=r"^[0-9a-f]{64}$",
        error_messages={"invalid": _("Choose a provider from the list.")},
    )

    min_share = forms.DecimalField(
        label=_("Smallest community to list (% of residents)"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal("50"),
        decimal_places=1,
        widget=forms.NumberInput(
            attrs={"class": "govuk-input govuk-input--width-4", "step": "0.1"}
        ),
        error_messages={
            "invalid": _("Enter a percentage of residents from 0.1 to 50, like 1."),
            "min_value": _("Enter a percentage of residents from 0.1 to 50, like 1."),
            "max_value": _("Enter a percentage of residents from 0.1 to 50, like 1."),
            "max_decimal_places": _("Enter a percentage with at most one decimal place."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Named in the reader's language, as the tables below it name the groups.
        self.fields["group"].choices = staff_choices("ethnic_groups")  # type: ignore[attr-defined]

    def clean_min_share(self) -> float:
        """The share of residents as a fraction (the field is in percent); 1% by default."""
        value = self.cleaned_data.get("min_share")
        return float(value) / 100 if value is not None else DEFAULT_MIN_SHARE

    def clean_group(self) -> str:
        return str(self.cleaned_data.get("group") or "")

    def clean_characteristic(self) -> str:
        return str(self.cleaned_data.get("characteristic") or "ethnic_group")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to", _("The end date must be the same as or after the start date.")
            )
        return cleaned

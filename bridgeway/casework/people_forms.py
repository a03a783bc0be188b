"""Forms of the people pages: search and merge."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PersonSearchForm(forms.Form):
    """What to look a person up by."""

    q = forms.CharField(
        label=_("Name, date of birth, phone number, email address or reference"),
        help_text=_("For example, Mohammed Hussain, 27/03/1990, 07700 900982 or BW-7K3P-Q9XM"),
        max_length=200,
        error_messages={
            "required": _("Enter a name, date of birth, phone number, email address or reference."),
            "max_length": _("Enter 200 characters or fewer."),
        },
    )


class MergeForm(forms.Form):
    """The reference of the case whose person this one is the same as."""

    into = forms.CharField(
        label=_("Reference of the other case of the same person"),
        max_length=20,
        error_messages={
            "required": _("Enter the reference of the other case."),
            "max_length": _("Enter a reference like BW-7K3P-Q9XM."),
        },
    )

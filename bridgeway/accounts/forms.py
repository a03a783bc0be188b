"""Forms for signing in, setting up an authenticator app, and managing staff.

Each error message says what is wrong and how to put it right, as GOV.UK's pattern asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.accounts.authenticator import normalise_code
from bridgeway.accounts.models import Membership, Organisation
from bridgeway.accounts.services import (
    EMAIL_MAX_LENGTH,
    FULL_NAME_MAX_LENGTH,
    ROLES_ADMINS_MAY_GRANT,
)

PASSWORD_MAX_LENGTH = 4096  # Argon2 is slow on purpose; refuse megabyte passwords outright.


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=EMAIL_MAX_LENGTH,
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the correct format, like name@example.org."),
            "max_length": _("The email address must be 254 characters or fewer."),
        },
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        error_messages={
            "required": _("Enter your password."),
            "max_length": _("The password is too long."),
        },
    )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=20,
        error_messages={
            "required": _("Enter the 6-digit code from your authenticator app."),
            "max_length": _("The code must be 6 digits, like 123456."),
        },
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(_("The code must be 6 digits, like 123456."))
        return code


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Recovery code"),
        max_length=40,
        error_messages={
            "required": _("Enter one of your recovery codes."),
            "max_length": _("A recovery code has 8 letters and numbers, like abcd2345."),
        },
    )

    def clean_code(self) -> str:
        # Written down by hand, so spaces, dashes and capitals are forgiven.
        code = "".join(ch for ch in str(self.cleaned_data["code"]) if ch.isalnum()).lower()
        if not code:
            raise forms.ValidationError(_("Enter one of your recovery codes."))
        return code


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        error_messages={
            "required": _("Enter a password."),
            "max_length": _("The password is too long."),
        },
    )
    password_again = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        error_messages={
            "required": _("Type the password again."),
            "max_length": _("The password is too long."),
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password"), cleaned.get("password_again")
        if first and second and first != second:
            self.add_error("password_again", _("The two passwords are not the same."))
        return cleaned


class StaffMemberAddForm(forms.Form):
    organisation = forms.ChoiceField(
        label=_("Organisation"),
        error_messages={
            "required": _("Choose the organisation they will work for."),
            "invalid_choice": _("Choose one of the organisations you administer."),
        },
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=FULL_NAME_MAX_LENGTH,
        error_messages={
            "required": _("Enter their full name."),
            "max_length": _("The name must be 150 characters or fewer."),
        },
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=EMAIL_MAX_LENGTH,
        error_messages={
            "required": _("Enter their email address."),
            "invalid": _("Enter an email address in the correct format, like name@example.org."),
            "max_length": _("The email address must be 254 characters or fewer."),
        },
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (role.value, role.label) for role in Membership.Role if role in ROLES_ADMINS_MAY_GRANT
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose practitioner or organisation administrator."),
            "invalid_choice": _("Choose practitioner or organisation administrator."),
        },
    )

    def __init__(self, *args: Any, organisations: Sequence[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {organisation.slug: organisation for organisation in organisations}
        field = cast(forms.ChoiceField, self.fields["organisation"])
        field.choices = [(slug, org.name) for slug, org in self.organisations.items()]
        if len(organisations) == 1:
            field.initial = organisations[0].slug

    def clean_organisation(self) -> Organisation:
        return self.organisations[self.cleaned_data["organisation"]]

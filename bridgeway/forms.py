"""What every app's forms share: showing a service's refusal on the form that asked for it."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError


def form_errors_from(
    error: ValidationError,
    form: forms.BaseForm,
    *,
    field_for: Mapping[str, str] | None = None,
    otherwise: str | None = None,
) -> None:
    """Copy a service's ``ValidationError`` onto ``form``, each message on the field it names.

    Services name their arguments, which are not always the form's field names: ``field_for``
    maps one to the other. A message about anything the form has no field for (or an error
    with no field at all) goes on ``otherwise``, or on the form as a whole when that is None,
    so the person sees every reason and the error summary can link to the field.
    """
    named = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    for name, messages in named.items():
        field = (field_for or {}).get(name, name)
        form.add_error(field if field in form.fields else otherwise, messages)

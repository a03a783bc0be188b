"""A service's refusal lands on the form field it is about."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from bridgeway.forms import form_errors_from


class _Form(forms.Form):
    name = forms.CharField(required=False)
    when = forms.CharField(required=False)


def _form() -> _Form:
    form = _Form({})
    assert form.is_valid()
    return form


def test_a_message_goes_on_the_field_it_names() -> None:
    form = _form()

    form_errors_from(ValidationError({"name": ["Too long.", "Not a name."]}), form)

    assert form.errors == {"name": ["Too long.", "Not a name."]}


def test_a_service_argument_is_mapped_to_the_form_field() -> None:
    form = _form()

    form_errors_from(
        ValidationError({"incident_date": "In the future."}),
        form,
        field_for={"incident_date": "when"},
    )

    assert form.errors == {"when": ["In the future."]}


def test_a_message_about_no_field_goes_on_the_whole_form() -> None:
    form = _form()

    form_errors_from(ValidationError({"reference": "Unknown."}), form)
    form_errors_from(ValidationError("Closed."), form)

    assert form.non_field_errors() == ["Unknown.", "Closed."]


def test_a_message_about_no_field_can_go_on_a_chosen_field() -> None:
    form = _form()

    form_errors_from(ValidationError({"__all__": "Refused."}), form, otherwise="name")
    form_errors_from(ValidationError("Empty."), form, otherwise="name")

    assert form.errors == {"name": ["Refused.", "Empty."]}

"""The form an organisation's administrator uses to keep a service listing true."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.directory.formats import FORMATS
from bridgeway.directory.models import Service
from bridgeway.equality.vocabulary import languages, vocabulary
from bridgeway.places.models import LocalAuthorityDistrict

# service_update's argument -> the form field that shows its errors.
FIELD_FOR_ARGUMENT = {
    "district_codes": "districts",
    "language_codes": "languages",
    "harm_type_codes": "harm_types",
}


class ServiceListingForm(forms.Form):
    """Name, contact, areas, languages, harms, independence, ages and waiting time."""

    name = forms.CharField(label=_("Service name"), max_length=200)
    description = forms.CharField(
        label=_("What the service does"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    url = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")
    email = forms.EmailField(label=_("Email address"), required=False)
    phone = forms.CharField(label=_("Phone number"), max_length=40, required=False)
    districts = forms.MultipleChoiceField(
        label=_("Local authority districts it covers"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )
    accepts_out_of_area = forms.BooleanField(
        label=_("Takes people from outside these areas"), required=False
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages its workers speak"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    harm_types = forms.MultipleChoiceField(
        label=_("What it helps with"), required=False, widget=forms.CheckboxSelectMultiple
    )
    independence = forms.ChoiceField(label=_("Independence"), widget=forms.RadioSelect)
    formats = forms.MultipleChoiceField(
        label=_("Ways people can get support from it"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    self_referral = forms.BooleanField(
        label=_("People can come to it without a police report"), required=False
    )
    third_party_reporting = forms.BooleanField(
        label=_("It is a third-party reporting centre"), required=False
    )
    restorative_justice = forms.BooleanField(
        label=_("It offers restorative justice"), required=False
    )
    trauma_informed = forms.BooleanField(label=_("Its practice is trauma-informed"), required=False)
    minimum_age = forms.IntegerField(
        label=_("Youngest age it works with"), required=False, min_value=0, max_value=130
    )
    maximum_age = forms.IntegerField(
        label=_("Oldest age it works with"), required=False, min_value=0, max_value=130
    )
    waiting_weeks = forms.IntegerField(
        label=_("Usual waiting time in weeks"), required=False, min_value=0, max_value=104
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices are read when the form is built, so newly loaded reference data shows.
        fields: dict[str, Any] = self.fields
        fields["districts"].choices = list(
            LocalAuthorityDistrict.objects.order_by("name").values_list("code", "name")
        )
        fields["languages"].choices = [
            (code, language.english_name) for code, language in languages().items()
        ]
        fields["formats"].choices = [(code, _(label)) for code, label in FORMATS.items()]
        fields["harm_types"].choices = [(t.code, _(t.label)) for t in vocabulary("harm_types")]
        fields["independence"].choices = [
            (t.code, f"{_(t.label)}: {_(t.extra['meaning'])}") for t in vocabulary("independence")
        ]

    @classmethod
    def initial_for(cls, service: Service) -> dict[str, Any]:
        """The form's starting values from a service (with its relations prefetched)."""
        return {
            "name": service.name,
            "description": service.description,
            "url": service.url,
            "email": service.email,
            "phone": service.phone,
            "districts": [d.code for d in service.districts.all()],
            "accepts_out_of_area": service.accepts_out_of_area,
            "languages": [t.code for t in service.languages.all()],
            "harm_types": [t.code for t in service.harm_types.all()],
            "independence": service.independence,
            "formats": list(service.formats),
            "self_referral": service.self_referral,
            "third_party_reporting": service.third_party_reporting,
            "restorative_justice": service.restorative_justice,
            "trauma_informed": service.trauma_informed,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "waiting_weeks": service.waiting_weeks,
        }

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if cleaned is None:
            return None
        minimum, maximum = cleaned.get("minimum_age"), cleaned.get("maximum_age")
        if minimum is not None and maximum is not None and minimum > maximum:
            self.add_error(
                "maximum_age", _("The oldest age must be the same as or more than the youngest.")
            )
        return cleaned

    def service_changes(self) -> dict[str, Any]:
        """The cleaned data as ``service_update`` arguments."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "url": data["url"],
            "email": data["email"],
            "phone": data["phone"],
            "district_codes": data["districts"],
            "accepts_out_of_area": data["accepts_out_of_area"],
            "language_codes": data["languages"],
            "harm_type_codes": data["harm_types"],
            "independence": data["independence"],
            "formats": data["formats"],
            "self_referral": data["self_referral"],
            "third_party_reporting": data["third_party_reporting"],
            "restorative_justice": data["restorative_justice"],
            "trauma_informed": data["trauma_informed"],
            "minimum_age": data["minimum_age"],
            "maximum_age": data["maximum_age"],
            "waiting_weeks": data["waiting_weeks"],
        }

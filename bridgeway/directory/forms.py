"""The forms an organisation's administrator uses to keep a service listing true: the listing
itself, and a set of forms each for its locations, other phone numbers and opening hours."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgeway.directory.formats import FORMATS
from bridgeway.directory.listing_children import (
    MAX_CHILDREN,
    PHONE_TYPES,
    WEEKDAYS,
    LocationDetails,
    PhoneDetails,
    ScheduleDetails,
)
from bridgeway.directory.models import Location, Phone, Schedule, Service
from bridgeway.directory.public_text import address_scheme, has_markup, safe_html
from bridgeway.equality.staff_labels import staff_choices
from bridgeway.equality.vocabulary import vocabulary
from bridgeway.places.models import LocalAuthorityDistrict, PoliceForceArea

# service_update's argument -> the form field that shows its errors.
FIELD_FOR_ARGUMENT = {
    "district_codes": "districts",
    "pfa_codes": "police_force_areas",
    "language_codes": "languages",
    "harm_type_codes": "harm_types",
    "ethnic_group_codes": "ethnic_groups",
    "religion_codes": "religions",
}


# A website is a web page: mailto and tel are for the email and phone fields.
WEBSITE_SCHEMES = ("https", "http")
_MARKUP_EXAMPLE = re.compile(r"<[^>\s]{1,20}>?")


class PlainTextForm(forms.Form):
    """A form whose text fields hold plain text and whose web addresses are https or http.

    What staff type here is published in the open feed, which any website may show: markup
    is refused with the field's name rather than cleaned away unseen. Fields named in
    ``formatted`` may hold formatting, which is cleaned (``public_text.safe_html``) instead.
    """

    formatted: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if cleaned is None:
            return None
        for name, field in self.fields.items():
            value = cleaned.get(name)
            if not isinstance(value, str) or not value:
                continue
            label = field.label or name
            if isinstance(field, forms.URLField):
                if address_scheme(value) not in WEBSITE_SCHEMES or has_markup(value):
                    self.add_error(
                        name,
                        _("%(field)s must be a web address starting with https:// or http://.")
                        % {"field": label},
                    )
            elif name in self.formatted:
                if has_markup(value):
                    cleaned[name] = safe_html(value)
            elif has_markup(value):
                example = _MARKUP_EXAMPLE.search(value)
                self.add_error(
                    name,
                    _("%(field)s cannot contain markup (%(markup)s): write it as plain text.")
                    % {"field": label, "markup": example.group(0) if example else "<"},
                )
        return cleaned


class ServiceListingForm(PlainTextForm):
    """Everything about a service but its locations, other phones and opening hours."""

    formatted = ("description",)

    name = forms.CharField(label=_("Service name"), max_length=200)
    description = forms.CharField(
        label=_("What the service does"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    url = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")
    email = forms.EmailField(label=_("Email address"), required=False)
    phone = forms.CharField(label=_("Main phone number"), max_length=40, required=False)
    status = forms.ChoiceField(
        label=_("Is it open?"),
        # Left out of a post (an older page), it stays as it is.
        required=False,
        choices=[
            (Service.Status.ACTIVE, _("Open: show it to people looking for support")),
            (Service.Status.TEMPORARILY_CLOSED, _("Closed for now: do not show it")),
            (Service.Status.INACTIVE, _("Not running: do not show it")),
            (Service.Status.DEFUNCT, _("Closed for good: do not show it")),
        ],
        widget=forms.RadioSelect,
    )
    is_national = forms.BooleanField(
        label=_("It takes people from anywhere in England and Wales"), required=False
    )
    districts = forms.MultipleChoiceField(
        label=_("Local authority districts it covers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    police_force_areas = forms.MultipleChoiceField(
        label=_("Police force areas it covers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
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
    is_specialist = forms.BooleanField(
        label=_("It is run for particular communities or needs, not for everyone"),
        required=False,
    )
    ethnic_groups = forms.MultipleChoiceField(
        label=_("Communities it works with: ethnic groups"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    religions = forms.MultipleChoiceField(
        label=_("Communities it works with: religions and beliefs"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    lived_experience = forms.BooleanField(
        label=_("Some workers have lived experience of what people come to it about"),
        required=False,
    )
    worker_gender_choice = forms.BooleanField(
        label=_("People can choose a worker who is a woman or a man"), required=False
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
    confidential_address = forms.CharField(
        label=_("Confidential address"),
        help_text=_(
            "A refuge or safe-house address, for your organisation only. It is kept sealed and "
            "is never shown to the public or sent to anyone. Leave it empty if you have none."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=500,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices are read when the form is built, so newly loaded reference data shows.
        fields: dict[str, Any] = self.fields
        fields["districts"].choices = list(
            LocalAuthorityDistrict.objects.order_by("name").values_list("code", "name")
        )
        fields["languages"].choices = staff_choices("languages")
        fields["formats"].choices = [(code, _(label)) for code, label in FORMATS.items()]
        fields["harm_types"].choices = [(t.code, _(t.label)) for t in vocabulary("harm_types")]
        fields["police_force_areas"].choices = list(
            PoliceForceArea.objects.order_by("name").values_list("code", "name")
        )
        fields["ethnic_groups"].choices = [
            (t.code, _(t.label)) for t in vocabulary("ethnic_groups")
        ]
        fields["religions"].choices = [(t.code, _(t.label)) for t in vocabulary("religions")]
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
            "status": service.status,
            "is_national": service.is_national,
            "districts": [d.code for d in service.districts.all()],
            "police_force_areas": [p.code for p in service.police_force_areas.all()],
            "accepts_out_of_area": service.accepts_out_of_area,
            "languages": [t.code for t in service.languages.all()],
            "harm_types": [t.code for t in service.harm_types.all()],
            "is_specialist": service.is_specialist,
            "ethnic_groups": [t.code for t in service.ethnic_groups.all()],
            "religions": [t.code for t in service.religions.all()],
            "lived_experience": service.lived_experience,
            "worker_gender_choice": service.worker_gender_choice,
            "confidential_address": service.confidential_address,
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
        status = {"status": data["status"]} if data["status"] else {}
        # Saying where the service works answers the import's "area not known" flag.
        if data["districts"] or data["police_force_areas"] or data["is_national"]:
            status["area_not_known"] = False
        return {
            **status,
            "name": data["name"],
            "description": data["description"],
            "url": data["url"],
            "email": data["email"],
            "phone": data["phone"],
            "is_national": data["is_national"],
            "district_codes": data["districts"],
            "pfa_codes": data["police_force_areas"],
            "accepts_out_of_area": data["accepts_out_of_area"],
            "language_codes": data["languages"],
            "harm_type_codes": data["harm_types"],
            "is_specialist": data["is_specialist"],
            "ethnic_group_codes": data["ethnic_groups"],
            "religion_codes": data["religions"],
            "lived_experience": data["lived_experience"],
            "worker_gender_choice": data["worker_gender_choice"],
            "confidential_address": data["confidential_address"],
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


class _ChildForm(PlainTextForm):
    """A form for one record of a listing; ``id`` is the record's, empty for a new one."""

    id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def record_id(self) -> str:
        """The record's id as the listing's records carry it: empty for a new one."""
        value = self.cleaned_data.get("id")
        return str(value) if value else ""


class LocationForm(_ChildForm):
    """One place the service is offered."""

    location_type = forms.ChoiceField(
        label=_("Kind of place"),
        choices=[
            (Location.Kind.PHYSICAL, _("A place people can visit")),
            (Location.Kind.POSTAL, _("A postal address only")),
            (Location.Kind.VIRTUAL, _("Online or by phone only")),
        ],
        initial=Location.Kind.PHYSICAL,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Name of the place"), max_length=200, required=False)
    address_1 = forms.CharField(label=_("Address line 1"), max_length=200, required=False)
    address_2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    city = forms.CharField(label=_("Town or city"), max_length=100, required=False)
    region = forms.CharField(label=_("County"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )

    @classmethod
    def initial_for(cls, location: Location) -> dict[str, Any]:
        return {
            "id": location.pk,
            **{name: getattr(location, name) for name in cls.base_fields if name != "id"},
        }

    def details(self) -> LocationDetails:
        data = self.cleaned_data
        return LocationDetails(
            id=self.record_id(),
            location_type=data["location_type"],
            name=data["name"],
            address_1=data["address_1"],
            address_2=data["address_2"],
            city=data["city"],
            region=data["region"],
            postal_code=data["postal_code"],
            latitude=data["latitude"],
            longitude=data["longitude"],
        )


class PhoneForm(_ChildForm):
    """One phone number besides the main one."""

    number = forms.CharField(label=_("Phone number"), max_length=40, required=False)
    type = forms.ChoiceField(
        label=_("What it is for"),
        required=False,
        choices=[
            ("", _("Not said")),
            *zip(
                PHONE_TYPES,
                [_("Calls"), _("Text messages"), _("Textphone"), _("Video calls"), _("Fax")],
                strict=True,
            ),
        ],
    )
    description = forms.CharField(label=_("When to use it"), max_length=500, required=False)

    @classmethod
    def initial_for(cls, phone: Phone) -> dict[str, Any]:
        return {
            "id": phone.pk,
            "number": phone.number,
            "type": phone.type,
            "description": phone.description,
        }

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if cleaned is not None and not cleaned.get("number") and not cleaned.get("DELETE"):
            if cleaned.get("type") or cleaned.get("description"):
                self.add_error("number", _("Enter the phone number, or remove this one."))
        return cleaned

    def details(self) -> PhoneDetails:
        data = self.cleaned_data
        return PhoneDetails(
            id=self.record_id(),
            number=data["number"],
            type=data["type"],
            description=data["description"],
        )


def _weekday_choices() -> list[tuple[str, Any]]:
    names = [
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    ]
    return list(zip(WEEKDAYS, names, strict=True))


class ScheduleForm(_ChildForm):
    """One set of opening hours: the days of the week, the times, and any dates it holds."""

    days = forms.MultipleChoiceField(
        label=_("Days"),
        choices=_weekday_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    opens_at = forms.CharField(
        label=_("Opens at"), help_text=_("For example 09:00"), max_length=20, required=False
    )
    closes_at = forms.CharField(
        label=_("Closes at"), help_text=_("For example 17:30"), max_length=20, required=False
    )
    valid_from = forms.DateField(
        label=_("From (if these hours are for a while only)"),
        help_text=_("For example 2026-04-01"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    valid_to = forms.DateField(
        label=_("Until"),
        help_text=_("For example 2026-08-31"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    description = forms.CharField(
        label=_("In your own words"),
        help_text=_("For example: drop in, no appointment needed"),
        max_length=500,
        required=False,
    )
    # Monthly days from an import (2MO: the second Monday) have no boxes to tick: they are
    # carried as they are, and shown as text.
    freq = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
    other_days = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    notes = forms.CharField(required=False, widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, schedule: Schedule) -> dict[str, Any]:
        days = [part for part in schedule.byday.split(",") if part]
        weekly = schedule.freq in ("", "WEEKLY") and all(day in WEEKDAYS for day in days)
        return {
            "id": schedule.pk,
            "days": days if weekly else [],
            "other_days": "" if weekly else schedule.byday,
            "freq": schedule.freq,
            "opens_at": schedule.opens_at,
            "closes_at": schedule.closes_at,
            "valid_from": schedule.valid_from,
            "valid_to": schedule.valid_to,
            "description": schedule.description,
            "notes": schedule.notes,
        }

    def details(self) -> ScheduleDetails:
        data = self.cleaned_data
        other = data.get("other_days") or ""
        byday = other if other and not data["days"] else ",".join(data["days"])
        freq = data.get("freq") or ""
        if byday and not other:
            freq = "WEEKLY"
        return ScheduleDetails(
            id=self.record_id(),
            freq=freq,
            byday=byday,
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            valid_from=data["valid_from"].isoformat() if data["valid_from"] else "",
            valid_to=data["valid_to"].isoformat() if data["valid_to"] else "",
            description=data["description"],
            notes=data.get("notes") or "",
        )


def _formset(form: type[forms.Form]) -> type[forms.BaseFormSet[Any]]:
    return forms.formset_factory(
        form,
        extra=1,
        can_delete=True,
        max_num=MAX_CHILDREN,
        validate_max=True,
        absolute_max=MAX_CHILDREN + 1,
    )


LocationFormSet = _formset(LocationForm)
PhoneFormSet = _formset(PhoneForm)
ScheduleFormSet = _formset(ScheduleForm)

# Formset prefix -> (formset, service_update argument, the service's related records).
CHILD_FORMSETS: dict[str, tuple[type[forms.BaseFormSet[Any]], str]] = {
    "locations": (LocationFormSet, "locations"),
    "phones": (PhoneFormSet, "phones"),
    "schedules": (ScheduleFormSet, "schedules"),
}


def child_formsets(service: Service, data: Any = None) -> dict[str, forms.BaseFormSet[Any]]:
    """The locations, phones and opening hours forms, bound to ``data`` when it is a post."""
    initial = {
        "locations": [LocationForm.initial_for(x) for x in service.locations.all()],
        "phones": [PhoneForm.initial_for(x) for x in service.phones.all()],
        "schedules": [ScheduleForm.initial_for(x) for x in service.schedules.all()],
    }
    formsets = {}
    for prefix, (formset, _argument) in CHILD_FORMSETS.items():
        # A post without a kind's forms (an older page, another client) leaves that kind as
        # it is, rather than removing every record of it.
        posted = data is not None and f"{prefix}-TOTAL_FORMS" in data
        formsets[prefix] = formset(data if posted else None, prefix=prefix, initial=initial[prefix])
    return formsets


def child_changes(formsets: dict[str, forms.BaseFormSet[Any]]) -> dict[str, Any]:
    """The valid formsets as ``service_update`` arguments: kept records, without removed or
    untouched empty ones."""
    changes: dict[str, Any] = {}
    for prefix, (_formset_class, argument) in CHILD_FORMSETS.items():
        if not formsets[prefix].is_bound:
            continue
        kept = []
        for form in formsets[prefix].forms:
            if not form.has_changed() and not form.cleaned_data.get("id"):
                continue  # the empty form for adding one, left empty
            if form.cleaned_data.get("DELETE"):
                continue
            if prefix == "phones" and not form.cleaned_data.get("number"):
                continue
            kept.append(form.details())
        changes[argument] = kept
    return changes

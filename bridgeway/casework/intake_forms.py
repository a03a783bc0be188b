"""The staff intake form: a referral that arrived by phone, from the police, a school ...

The equality questions are the public journey's, each skippable; staff say which of the
three "not known" answers applies, because insight must tell them apart: ``not_asked`` (the
question was not put), ``prefer_not_to_say`` (asked, chose not to answer) and
``not_recorded`` (answered, but the answer was not taken down).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from bridgeway.accounts.access import CASEWORK_ROLES
from bridgeway.accounts.models import User
from bridgeway.casework.models import ContactPreference, Person
from bridgeway.casework.services import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NARRATIVE_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    SHORT_TEXT_MAX_LENGTH,
    Arrival,
    ContactDetails,
    PersonDetails,
)
from bridgeway.casework.services.intake import PUBLIC_CHANNELS
from bridgeway.directory.models import Service
from bridgeway.equality.staff_labels import staff_choices

# Days written the way people write them, and the ISO form a browser's date field sends.
DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d %m %Y", "%Y-%m-%d"]
# The characteristic questions: form field and vocabulary.
CHARACTERISTICS = {
    "ethnic_group": "ethnic_groups",
    "age_band": "age_bands",
    "sex": "sexes",
    "sexual_orientation": "sexual_orientations",
    "religion": "religions",
}


def _characteristic_choices(name: str) -> Any:
    # Labels in the active language, chosen when the form is drawn (decision 0071).
    return lambda: [*staff_choices("not_known"), *staff_choices(name)]


def _channel_choices() -> list[tuple[str, str]]:
    return [
        (code, label)
        for code, label in staff_choices("referral_channels")
        if code not in PUBLIC_CHANNELS
    ]


def _filled_in(template: Any, **values: Any) -> Any:
    """``template % values``, translated when the message is shown, not when it is defined."""
    return lazy(lambda: str(template) % {k: str(v) for k, v in values.items()}, str)()


def _too_long(what: Any, limit: int) -> dict[str, Any]:
    return {
        "max_length": _filled_in(
            _("%(what)s must be %(limit)s characters or fewer."), what=what, limit=limit
        )
    }


def _date_field(label: Any, *, required: bool, what: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=_("For example, 27/03/2026"),
        required=required,
        input_formats=DATE_FORMATS,
        error_messages={
            "required": _filled_in(_("Enter %(what)s."), what=what),
            "invalid": _filled_in(_("Enter %(what)s as a real date, like 27/03/2026."), what=what),
        },
    )


class StaffIntakeForm(forms.Form):
    """Everything a practitioner records about a referral that arrived another way."""

    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={
            "required": _("Choose the service the referral is for."),
            "invalid_choice": _("Choose a service from the list."),
        },
    )
    channel = forms.ChoiceField(
        label=_("How the referral reached you"),
        choices=_channel_choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how the referral reached you."),
            "invalid_choice": _("Choose how the referral reached you from the list."),
        },
    )
    received_on = _date_field(
        _("Date it arrived"), required=True, what=_("the date the referral arrived")
    )
    referred_by = forms.CharField(
        label=_("Who referred (name and role)"),
        required=False,
        max_length=NAME_MAX_LENGTH,
        error_messages=_too_long(_("Who referred"), NAME_MAX_LENGTH),
    )
    police_reference = forms.CharField(
        label=_("Police reference"),
        help_text=_("For a police referral only."),
        required=False,
        max_length=SHORT_TEXT_MAX_LENGTH,
        error_messages=_too_long(_("The police reference"), SHORT_TEXT_MAX_LENGTH),
    )
    police_passed_on = _date_field(
        _("Date the police passed it on"),
        required=False,
        what=_("the date the police passed it on"),
    )
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=NAME_MAX_LENGTH,
        error_messages=_too_long(_("The name"), NAME_MAX_LENGTH),
    )
    date_of_birth = _date_field(_("Date of birth"), required=False, what=_("the date of birth"))
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=PHONE_MAX_LENGTH,
        error_messages=_too_long(_("The phone number"), PHONE_MAX_LENGTH),
    )
    email = forms.CharField(
        label=_("Email address"),
        required=False,
        max_length=EMAIL_MAX_LENGTH,
        error_messages=_too_long(_("The email address"), EMAIL_MAX_LENGTH),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        required=False,
        max_length=16,
        error_messages=_too_long(_("The postcode"), 16),
    )
    channels = forms.MultipleChoiceField(
        label=_("How the person may be contacted"),
        choices=ContactPreference.Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose how the person may be contacted, or “Do not contact me”."),
            "invalid_choice": _("Choose how the person may be contacted from the list."),
        },
    )
    times = forms.CharField(
        label=_("When it is safe to contact them"),
        required=False,
        max_length=SHORT_TEXT_MAX_LENGTH,
        error_messages=_too_long(_("When to contact them"), SHORT_TEXT_MAX_LENGTH),
    )
    may_leave_message = forms.BooleanField(label=_("A message may be left"), required=False)
    others_may_see = forms.BooleanField(
        label=_("Others may see or hear our messages"), required=False
    )
    harm_types = forms.MultipleChoiceField(
        label=_("What happened"),
        choices=lambda: staff_choices("harm_types"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Choose what happened from the list.")},
    )
    hate_strands = forms.MultipleChoiceField(
        label=_("What the hate was about"),
        choices=lambda: staff_choices("hate_strands"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Choose what the hate was about from the list.")},
    )
    narrative = forms.CharField(
        label=_("What the referral says"),
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages=_too_long(_("What the referral says"), NARRATIVE_MAX_LENGTH),
    )
    ethnic_group = forms.ChoiceField(
        label=_("Ethnic group"),
        choices=_characteristic_choices("ethnic_groups"),
        initial="not_asked",
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": _("Choose an ethnic group from the list.")},
    )
    age_band = forms.ChoiceField(
        label=_("Age"),
        choices=_characteristic_choices("age_bands"),
        initial="not_asked",
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": _("Choose an age group from the list.")},
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=_characteristic_choices("sexes"),
        initial="not_asked",
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": _("Choose an answer about sex from the list.")},
    )
    sexual_orientation = forms.ChoiceField(
        label=_("Sexual orientation"),
        choices=_characteristic_choices("sexual_orientations"),
        initial="not_asked",
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": _("Choose a sexual orientation from the list.")},
    )
    religion = forms.ChoiceField(
        label=_("Religion"),
        choices=_characteristic_choices("religions"),
        initial="not_asked",
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": _("Choose a religion from the list.")},
    )
    disability_status = forms.ChoiceField(
        label=_("Disability"),
        choices=lambda: [
            *staff_choices("not_known"),
            ("recorded", _("Answered: the disabilities ticked below, or none")),
        ],
        initial="not_asked",
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": _("Choose an answer about disability from the list.")},
    )
    disabilities = forms.MultipleChoiceField(
        label=_("Disabilities"),
        choices=lambda: staff_choices("disabilities"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Choose disabilities from the list.")},
    )

    # "new", or the id of the earlier record this person is, once likely duplicates were shown.
    same_person = forms.CharField(required=False, max_length=40)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        service_field: Any = self.fields["service"]
        service_field.queryset = (
            Service.objects.filter(
                organisation__memberships__user=user,
                organisation__memberships__role__in=CASEWORK_ROLES,
                status=Service.Status.ACTIVE,
            )
            .select_related("organisation")
            .order_by("name")
            .distinct()
        )
        service_field.label_from_instance = lambda s: f"{s.name} — {s.organisation.name}"

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        data = self.cleaned_data
        if data.get("disabilities") and data.get("disability_status") not in (None, "recorded"):
            self.add_error(
                "disabilities",
                _("You ticked disabilities and also chose a “not known” answer. Choose one."),
            )
        return cleaned

    def arrival(self) -> Arrival:
        """How the referral arrived, for ``referral_intake``."""
        data = self.cleaned_data
        received_on: dt.date = data["received_on"]
        today = timezone.localdate()
        # Today's referral keeps the time it was entered; an earlier day's starts at noon.
        if received_on == today:
            received_at = timezone.now()
        else:
            received_at = timezone.make_aware(dt.datetime.combine(received_on, dt.time(12)))
        return Arrival(
            channel=data["channel"],
            received_at=received_at,
            referred_by=data.get("referred_by", ""),
            police_reference=data.get("police_reference", ""),
            police_passed_on=data.get("police_passed_on"),
        )

    def person_details(self) -> PersonDetails:
        """The person's details and answers, for ``referral_intake``."""
        data = self.cleaned_data
        return PersonDetails(
            name=data.get("name", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            postcode=data.get("postcode", ""),
            date_of_birth=data["date_of_birth"].isoformat() if data.get("date_of_birth") else "",
            disabilities=tuple(data.get("disabilities") or ()),
            disability_status=data.get("disability_status") or "not_asked",
            **{name: data.get(name) or "not_asked" for name in CHARACTERISTICS},
        )

    def contact_details(self) -> ContactDetails:
        """The person's contact preferences, for ``referral_intake``."""
        data = self.cleaned_data
        return ContactDetails(
            channels=tuple(data.get("channels") or ()),
            times=data.get("times", ""),
            may_leave_message=bool(data.get("may_leave_message")),
            others_may_see=bool(data.get("others_may_see")),
            name_to_use=data.get("name", ""),
        )


# The intake form's questions about the person, asked again to correct the record.
EDITABLE = (
    "name",
    "date_of_birth",
    "phone",
    "email",
    "postcode",
    "channels",
    "times",
    "may_leave_message",
    "others_may_see",
    *CHARACTERISTICS,
    "disability_status",
    "disabilities",
)


class PersonEditForm(StaffIntakeForm):
    """A person's details, contact preferences and equality answers, to correct them."""

    requested_by_person = forms.BooleanField(
        label=_("The person asked for this correction"), required=False
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        self.person = person
        kwargs["initial"] = _initial(person)
        forms.Form.__init__(self, *args, **kwargs)
        for name in list(self.fields):
            if name not in (*EDITABLE, "requested_by_person"):
                del self.fields[name]

    def person_details(self) -> PersonDetails:
        """The corrected details, keeping what this form does not ask."""
        return replace(
            super().person_details(),
            ethnic_group_description=self.person.ethnic_group_description,
            language=self.person.language,
        )

    def contact_details(self) -> ContactDetails:
        """The corrected contact preferences, keeping the name to use and the safe word."""
        preference = ContactPreference.objects.filter(person=self.person).first()
        return replace(
            super().contact_details(),
            name_to_use=preference.name_to_use if preference else "",
            safe_word=preference.safe_word if preference else "",
        )


def _initial(person: Person) -> dict[str, Any]:
    preference = ContactPreference.objects.filter(person=person).first()
    birth = dt.date.fromisoformat(person.date_of_birth) if person.date_of_birth else None
    initial: dict[str, Any] = {
        "name": person.name,
        "date_of_birth": birth.strftime("%d/%m/%Y") if birth else "",
        "phone": person.phone,
        "email": person.email,
        "postcode": person.postcode,
        "disability_status": person.disability_status,
        "disabilities": person.disabilities,
        **{name: getattr(person, name) for name in CHARACTERISTICS},
    }
    if preference is not None:
        initial.update(
            channels=preference.channels,
            times=preference.times,
            may_leave_message=preference.may_leave_message,
            others_may_see=preference.others_may_see,
        )
    return initial

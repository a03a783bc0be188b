"""The public forms: the questions of finding support, referring yourself, reporting and following up.

Every message says what is wrong and where, in the person's language. Limits on length are
generous for what people need to say and stop anything larger before it reaches a service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bridgeway.accounts.models import Organisation
from bridgeway.casework.evidence_forms import PicturesField
from bridgeway.casework.models import ContactPreference
from bridgeway.casework.references import normalise_reference
from bridgeway.casework.services import MESSAGE_MAX_LENGTH, ContactDetails, PersonDetails
from bridgeway.equality.labels import (
    ethnic_group_choices,
    language_choices,
    public_choices,
    public_label,
)
from bridgeway.equality.vocabulary import language_by_tag, vocabulary
from bridgeway.frontdoor.journey import (
    AGE_MAX,
    AGE_MIN,
    FORMAT_CODES,
    FREE_ONLY,
    INDEPENDENT_OF_POLICE,
    LIVED_EXPERIENCE,
    MAN_WORKER,
    SAME_COMMUNITY,
    SELF_REFERRAL,
    TRAUMA_INFORMED,
    WOMAN_WORKER,
    age_for_band,
)
from bridgeway.frontdoor.language_select import LanguageSelect
from bridgeway.frontdoor.phone_numbers import InvalidPhoneNumber, is_mobile, normalise_uk_phone
from bridgeway.places.postcodes import InvalidPostcode, parse_location

NARRATIVE_MAX = 5000
NAME_MAX = 100
TIMES_MAX = 200
SAFE_WORD_MAX = 50
PLACE_MAX = 200
DESCRIPTION_MAX = 200
EMAIL_MAX = 254
POSTCODE_MAX = 16
PHONE_MAX = 30
# Pictures sent with the report itself; more can be added from the follow-up page. Five of
# the largest (8 MB each) fit under the report page's own body limit in deploy/nginx.
REPORT_PICTURES_MAX = 5

YES_NO = [("no", _("No")), ("yes", _("Yes"))]

CONTACT_FIELDS = (
    "name_to_use",
    "channels",
    "phone",
    "email",
    "times",
    "may_leave_message",
    "others_may_see",
    "safe_word",
)


def _name_in_message(template: Any, what: Any) -> str:
    return str(template) % {"what": str(what)}


# Formatted when the message is shown, so it is in the language of that request.
_name_in_message_lazy = lazy(_name_in_message, str)


def _too_long(what: Any) -> dict[str, Any]:
    """The error message for a field over its limit, naming the field and both numbers."""
    return {
        "max_length": _name_in_message_lazy(
            _(
                "%(what)s must be %%(limit_value)d characters or fewer. You have entered %%(show_value)d."
            ),
            what,
        )
    }


def _yes_no(*, label: Any, help_text: Any = "") -> forms.TypedChoiceField:
    # Left unanswered means "no": the safe choice for anything that widens who sees what.
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        # Django's stubs allow only str here, but coerce makes every other answer a bool too.
        empty_value=False,  # type: ignore[arg-type]
        initial="no",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose yes or no.")},
    )


def _harm_type_choices() -> list[tuple[str, str]]:
    return public_choices("harm_types")


def _hate_strand_choices() -> list[tuple[str, str]]:
    return public_choices("hate_strands")


def _language_choices_any() -> list[tuple[str, str]]:
    return [("", str(_("Any language"))), *language_choices()]


def _language_choices_blank() -> list[tuple[str, str]]:
    return [("", str(_("Choose a language"))), *language_choices()]


def _ethnic_group_choices() -> list[Any]:
    return [
        ("", str(_("Choose one, or leave this blank"))),
        *ethnic_group_choices(),
        ("prefer_not_to_say", public_label("not_known", "prefer_not_to_say")),
    ]


def _age_band_choices() -> list[tuple[str, str]]:
    return [
        *public_choices("age_bands"),
        ("prefer_not_to_say", public_label("not_known", "prefer_not_to_say")),
    ]


def _age_band_choices_only() -> list[tuple[str, str]]:
    return public_choices("age_bands")


def site_language_code() -> str:
    """The vocabulary code (ISO 639-3) of the language the page is shown in."""
    tag = (get_language() or "en").lower()
    language = language_by_tag().get(tag)
    return language.code if language else "eng"


class WhereForm(forms.Form):
    """Where the person is: what matching needs to find services near them."""

    where = forms.CharField(
        label=_("Where are you?"),
        help_text=_(
            "Your postcode, or just the first part of it, like LS6 1AA or LS6. We use it only to find services near you."
        ),
        max_length=POSTCODE_MAX,
        error_messages={
            "required": _(
                "Enter a postcode, or the first part of one, like LS6. Or choose “Skip this question”."
            ),
            **_too_long(_("A postcode")),
        },
    )

    def clean_where(self) -> str:
        text: str = self.cleaned_data["where"]
        try:
            return str(parse_location(text))
        except InvalidPostcode:
            raise ValidationError(
                _("Enter a postcode like LS6 1AA, or the first part of one, like LS6.")
            ) from None

    def answers(self) -> dict[str, Any]:
        """The answer to keep for the journey."""
        return {"where": self.cleaned_data["where"]}


class WhatForm(forms.Form):
    """What happened, in plain words; any number of answers, or none."""

    what = forms.MultipleChoiceField(
        label=_("What happened? Choose any that fit."),
        help_text=_("This helps us find services that know about it. You do not have to say."),
        choices=_harm_type_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose what happened from the list.")},
    )

    def answers(self) -> dict[str, Any]:
        """The answer to keep for the journey (duplicates dropped)."""
        return {"what": list(dict.fromkeys(self.cleaned_data["what"]))}


class LanguageForm(forms.Form):
    """The language the person would like support in."""

    language = forms.ChoiceField(
        label=_("Which language would you like support in?"),
        choices=_language_choices_any,
        widget=LanguageSelect(),
        required=False,
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )

    def answers(self) -> dict[str, Any]:
        """The answer to keep for the journey."""
        return {"language": self.cleaned_data["language"]}


def format_choices() -> list[tuple[str, str]]:
    # The person's words for the formats of bridgeway.directory.formats, in its order.
    words = {
        "audio": _("Talking and listening, not reading"),
        "video": _("Video calls or videos"),
        "bsl": _("British Sign Language (BSL)"),
        "easy_read": _("Easy read, with short words and pictures"),
        "interpreters": _("With an interpreter"),
    }
    return [(code, str(words[code])) for code in FORMAT_CODES]


class HowForm(forms.Form):
    """How the person would like to get support: spoken, video, BSL, easy read, interpreters."""

    formats = forms.MultipleChoiceField(
        label=_("How would you like to get support? Choose any that fit."),
        help_text=_("We show services that offer these first. You do not have to say."),
        choices=format_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose how you would like support from the list.")},
    )

    def answers(self) -> dict[str, Any]:
        """The answer to keep for the journey (duplicates dropped)."""
        return {"formats": list(dict.fromkeys(self.cleaned_data["formats"]))}


class AgeForm(forms.Form):
    """The person's age, as a number or a band; both optional."""

    age = forms.CharField(
        label=_("How old are you?"),
        help_text=_(
            "Some services work only with young people, or only with adults. Type your age in years, or choose a range below."
        ),
        required=False,
        max_length=3,
        error_messages=_too_long(_("Your age")),
    )
    age_band = forms.ChoiceField(
        label=_("Or choose a range"),
        choices=_age_band_choices_only,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose an age range from the list.")},
    )

    def clean_age(self) -> int | None:
        text = (self.cleaned_data.get("age") or "").strip()
        if not text:
            return None
        if not text.isascii() or not text.isdigit() or not AGE_MIN <= int(text) <= AGE_MAX:
            raise ValidationError(_("Enter your age as a number, like 16, or leave it out."))
        return int(text)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        age = self.cleaned_data.get("age")
        band: str = self.cleaned_data.get("age_band") or ""
        if age is not None and band in vocabulary("age_bands"):
            low, high = _band_limits(vocabulary("age_bands").get(band).extra)
            if (low is not None and age < low) or (high is not None and age > high):
                self.add_error(
                    "age",
                    _("Your age and the range you chose do not match. Give one or the other."),
                )
        return cleaned

    def answers(self) -> dict[str, Any]:
        """The answers to keep for the journey."""
        return {
            "age": self.cleaned_data.get("age"),
            "age_band": self.cleaned_data.get("age_band") or "",
        }


def _band_limits(extra: dict[str, str]) -> tuple[int | None, int | None]:
    """The youngest and oldest ages of an age band (None where it is open)."""

    def number(text: str | None) -> int | None:
        return int(text) if text and text.isdigit() else None

    return number(extra.get("min_age")), number(extra.get("max_age"))


def age_for_matching(age: int | None, band: str) -> int | None:
    """The age to match on: the one typed, else one standing for the band chosen."""
    if age is not None:
        return age
    if band not in vocabulary("age_bands"):
        return None
    return age_for_band(*_band_limits(vocabulary("age_bands").get(band).extra))


def matters_choices() -> list[tuple[str, str]]:
    # The person's words for what matters to them, in the order the question shows them.
    return [
        (INDEPENDENT_OF_POLICE, str(_("Support that is independent of the police"))),
        (SAME_COMMUNITY, str(_("People from my own community"))),
        (WOMAN_WORKER, str(_("A worker who is a woman"))),
        (MAN_WORKER, str(_("A worker who is a man"))),
        (LIVED_EXPERIENCE, str(_("People who have been through something similar"))),
        (TRAUMA_INFORMED, str(_("People who know how scary or painful things can affect you"))),
        (SELF_REFERRAL, str(_("I want to contact them myself, without a police report"))),
        (FREE_ONLY, str(_("Only services that are free"))),
    ]


def _ethnic_group_choices_optional() -> list[Any]:
    return [("", str(_("Choose one, or leave this blank"))), *ethnic_group_choices()]


class MattersForm(forms.Form):
    """What matters to the person about who supports them (their preferences)."""

    matters = forms.MultipleChoiceField(
        label=_("What matters to you? Choose any that fit."),
        help_text=_("We show services that offer these first."),
        choices=matters_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose what matters to you from the list.")},
    )
    ethnic_group = forms.ChoiceField(
        label=_("If you would like people from your own community, which is it?"),
        help_text=_("You can leave this out."),
        choices=_ethnic_group_choices_optional,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        required=False,
        error_messages={"invalid_choice": _("Choose an ethnic group from the list.")},
    )

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        matters = self.cleaned_data.get("matters") or []
        if WOMAN_WORKER in matters and MAN_WORKER in matters:
            self.add_error("matters", _("Choose a worker who is a woman or a man, not both."))
        return cleaned

    def answers(self) -> dict[str, Any]:
        """The answers to keep for the journey (duplicates dropped)."""
        return {
            "matters": list(dict.fromkeys(self.cleaned_data["matters"])),
            "ethnic_group": self.cleaned_data.get("ethnic_group") or "",
        }


class ContactPreferencesForm(forms.Form):
    """How, when and whether the person may be contacted, and what to call them."""

    name_to_use = forms.CharField(
        label=_("What should we call you?"),
        help_text=_("Any name you like. You can leave this out."),
        required=False,
        max_length=NAME_MAX,
        error_messages=_too_long(_("The name")),
    )
    channels = forms.MultipleChoiceField(
        label=_("How may we contact you?"),
        help_text=_("Choose all that are safe for you."),
        choices=ContactPreference.Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Choose how we may contact you from the list.")},
    )
    phone = forms.CharField(
        label=_("Phone number"),
        help_text=_("A UK number, like 07700 900123. Needed for calls and texts."),
        required=False,
        max_length=PHONE_MAX,
        error_messages=_too_long(_("The phone number")),
    )
    email = forms.CharField(
        label=_("Email address"),
        help_text=_("Needed if you chose email."),
        required=False,
        max_length=EMAIL_MAX,
        error_messages=_too_long(_("The email address")),
    )
    times = forms.CharField(
        label=_("When is it safe to contact you?"),
        help_text=_("For example, weekdays after 6pm. Leave this out if any time is fine."),
        required=False,
        max_length=TIMES_MAX,
        error_messages=_too_long(_("When to contact you")),
    )
    may_leave_message = _yes_no(
        label=_("May we leave a voicemail or a message?"),
        help_text=_("If you say no, we will not leave one."),
    )
    others_may_see = _yes_no(
        label=_("Is it all right if someone else sees or hears our messages to you?"),
        help_text=_(
            "For example, someone you live with or who shares your phone. If you say no, our messages will not say what they are about."
        ),
    )
    safe_word = forms.CharField(
        label=_("A safe word"),
        help_text=_("A word we will say so you know it is really us. You can leave this out."),
        required=False,
        max_length=SAFE_WORD_MAX,
        error_messages=_too_long(_("The safe word")),
    )

    def clean_contact(self) -> None:
        """Check that the ways chosen can be used: a number for calls, an address for email."""
        data = self.cleaned_data
        channels: list[str] = data.get("channels") or []
        if "channels" in self.errors:
            return
        if not channels:
            self.add_error(
                "channels",
                _("Choose how we may contact you, or choose “Do not contact me”."),
            )
            return
        if ContactPreference.Channel.NONE in channels and len(channels) > 1:
            self.add_error(
                "channels",
                _(
                    "You chose “Do not contact me” and a way to contact you. Choose one or the other."
                ),
            )
            return
        wants_phone = {"phone", "text"} & set(channels)
        if wants_phone and "phone" not in self.errors:
            self._clean_phone(needs_mobile="text" in channels)
        elif "phone" not in self.errors:
            data["phone"] = ""
        if "email" in channels and "email" not in self.errors:
            email = (data.get("email") or "").strip()
            if not email:
                self.add_error("email", _("Enter an email address, as you chose email."))
            else:
                try:
                    validate_email(email)
                except ValidationError:
                    self.add_error(
                        "email",
                        _("Enter an email address in the right form, like name@example.com."),
                    )
                else:
                    data["email"] = email
        elif "email" not in self.errors:
            data["email"] = ""

    def _clean_phone(self, *, needs_mobile: bool) -> None:
        text = (self.cleaned_data.get("phone") or "").strip()
        if not text:
            self.add_error("phone", _("Enter a phone number, as you chose a call or text."))
            return
        try:
            number = normalise_uk_phone(text)
        except InvalidPhoneNumber:
            self.add_error("phone", _("Enter a UK phone number, like 07700 900123."))
            return
        if needs_mobile and not is_mobile(number):
            self.add_error(
                "phone", _("Text messages need a mobile number, starting 07, like 07700 900123.")
            )
            return
        self.cleaned_data["phone"] = number

    def contact_details(self) -> ContactDetails:
        """What the person chose, for ``casework.services``."""
        data = self.cleaned_data
        return ContactDetails(
            channels=tuple(data.get("channels") or ()),
            times=data.get("times", ""),
            may_leave_message=bool(data.get("may_leave_message")),
            others_may_see=bool(data.get("others_may_see")),
            name_to_use=data.get("name_to_use", ""),
            safe_word=data.get("safe_word", ""),
        )


class SelfReferralForm(ContactPreferencesForm):
    """A request for support from one service, with safe-contact choices and optional equality questions."""

    what = forms.MultipleChoiceField(
        label=_("What happened? Choose any that fit, or none."),
        choices=_harm_type_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose what happened from the list.")},
    )
    narrative = forms.CharField(
        label=_("Is there anything you want them to know?"),
        help_text=_("You do not have to say what happened. Only this organisation will read it."),
        required=False,
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=_too_long(_("What you want them to know")),
    )
    postcode = forms.CharField(
        label=_("Your postcode"),
        help_text=_("Helps them know whether they can meet you. You can leave this out."),
        required=False,
        max_length=POSTCODE_MAX,
        error_messages=_too_long(_("A postcode")),
    )
    ethnic_group = forms.ChoiceField(
        label=_("What is your ethnic group?"),
        choices=_ethnic_group_choices,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        required=False,
        error_messages={"invalid_choice": _("Choose an ethnic group from the list.")},
    )
    ethnic_group_description = forms.CharField(
        label=_("How would you describe your ethnic group or background, in your own words?"),
        required=False,
        max_length=DESCRIPTION_MAX,
        error_messages=_too_long(_("The description")),
    )
    age_band = forms.ChoiceField(
        label=_("How old are you?"),
        choices=_age_band_choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose an age from the list.")},
    )
    language = forms.ChoiceField(
        label=_("Which language would you like to use?"),
        choices=_language_choices_blank,
        widget=LanguageSelect(),
        required=False,
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = site_language_code()

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        self.clean_contact()
        return cleaned

    def person_details(self) -> PersonDetails:
        """What the person told us about themselves, for ``casework.services``.

        The equality questions are always shown on this form, so one left blank was asked
        and not answered: ``prefer_not_to_say``. ``not_asked`` is for records made where
        the question never appeared (staff entry, imports), and ``not_recorded`` for an
        answer given but lost; using either here would tell insight something false.
        """
        data = self.cleaned_data
        contact_channels = set(data.get("channels") or ())
        return PersonDetails(
            name=data.get("name_to_use", ""),
            email=data.get("email", "") if "email" in contact_channels else "",
            phone=data.get("phone", "") if contact_channels & {"phone", "text"} else "",
            postcode=data.get("postcode", ""),
            ethnic_group=data.get("ethnic_group") or "prefer_not_to_say",
            ethnic_group_description=data.get("ethnic_group_description", ""),
            age_band=data.get("age_band") or "prefer_not_to_say",
            language=data.get("language") or site_language_code(),
        )


class ReportForm(ContactPreferencesForm):
    """A third-party hate-incident report: named or anonymous, to a reporting centre."""

    ANONYMOUS = "anonymous"
    NAMED = "named"

    narrative = forms.CharField(
        label=_("What happened?"),
        help_text=_(
            "In your own words. Say what was said or done, if you can. You can report something that happened to someone else."
        ),
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Tell us what happened, in your own words."),
            **_too_long(_("What happened")),
        },
    )
    incident_day = forms.CharField(label=_("Day"), required=False, max_length=2)
    incident_month = forms.CharField(label=_("Month"), required=False, max_length=2)
    incident_year = forms.CharField(label=_("Year"), required=False, max_length=4)
    incident_place = forms.CharField(
        label=_("Where did it happen?"),
        help_text=_(
            "A street, a place such as a bus or a shop, or online. You can leave this out."
        ),
        required=False,
        max_length=PLACE_MAX,
        error_messages=_too_long(_("Where it happened")),
    )
    postcode = forms.CharField(
        label=_("Postcode where it happened"),
        help_text=_(
            "Or just the first part, like LS6. It helps us send your report to a centre near you. You can leave this out."
        ),
        required=False,
        max_length=POSTCODE_MAX,
        error_messages=_too_long(_("A postcode")),
    )
    pictures = PicturesField(
        limit=REPORT_PICTURES_MAX,
        label=_("Screenshots or photos"),
        # The hint, with the limits, is written in the template (frontdoor/report.html).
    )
    hate_strands = forms.MultipleChoiceField(
        label=_("What do you think it was about? Choose any that fit."),
        choices=_hate_strand_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose what it was about from the list.")},
    )
    thinks_crime = forms.ChoiceField(
        label=_("Do you think it was a crime?"),
        help_text=_("You do not have to know. The reporting centre can help you find out."),
        choices=[("yes", _("Yes")), ("no", _("No")), ("not_sure", _("Not sure"))],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose yes, no or not sure.")},
    )
    centre = forms.ChoiceField(
        label=_("Who should get your report?"),
        widget=forms.Select(attrs={"class": "govuk-select"}),
        help_text=_("Every centre here is independent of the police."),
        required=False,
        error_messages={"invalid_choice": _("Choose a reporting centre from the list.")},
    )
    identity = forms.ChoiceField(
        label=_("Do you want to tell us who you are?"),
        choices=[
            (ANONYMOUS, _("No, I want to stay anonymous")),
            (NAMED, _("Yes, and you may contact me")),
        ],
        initial=ANONYMOUS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether to stay anonymous."),
            "invalid_choice": _("Choose whether to stay anonymous."),
        },
    )
    wants_police_told = _yes_no(
        label=_("Do you want the reporting centre to tell the police?"),
        help_text=_(
            "The reporting centre will not pass your report to the police unless you choose yes."
        ),
    )

    def __init__(self, *args: Any, centres: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.centres = {str(centre.pk): centre for centre in centres}
        centre_field = self.fields["centre"]
        assert isinstance(centre_field, forms.ChoiceField)  # noqa: S101 - declared above
        centre_field.choices = [
            ("", _("Choose one for me, from the postcode")),
            *((key, centre.name) for key, centre in self.centres.items()),
        ]

    @property
    def is_anonymous(self) -> bool:
        """Whether the person chose to stay anonymous (anonymous unless they said otherwise)."""
        value = self.data.get(self.add_prefix("identity"), self.ANONYMOUS)
        return value != self.NAMED

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and self.is_anonymous:
            # An anonymous report keeps nothing from the contact questions, so mistakes in
            # them (typed before choosing anonymity) must not block it.
            for name in CONTACT_FIELDS:
                self.errors.pop(name, None)
                self.cleaned_data.pop(name, None)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        self._clean_date()
        if not self.is_anonymous:
            self.clean_contact()
        return cleaned

    def _clean_date(self) -> None:
        data = self.cleaned_data
        parts = [
            (data.get("incident_day") or "").strip(),
            (data.get("incident_month") or "").strip(),
            (data.get("incident_year") or "").strip(),
        ]
        data["incident_date"] = None
        if not any(parts):
            return
        if not all(part.isdigit() for part in parts):
            self.add_error(
                "incident_day",
                _("Enter the date as numbers, like 27 3 2025, or leave all three boxes empty."),
            )
            return
        day, month, year = (int(part) for part in parts)
        try:
            date = dt.date(year, month, day)
        except ValueError:
            self.add_error("incident_day", _("Enter a real date, like 27 3 2025."))
            return
        if date > timezone.localdate():
            self.add_error("incident_day", _("The date cannot be in the future."))
            return
        if year < 1900:
            self.add_error("incident_day", _("Enter the year in full, like 2025."))
            return
        data["incident_date"] = date

    def chosen_centre(self) -> Organisation | None:
        """The centre the person chose, or None to choose from the postcode."""
        return self.centres.get(self.cleaned_data.get("centre") or "")

    def person_details(self) -> PersonDetails:
        """What the report keeps about the person who made it (little, if anonymous)."""
        data = self.cleaned_data
        if self.is_anonymous:
            return PersonDetails(postcode=data.get("postcode", ""), language=site_language_code())
        channels = set(data.get("channels") or ())
        return PersonDetails(
            name=data.get("name_to_use", ""),
            email=data.get("email", "") if "email" in channels else "",
            phone=data.get("phone", "") if channels & {"phone", "text"} else "",
            postcode=data.get("postcode", ""),
            language=site_language_code(),
        )


class FollowUpForm(forms.Form):
    """A report's reference and follow-up code. Never sent in a URL."""

    reference = forms.CharField(
        label=_("Reference"),
        help_text=_("It starts BW-, like BW-7K3P-Q9XM."),
        max_length=30,
        error_messages={
            "required": _("Enter the reference of your report."),
            **_too_long(_("The reference")),
        },
    )
    code = forms.CharField(
        label=_("Follow-up code"),
        help_text=_("The code you were given when you made the report."),
        max_length=40,
        error_messages={
            "required": _("Enter your follow-up code."),
            **_too_long(_("The follow-up code")),
        },
    )

    def clean_reference(self) -> str:
        reference = normalise_reference(self.cleaned_data["reference"])
        if not reference:
            raise ValidationError(_("Enter the reference as it was given, like BW-7K3P-Q9XM."))
        return reference


class ReporterMessageForm(forms.Form):
    """A message the person who reported writes back to the centre on the follow-up page."""

    text = forms.CharField(
        label=_("Write a message"),
        help_text=_(
            "Only the centre that has your report will read it. You do not need to give your name."
        ),
        max_length=MESSAGE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea,
        error_messages={
            "required": _("Write a message before sending it."),
            **_too_long(_("Your message")),
        },
    )

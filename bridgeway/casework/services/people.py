"""The person a referral or report is about, and how they may be contacted.

Shared by referrals and reports: what a person tells us is checked here before anything
is written (lengths, the vocabulary's codes, a postcode in England or Wales).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.models import Organisation
from bridgeway.casework.blind_index import birth_text
from bridgeway.casework.models import (
    ContactPreference,
    Person,
)
from bridgeway.casework.services.checks import (
    _bounded_text,
    _characteristic,
    _checked_codes,
)
from bridgeway.casework.services.person_index import person_index_refresh
from bridgeway.equality.vocabulary import (
    NOT_KNOWN_CODES,
    check_code,
)
from bridgeway.places.selectors import InvalidPostcode, LocationNotCovered, resolve_location

# Upper bounds on what a person can type, so one submission cannot fill the database.
NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 40
SHORT_TEXT_MAX_LENGTH = 500
NARRATIVE_MAX_LENGTH = 20_000
# Digits with the spaces, brackets, dashes and leading + people write phone numbers with.
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{5,38}")


@dataclass(frozen=True)
class PersonDetails:
    """What a person chose to tell us about themselves. Every field may be left out."""

    name: str = ""
    email: str = ""
    phone: str = ""
    postcode: str = ""
    ethnic_group: str = "not_asked"
    ethnic_group_description: str = ""
    age_band: str = "not_asked"
    sex: str = "not_asked"
    sexual_orientation: str = "not_asked"
    religion: str = "not_asked"
    disabilities: tuple[str, ...] = ()
    # ``recorded`` when ``disabilities`` is the person's answer (even empty); else a not-known code.
    disability_status: str = "not_asked"
    language: str = "eng"
    # ISO date (YYYY-MM-DD); "" when not given.
    date_of_birth: str = ""


@dataclass(frozen=True)
class ContactDetails:
    """How, when and whether the person may be contacted."""

    channels: tuple[str, ...] = ()
    times: str = ""
    may_leave_message: bool = False
    others_may_see: bool = False
    name_to_use: str = ""
    safe_word: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _person_create(
    *,
    organisation: Organisation,
    details: PersonDetails,
    is_synthetic: bool,
    keep_full_postcode: bool = True,
) -> Person:
    person = Person(
        organisation=organisation,
        is_synthetic=is_synthetic,
        **_person_fields(details, keep_full_postcode=keep_full_postcode),
    )
    person.full_clean()
    person.save()
    person_index_refresh(person)
    return person


def _person_fields(details: PersonDetails, *, keep_full_postcode: bool = True) -> dict[str, Any]:
    """The model fields ``details`` give, every one checked; a ValidationError names the
    first field that is wrong. Writes nothing."""
    name = _bounded_text(details.name, field_name="name", limit=NAME_MAX_LENGTH, label=_("Name"))
    email = _bounded_text(
        details.email, field_name="email", limit=EMAIL_MAX_LENGTH, label=_("Email address")
    )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                {"email": _("Enter an email address like name@example.com, or leave it out.")}
            ) from None
    phone = _bounded_text(
        details.phone, field_name="phone", limit=PHONE_MAX_LENGTH, label=_("Phone number")
    )
    if phone and not _PHONE.fullmatch(phone):
        raise ValidationError(
            {"phone": _("Enter a phone number using digits, like 07700 900 982, or leave it out.")}
        )
    description = _bounded_text(
        details.ethnic_group_description,
        field_name="ethnic_group_description",
        limit=SHORT_TEXT_MAX_LENGTH,
        label=_("Your description of your ethnic group"),
    )
    postcode_text = _bounded_text(
        details.postcode, field_name="postcode", limit=SHORT_TEXT_MAX_LENGTH, label=_("Postcode")
    )
    district = None
    postcode = ""
    if postcode_text:
        try:
            location = resolve_location(postcode_text)
        except InvalidPostcode:
            raise ValidationError(
                {"postcode": _("Enter a full postcode, like LS6 1AA, or leave it out.")}
            ) from None
        except LocationNotCovered:
            raise ValidationError(
                {
                    "postcode": _(
                        "We could not find that postcode in England or Wales. Check it, or leave it out."
                    )
                }
            ) from None
        district = location.district
        # The tidy form (LS6 1AA), or only its district (LS6) when the person should not be
        # findable from it: a full postcode can narrow a household down to a few doors.
        postcode = str(location.query) if keep_full_postcode else location.query.outcode
    disabilities = _checked_codes("disabilities", details.disabilities, "disabilities")
    disability_status = details.disability_status
    if disabilities and disability_status == "not_asked":
        # Listing disabilities is an answer; the default status only means it was not set.
        disability_status = "recorded"
    if disability_status not in ("recorded", *NOT_KNOWN_CODES):
        raise ValidationError(
            {"disabilities": _("Choose an answer about disability, or leave it out.")}
        )
    if disabilities and disability_status != "recorded":
        raise ValidationError(
            {
                "disabilities": _(
                    "You chose disabilities and also that you would rather not say. Choose one."
                )
            }
        )
    date_of_birth = _date_of_birth(details.date_of_birth)
    try:
        language = check_code("languages", details.language)
    except ValueError:
        raise ValidationError({"language": _("Choose a language from the list.")}) from None
    return dict(
        name=name,
        email=email,
        phone=phone,
        postcode=postcode,
        district=district,
        police_force_area=district.police_force_area if district else None,
        ethnic_group=_characteristic("ethnic_groups", details.ethnic_group, "ethnic_group"),
        ethnic_group_description=description,
        age_band=_characteristic("age_bands", details.age_band, "age_band"),
        sex=_characteristic("sexes", details.sex, "sex"),
        sexual_orientation=_characteristic(
            "sexual_orientations", details.sexual_orientation, "sexual_orientation"
        ),
        religion=_characteristic("religions", details.religion, "religion"),
        disabilities=disabilities,
        disability_status=disability_status,
        language=language,
        date_of_birth=date_of_birth,
    )


def _date_of_birth(text: str) -> str:
    """``text`` as an ISO date of birth, "" for none, or a message naming the field."""
    if not text:
        return ""
    iso = birth_text(text) if isinstance(text, str) else ""
    if not iso or not "1900-01-01" <= iso <= timezone.localdate().isoformat():
        raise ValidationError(
            {"date_of_birth": _("Enter a real date of birth in the past, or leave it out.")}
        )
    return iso


def _contact_preference_create(*, person: Person, contact: ContactDetails) -> ContactPreference:
    preference = ContactPreference(person=person, **_contact_fields(person, contact))
    preference.full_clean(exclude=["person"])
    preference.save()
    return preference


def _contact_fields(person: Person, contact: ContactDetails) -> dict[str, Any]:
    """The contact preference fields ``contact`` gives for ``person``, every one checked."""
    if isinstance(contact.channels, str) or not isinstance(contact.channels, list | tuple):
        raise ValidationError({"channels": _("Choose how we may contact you from the list.")})
    channels = list(dict.fromkeys(contact.channels))
    allowed = {choice.value for choice in ContactPreference.Channel}
    unknown = [c for c in channels if c not in allowed]
    if unknown:
        raise ValidationError({"channels": _("Choose how we may contact you from the list.")})
    if ContactPreference.Channel.NONE in channels and len(channels) > 1:
        raise ValidationError(
            {
                "channels": _(
                    "You chose not to be contacted and also a way to contact you. Choose one."
                )
            }
        )
    # A way to be contacted with nothing to contact would leave a worker unable to keep to it.
    wants_call = bool(
        {ContactPreference.Channel.PHONE, ContactPreference.Channel.TEXT} & set(channels)
    )
    if wants_call and not person.phone:
        raise ValidationError(
            {"phone": _("You chose to be phoned or sent texts. Enter a phone number.")}
        )
    if ContactPreference.Channel.EMAIL in channels and not person.email:
        raise ValidationError(
            {"email": _("You chose to be contacted by email. Enter an email address.")}
        )
    return dict(
        channels=channels,
        times=_bounded_text(
            contact.times,
            field_name="times",
            limit=SHORT_TEXT_MAX_LENGTH,
            label=_("When we may contact you"),
        ),
        may_leave_message=bool(contact.may_leave_message),
        others_may_see=bool(contact.others_may_see),
        name_to_use=_bounded_text(
            contact.name_to_use,
            field_name="name_to_use",
            limit=NAME_MAX_LENGTH,
            label=_("The name to use"),
        ),
        safe_word=_bounded_text(
            contact.safe_word,
            field_name="safe_word",
            limit=NAME_MAX_LENGTH,
            label=_("Safe word"),
        ),
    )

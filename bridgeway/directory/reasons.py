"""Matching's reasons and cautions as plain sentences in the active language."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from bridgeway.directory.matching import Reason
from bridgeway.equality.labels import public_label
from bridgeway.equality.vocabulary import languages


def language_name(code: str) -> str:
    """A language's name for a sentence in the active language.

    English pages use the English name. Other pages use the language's own name (endonym):
    a person who asked for a language can always read its own name, whereas a translated
    name would need all 42 names in every site locale's catalogue before it could be trusted.
    """
    language = languages().get(code)
    if language is None:
        return code
    if (get_language() or "en").split("-")[0] == "en":
        return language.english_name
    return language.endonym


def term_label(vocabulary_name: str, code: str) -> str:
    """A vocabulary code in the public site's plain words, in the active language."""
    return public_label(vocabulary_name, code)


def _plural_weeks(weeks: str) -> str:
    count = int(weeks) if weeks.isdigit() else 0
    return ngettext(
        "Waiting time about %(weeks)d week", "Waiting time about %(weeks)d weeks", count
    ) % {"weeks": count}


def _age_range(minimum: str, maximum: str) -> str:
    if minimum and maximum:
        return gettext("Works with people aged %(minimum)s to %(maximum)s") % {
            "minimum": minimum,
            "maximum": maximum,
        }
    if minimum:
        return gettext("Works with people aged %(minimum)s and over") % {"minimum": minimum}
    return gettext("Works with people aged up to %(maximum)s") % {"maximum": maximum}


# Sentences with no parameters.
_FIXED = {
    "national": _("Takes people from anywhere in England and Wales"),
    "accepts_out_of_area": _("Takes people from outside its own area"),
    "outside_area": _("Based outside your area"),
    "independent_of_police": _("Run independently of the police"),
    "police_linked": _("Run by or with the police"),
    "independence_unknown": _("We don't know if this service is independent of the police"),
    "lived_experience": _("Workers with lived experience"),
    "self_referral": _("You can contact them yourself, without the police"),
    "no_self_referral": _("Another service has to send you to them"),
    "no_waiting_list": _("No waiting list"),
    "age_outside_range": _("Your age is outside the ages it works with"),
    "trauma_informed": _(
        "Workers are trained to support people after frightening or painful experiences"
    ),
    "not_trauma_informed": _(
        "Does not say its workers are trained to support people after frightening or painful experiences"
    ),
    "restorative_justice": _(
        "Can help you talk safely with the person who harmed you, if you ever want to (restorative justice)"
    ),
    "free_of_charge": _("Free of charge"),
    "cost_not_stated": _("Does not say whether it is free"),
    "charges": _("Charges for its support"),
    "mostly_outside_area": _("Most of the postcode area you gave is outside the area it covers"),
}

# What a service offers in each format it lists, and the caution when it does not list one
# the person asked for: whole sentences, so each language can word them its own way.
_OFFERS_FORMAT = {
    "audio": _("You can talk or listen to them, instead of reading"),
    "video": _("Offers video calls or videos"),
    "bsl": _("Offers British Sign Language (BSL)"),
    "easy_read": _("Has easy read information"),
    "interpreters": _("Can get you an interpreter"),
}
_FORMAT_NOT_LISTED = {
    "audio": _("Does not say you can talk or listen instead of reading"),
    "video": _("Does not say it offers video calls or videos"),
    "bsl": _("Does not say it offers British Sign Language (BSL)"),
    "easy_read": _("Does not say it has easy read information"),
    "interpreters": _("Does not say it can get you an interpreter"),
}


def describe(reason: Reason, place_names: Mapping[str, str]) -> str:
    """The sentence for ``reason``; ``place_names`` maps district and force codes to names."""
    values = reason.values
    if reason.code in _FIXED:
        return str(_FIXED[reason.code])
    sentences: dict[str, Callable[[], str]] = {
        "covers_district": lambda: (
            gettext("Covers %(place)s")
            % {"place": place_names.get(values["district"], values["district"])}
        ),
        "covers_police_force_area": lambda: (
            gettext("Covers %(place)s")
            % {"place": place_names.get(values["police_force_area"], values["police_force_area"])}
        ),
        "neighbouring_district": lambda: (
            gettext("Based nearby in %(place)s and takes people from your area")
            % {"place": place_names.get(values["district"], values["district"])}
        ),
        "speaks_language": lambda: (
            gettext("Workers speak %(language)s") % {"language": language_name(values["language"])}
        ),
        "language_not_listed": lambda: (
            gettext("Does not list %(language)s: ask whether an interpreter can be arranged")
            % {"language": language_name(values["language"])}
        ),
        "language_by_interpreter": lambda: (
            gettext("No workers list %(language)s, but they can get you an interpreter")
            % {"language": language_name(values["language"])}
        ),
        "offers_format": lambda: str(_OFFERS_FORMAT.get(values["format"], values["format"])),
        "format_not_listed": lambda: str(
            _FORMAT_NOT_LISTED.get(values["format"], values["format"])
        ),
        "handles_harm": lambda: (
            gettext("Helps with: %(harm)s") % {"harm": term_label("harm_types", values["harm"])}
        ),
        "harm_not_listed": lambda: (
            gettext("Does not list: %(harm)s") % {"harm": term_label("harm_types", values["harm"])}
        ),
        "serves_ethnic_group": lambda: (
            gettext("Works with %(community)s communities")
            % {"community": term_label("ethnic_groups", values["ethnic_group"])}
        ),
        "serves_religion": lambda: (
            gettext("Works with %(community)s communities")
            % {"community": term_label("religions", values["religion"])}
        ),
        "worker_gender_choice": lambda: (
            gettext("You can ask for a female worker")
            if values["gender"] == "female"
            else gettext("You can ask for a male worker")
        ),
        "no_worker_gender_choice": lambda: gettext("Does not say you can choose your worker"),
        "age_range": lambda: _age_range(values["minimum"], values["maximum"]),
        "waiting_time": lambda: _plural_weeks(values["weeks"]),
    }
    sentence = sentences.get(reason.code)
    # An unknown code is a programming error in matching; show the code rather than fail.
    return sentence() if sentence else reason.code


def describe_all(reasons: list[Reason], place_names: Mapping[str, str]) -> list[str]:
    """Every sentence, in order, without repeats."""
    sentences: list[str] = []
    for reason in reasons:
        sentence = describe(reason, place_names)
        if sentence not in sentences:
            sentences.append(sentence)
    return sentences

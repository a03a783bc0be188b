"""The DEI Data Standard's questions as Bridgeway asks them, and their 360Giving form.

The DEI Data Standard (DEI Data Group, published with 360Giving's DEI Extension) asks about
three areas: who leads an organisation ("led by"), whom its mission is for ("for"), and whom
the project serves. Bridgeway offers its population groups (the taxonomy's top level), "no
particular community" and "prefer not to say", and a few words of lived experience; every
question can be skipped (decision 0138). The codes are copied in ``threesixtygiving/dei/``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

# The taxonomy's population groups (availableOptions AO100), in its order.
POPULATION_GROUPS = {
    "DEI010000": _("Communities experiencing racial inequity"),
    "DEI020000": _("Disabled people"),
    "DEI030000": _("Faith communities"),
    "DEI040000": _("LGBT+ people"),
    "DEI050000": _("Migrants, refugees and people seeking asylum"),
    "DEI060000": _("Older people"),
    "DEI070000": _("Children and young people"),
    "DEI080000": _("People who are educationally or economically disadvantaged"),
    "DEI090000": _("Women and girls"),
    "DEI700000": _("Welsh-speaking people"),
}
# What the applicant could choose: population groups, lived experience, "general" and
# "prefer not to say" (the Available Options codelist).
AVAILABLE_OPTIONS = ["AO100", "AO201", "AO300", "AO301"]
ASKED_IN_APPLICATION = "AS200"
NOT_ASKED = "AS100"
REPLY_CODES = {
    "no_reply": "RS100",
    "groups": "RS200",
    "general": "RS201",
    "prefer_not": "RS202",
}
REPLY_NOT_PERMITTED = "RS203"
AREAS = ("leadership", "mission", "project")


def dei_details(
    answers: dict[str, dict[str, Any]], *, publish_agreed: bool
) -> dict[str, Any] | None:
    """An award's ``deiDetails`` for the 360Giving DEI Extension, or ``None`` if no question
    was asked.

    ``answers`` maps each asked area to ``{"reply", "taxonomy_codes", "lived_experience"}``;
    an area missing from it was not asked (AS100). Without the organisation's agreement a
    reply is published only as "a reply was received but may not be shared" (RS203), with
    no response: neither the communities nor the words leave Bridgeway.
    """
    if not answers:
        return None
    # No deiVersion: the standard's version number is not given where its questions are.
    details: dict[str, Any] = {}
    for area in AREAS:
        answer = answers.get(area)
        if answer is None:
            details[area] = {"askedStatus": NOT_ASKED}
            continue
        reply = answer["reply"]
        entry: dict[str, Any] = {
            "askedStatus": ASKED_IN_APPLICATION,
            "availableOptions": list(AVAILABLE_OPTIONS),
        }
        if reply != "no_reply" and not publish_agreed:
            entry["replyStatus"] = REPLY_NOT_PERMITTED
        else:
            entry["replyStatus"] = REPLY_CODES[reply]
            response: dict[str, Any] = {}
            if reply == "groups" and answer.get("taxonomy_codes"):
                response["taxonomyCodes"] = list(answer["taxonomy_codes"])
            if reply == "groups" and answer.get("lived_experience"):
                response["livedExperience"] = answer["lived_experience"]
            if response:
                entry["response"] = response
        details[area] = entry
    return details

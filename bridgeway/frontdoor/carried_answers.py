"""The journey's answers carried into the self-referral form, so no one says a thing twice.

Everything the person told the journey to support becomes the form's starting values, all
still editable: what happened, their language, postcode, age (as the form's age band) and
community. How they would like support and what matters to them have no question on the
form, so they start the "anything you want them to know" box, in the page's language,
where the person can see, change or delete them before sending.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from bridgeway.equality.vocabulary import vocabulary
from bridgeway.frontdoor.forms import format_choices, matters_choices
from bridgeway.frontdoor.journey import SupportAnswers


def age_band_for(age: int) -> str:
    """The code of the age band ``age`` falls in ("" if none does)."""
    for term in vocabulary("age_bands"):
        low, high = term.extra.get("min_age", ""), term.extra.get("max_age", "")
        if (not low or age >= int(low)) and (not high or age <= int(high)):
            return str(term.code)
    return ""


def _wishes(answers: SupportAnswers) -> str:
    """How the person would like support and what matters to them, as plain lines."""
    formats = dict(format_choices())
    matters = dict(matters_choices())
    lines: list[str] = []
    if answers.formats:
        chosen = "; ".join(formats[code] for code in answers.formats if code in formats)
        lines.append(_("How I would like support: %(chosen)s") % {"chosen": chosen})
    if answers.matters:
        chosen = "; ".join(matters[code] for code in answers.matters if code in matters)
        lines.append(_("What matters to me: %(chosen)s") % {"chosen": chosen})
    return "\n".join(lines)


def referral_initial(
    answers: SupportAnswers | None, *, asked_what: Iterable[str] = ()
) -> dict[str, Any]:
    """The self-referral form's starting values from the journey (and ``?what=`` links).

    A link from a service page may name what happened (``asked_what``); the journey's own
    answer, when there is one, comes first.
    """
    known = vocabulary("harm_types").codes
    initial: dict[str, Any] = {"what": [code for code in asked_what if code in known]}
    if answers is None:
        return initial
    if answers.what:
        initial["what"] = list(answers.what)
    if answers.language:
        initial["language"] = answers.language
    if answers.where:
        initial["postcode"] = answers.where
    band = answers.age_band or (age_band_for(answers.age) if answers.age is not None else "")
    if band:
        initial["age_band"] = band
    if answers.ethnic_group:
        initial["ethnic_group"] = answers.ethnic_group
    wishes = _wishes(answers)
    if wishes:
        initial["narrative"] = wishes
    return initial

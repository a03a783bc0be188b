"""The pages about the service itself: privacy notice, accessibility statement, contact.

Each reads the installation's own settings (who runs it, how to reach them, how long records
are kept), so what a person reads is what this installation does, not a template's promise.
Linked from every public page's footer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from bridgeway.accounts.middleware import public

# When the accessibility statement was prepared and the site last tested (GOV.UK's model asks
# for both); change these when the site is tested again.
ACCESSIBILITY_STATEMENT_PREPARED = dt.date(2026, 12, 5)
ACCESSIBILITY_LAST_TESTED = dt.date(2026, 12, 5)
DAYS_A_YEAR = 365


def period_in_words(days: int) -> str:
    """A retention period in the reader's language: whole years where it is whole years."""
    if days % DAYS_A_YEAR == 0:
        years = days // DAYS_A_YEAR
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    return _("%(count)d days") % {"count": days}


def _operator() -> dict[str, str]:
    return {
        "name": settings.OPERATOR_NAME,
        "address": settings.OPERATOR_ADDRESS,
        "email": settings.CONTACT_EMAIL,
        "phone": settings.CONTACT_PHONE,
        "data_protection_email": settings.DATA_PROTECTION_EMAIL or settings.CONTACT_EMAIL,
    }


@public
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    """Who holds what a person tells us, why, for how long, with whom, and their rights."""
    context: dict[str, Any] = {
        "operator": _operator(),
        "closed_period": period_in_words(settings.RETENTION_CLOSED_CASE_DAYS),
        "declined_period": period_in_words(settings.RETENTION_DECLINED_DAYS),
        "young_person_age": settings.RETENTION_YOUNG_PERSON_AGE,
        "idle_minutes": settings.FRONTDOOR_IDLE_MINUTES,
    }
    return render(request, "frontdoor/privacy.html", context)


@public
@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement, on the GOV.UK model."""
    context: dict[str, Any] = {
        "operator": _operator(),
        "prepared": ACCESSIBILITY_STATEMENT_PREPARED,
        "last_tested": ACCESSIBILITY_LAST_TESTED,
    }
    return render(request, "frontdoor/accessibility.html", context)


@public
@require_GET
def contact(request: HttpRequest) -> HttpResponse:
    """How to reach the people who run the website (not a support service: those are listed)."""
    return render(request, "frontdoor/contact.html", {"operator": _operator()})

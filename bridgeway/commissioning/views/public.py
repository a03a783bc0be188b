"""The public funding page: open rounds in plain words and each office's decision record."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from bridgeway.accounts.middleware import public
from bridgeway.commissioning.selectors import office_records, open_rounds, recent_awards


@public
@require_GET
def funding(request: HttpRequest) -> HttpResponse:
    """Open rounds (eligibility, amount, timetable) and offices' past decision times."""
    today = timezone.localdate()
    return render(
        request,
        "commissioning/public_funding.html",
        {
            "rounds": list(open_rounds(today=today)),
            "awards": recent_awards(),
            "offices": office_records(today=today),
        },
    )

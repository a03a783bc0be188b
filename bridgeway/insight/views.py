"""The insight pages: the needs assessment for a commissioner's areas, on screen and as CSV.

Thin: check who is asking and which area they may see, call the service, render. Pages need
both sign-in factors and a commissioner or analyst role (403 otherwise); an area that is not
one of the reader's organisations' areas is a 404, the same as one that does not exist.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bridgeway.accounts.access import INSIGHT_ROLES, require_role, staff_required
from bridgeway.accounts.models import User
from bridgeway.insight.forms import PeriodForm
from bridgeway.insight.needs_assessment import TOTAL, NeedsAssessment, Row, write_csv
from bridgeway.insight.selectors import insight_area_for_user, insight_areas_for
from bridgeway.insight.services import needs_assessment_rows
from bridgeway.insight.snapshot import SnapshotError, snapshot_files
from bridgeway.insight.suppression import is_symbol
from bridgeway.places.models import PoliceForceArea

logger = logging.getLogger(__name__)


def _reader(request: HttpRequest) -> User:
    """The signed-in commissioner or analyst (403 for anyone else)."""
    user = request.user
    if not isinstance(user, User):  # staff_required has already sent anonymous people away
        raise TypeError("insight views need staff_required")
    require_role(user, INSIGHT_ROLES)
    return user


@dataclass(frozen=True)
class _Choice:
    areas: list[PoliceForceArea]
    area: PoliceForceArea | None
    form: PeriodForm


def _choice(request: HttpRequest, user: User) -> _Choice:
    areas = insight_areas_for(user)
    code = request.GET.get("area", "").strip().upper()
    if code:
        area: PoliceForceArea | None = insight_area_for_user(user, code)
    else:
        area = areas[0] if areas else None
    return _Choice(areas=areas, area=area, form=PeriodForm(request.GET))


def _percent(text: str) -> str:
    return text if is_symbol(text) else f"{float(text) * 100:.1f}%"


def _with_interval(value: str, low: str, high: str, percent: bool = False) -> tuple[str, str]:
    shown = _percent if percent else str
    if is_symbol(value):
        return value, ""
    if is_symbol(low) or is_symbol(high):
        return shown(value), _("interval %(symbol)s") % {"symbol": low}
    return shown(value), _("%(low)s to %(high)s") % {"low": shown(low), "high": shown(high)}


def _label(row: Row) -> str:
    if row["ethnic_group"] == TOTAL:
        return _("Total")
    return row["ethnic_group_label"]


def _display_rows(assessment: NeedsAssessment) -> list[dict[str, Any]]:
    rows = assessment.rows
    shares = [
        float(text)
        for row in rows
        for text in (row["population_share"], row["referred_share"])
        if row["ethnic_group"] != TOTAL and not is_symbol(text)
    ]
    # Bars are drawn against the largest share on the page, so small groups stay visible.
    scale = max(shares, default=0.0) or 1.0
    shown = []
    for row in rows:
        representation = _with_interval(
            row["representation_ratio"], row["representation_low"], row["representation_high"]
        )
        take_up = _with_interval(
            row["take_up_rate"], row["take_up_low"], row["take_up_high"], percent=True
        )
        ratio = _with_interval(
            row["take_up_ratio"], row["take_up_ratio_low"], row["take_up_ratio_high"]
        )

        def width(text: str) -> str | None:
            return None if is_symbol(text) else f"{float(text) / scale * 100:.2f}%"

        shown.append(
            {
                "code": row["ethnic_group"],
                "label": _label(row),
                "is_total": row["ethnic_group"] == TOTAL,
                "population_share": _percent(row["population_share"]),
                "referred": row["referred"],
                "referred_share": _percent(row["referred_share"]),
                "representation": representation[0],
                "representation_interval": representation[1],
                "offered": row["offered"],
                "accepted": row["accepted"],
                "take_up": take_up[0],
                "take_up_interval": take_up[1],
                "take_up_ratio": ratio[0],
                "take_up_ratio_interval": ratio[1],
                "census_width": width(row["population_share"]),
                "referred_width": width(row["referred_share"]),
            }
        )
    return shown


def _query(area: PoliceForceArea, form: PeriodForm) -> str:
    parameters = {"area": area.code}
    for name in ("date_from", "date_to"):
        if form.cleaned_data.get(name):
            parameters[name] = form.cleaned_data[name].isoformat()
    return urlencode(parameters)


@never_cache
@require_GET
@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The needs assessment for one of the reader's police force areas."""
    user = _reader(request)
    choice = _choice(request, user)
    context: dict[str, Any] = {
        "areas": choice.areas,
        "area": choice.area,
        "form": choice.form,
        "threshold": settings.SUPPRESSION_THRESHOLD,
    }
    status = 200
    if choice.area is None:
        context["no_areas"] = True
    elif not choice.form.is_valid():
        status = 400
    else:
        try:
            assessment = needs_assessment_rows(
                snapshot_dir=settings.SNAPSHOT_DIR,
                area_code=choice.area.code,
                date_from=choice.form.cleaned_data["date_from"],
                date_to=choice.form.cleaned_data["date_to"],
            )
        except SnapshotError as error:
            if _snapshot_exists():
                logger.error("The insight snapshot cannot be read: %s", error)
                context["snapshot_broken"] = True
            else:
                context["no_snapshot"] = True
        else:
            context["assessment"] = assessment
            context["rows"] = _display_rows(assessment)
            context["csv_url"] = (
                f"{reverse('insight:needs-assessment-csv')}?{_query(choice.area, choice.form)}"
            )
    return render(request, "insight/dashboard.html", context, status=status)


def _snapshot_exists() -> bool:
    try:
        return bool(snapshot_files(settings.SNAPSHOT_DIR))
    except SnapshotError:
        return False


@never_cache
@require_GET
@staff_required
def needs_assessment_csv(request: HttpRequest) -> HttpResponse:
    """The same table as the page, as the CSV of the published contract."""
    user = _reader(request)
    choice = _choice(request, user)
    if choice.area is None:
        return _plain(_("Your organisation has no areas to report on."), status=404)
    if not choice.form.is_valid():
        problems = " ".join(str(e) for errors in choice.form.errors.values() for e in errors)
        return _plain(problems, status=400)
    try:
        assessment = needs_assessment_rows(
            snapshot_dir=settings.SNAPSHOT_DIR,
            area_code=choice.area.code,
            date_from=choice.form.cleaned_data["date_from"],
            date_to=choice.form.cleaned_data["date_to"],
        )
    except SnapshotError as error:
        logger.error("The insight snapshot cannot be read: %s", error)
        return _plain(
            _(
                "There is no readable snapshot yet. An operator can make one with: bridgeway snapshot"
            ),
            status=404,
        )
    text = io.StringIO()
    write_csv(assessment.rows, text)
    response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    period = "-".join(
        d.isoformat() for d in (assessment.date_from, assessment.date_to) if d is not None
    )
    name = f"needs-assessment-{choice.area.code}{'-' + period if period else ''}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _plain(message: str, *, status: int) -> HttpResponse:
    return HttpResponse(message, content_type="text/plain; charset=utf-8", status=status)

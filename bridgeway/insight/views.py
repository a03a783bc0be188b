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
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bridgeway.accounts.access import INSIGHT_ROLES, require_role, staff_required
from bridgeway.accounts.models import User
from bridgeway.insight import breakdown
from bridgeway.insight.forms import CHARACTERISTIC_CHOICES, PeriodForm
from bridgeway.insight.needs_assessment import TOTAL, NeedsAssessment, Row, write_csv
from bridgeway.insight.outputs import (
    needs_assessment_publication,
    render_html,
    write_pdf,
    write_xlsx,
)
from bridgeway.insight.selectors import insight_area_for_user, insight_areas_for
from bridgeway.insight.services import (
    BreakdownReport,
    EmptyPeriod,
    funnel_report,
    intersections_report,
    needs_assessment_rows,
)
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


def _funnel_rows(report: BreakdownReport) -> list[dict[str, Any]]:
    """The funnel's rows for the page: each stage's count beside its share of referred."""
    shown = []
    for row in report.rows:
        stages = [{"count": row["referred"], "share": "", "width": None}]
        for stage in breakdown.FUNNEL_STAGES[1:]:
            share = row[f"{stage}_rate"]
            stages.append(
                {
                    "count": row[stage],
                    "share": _percent(share),
                    "width": None if is_symbol(share) else f"{min(float(share), 1.0) * 100:.1f}%",
                }
            )
        shown.append(
            {
                "label": _("Total") if row["group"] == breakdown.TOTAL else row["group_label"],
                "is_total": row["group"] == breakdown.TOTAL,
                "stages": stages,
                "accepted": stages[breakdown.FUNNEL_STAGES.index("accepted")],
            }
        )
    return shown


def _intersection_rows(report: BreakdownReport) -> list[dict[str, Any]]:
    """The cells with anyone in them (an all-zero row says nothing a reader needs)."""
    shown = []
    for row in report.rows:
        if {row["referred"], row["offered"], row["accepted"]} == {"0"}:
            continue
        take_up = _with_interval(
            row["take_up_rate"], row["take_up_low"], row["take_up_high"], percent=True
        )
        ratio = _with_interval(
            row["take_up_ratio"], row["take_up_ratio_low"], row["take_up_ratio_high"]
        )
        shown.append(
            {
                "first": row["group_1_label"],
                "second": row["group_2_label"],
                "referred": row["referred"],
                "offered": row["offered"],
                "accepted": row["accepted"],
                "take_up": take_up[0],
                "take_up_interval": take_up[1],
                "take_up_ratio": ratio[0],
                "take_up_ratio_interval": ratio[1],
            }
        )
    return shown


def _breakdowns(area: PoliceForceArea, form: PeriodForm) -> dict[str, Any]:
    """The funnel by the chosen characteristic and, beyond ethnic group, its intersection."""
    characteristic = form.cleaned_data["characteristic"]
    roll_up = bool(form.cleaned_data["roll_up"])
    common: dict[str, Any] = {
        "snapshot_dir": settings.SNAPSHOT_DIR,
        "area_code": area.code,
        "date_from": form.cleaned_data["date_from"],
        "date_to": form.cleaned_data["date_to"],
        "roll_up": roll_up,
    }
    context: dict[str, Any] = {
        "characteristic_label": dict(CHARACTERISTIC_CHOICES)[characteristic],
        "stage_labels": [_stage_label(stage) for stage in breakdown.FUNNEL_STAGES],
    }
    try:
        context["funnel_rows"] = _funnel_rows(
            funnel_report(characteristic=characteristic, **common)
        )
        if characteristic != "ethnic_group":
            context["intersection_rows"] = _intersection_rows(
                intersections_report(characteristics=["ethnic_group", characteristic], **common)
            )
    except EmptyPeriod:
        pass  # the needs assessment above already says there is no one in the period
    return context


def _stage_label(stage: str) -> str:
    labels = {
        "referred": _("Referred"),
        "contacted": _("Contacted"),
        "assessed": _("Assessed"),
        "offered": _("Offered support"),
        "accepted": _("Accepted support"),
        "started": _("Support started"),
        "closed": _("Closed"),
    }
    return labels[stage]


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
            query = _query(choice.area, choice.form)
            context["csv_url"] = f"{reverse('insight:needs-assessment-csv')}?{query}"
            context["file_urls"] = {
                name: f"{reverse('insight:needs-assessment-file', args=[name])}?{query}"
                for name in FILE_TYPES
            }
            context.update(_breakdowns(choice.area, choice.form))
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


FILE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}


@never_cache
@require_GET
@staff_required
def needs_assessment_file(request: HttpRequest, file_format: str) -> HttpResponse:
    """The same table as the page as a spreadsheet (XLSX), PDF or standalone HTML report."""
    user = _reader(request)
    if file_format not in FILE_TYPES:
        raise Http404("No such format.")
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
    publication = needs_assessment_publication([assessment])
    if file_format == "html":
        body: bytes = render_html(publication).encode()
    else:
        buffer = io.BytesIO()
        (write_xlsx if file_format == "xlsx" else write_pdf)(publication, buffer)
        body = buffer.getvalue()
    response = HttpResponse(body, content_type=FILE_TYPES[file_format])
    response["Content-Disposition"] = (
        f'attachment; filename="needs-assessment-{choice.area.code}.{file_format}"'
    )
    return response


def _plain(message: str, *, status: int) -> HttpResponse:
    return HttpResponse(message, content_type="text/plain; charset=utf-8", status=status)

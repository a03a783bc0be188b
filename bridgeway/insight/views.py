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

from bridgeway.accounts.access import (
    INSIGHT_ROLES,
    require_role,
    signed_in_user,
    staff_required,
)
from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.insight import breakdown, perturbation
from bridgeway.insight.figures import CONFIDENTIAL_FIGURE
from bridgeway.insight.forms import CHARACTERISTIC_CHOICES, DEFAULT_MIN_SHARE, PeriodForm
from bridgeway.insight.needs_assessment import write_csv
from bridgeway.insight.outputs import (
    breakdown_publication,
    needs_assessment_publication,
    render_html,
    write_csv_with_notes,
    write_pdf,
    write_xlsx,
)
from bridgeway.insight.presenters import (
    assessment_rows,
    coverage_gap_rows,
    cut_labels,
    funnel_rows,
    gaps_withheld,
    intersection_rows,
    provider_context,
    quality_rows,
    stage_label,
)
from bridgeway.insight.reports import (
    BreakdownReport,
    EmptyPeriod,
    coverage_gaps_report,
    funnel_report,
    intersections_report,
    needs_assessment_rows,
    provider_report,
    provider_reports,
)
from bridgeway.insight.scrutiny import QUALITY_CHARACTERISTICS
from bridgeway.insight.selectors import insight_area_for_user, insight_areas_for
from bridgeway.insight.snapshot import SnapshotError, snapshot_files
from bridgeway.places.models import PoliceForceArea
from bridgeway.replica import reads_from_replica

logger = logging.getLogger(__name__)


def _reader(request: HttpRequest) -> User:
    """The signed-in commissioner or analyst (403 for anyone else)."""
    user = signed_in_user(request)
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
        "stage_labels": [stage_label(stage) for stage in breakdown.FUNNEL_STAGES],
    }
    try:
        funnel = funnel_report(characteristic=characteristic, **common)
        context["funnel_rows"] = funnel_rows(funnel)
        context["funnel_withheld"] = funnel.withheld.get(area.code, ())
        # Shown by the five high-level ethnic groups where the 19 are too sparse (0158).
        context["funnel_coarsened"] = area.code in funnel.coarsened
        if characteristic != "ethnic_group":
            crossed = intersections_report(
                characteristics=["ethnic_group", characteristic], **common
            )
            # A table too sparse to show (decision 0155) is said in words, not as [c] rows.
            withheld = crossed.withheld.get(area.code, ())
            context["intersection_withheld"] = withheld
            context["intersection_coarsened"] = area.code in crossed.coarsened
            context["intersection_rows"] = (
                [] if "referred" in withheld else intersection_rows(crossed)
            )
    except EmptyPeriod:
        pass  # the needs assessment above already says there is no one in the period
    return context


# --- provider scrutiny, data quality and coverage gaps -----------------------------------


def _scrutiny(area: PoliceForceArea, form: PeriodForm) -> dict[str, Any]:
    """Providers side by side for one group, one provider in detail, data quality, gaps.

    Every figure is a cell of the same published tables as the downloads (see
    ``presenters``), so disclosure control is exactly theirs.
    """
    common: dict[str, Any] = {
        "snapshot_dir": settings.SNAPSHOT_DIR,
        "area_code": area.code,
        "date_from": form.cleaned_data["date_from"],
        "date_to": form.cleaned_data["date_to"],
    }
    context: dict[str, Any] = {}
    try:
        # Both tables from one count of the providers: the snapshot is read once for them.
        providers, quality = provider_reports(**common)
    except EmptyPeriod:
        pass  # the page says no provider had anyone in the period
    else:
        context.update(
            provider_context(
                providers,
                group=form.cleaned_data["group"] or "",
                chosen=form.cleaned_data["provider"] or "",
            )
        )
        context.update(_quality_context(quality, form))
    gaps = coverage_gaps_report(min_share=form.cleaned_data["min_share"], **common)
    context["gap_rows"] = coverage_gap_rows(gaps)
    context["gap_withheld"] = gaps_withheld(gaps)
    context["gap_cut"] = cut_labels(context["gap_rows"], "bar")
    context["gap_min_share"] = f"{form.cleaned_data['min_share'] * 100:g}%"
    return context


def _quality_context(report: BreakdownReport, form: PeriodForm) -> dict[str, Any]:
    characteristic = form.cleaned_data["characteristic"]
    if characteristic not in QUALITY_CHARACTERISTICS:
        characteristic = "ethnic_group"
    rows = quality_rows(report, characteristic)
    return {
        "quality_characteristic_label": dict(CHARACTERISTIC_CHOICES)[characteristic],
        "quality_rows": rows,
        "quality_withheld": any(row["withheld"] for row in rows),
        "quality_people_hidden": any(row["people"] == CONFIDENTIAL_FIGURE for row in rows),
    }


def _query(area: PoliceForceArea, form: PeriodForm, *, breakdowns: bool = False) -> str:
    parameters = {"area": area.code}
    for name in ("date_from", "date_to"):
        if form.cleaned_data.get(name):
            parameters[name] = form.cleaned_data[name].isoformat()
    # The roll-up applies to every table it is offered beside, so to their downloads too.
    if form.cleaned_data["roll_up"]:
        parameters["roll_up"] = "on"
    if breakdowns:
        parameters["characteristic"] = form.cleaned_data["characteristic"]
        if form.cleaned_data["min_share"] != DEFAULT_MIN_SHARE:
            parameters["min_share"] = f"{form.cleaned_data['min_share'] * 100:g}"
    return urlencode(parameters)


@never_cache
@require_GET
@staff_required
@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    """The needs assessment for one of the reader's police force areas."""
    user = _reader(request)
    choice = _choice(request, user)
    context: dict[str, Any] = {
        "areas": choice.areas,
        "area": choice.area,
        "form": choice.form,
        "threshold": settings.SUPPRESSION_THRESHOLD,
        # A commissioner of the area's office can open a funding round aimed at its gaps.
        "can_open_round": choice.area is not None
        and Membership.objects.filter(
            user=user,
            role=Membership.Role.COMMISSIONER,
            organisation__kind=Organisation.Kind.COMMISSIONER,
            organisation__areas=choice.area,
        ).exists(),
        "max_perturbation": perturbation.MAX_PERTURBATION,
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
                roll_up=bool(choice.form.cleaned_data["roll_up"]),
            )
        except SnapshotError as error:
            if _snapshot_exists():
                logger.error("The insight snapshot cannot be read: %s", error)
                context["snapshot_broken"] = True
            else:
                context["no_snapshot"] = True
        else:
            context["assessment"] = assessment
            context["rows"] = assessment_rows(assessment.rows)
            context["chart_cut"] = cut_labels(context["rows"], "census_bar", "referred_bar")
            query = _query(choice.area, choice.form)
            context["csv_url"] = f"{reverse('insight:needs-assessment-csv')}?{query}"
            context["file_urls"] = {
                name: f"{reverse('insight:needs-assessment-file', args=[name])}?{query}"
                for name in FILE_TYPES
            }
            context.update(_breakdowns(choice.area, choice.form))
            context.update(_scrutiny(choice.area, choice.form))
            if "provider_problem" in context:
                status = 400
            # Keyed with underscores: a template cannot look up "data-quality".
            context["report_urls"] = {
                report.replace("-", "_"): {
                    file_format: f"{reverse('insight:report-file', args=[report, file_format])}"
                    f"?{_query(choice.area, choice.form, breakdowns=True)}"
                    for file_format in REPORT_FORMATS
                }
                for report in REPORTS
            }
    return render(request, "insight/dashboard.html", context, status=status)


def _snapshot_exists() -> bool:
    try:
        return bool(snapshot_files(settings.SNAPSHOT_DIR))
    except SnapshotError:
        return False


@never_cache
@require_GET
@staff_required
@reads_from_replica
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
            roll_up=bool(choice.form.cleaned_data["roll_up"]),
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
@reads_from_replica
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
            roll_up=bool(choice.form.cleaned_data["roll_up"]),
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


# --- the dashboard's other tables as files -------------------------------------------------

REPORTS = ("funnel", "intersections", "providers", "data-quality", "coverage-gaps")
REPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _form_problems(form: PeriodForm) -> str:
    """Every problem with the filters, each after the name of the filter it is about."""
    return " ".join(
        f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    )


def _breakdown_report(report: str, area: PoliceForceArea, form: PeriodForm) -> BreakdownReport:
    common: dict[str, Any] = {
        "snapshot_dir": settings.SNAPSHOT_DIR,
        "area_code": area.code,
        "date_from": form.cleaned_data["date_from"],
        "date_to": form.cleaned_data["date_to"],
    }
    characteristic = form.cleaned_data["characteristic"]
    roll_up = bool(form.cleaned_data["roll_up"])
    if report == "funnel":
        return funnel_report(characteristic=characteristic, roll_up=roll_up, **common)
    if report == "intersections":
        return intersections_report(
            characteristics=["ethnic_group", characteristic], roll_up=roll_up, **common
        )
    if report == "coverage-gaps":
        return coverage_gaps_report(min_share=form.cleaned_data["min_share"], **common)
    return provider_report(quality=report == "data-quality", **common)


@never_cache
@require_GET
@staff_required
@reads_from_replica
def report_file(request: HttpRequest, report: str, file_format: str) -> HttpResponse:
    """The funnel, intersections, providers, data quality or coverage gaps as CSV or XLSX,
    for the area and filters on the page, with the period, sources, suppression note and
    (for demonstration data) the synthetic label in the file."""
    user = _reader(request)
    if report not in REPORTS or file_format not in REPORT_FORMATS:
        raise Http404("No such report.")
    choice = _choice(request, user)
    if choice.area is None:
        return _plain(_("Your organisation has no areas to report on."), status=404)
    if not choice.form.is_valid():
        return _plain(_form_problems(choice.form), status=400)
    if report == "intersections" and choice.form.cleaned_data["characteristic"] == "ethnic_group":
        return _plain(
            _("Characteristic: choose one other than ethnic group, to cross ethnic group with it."),
            status=400,
        )
    try:
        result = _breakdown_report(report, choice.area, choice.form)
    except EmptyPeriod:
        return _plain(
            _("No one had an event in this area and period. Choose a longer period."),
            status=404,
        )
    except SnapshotError as error:
        logger.error("The insight snapshot cannot be read: %s", error)
        return _plain(
            _(
                "There is no readable snapshot yet. An operator can make one with: bridgeway snapshot"
            ),
            status=404,
        )
    publication = breakdown_publication(report, result)
    if file_format == "csv":
        text = io.StringIO()
        write_csv_with_notes(publication, text)
        body: bytes = text.getvalue().encode()
    else:
        buffer = io.BytesIO()
        write_xlsx(publication, buffer)
        body = buffer.getvalue()
    response = HttpResponse(body, content_type=REPORT_FORMATS[file_format])
    period = "-".join(d.isoformat() for d in (result.date_from, result.date_to) if d is not None)
    name = f"{report}-{choice.area.code}{'-' + period if period else ''}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _plain(message: str, *, status: int) -> HttpResponse:
    return HttpResponse(message, content_type="text/plain; charset=utf-8", status=status)

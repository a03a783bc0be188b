"""Staff pages for running a round: open or change it, assign reviewers, moderate scores.

Thin: access through ``selectors``, changes through ``services``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridgeway.accounts.access import INSIGHT_ROLES, has_role_in, signed_in_user, staff_required
from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.commissioning.forms import PartnerForm, RoundForm
from bridgeway.commissioning.models import FundingRound
from bridgeway.commissioning.selectors import (
    GapFigures,
    coverage_gaps_now,
    funding_round_get_for_office,
    has_role_in_round,
    moderation_page,
    offices_led_by,
)
from bridgeway.commissioning.services import funding_round_create, funding_round_update
from bridgeway.commissioning.services.gaps import funding_round_create_for_gaps
from bridgeway.commissioning.services.partners import funding_round_publish, round_partner_add
from bridgeway.commissioning.services.reviews import reviewer_assign
from bridgeway.commissioning.views import _round_page
from bridgeway.forms import form_errors_from


def _area_choices(office: Organisation) -> list[tuple[str, str]]:
    return [(area.code, area.name) for area in office.areas.order_by("name")]


def _terms(form: RoundForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "description": data["description"],
        "kind": data["kind"],
        "opens_on": data["opens_on"],
        "closes_on": data["closes_on"],
        "decision_by": data["decision_by"],
        "amount_available": data["amount_available"],
        "area_codes": data["areas"],
        "eligibility": data["eligibility"],
        "questions": data["questions"],
        "reviewer_guidance": data["reviewer_guidance"],
        "score_max": data["score_max"],
        "dei_areas": data["dei_questions"],
    }


def _gaps_for(office: Organisation, area_code: str) -> tuple[list[GapFigures], bool]:
    """Insight's coverage gaps in one of the office's areas, and whether insight had figures."""
    if area_code not in {area.code for area in office.areas.all()}:
        raise Http404("Not one of your office's areas.")
    try:
        return coverage_gaps_now(area_code), True
    except ValueError:
        # No snapshot yet, or none that checks: the round can still be opened without gaps.
        return [], False


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest) -> HttpResponse:
    """Open a new round (commissioners of an office), from insight's coverage gaps if asked."""
    user = signed_in_user(request)
    offices = offices_led_by(user)
    if not offices:
        raise PermissionDenied("Only commissioners open funding rounds.")
    office = offices[0]
    gaps_area = request.POST.get("gaps_area") or request.GET.get("gaps", "")
    gaps, has_figures = _gaps_for(office, gaps_area) if gaps_area else ([], True)
    form = RoundForm(
        request.POST if request.method == "POST" else None,
        area_choices=_area_choices(office),
        gap_choices=[(gap.ethnic_group, gap.label) for gap in gaps],
        initial=(
            {"areas": [gaps_area], "gaps": [g.ethnic_group for g in gaps], "gaps_area": gaps_area}
            if gaps
            else None
        ),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            terms = {
                "commissioner": office,
                "actor": user,
                "criteria": form.cleaned_data["criteria"],
                **_terms(form),
            }
            try:
                funding_round = (
                    funding_round_create_for_gaps(
                        gaps=gaps, chosen=form.cleaned_data["gaps"], **terms
                    )
                    if gaps
                    else funding_round_create(**terms)
                )
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(
                    request, _("Funding round saved as a draft. Publish it when it is ready.")
                )
                return HttpResponseRedirect(reverse("commissioning:round", args=[funding_round.id]))
    return render(
        request,
        "commissioning/round_form.html",
        {
            "form": form,
            "office": office,
            "round": None,
            "gaps": gaps,
            "gaps_missing": bool(gaps_area) and not has_figures,
        },
        status=status,
    )


def _lead_round(user: User, round_id: uuid.UUID) -> FundingRound:
    funding_round = funding_round_get_for_office(user, round_id)
    if not has_role_in(user, funding_round.commissioner_id, [Membership.Role.COMMISSIONER]):
        raise PermissionDenied("Only the round's commissioners may change it.")
    return funding_round


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, round_id: uuid.UUID) -> HttpResponse:
    """Change a round's terms (commissioners of its office)."""
    user = signed_in_user(request)
    funding_round = _lead_round(user, round_id)
    initial = {
        "title": funding_round.title,
        "description": funding_round.description,
        "kind": funding_round.kind,
        "amount_available": funding_round.amount_available,
        "areas": [area.code for area in funding_round.areas.all()],
        "opens_on": funding_round.opens_on.strftime("%d/%m/%Y"),
        "closes_on": funding_round.closes_on.strftime("%d/%m/%Y"),
        "decision_by": (
            funding_round.decision_by.strftime("%d/%m/%Y") if funding_round.decision_by else ""
        ),
        "eligibility": funding_round.eligibility,
        "questions": funding_round.questions,
        "reviewer_guidance": funding_round.reviewer_guidance,
        "score_max": funding_round.score_max,
        "dei_questions": funding_round.dei_areas_asked,
    }
    form = RoundForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        area_choices=_area_choices(funding_round.commissioner),
    )
    form.fields["criteria"].disabled = True
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                funding_round_update(funding_round=funding_round, actor=user, **_terms(form))
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(request, _("Funding round changed."))
                return HttpResponseRedirect(reverse("commissioning:round", args=[funding_round.id]))
    return render(
        request,
        "commissioning/round_form.html",
        {"form": form, "office": funding_round.commissioner, "round": funding_round},
        status=status,
    )


@never_cache
@staff_required
@require_GET
def moderation(request: HttpRequest, round_id: uuid.UUID) -> HttpResponse:
    """Scores side by side, wide spreads flagged, weighted totals (the round's office).

    A page of about 50 applications at a time; ``?wide=1`` shows only those with a wide
    spread (flagged over the whole round).
    """
    funding_round = funding_round_get_for_office(signed_in_user(request), round_id)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    wide_only = request.GET.get("wide") == "1"
    moderation = moderation_page(funding_round, page=page, wide_only=wide_only)
    return render(
        request,
        "commissioning/moderation.html",
        {
            "round": funding_round,
            "criteria": moderation.criteria,
            "rows": moderation.rows,
            "moderation": moderation,
        },
    )


@never_cache
@staff_required
@require_POST
def assign(request: HttpRequest, round_id: uuid.UUID) -> HttpResponse:
    """Assign a reviewer, by email address, from the office's commissioners and analysts."""
    user = signed_in_user(request)
    funding_round = _lead_round(user, round_id)
    email = request.POST.get("email", "").strip()
    reviewer = User.objects.filter(email__iexact=email).first() if email else None
    if reviewer is None or not has_role_in_round(reviewer, funding_round, INSIGHT_ROLES):
        messages.error(
            request, _("Enter the email address of a commissioner or analyst of your office.")
        )
    else:
        try:
            reviewer_assign(funding_round=funding_round, actor=user, reviewer=reviewer)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Reviewer assigned."))
    return HttpResponseRedirect(reverse("commissioning:round", args=[funding_round.id]))


@never_cache
@staff_required
@require_POST
def publish(request: HttpRequest, round_id: uuid.UUID) -> HttpResponse:
    """Publish a draft round (commissioners of its leading office)."""
    user = signed_in_user(request)
    funding_round = _lead_round(user, round_id)
    try:
        funding_round_publish(funding_round=funding_round, actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Funding round published."))
    return HttpResponseRedirect(reverse("commissioning:round", args=[funding_round.id]))


@never_cache
@staff_required
@require_POST
def partner_add(request: HttpRequest, round_id: uuid.UUID) -> HttpResponse:
    """Add a partner office with its contribution, making the round a joint round."""
    user = signed_in_user(request)
    funding_round = _lead_round(user, round_id)
    form = PartnerForm(request.POST, funding_round=funding_round)
    if form.is_valid():
        try:
            round_partner_add(
                funding_round=funding_round,
                actor=user,
                office=form.cleaned_data["office"],
                contribution=form.cleaned_data["contribution"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Partner office added."))
            return HttpResponseRedirect(reverse("commissioning:round", args=[funding_round.id]))
    return _round_page(request, funding_round, partner_form=form, status=400)

"""Staff pages for funding: open rounds and applying, a round's applications, deciding.

Thin: access through ``selectors``, changes through ``services``, rules in neither view.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from bridgeway.accounts.access import (
    INSIGHT_ROLES,
    has_role_in,
    organisations_for,
    signed_in_user,
    staff_required,
)
from bridgeway.accounts.models import Membership, User
from bridgeway.commissioning.forms import (
    ApplicationForm,
    DecisionForm,
    InformationRequestForm,
    PartnerForm,
)
from bridgeway.commissioning.models import Application, FundingRound
from bridgeway.commissioning.reach import round_reach
from bridgeway.commissioning.selectors import (
    application_get_for_office,
    applications_of_user,
    applications_to_review,
    applying_organisations,
    funding_round_get_for_office,
    has_role_in_round,
    offices_led_by,
    open_rounds,
    round_applications_in_full,
    round_criteria,
    round_times,
    rounds_of_office,
)
from bridgeway.commissioning.services import (
    application_decide,
    application_review_start,
    round_remaining_budget,
)
from bridgeway.commissioning.services.partners import round_contributions
from bridgeway.forms import form_errors_from


def _can_decide(user: User, funding_round: FundingRound) -> bool:
    # A joint round's partner offices decide together with the lead (decision 0087).
    return has_role_in_round(user, funding_round, [Membership.Role.COMMISSIONER])


@never_cache
@staff_required
@require_GET
def rounds(request: HttpRequest) -> HttpResponse:
    """Open rounds (any staff), an apply form for administrators, and one's own bids."""
    user = signed_in_user(request)
    organisations = applying_organisations(user)
    applications = list(applications_of_user(user))
    applied = {(a.funding_round_id, a.applicant_id) for a in applications}
    listed = []
    for funding_round in open_rounds(today=timezone.localdate()):
        still_to_apply = [o for o in organisations if (funding_round.id, o.id) not in applied]
        listed.append(
            {
                "round": funding_round,
                "form": (
                    # Ids per round: several apply forms share the page; names stay the same.
                    ApplicationForm(
                        organisations=still_to_apply, auto_id=f"id_{funding_round.id}_%s"
                    )
                    if still_to_apply
                    else None
                ),
            }
        )
    return render(
        request,
        "commissioning/rounds.html",
        {
            "listed": listed,
            "applications": applications,
            "office_rounds": list(rounds_of_office(user)),
            "led_office_ids": {o.pk for o in organisations_for(user, INSIGHT_ROLES)},
            "can_open": bool(offices_led_by(user)),
            "reviewing": bool(applications_to_review(user)),
        },
    )


def _round_page(
    request: HttpRequest,
    funding_round: FundingRound,
    *,
    failed: tuple[uuid.UUID, DecisionForm] | None = None,
    partner_form: PartnerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    can_decide = _can_decide(user, funding_round)
    leads = has_role_in(user, funding_round.commissioner_id, [Membership.Role.COMMISSIONER])
    criteria = round_criteria(funding_round)
    rows: list[dict[str, Any]] = []
    for application in round_applications_in_full(funding_round):
        form = None
        withdrawn = application.status == Application.Status.WITHDRAWN
        if failed and failed[0] == application.id:
            # A refused decision is shown with its reasons, even on a withdrawn application.
            form = failed[1]
        elif can_decide and not application.is_decided and not withdrawn:
            form = DecisionForm(prefix=str(application.id), criteria=criteria)
        rows.append(
            {
                "application": application,
                "form": form,
                "ask_form": (
                    InformationRequestForm(prefix=f"ask-{application.id}")
                    if form is not None and not withdrawn
                    else None
                ),
            }
        )
    reach, reach_error = round_reach(funding_round)
    declined = [
        row["application"]
        for row in rows
        if row["application"].status == Application.Status.DECLINED
    ]
    return render(
        request,
        "commissioning/round.html",
        {
            "round": funding_round,
            "rows": rows,
            "declined": declined,
            "can_decide": can_decide,
            "leads": leads,
            "partner_form": (
                partner_form or PartnerForm(funding_round=funding_round) if leads else None
            ),
            "contributions": round_contributions(funding_round),
            "is_open": funding_round.is_open_on(timezone.localdate()),
            "times": round_times(funding_round),
            "remaining": round_remaining_budget(funding_round),
            "reach": reach,
            "reach_error": reach_error,
        },
        status=status,
    )


@never_cache
@staff_required
@require_GET
def round_detail(request: HttpRequest, round_id: uuid.UUID) -> HttpResponse:
    """A round and its applications, for its commissioner's office only."""
    return _round_page(request, funding_round_get_for_office(signed_in_user(request), round_id))


@never_cache
@staff_required
@require_POST
def decide(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    """Award or decline an application (commissioners of the round's office)."""
    user = signed_in_user(request)
    application = application_get_for_office(user, application_id)
    funding_round = application.funding_round
    if not _can_decide(user, funding_round):
        raise PermissionDenied("Only the office's commissioners may decide applications.")
    form = DecisionForm(
        request.POST, prefix=str(application.id), criteria=round_criteria(funding_round)
    )
    if form.is_valid():
        try:
            application_decide(
                application=application,
                actor=user,
                outcome=form.cleaned_data["outcome"],
                feedback=form.cleaned_data["feedback"],
                amount_awarded=form.cleaned_data["amount_awarded"],
                criterion_feedback=form.criterion_feedback(),
                support_offered=form.cleaned_data["support_offered"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                _("Decision recorded for %(name)s.") % {"name": application.applicant.name},
            )
            return HttpResponseRedirect(reverse("commissioning:round", args=[funding_round.id]))
    return _round_page(request, funding_round, failed=(application.id, form), status=400)


@never_cache
@staff_required
@require_POST
def review(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    """Mark an application as under review."""
    user = signed_in_user(request)
    application = application_get_for_office(user, application_id)
    if not _can_decide(user, application.funding_round):
        raise PermissionDenied("Only the office's commissioners may review applications.")
    try:
        application_review_start(application=application, actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return HttpResponseRedirect(reverse("commissioning:round", args=[application.funding_round_id]))

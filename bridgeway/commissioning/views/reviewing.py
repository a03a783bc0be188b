"""The reviewer's pages: what to review, declaring conflicts, scoring.

An application is shown to a reviewer only after they declare no conflict with it.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from bridgeway.accounts.access import signed_in_user, staff_required
from bridgeway.commissioning.forms import DeclarationForm, ScoreForm
from bridgeway.commissioning.models import Criterion
from bridgeway.commissioning.selectors import (
    application_get_for_reviewer,
    applications_to_review,
    reviewer_state,
)
from bridgeway.commissioning.services.reviews import conflict_declare, scores_record
from bridgeway.forms import form_errors_from


@never_cache
@staff_required
@require_GET
def to_review(request: HttpRequest) -> HttpResponse:
    """The applications waiting for the signed-in reviewer."""
    return render(
        request,
        "commissioning/to_review.html",
        {"listed": applications_to_review(signed_in_user(request))},
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def score(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    """Declare a conflict (first), then see and score the application."""
    user = signed_in_user(request)
    application = application_get_for_reviewer(user, application_id)
    assigned, declaration = reviewer_state(user, application)
    if not assigned:
        raise PermissionDenied("Only the round's reviewers score its applications.")
    if declaration is not None and declaration.has_conflict:
        raise PermissionDenied("A reviewer with a declared conflict cannot see the application.")
    funding_round = application.funding_round
    status = 200
    if declaration is None:
        form = DeclarationForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    conflict_declare(
                        application=application,
                        reviewer=user,
                        has_conflict=form.cleaned_data["has_conflict"],
                        note=form.cleaned_data["note"],
                    )
                except ValidationError as error:
                    form_errors_from(error, form)
                else:
                    messages.success(request, _("Declaration recorded."))
                    target = (
                        "commissioning:to_review"
                        if form.cleaned_data["has_conflict"]
                        else "commissioning:score"
                    )
                    args = [] if form.cleaned_data["has_conflict"] else [application.id]
                    return HttpResponseRedirect(reverse(target, args=args))
        return render(
            request,
            "commissioning/declare.html",
            {"application": application, "round": funding_round, "form": form},
            status=status,
        )
    criteria = list(Criterion.objects.filter(funding_round=funding_round))
    score_form = ScoreForm(
        request.POST if request.method == "POST" else None,
        criteria=criteria,
        score_max=funding_round.score_max,
    )
    if request.method == "POST":
        status = 400
        if score_form.is_valid():
            try:
                scores_record(application=application, reviewer=user, scores=score_form.scores())
            except ValidationError as error:
                form_errors_from(error, score_form)
            else:
                messages.success(request, _("Scores saved."))
                return HttpResponseRedirect(reverse("commissioning:to_review"))
    return render(
        request,
        "commissioning/score.html",
        {"application": application, "round": funding_round, "form": score_form},
        status=status,
    )

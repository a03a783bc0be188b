"""Staff pages for casework: the inbox, a referral, and moving a referral on.

Thin: check who is asking, call a selector or service, render. Every page needs both sign-in
factors and a casework role (practitioner or organisation administrator); another
organisation's referral is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from bridgeway.accounts.access import CASEWORK_ROLES, require_role, staff_required
from bridgeway.accounts.models import User
from bridgeway.casework.forms import InboxFilterForm, StageMoveForm
from bridgeway.casework.models import ContactPreference, Referral, Report
from bridgeway.casework.selectors import (
    inbox_for_user,
    referral_for_user,
    referral_get_for_user,
    referral_timeline,
)
from bridgeway.casework.services import referral_advance, stage_can_follow
from bridgeway.equality.vocabulary import vocabulary


def _staff_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # staff_required has already sent anonymous people away
        raise TypeError("casework views need staff_required")
    return user


def _caseworker(request: HttpRequest) -> User:
    """The signed-in member of staff, who must work cases somewhere (403 otherwise)."""
    user = _staff_user(request)
    require_role(user, CASEWORK_ROLES)
    return user


@never_cache
@require_GET
@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The referrals and reports of the organisations the member of staff works cases for."""
    user = _staff_user(request)
    organisations = require_role(user, CASEWORK_ROLES)
    form = InboxFilterForm(request.GET)
    status = 200
    if form.is_valid():
        filters = form.cleaned_data
    else:
        # Bad filters are named on the page and the whole inbox is shown instead.
        filters = {}
        status = 400
    stage = filters.get("stage") or None
    kind = filters.get("kind") or None
    page = inbox_for_user(user, stage=stage, kind=kind, page=filters.get("page") or 1)
    context = {
        "form": form,
        "page": page,
        "now": timezone.now(),
        "filtered": bool(stage or kind),
        "several_organisations": len(organisations) > 1,
    }
    return render(request, "casework/inbox.html", context, status=status)


@never_cache
@require_GET
@staff_required
def referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One referral or report: the person, how to contact them, what happened, its timeline."""
    user = _caseworker(request)
    referral = referral_get_for_user(user, reference)
    return _render_referral(request, referral, StageMoveForm(next_stages=_next_stages(referral)))


@never_cache
@require_POST
@staff_required
def referral_advance_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Move a referral to a later stage; on a bad move, show the page again with the reason."""
    user = _caseworker(request)
    referral = referral_for_user(user, reference)
    form = StageMoveForm(request.POST, next_stages=_next_stages(referral))
    if form.is_valid():
        stage = form.cleaned_data["stage"]
        try:
            referral_advance(
                referral=referral,
                stage=stage,
                actor=user,
                coped_better=form.coped_better_value,
            )
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            messages.success(
                request,
                _("%(reference)s moved to “%(stage)s”.")
                % {
                    "reference": referral.reference,
                    "stage": vocabulary("funnel_stages").label(stage),
                },
            )
            return redirect("casework:referral-detail", reference=referral.reference)
    # Showing the page again shows the case: that is a read, and is audited as one.
    referral = referral_get_for_user(user, reference)
    return _render_referral(request, referral, form, status=400)


def _next_stages(referral: Referral) -> list[str]:
    return [
        code
        for code in vocabulary("funnel_stages").ordered_codes()
        if stage_can_follow(referral.stage, code)
    ]


def _render_referral(
    request: HttpRequest, referral: Referral, form: StageMoveForm, status: int = 200
) -> HttpResponse:
    person = referral.person
    try:
        contact: ContactPreference | None = person.contact_preference
    except ContactPreference.DoesNotExist:
        contact = None
    try:
        report: Report | None = referral.report
    except Report.DoesNotExist:
        report = None
    channel_labels = dict(ContactPreference.Channel.choices)
    context: dict[str, Any] = {
        "referral": referral,
        "person": person,
        "contact": contact,
        "contact_channels": [
            channel_labels.get(code, code) for code in (contact.channels if contact else [])
        ],
        "report": report,
        "timeline": referral_timeline(referral),
        "form": form,
        "now": timezone.now(),
    }
    return render(request, "casework/referral_detail.html", context, status=status)

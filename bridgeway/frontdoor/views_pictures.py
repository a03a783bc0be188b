"""The person who reported adds screenshots or photos, from their follow-up page (issue 15).

Only with a live follow-up grant (their reference and code opened the report on this
browser). The pictures go to the reporting centre, cleaned of location and device details and
sealed; the page never shows them back, only how many the centre has.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from bridgeway.accounts.middleware import public
from bridgeway.casework.evidence_forms import EvidenceForm
from bridgeway.casework.evidence_images import MAX_BYTES
from bridgeway.casework.models import Evidence, Referral
from bridgeway.casework.services.evidence import MAX_EVIDENCE_PER_REFERRAL, evidence_attach
from bridgeway.forms import form_errors_from
from bridgeway.frontdoor.csrf import same_origin_posts
from bridgeway.frontdoor.views import _grant, _granted_referral


def _page(
    request: HttpRequest, referral: Referral, form: EvidenceForm, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "kept": Evidence.objects.filter(referral=referral).count(),
        "limit": MAX_EVIDENCE_PER_REFERRAL,
        "organisation": referral.organisation.name,
    }
    return render(request, "frontdoor/follow_up_pictures.html", context, status=status)


@public
@same_origin_posts
@never_cache
@require_http_methods(["GET", "POST"])
def follow_up_pictures(request: HttpRequest) -> HttpResponse:
    """Add a screenshot or photo to one's report; without an open report, back to the start."""
    grant = _grant(request)
    referral = _granted_referral(request, grant) if grant else None
    if referral is None:
        return redirect("frontdoor:follow-up")
    if request.method == "GET":
        return _page(request, referral, EvidenceForm())
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            evidence_attach(
                referral=referral,
                data=upload.read(MAX_BYTES + 1),
                declared_type=upload.content_type or "",
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                _("Your picture was added. We removed its location and phone details."),
            )
            return redirect("frontdoor:follow-up-pictures")
    return _page(request, referral, form, status=400)

"""Staff pages for a case's screenshots and photos (list, add, look at one) and its police pack."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from bridgeway.accounts.access import CASEWORK_ROLES, require_role, signed_in_user, staff_required
from bridgeway.casework.evidence_forms import EvidenceForm
from bridgeway.casework.evidence_images import MAX_BYTES
from bridgeway.casework.evidence_selectors import evidence_for_referral, evidence_get_for_user
from bridgeway.casework.models import Consent, Referral, Share
from bridgeway.casework.selectors import referral_for_user
from bridgeway.casework.services.evidence import evidence_attach, evidence_bytes
from bridgeway.casework.services.police_pack import police_pack_make
from bridgeway.forms import form_errors_from


def _page(
    request: HttpRequest, referral: Referral, form: EvidenceForm, status: int = 200
) -> HttpResponse:
    context = {"referral": referral, "form": form, "evidence": evidence_for_referral(referral)}
    return render(request, "casework/evidence.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def evidence_view(request: HttpRequest, reference: str) -> HttpResponse:
    """The case's pictures; POST keeps one more, cleaned and sealed."""
    user = signed_in_user(request)
    require_role(user, CASEWORK_ROLES)
    referral = referral_for_user(user, reference)
    if request.method == "GET":
        return _page(request, referral, EvidenceForm())
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        # Read no more than one byte past the limit: a larger file is refused by its size.
        data = upload.read(MAX_BYTES + 1)
        try:
            evidence_attach(
                referral=referral,
                data=data,
                declared_type=upload.content_type or "",
                actor=user,
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Picture added. Its location and other details removed."))
            return redirect("casework:evidence", reference=referral.reference)
    return _page(request, referral, form, status=400)


@never_cache
@require_GET
@staff_required
def evidence_image_view(request: HttpRequest, reference: str, evidence_id: str) -> HttpResponse:
    """One picture, for the case's own organisation only (404 for anyone else); audited."""
    user = signed_in_user(request)
    require_role(user, CASEWORK_ROLES)
    evidence = evidence_get_for_user(user, reference, evidence_id)
    response = HttpResponse(evidence_bytes(evidence), content_type=evidence.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_GET
@staff_required
def police_pack_view(request: HttpRequest, reference: str, share_id: str) -> HttpResponse:
    """The handover pack (PDF) of a report passed to the police; 404 for anyone else's case."""
    user = signed_in_user(request)
    require_role(user, CASEWORK_ROLES)
    referral = referral_for_user(user, reference)
    share = (
        Share.objects.filter(
            referral=referral, scope=Consent.Scope.POLICE, pk=_share_number(share_id)
        )
        .select_related(
            "consent", "recipient_police_force_area", "referral__person", "referral__organisation"
        )
        .first()
    )
    if share is None:
        raise Http404("No such share")
    try:
        pdf = police_pack_make(share=share, actor=user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("casework:referral-detail", reference=referral.reference)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="police-handover-{referral.reference}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _share_number(share_id: str) -> int:
    return int(share_id) if share_id.isdigit() and len(share_id) < 19 else 0

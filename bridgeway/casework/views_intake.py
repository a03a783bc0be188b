"""Staff pages for a referral that arrived another way: by phone, from the police, a school."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from bridgeway.accounts.access import CASEWORK_ROLES, require_role, signed_in_user, staff_required
from bridgeway.casework.intake_forms import StaffIntakeForm
from bridgeway.casework.services import referral_intake
from bridgeway.forms import form_errors_from

# Service arguments the form names differently.
_FIELD_FOR = {"received_at": "received_on", "harm_types": "harm_types"}


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def intake_view(request: HttpRequest) -> HttpResponse:
    """Record a referral that arrived by phone, from the police, at a drop-in, and so on."""
    user = signed_in_user(request)
    require_role(user, CASEWORK_ROLES)
    if request.method == "GET":
        return render(request, "casework/intake.html", {"form": StaffIntakeForm(user=user)})
    form = StaffIntakeForm(request.POST, user=user)
    if form.is_valid():
        try:
            referral = referral_intake(
                actor=user,
                service=form.cleaned_data["service"],
                arrival=form.arrival(),
                details=form.person_details(),
                contact=form.contact_details(),
                harm_types=form.cleaned_data["harm_types"],
                hate_strands=form.cleaned_data["hate_strands"],
                narrative=form.cleaned_data["narrative"],
            )
        except ValidationError as error:
            form_errors_from(error, form, field_for=_FIELD_FOR)
        else:
            messages.success(
                request,
                _("Referral %(reference)s recorded. Record the consent the person gave below.")
                % {"reference": referral.reference},
            )
            return redirect("casework:referral-detail", reference=referral.reference)
    return render(request, "casework/intake.html", {"form": form}, status=400)

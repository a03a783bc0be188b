"""Staff pages for a referral that arrived another way: by phone, from the police, a school.

Before a new person is created, the records of the organisation that are likely the same
person are shown; the practitioner says whether this is one of them or someone new.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from bridgeway.accounts.access import CASEWORK_ROLES, require_role, signed_in_user, staff_required
from bridgeway.accounts.models import User
from bridgeway.casework.intake_forms import StaffIntakeForm
from bridgeway.casework.models import Referral
from bridgeway.casework.people_selectors import PersonMatch, duplicate_suggestions
from bridgeway.casework.services import referral_intake
from bridgeway.casework.services.merge import person_merge
from bridgeway.forms import form_errors_from

# Service arguments the form names differently.
_FIELD_FOR = {"received_at": "received_on"}
NEW_PERSON = "new"


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
    suggestions: list[PersonMatch] = []
    if form.is_valid():
        details = form.person_details()
        suggestions = duplicate_suggestions(
            form.cleaned_data["service"].organisation_id,
            name=details.name,
            phone=details.phone,
            email=details.email,
            date_of_birth=details.date_of_birth,
        )
        decision = form.cleaned_data["same_person"]
        known = {str(m.person.pk): m for m in suggestions}
        if suggestions and not decision:
            # Not an error: the practitioner has a question to answer first.
            return render(
                request, "casework/intake.html", {"form": form, "suggestions": suggestions}
            )
        if decision and decision != NEW_PERSON and decision not in known:
            form.add_error("same_person", _("Choose one of the records shown, or someone new."))
        else:
            referral = _record(form, user, known.get(decision))
            if referral is not None:
                messages.success(
                    request,
                    _("Referral %(reference)s recorded. Record the consent the person gave below.")
                    % {"reference": referral.reference},
                )
                return redirect("casework:referral-detail", reference=referral.reference)
    return render(
        request, "casework/intake.html", {"form": form, "suggestions": suggestions}, status=400
    )


def _record(form: StaffIntakeForm, user: User, same: PersonMatch | None) -> Referral | None:
    """The referral recorded (with its person merged into ``same``), or None with the form's
    errors set."""
    try:
        with transaction.atomic():
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
            if same is not None:
                person_merge(actor=user, kept=same.person, merged=referral.person)
                referral.refresh_from_db()
    except ValidationError as error:
        form_errors_from(error, form, field_for=_FIELD_FOR)
        return None
    return referral

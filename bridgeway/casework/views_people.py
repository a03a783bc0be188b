"""Staff pages for people: search within one's organisations, merging two records of one
person, and an administrator undoing a merge."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridgeway.accounts.access import CASEWORK_ROLES, require_role, signed_in_user, staff_required
from bridgeway.casework.intake_forms import PersonEditForm
from bridgeway.casework.models import PersonMerge
from bridgeway.casework.people_forms import MergeForm, PersonSearchForm
from bridgeway.casework.people_selectors import people_search
from bridgeway.casework.selectors import referral_for_user
from bridgeway.casework.services import audit_record
from bridgeway.casework.services.corrections import person_correct, person_erase
from bridgeway.casework.services.merge import person_merge, person_merge_undo
from bridgeway.forms import form_errors_from


@never_cache
@require_GET
@staff_required
def people_search_view(request: HttpRequest) -> HttpResponse:
    """Find a person by name, date of birth, phone, email or reference."""
    user = signed_in_user(request)
    organisations = require_role(user, CASEWORK_ROLES)
    form = PersonSearchForm(request.GET or None)
    matches = []
    status = 200
    if form.is_bound:
        if form.is_valid():
            matches = people_search([o.pk for o in organisations], form.cleaned_data["q"])
            audit_record(
                actor=user,
                organisation=organisations[0] if len(organisations) == 1 else None,
                action="person.search",
                object_type="person",
                object_id="",
                detail={"found": len(matches), "kind": matches[0].matched_on[0] if matches else ""},
            )
        else:
            status = 400
    context = {"form": form, "matches": matches, "searched": form.is_bound and form.is_valid()}
    return render(request, "casework/people_search.html", context, status=status)


@never_cache
@require_POST
@staff_required
def person_merge_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Merge this referral's person into the person of another referral (``into``)."""
    user = signed_in_user(request)
    require_role(user, CASEWORK_ROLES)
    referral = referral_for_user(user, reference)
    form = MergeForm(request.POST)
    if form.is_valid():
        try:
            kept = referral_for_user(user, form.cleaned_data["into"])
        except Http404:
            form.add_error("into", _("Enter the reference of a case of your organisation."))
        else:
            try:
                person_merge(actor=user, kept=kept.person, merged=referral.person)
            except ValidationError as error:
                form.add_error("into", error.messages)
            else:
                messages.success(
                    request,
                    _("The records are merged: %(reference)s is now with %(into)s.")
                    % {"reference": referral.reference, "into": kept.reference},
                )
                return redirect("casework:referral-detail", reference=referral.reference)
    return render(
        request, "casework/merge_failed.html", {"form": form, "referral": referral}, status=400
    )


@never_cache
@require_POST
@staff_required
def person_merge_undo_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Undo the latest merge into this referral's person (organisation administrators)."""
    user = signed_in_user(request)
    require_role(user, CASEWORK_ROLES)
    referral = referral_for_user(user, reference)
    merge = (
        PersonMerge.objects.filter(kept_id=referral.person_id, undone_at__isnull=True)
        .order_by("-merged_at", "-id")
        .first()
    )
    if merge is None:
        messages.error(request, _("There is no merge to undo for this person."))
        return redirect("casework:referral-detail", reference=referral.reference)
    try:
        person_merge_undo(actor=user, merge=merge)
    except PermissionDenied:
        raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The merge is undone: the two records are apart again."))
    return redirect("casework:referral-detail", reference=referral.reference)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def person_edit_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Correct the details, contact preferences and equality answers of a case's person."""
    user = signed_in_user(request)
    require_role(user, CASEWORK_ROLES)
    referral = referral_for_user(user, reference)
    person = referral.person
    if request.method == "GET":
        form = PersonEditForm(person=person)
        return render(request, "casework/person_edit.html", {"form": form, "referral": referral})
    form = PersonEditForm(request.POST, person=person)
    if form.is_valid():
        try:
            correction = person_correct(
                actor=user,
                person=person,
                details=form.person_details(),
                contact=form.contact_details(),
                requested_by_person=form.cleaned_data["requested_by_person"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                _("The record is corrected.") if correction else _("Nothing was changed."),
            )
            return redirect("casework:referral-detail", reference=referral.reference)
    context = {"form": form, "referral": referral}
    return render(request, "casework/person_edit.html", context, status=400)


@never_cache
@require_POST
@staff_required
def person_erase_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Carry out the person's request to erase their record (organisation administrators)."""
    user = signed_in_user(request)
    require_role(user, CASEWORK_ROLES)
    referral = referral_for_user(user, reference)
    if request.POST.get("confirm") != "yes":
        messages.error(
            request, _("Tick the box to confirm the person asked for their record to be erased.")
        )
        return redirect("casework:person-edit", reference=referral.reference)
    person_erase(actor=user, person=referral.person)
    messages.success(
        request, _("The person's record is erased: their details and what they told us are gone.")
    )
    return redirect("casework:referral-detail", reference=referral.reference)

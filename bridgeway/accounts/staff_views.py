"""Organisation administrators manage their staff: list, add, remove, issue set-up links.

And enrolment links, with which a member sets up a new authenticator app.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from bridgeway.accounts.access import signed_in_user, staff_required
from bridgeway.accounts.enrolment import staff_enrolment_link_issue
from bridgeway.accounts.forms import StaffMemberAddForm
from bridgeway.accounts.selectors import (
    administered_organisations,
    membership_get_for_admin,
    staff_of,
)
from bridgeway.accounts.services import (
    staff_member_add,
    staff_member_remove,
    staff_set_up_link_issue,
)
from bridgeway.forms import form_errors_from


@never_cache
@staff_required
@require_http_methods(["GET"])
def staff_list(request: HttpRequest) -> HttpResponse:
    """The members of each organisation the signed-in person administers."""
    user = signed_in_user(request)
    organisations = administered_organisations(user)
    return render(
        request,
        "accounts/staff_list.html",
        {"groups": staff_of(organisations)},
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def staff_add(request: HttpRequest) -> HttpResponse:
    """Add a practitioner or administrator; show the one-time set-up link once."""
    user = signed_in_user(request)
    organisations = administered_organisations(user)
    form = StaffMemberAddForm(
        request.POST if request.method == "POST" else None, organisations=organisations
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                added = staff_member_add(
                    organisation=form.cleaned_data["organisation"],
                    email=form.cleaned_data["email"],
                    full_name=form.cleaned_data["full_name"],
                    role=form.cleaned_data["role"],
                    added_by=user,
                )
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                return render(
                    request,
                    "accounts/staff_added.html",
                    {
                        "membership": added.membership,
                        "set_up_url": (
                            request.build_absolute_uri(added.set_up_path)
                            if added.set_up_path
                            else None
                        ),
                    },
                )
    return render(request, "accounts/staff_add.html", {"form": form}, status=status)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def staff_remove(request: HttpRequest, slug: str, member_id: uuid.UUID) -> HttpResponse:
    """Confirm, then remove someone from one of the administrator's organisations."""
    user = signed_in_user(request)
    membership = membership_get_for_admin(user, slug, member_id)
    is_self = membership.user_id == user.pk
    error = ""
    status = 200
    if request.method == "POST":
        try:
            switched_off = staff_member_remove(membership=membership, removed_by=user)
        except ValidationError as problem:
            error = " ".join(problem.messages)
            status = 400
        else:
            if switched_off:
                text = _(
                    "%(name)s has been removed from %(organisation)s. They belonged to no other "
                    "organisation, so their account is switched off."
                )
            else:
                text = _("%(name)s has been removed from %(organisation)s.")
            messages.success(
                request,
                text
                % {"name": membership.user.full_name, "organisation": membership.organisation.name},
            )
            return HttpResponseRedirect(reverse("accounts:staff"))
    return render(
        request,
        "accounts/staff_remove.html",
        {"membership": membership, "is_self": is_self, "error": error},
        status=status,
    )


@never_cache
@staff_required
@require_POST
def staff_set_up_link(request: HttpRequest, slug: str, member_id: uuid.UUID) -> HttpResponse:
    """A new set-up link for a member who has not chosen a password (earlier links stop)."""
    user = signed_in_user(request)
    membership = membership_get_for_admin(user, slug, member_id)
    try:
        path = staff_set_up_link_issue(membership=membership, issued_by=user)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
        return HttpResponseRedirect(reverse("accounts:staff"))
    return render(
        request,
        "accounts/staff_added.html",
        {
            "membership": membership,
            "set_up_url": request.build_absolute_uri(path),
            "reissued": True,
        },
    )


@never_cache
@staff_required
@require_POST
def staff_enrolment_link(request: HttpRequest, slug: str, member_id: uuid.UUID) -> HttpResponse:
    """An enrolment link for a member who must set up a new authenticator app; shown once."""
    user = signed_in_user(request)
    membership = membership_get_for_admin(user, slug, member_id)
    try:
        issued = staff_enrolment_link_issue(membership=membership, issued_by=user)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
        return HttpResponseRedirect(reverse("accounts:staff"))
    return render(
        request,
        "accounts/staff_enrolment_link.html",
        {
            "membership": membership,
            "enrolment_url": request.build_absolute_uri(issued.path),
            "expires_at": issued.link.expires_at,
        },
    )

"""Staff pages where an organisation's administrators keep their service listings true."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from bridgeway.accounts.access import signed_in_user, staff_required
from bridgeway.directory.forms import (
    FIELD_FOR_ARGUMENT,
    ServiceListingForm,
    child_changes,
    child_formsets,
)
from bridgeway.directory.selectors import service_get_for_listing, services_for_listing_admin
from bridgeway.directory.services import service_update
from bridgeway.forms import form_errors_from


@never_cache
@staff_required
def listings(request: HttpRequest) -> HttpResponse:
    """The services whose listings the signed-in administrator keeps."""
    services = list(services_for_listing_admin(signed_in_user(request)))
    now = timezone.now()
    rows = [{"service": s, "unverified": s.is_unverified(now)} for s in services]
    needs_attention = any(s.area_not_known or s.is_unverified(now) for s in services)
    return render(
        request,
        "directory/listings.html",
        {"services": services, "rows": rows, "needs_attention": needs_attention},
    )


@never_cache
@staff_required
def listing_edit(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    """Edit one service's whole listing; 404 for another organisation's service.

    The listing, its locations, other phone numbers and opening hours are saved together
    or not at all: one ``service_update`` in one transaction.
    """
    service = service_get_for_listing(signed_in_user(request), service_id)
    if request.method == "POST":
        form = ServiceListingForm(request.POST)
        formsets = child_formsets(service, request.POST)
        if form.is_valid() and all(f.is_valid() for f in formsets.values() if f.is_bound):
            try:
                service_update(
                    service=service,
                    confirmed=True,
                    **form.service_changes(),
                    **child_changes(formsets),
                )
            except ValidationError as error:
                _show_service_errors(form, error)
            else:
                messages.success(
                    request, _("The listing for %(name)s is saved.") % {"name": service.name}
                )
                return HttpResponseRedirect(reverse("directory:listings"))
    else:
        form = ServiceListingForm(initial=ServiceListingForm.initial_for(service))
        formsets = child_formsets(service)
    return render(
        request,
        "directory/listing_edit.html",
        {
            "service": service,
            "form": form,
            "formsets": formsets,
            "has_errors": bool(form.errors)
            or any(f.total_error_count() for f in formsets.values()),
        },
    )


# service_update's arguments for records, and the heading their errors are shown under.
_CHILD_ERRORS = ("locations", "phones", "schedules")


def _show_service_errors(form: ServiceListingForm, error: ValidationError) -> None:
    """Show the service's ``ValidationError`` against the field it names (or at the top)."""
    problems = error.message_dict
    for argument in _CHILD_ERRORS:
        for problem in problems.pop(argument, []):
            form.add_error(None, f"{_CHILD_LABELS[argument]()} {problem}")
    form_errors_from(ValidationError(problems), form, field_for=FIELD_FOR_ARGUMENT)


_CHILD_LABELS = {
    "locations": lambda: _("Location"),
    "phones": lambda: _("Other phone number"),
    "schedules": lambda: _("Opening hours"),
}

"""The caseload page: an organisation's own work, for its administrators."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bridgeway.accounts.access import (
    STAFF_ADMIN_ROLES,
    require_role,
    signed_in_user,
    staff_required,
)
from bridgeway.casework.caseload_selectors import CASELOAD_WINDOW_DAYS, caseload_for
from bridgeway.casework.services.audit import audit_record


@never_cache
@require_GET
@staff_required
def caseload_view(request: HttpRequest) -> HttpResponse:
    """Open cases by stage and worker, waits, overdue tasks, channels and decline reasons.

    Only an organisation's administrators see it, and only for their own organisation; with
    several, ``?organisation=<slug>`` picks one (another organisation's slug is a 404).
    """
    user = signed_in_user(request)
    organisations = require_role(user, STAFF_ADMIN_ROLES)
    slug = request.GET.get("organisation", "")
    if slug:
        chosen = [o for o in organisations if o.slug == slug]
        if not chosen:
            raise Http404("No such organisation among yours.")
        organisation = chosen[0]
    else:
        organisation = organisations[0]
    caseload = caseload_for(organisation)
    audit_record(
        actor=user,
        organisation=organisation,
        action="caseload.view",
        object_type="organisation",
        object_id=str(organisation.pk),
    )
    context = {
        "caseload": caseload,
        "organisations": organisations,
        "window_days": CASELOAD_WINDOW_DAYS,
    }
    return render(request, "casework/caseload.html", context)

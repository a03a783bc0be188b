"""An organisation applying: a draft saved and returned to, documents added, sent before the
close, withdrawn before it (decision 0137). Documents are streamed only to those who may
see them, and every download is audited.

Thin: reads through ``selectors``, writes through ``services.applying``.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridgeway.accounts.access import signed_in_user, staff_required
from bridgeway.commissioning import attachment_types
from bridgeway.commissioning.forms import ApplicationForm, AttachmentForm
from bridgeway.commissioning.models import Application, FundingRound
from bridgeway.commissioning.selectors import (
    applying_organisations,
    attachment_get_for_user,
    earlier_feedback,
    open_round_get,
    own_application_get,
    published_round_get,
)
from bridgeway.commissioning.services.applying import (
    application_draft_save,
    application_draft_submit,
    application_withdraw,
    attachment_add,
    attachment_download_record,
    attachment_remove,
)
from bridgeway.forms import form_errors_from


def _page(
    request: HttpRequest,
    funding_round: FundingRound,
    form: ApplicationForm,
    *,
    application: Application | None = None,
    attachment_form: AttachmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    organisations = applying_organisations(signed_in_user(request))
    return render(
        request,
        "commissioning/apply.html",
        {
            "round": funding_round,
            "form": form,
            "application": application,
            "attachments": list(application.attachments.all()) if application else [],
            "attachment_form": attachment_form or (AttachmentForm() if application else None),
            "is_open": funding_round.is_open_at(timezone.now()),
            "earlier": earlier_feedback(organisations, before=funding_round),
        },
        status=status,
    )


def _save(
    request: HttpRequest,
    funding_round: FundingRound,
    form: ApplicationForm,
    application: Application | None,
) -> HttpResponse:
    """Save the draft, then send it if asked; a refusal shows the page again with reasons."""
    user = signed_in_user(request)
    if not form.is_valid():
        return _page(request, funding_round, form, application=application, status=400)
    try:
        application = application_draft_save(
            funding_round=funding_round,
            applicant=form.cleaned_data["applicant"],
            actor=user,
            content=form.content(),
            application=application,
        )
    except ValidationError as error:
        form_errors_from(error, form)
        return _page(request, funding_round, form, application=application, status=400)
    if request.POST.get("action") != "submit":
        messages.success(request, _("Your draft has been saved. Only your organisation sees it."))
        return HttpResponseRedirect(reverse("commissioning:draft", args=[application.id]))
    try:
        application_draft_submit(application=application, actor=user)
    except ValidationError as error:
        form_errors_from(error, form)
        messages.error(request, _("Your draft has been saved, but it cannot be sent yet."))
        return _page(request, funding_round, form, application=application, status=400)
    messages.success(
        request,
        _("Your application to %(title)s has been submitted.") % {"title": funding_round.title},
    )
    return HttpResponseRedirect(reverse("commissioning:rounds"))


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, round_id: uuid.UUID) -> HttpResponse:
    """Start an application to an open round for an organisation one administers."""
    user = signed_in_user(request)
    # A page loaded before the close and sent after it is told the round has closed.
    funding_round = (
        published_round_get(round_id)
        if request.method == "POST"
        else open_round_get(round_id, today=timezone.localdate())
    )
    organisations = applying_organisations(user)
    if not organisations:
        raise PermissionDenied("Only administrators of support organisations may apply.")
    if request.method == "POST":
        form = ApplicationForm(
            request.POST, organisations=organisations, funding_round=funding_round
        )
        return _save(request, funding_round, form, None)
    form = ApplicationForm(
        organisations=organisations,
        funding_round=funding_round,
        initial={"areas_served": [a.code for a in funding_round.areas.all()]},
    )
    return _page(request, funding_round, form)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def draft(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    """Return to a draft: change it, add documents, send it."""
    user = signed_in_user(request)
    application = own_application_get(user, application_id)
    if not application.is_draft:
        return HttpResponseRedirect(reverse("commissioning:application", args=[application.id]))
    funding_round = application.funding_round
    organisations = [application.applicant]
    if request.method == "POST":
        form = ApplicationForm(
            request.POST, organisations=organisations, funding_round=funding_round
        )
        return _save(request, funding_round, form, application)
    form = ApplicationForm(
        organisations=organisations,
        funding_round=funding_round,
        initial=ApplicationForm.initial_from(application),
    )
    return _page(request, funding_round, form, application=application)


@never_cache
@staff_required
@require_POST
def attach(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    """Add a document to a draft."""
    user = signed_in_user(request)
    application = own_application_get(user, application_id)
    attachment_form = AttachmentForm(request.POST, request.FILES)
    if attachment_form.is_valid():
        upload = attachment_form.cleaned_data["file"]
        # One byte past the limit is enough to refuse a larger file by its size.
        data = upload.read(attachment_types.MAX_BYTES + 1)
        try:
            attachment_add(
                application=application,
                actor=user,
                kind=attachment_form.cleaned_data["kind"],
                data=data,
            )
        except ValidationError as error:
            form_errors_from(error, attachment_form)
        else:
            messages.success(request, _("Document added."))
            return HttpResponseRedirect(reverse("commissioning:draft", args=[application.id]))
    form = ApplicationForm(
        organisations=[application.applicant],
        funding_round=application.funding_round,
        initial=ApplicationForm.initial_from(application),
    )
    return _page(
        request,
        application.funding_round,
        form,
        application=application,
        attachment_form=attachment_form,
        status=400,
    )


@never_cache
@staff_required
@require_GET
def attachment(
    request: HttpRequest, application_id: uuid.UUID, attachment_id: uuid.UUID
) -> HttpResponse:
    """A document, for the organisation, the round's offices and its non-conflicted
    reviewers (404 for anyone else); every download is audited."""
    user = signed_in_user(request)
    document = attachment_get_for_user(user, application_id, attachment_id)
    with document.file.open("rb") as handle:
        data = handle.read()
    attachment_download_record(attachment=document, actor=user)
    response = HttpResponse(data, content_type=document.content_type)
    name = f"{document.kind}-{str(document.application_id)[:8]}.{document.extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@staff_required
@require_POST
def attachment_delete(
    request: HttpRequest, application_id: uuid.UUID, attachment_id: uuid.UUID
) -> HttpResponse:
    """Take a document off a draft."""
    user = signed_in_user(request)
    application = own_application_get(user, application_id)
    document = application.attachments.filter(pk=attachment_id).first()
    if document is None:
        return HttpResponseRedirect(reverse("commissioning:draft", args=[application.id]))
    try:
        attachment_remove(attachment=document, actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Document removed."))
    return HttpResponseRedirect(reverse("commissioning:draft", args=[application.id]))


@never_cache
@staff_required
@require_POST
def withdraw(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    """Withdraw a sent application before the close."""
    user = signed_in_user(request)
    application = own_application_get(user, application_id)
    try:
        application_withdraw(application=application, actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your application has been withdrawn."))
    return HttpResponseRedirect(reverse("commissioning:application", args=[application.id]))

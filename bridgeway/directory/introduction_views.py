"""Spoken introductions: the staff page where administrators keep them, and serving them."""

from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from bridgeway.accounts.access import signed_in_user, staff_required
from bridgeway.accounts.middleware import public
from bridgeway.directory.introductions import (
    INTRODUCTION_MAX_BYTES,
    NoRoomForUpload,
    byte_range,
    introduction_remove,
    introduction_upload,
)
from bridgeway.directory.models import Service, ServiceIntroduction
from bridgeway.directory.selectors import service_get_for_listing
from bridgeway.equality.labels import language_choices
from bridgeway.forms import form_errors_from


class IntroductionForm(forms.Form):
    """A recording, what kind it is, the language spoken, and every word of it."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of recording"),
        choices=ServiceIntroduction.Kind.choices,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(label=gettext_lazy("Language spoken"))
    file = forms.FileField(
        label=gettext_lazy("Recording"),
        help_text=gettext_lazy(
            "MP3, M4A, OGG, WebM or MP4, 20 MB or smaller. A recording in a language the "
            "service already has replaces the one there."
        ),
    )
    transcript = forms.CharField(
        label=gettext_lazy("Transcript"),
        help_text=gettext_lazy("Every word said in the recording, for people who cannot hear it."),
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", ""), *language_choices()]  # type: ignore[attr-defined]


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def introductions(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    """Add or remove one service's spoken introductions; 404 for another organisation's."""
    service = service_get_for_listing(signed_in_user(request), service_id)
    form = IntroductionForm()
    status: int | None = None
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            return _remove(request, service)
        form = IntroductionForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            replacing = service.introductions.filter(language=form.cleaned_data["language"]).first()
            try:
                introduction_upload(
                    service=service,
                    kind=form.cleaned_data["kind"],
                    upload=upload,
                    name=upload.name or "",
                    size=upload.size or 0,
                    transcript=form.cleaned_data["transcript"],
                    language=form.cleaned_data["language"],
                    uploaded_by=signed_in_user(request),
                )
            except ValidationError as error:
                form_errors_from(error, form)
                if isinstance(error, NoRoomForUpload):
                    # 507 Insufficient Storage: the server's fault, not the file's.
                    status = HTTPStatus.INSUFFICIENT_STORAGE
            else:
                messages.success(
                    request,
                    _("The new recording has replaced the one in %(language)s.")
                    % {"language": replacing.language_name}
                    if replacing
                    else _("The introduction is on the service's page."),
                )
                return HttpResponseRedirect(request.path)
    return render(
        request,
        "directory/introductions.html",
        {
            "service": service,
            "form": form,
            "introductions": list(service.introductions.all()),
            "max_megabytes": INTRODUCTION_MAX_BYTES // (1024 * 1024),
        },
        status=status or (400 if form.errors else 200),
    )


def _remove(request: HttpRequest, service: Service) -> HttpResponse:
    try:
        introduction_id = uuid.UUID(request.POST.get("introduction", ""))
    except ValueError:
        raise Http404("No such introduction") from None
    introduction = service.introductions.filter(id=introduction_id).first()
    if introduction is None:
        raise Http404("No such introduction")
    introduction_remove(introduction=introduction, actor=signed_in_user(request))
    messages.success(request, _("The introduction is removed."))
    return HttpResponseRedirect(request.path)


@public
@require_GET
def introduction_media(request: HttpRequest, introduction_id: uuid.UUID) -> HttpResponseBase:
    """The recording itself, served inline with the type found in its bytes.

    Only an active service's recordings are served; anything else is a 404. A single byte
    range is honoured so players can seek (Safari will not play video without it).
    """
    introduction = (
        ServiceIntroduction.objects.filter(
            id=introduction_id, service__status=Service.Status.ACTIVE
        )
        .only("file", "content_type", "size")
        .first()
    )
    if introduction is None:
        raise Http404("No such introduction")
    try:
        handle = introduction.file.open("rb")
    except FileNotFoundError:
        raise Http404("No such introduction") from None
    size = introduction.file.size
    wanted = byte_range(request.headers.get("Range", ""), size)
    response: HttpResponseBase
    if wanted is None:
        response = FileResponse(handle, content_type=introduction.content_type)
        response["Content-Length"] = str(size)
    else:
        first, last = wanted
        handle.seek(first)
        body = handle.read(last - first + 1)
        handle.close()
        response = HttpResponse(body, status=206, content_type=introduction.content_type)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(len(body))
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response

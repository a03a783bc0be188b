"""An application's own page: its decision with feedback per criterion, the round's
questions and their answers, and the conversation between the organisation and the office.

The organisation that applied and the round's offices see it; anyone else gets a 404.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from bridgeway.accounts.access import has_role_in, signed_in_user, staff_required
from bridgeway.accounts.models import Membership
from bridgeway.commissioning.forms import (
    InformationAnswerForm,
    InformationRequestForm,
    MessageForm,
    MonitoringReturnForm,
)
from bridgeway.commissioning.models import Application
from bridgeway.commissioning.selectors import (
    application_get_for_party,
    earlier_feedback,
    has_role_in_round,
)
from bridgeway.commissioning.services.feedback import (
    information_answer,
    information_request,
    message_post,
)
from bridgeway.commissioning.services.monitoring import monitoring_return_submit
from bridgeway.forms import form_errors_from


def _page(
    request: HttpRequest,
    application: Application,
    is_applicant: bool,
    *,
    message_form: MessageForm | None = None,
    answer_form: InformationAnswerForm | None = None,
    ask_form: InformationRequestForm | None = None,
    return_form: MonitoringReturnForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    decides = has_role_in_round(user, application.funding_round, [Membership.Role.COMMISSIONER])
    # Only the funded organisation's administrators send monitoring returns (decision 0140).
    reports = (
        is_applicant
        and application.status == Application.Status.AWARDED
        and has_role_in(user, application.applicant_id, [Membership.Role.ORGANISATION_ADMIN])
    )
    open_request = next((r for r in application.information_requests.all() if r.is_open), None)
    return render(
        request,
        "commissioning/application.html",
        {
            "application": application,
            "is_applicant": is_applicant,
            "decides": decides,
            "can_withdraw": is_applicant
            and application.status
            in {
                Application.Status.SUBMITTED,
                Application.Status.UNDER_REVIEW,
                Application.Status.MORE_INFORMATION,
            }
            and application.funding_round.is_open_at(timezone.now())
            and has_role_in(user, application.applicant_id, [Membership.Role.ORGANISATION_ADMIN]),
            "open_request": open_request,
            "message_form": message_form or MessageForm(),
            # A refused form is shown again with its message, even if nothing is left to answer.
            "answer_form": answer_form
            or (InformationAnswerForm() if is_applicant and open_request else None),
            "ask_form": ask_form
            or (
                InformationRequestForm()
                if decides and not application.is_decided and open_request is None
                else None
            ),
            "returns": list(application.monitoring_returns.all()),
            "return_form": return_form or (MonitoringReturnForm() if reports else None),
            "earlier": (
                earlier_feedback([application.applicant], before=application.funding_round)
                if is_applicant
                else []
            ),
        },
        status=status,
    )


def _back(application: Application) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("commissioning:application", args=[application.id]))


@never_cache
@staff_required
@require_GET
def application_page(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application, is_applicant = application_get_for_party(signed_in_user(request), application_id)
    return _page(request, application, is_applicant)


def _post(
    request: HttpRequest,
    application_id: uuid.UUID,
    form_class: type[Form],
    page_key: str,
    write: object,
    done: str,
) -> HttpResponse:
    user = signed_in_user(request)
    application, is_applicant = application_get_for_party(user, application_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            write(application, user, form.cleaned_data)  # type: ignore[operator]
        except ValidationError as error:
            form_errors_from(error, form)
        except PermissionDenied:
            raise
        else:
            messages.success(request, done)
            return _back(application)
    return _page(request, application, is_applicant, status=400, **{page_key: form})  # type: ignore[arg-type]


@never_cache
@staff_required
@require_POST
def message(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    """Write in the conversation (the organisation, or the round's commissioners)."""
    return _post(
        request,
        application_id,
        MessageForm,
        "message_form",
        lambda a, u, data: message_post(application=a, actor=u, body=data["body"]),
        _("Message sent."),
    )


@never_cache
@staff_required
@require_POST
def ask(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    """Ask the organisation for more information; the decision clock stops."""
    return _post(
        request,
        application_id,
        InformationRequestForm,
        "ask_form",
        lambda a, u, data: information_request(application=a, actor=u, question=data["question"]),
        _("Question sent. The decision clock stops until the organisation answers."),
    )


@never_cache
@staff_required
@require_POST
def answer(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    """The organisation answers the open question; the clock starts again."""

    def write(application: Application, user: object, data: dict[str, str]) -> None:
        open_request = application.information_requests.filter(answered_at__isnull=True).first()
        if open_request is None:
            raise ValidationError({"answer": _("There is no question waiting for an answer.")})
        information_answer(request=open_request, actor=user, answer=data["answer"])  # type: ignore[arg-type]

    return _post(
        request, application_id, InformationAnswerForm, "answer_form", write, _("Answer sent.")
    )


@never_cache
@staff_required
@require_POST
def monitoring_return(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    """The funded organisation's administrators send a short monitoring return."""
    return _post(
        request,
        application_id,
        MonitoringReturnForm,
        "return_form",
        lambda a, u, data: monitoring_return_submit(application=a, actor=u, **data),
        _("Monitoring return sent."),
    )

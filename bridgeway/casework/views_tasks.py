"""Staff pages for a case's tasks: list, add, mark done."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from bridgeway.accounts.access import CASEWORK_ROLES, require_role, signed_in_user, staff_required
from bridgeway.casework.models import Referral, Task
from bridgeway.casework.selectors import referral_for_user
from bridgeway.casework.services.tasks import task_complete, task_create
from bridgeway.casework.task_forms import TaskForm
from bridgeway.casework.timescales import first_contact_days, first_contact_due
from bridgeway.casework.views import _colleagues
from bridgeway.forms import form_errors_from


def _page(
    request: HttpRequest, referral: Referral, form: TaskForm, status: int = 200
) -> HttpResponse:
    days = first_contact_days([referral.organisation_id])[referral.organisation_id]
    context = {
        "referral": referral,
        "form": form,
        "tasks": list(Task.objects.filter(referral=referral).select_related("assignee")),
        "today": timezone.localdate(),
        "first_contact_due": first_contact_due(referral.received_at, days),
    }
    return render(request, "casework/tasks.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def tasks_view(request: HttpRequest, reference: str) -> HttpResponse:
    """A case's tasks and when first contact is due; POST adds a task."""
    user = signed_in_user(request)
    require_role(user, CASEWORK_ROLES)
    referral = referral_for_user(user, reference)
    colleagues = _colleagues(referral)
    if request.method == "GET":
        return _page(
            request, referral, TaskForm(colleagues=colleagues, initial={"assignee": str(user.pk)})
        )
    form = TaskForm(request.POST, colleagues=colleagues)
    if form.is_valid():
        try:
            task_create(
                actor=user,
                referral=referral,
                kind=form.cleaned_data["kind"],
                due_on=form.cleaned_data["due_on"],
                assignee=form.assignee_value,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Task added."))
            return redirect("casework:tasks", reference=referral.reference)
    return _page(request, referral, form, status=400)


@never_cache
@require_POST
@staff_required
def task_done_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Mark one of the case's tasks done (``task`` in the form)."""
    user = signed_in_user(request)
    require_role(user, CASEWORK_ROLES)
    referral = referral_for_user(user, reference)
    task_id = request.POST.get("task", "")
    task = Task.objects.filter(referral=referral, pk=task_id).first() if task_id.isdigit() else None
    if task is None:
        raise Http404("No such task")
    task_complete(actor=user, task=task)
    messages.success(request, _("Task done."))
    return redirect("casework:tasks", reference=referral.reference)

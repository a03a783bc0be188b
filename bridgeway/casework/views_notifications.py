"""The page where a member of staff chooses which emails they get."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from bridgeway.accounts.access import CASEWORK_ROLES, require_role, signed_in_user, staff_required
from bridgeway.casework.services.notifications import (
    notification_setting_for,
    notification_setting_save,
)

CHOICES = ("on_referral", "on_message", "on_task_due", "daily_digest")


class NotificationForm(forms.Form):
    """Which of the four emails the person wants; none at all is a fair choice."""

    emails = forms.MultipleChoiceField(
        label=gettext_lazy("Email me when"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("on_referral", gettext_lazy("a referral or report arrives")),
            ("on_message", gettext_lazy("someone who reported sends a message")),
            ("on_task_due", gettext_lazy("a task of mine is due today")),
            ("daily_digest", gettext_lazy("each morning, if anything of mine is overdue")),
        ],
        error_messages={"invalid_choice": gettext_lazy("Choose emails from the list.")},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def notifications_view(request: HttpRequest) -> HttpResponse:
    """Show and save the person's email choices."""
    user = signed_in_user(request)
    require_role(user, CASEWORK_ROLES)
    setting = notification_setting_for(user)
    if request.method == "POST":
        form = NotificationForm(request.POST)
        if form.is_valid():
            chosen = set(form.cleaned_data["emails"])
            notification_setting_save(user=user, choices={c: c in chosen for c in CHOICES})
            messages.success(request, _("Your email choices are saved."))
            return redirect("casework:notifications")
        status = 400
    else:
        form = NotificationForm(
            initial={"emails": [name for name in CHOICES if getattr(setting, name)]}
        )
        status = 200
    context: dict[str, Any] = {"form": form}
    return render(request, "casework/notifications.html", context, status=status)

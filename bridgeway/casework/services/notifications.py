"""Emails to staff when something arrives or is due, and each worker's daily digest.

An email never holds personal data or what happened: it says how many new referrals,
reports, messages or due tasks there are, and links to sign in. Each member of staff who
works cases chooses which emails they get (``NotificationSetting``). Nothing is queued per
event: a run counts what arrived after the person's ``notified_until`` and moves that on
only when the SMTP server has accepted the email, so a failed send is simply tried again by
the next run, and the referral itself was saved long before any email was tried.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bridgeway.accounts.access import CASEWORK_ROLES
from bridgeway.accounts.models import STAFF_LANGUAGES, Membership, User
from bridgeway.casework.models import CaseEvent, NotificationSetting, Referral, Task
from bridgeway.casework.timescales import first_contact_days, first_contact_due

logger = logging.getLogger(__name__)

# A first run for someone looks back this far, so a new member of staff is not told of a
# year of old referrals.
FIRST_LOOK_BACK = dt.timedelta(days=1)
# A referral is stamped when it is saved but seen only once its transaction commits, so a run
# counts only what is at least this old: nothing committed late falls behind a run's mark.
SETTLE = dt.timedelta(minutes=2)
# Items listed in a digest before "and N more".
DIGEST_ITEMS_SHOWN = 20


@dataclass(frozen=True)
class RunResult:
    """What one run sent, and how many sends failed (to be tried again by the next run)."""

    sent: int
    failed: int


def notification_setting_for(user: User) -> NotificationSetting:
    """The person's choices (every email on until they choose otherwise)."""
    setting, _created = NotificationSetting.objects.get_or_create(user=user)
    return setting


@transaction.atomic
def notification_setting_save(*, user: User, choices: dict[str, bool]) -> NotificationSetting:
    """Save which emails the person wants; only the four choices can be changed."""
    setting = NotificationSetting.objects.select_for_update().get_or_create(user=user)[0]
    for name in ("on_referral", "on_message", "on_task_due", "daily_digest"):
        setattr(setting, name, bool(choices.get(name)))
    setting.save()
    return setting


def _caseworkers() -> Iterable[tuple[User, list[uuid.UUID]]]:
    """Each active member of staff who works cases, with the organisations they work for."""
    memberships = (
        Membership.objects.filter(role__in=CASEWORK_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    current: User | None = None
    organisations: list[uuid.UUID] = []
    for membership in memberships:
        if current is not None and membership.user_id != current.pk:
            yield current, organisations
            organisations = []
        current = membership.user
        organisations.append(membership.organisation_id)
    if current is not None:
        yield current, organisations


def _sign_in_link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send(user: User, subject: str, lines: list[str]) -> None:
    """One plain-text email to the person, in their staff language. Raises on failure."""
    EmailMessage(
        subject=subject,
        body="\n\n".join(lines) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    ).send(fail_silently=False)


def _language(user: User) -> str:
    return user.language if user.language in STAFF_LANGUAGES else settings.LANGUAGE_CODE


def _failed(setting: NotificationSetting, error: Exception) -> None:
    # The server's words about the failure; never the email, which is rebuilt next time.
    setting.failures += 1
    setting.last_error = f"{type(error).__name__}: {error}"[:200]
    setting.save(update_fields=["failures", "last_error"])
    logger.warning("notification to user %s not sent: %s", setting.user_id, setting.last_error)


def _news_lines(
    setting: NotificationSetting,
    organisations: list[uuid.UUID],
    since: dt.datetime,
    until: dt.datetime,
    today: dt.date,
) -> tuple[list[str], bool]:
    """The counts of what is new for the person (lines), and whether tasks due were counted."""
    lines: list[str] = []
    if setting.on_referral:
        arrived = Referral.objects.filter(
            organisation_id__in=organisations, created_at__gt=since, created_at__lte=until
        )
        referrals = arrived.filter(kind=Referral.Kind.REFERRAL).count()
        reports = arrived.filter(kind=Referral.Kind.REPORT).count()
        if referrals:
            lines.append(
                ngettext("%(count)d new referral.", "%(count)d new referrals.", referrals)
                % {"count": referrals}
            )
        if reports:
            lines.append(
                ngettext("%(count)d new report.", "%(count)d new reports.", reports)
                % {"count": reports}
            )
    if setting.on_message:
        messages = CaseEvent.objects.filter(
            referral__organisation_id__in=organisations,
            kind=CaseEvent.Kind.MESSAGE_IN,
            occurred_at__gt=since,
            occurred_at__lte=until,
        ).count()
        if messages:
            lines.append(
                ngettext("%(count)d new message.", "%(count)d new messages.", messages)
                % {"count": messages}
            )
    tasks_counted = False
    if setting.on_task_due and setting.tasks_notified_on != today:
        due = Task.objects.filter(assignee=setting.user, done_at__isnull=True, due_on=today).count()
        # Told once a day; a day with nothing due yet is asked about again on the next run.
        tasks_counted = due > 0
        if due:
            lines.append(
                ngettext("%(count)d task is due today.", "%(count)d tasks are due today.", due)
                % {"count": due}
            )
    return lines, tasks_counted


def send_notifications(*, now: dt.datetime | None = None) -> RunResult:
    """Email each caseworker what is new since their last email; retry any that failed."""
    now = now or timezone.now()
    until = now - SETTLE
    sent = failed = 0
    for user, organisations in _caseworkers():
        setting = notification_setting_for(user)
        since = setting.notified_until or (until - FIRST_LOOK_BACK)
        with translation.override(_language(user)):
            counts, tasks_counted = _news_lines(
                setting, organisations, since, until, timezone.localdate(now)
            )
            if counts:
                try:
                    _send(
                        user,
                        _("Something new on Bridgeway"),
                        [
                            _("There is something new for you on Bridgeway."),
                            *counts,
                            _("Sign in to read it: %(link)s")
                            % {"link": _sign_in_link(reverse("casework:inbox"))},
                        ],
                    )
                except (smtplib.SMTPException, OSError) as error:
                    _failed(setting, error)
                    failed += 1
                    continue
                sent += 1
        setting.notified_until = until
        fields = ["notified_until", "failures", "last_error"]
        if tasks_counted:
            setting.tasks_notified_on = timezone.localdate(now)
            fields.append("tasks_notified_on")
        setting.failures, setting.last_error = 0, ""
        setting.save(update_fields=fields)
    return RunResult(sent=sent, failed=failed)


def _day(day: dt.date) -> str:
    return formats.date_format(day, "j F Y")


def _overdue_lines(user: User, today: dt.date) -> list[str]:
    """The person's overdue items as kind and date only: nothing that names anyone."""
    lines = [
        _("%(kind)s, due %(day)s") % {"kind": task.get_kind_display(), "day": _day(task.due_on)}
        for task in Task.objects.filter(assignee=user, done_at__isnull=True, due_on__lt=today)
    ]
    waiting = list(
        Referral.objects.filter(assigned_to=user, stage="referred").only(
            "received_at", "organisation_id"
        )
    )
    days = first_contact_days({referral.organisation_id for referral in waiting})
    for referral in waiting:
        due = first_contact_due(referral.received_at, days[referral.organisation_id])
        if due < today:
            lines.append(_("First contact, due %(day)s") % {"day": _day(due)})
    return lines


def send_digests(*, now: dt.datetime | None = None) -> RunResult:
    """Once a day, email each caseworker who asked for it a list of what is overdue."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = failed = 0
    for user, _organisations in _caseworkers():
        setting = notification_setting_for(user)
        if not setting.daily_digest or setting.digest_sent_on == today:
            continue
        with translation.override(_language(user)):
            items = _overdue_lines(user, today)
            if items:
                shown = items[:DIGEST_ITEMS_SHOWN]
                if len(items) > len(shown):
                    shown.append(_("and %(count)d more") % {"count": len(items) - len(shown)})
                try:
                    _send(
                        user,
                        _("What is overdue on Bridgeway"),
                        [
                            _("These are overdue for you on Bridgeway:"),
                            "\n".join(f"- {item}" for item in shown),
                            _("Sign in to see them: %(link)s")
                            % {"link": _sign_in_link(reverse("casework:inbox") + "?due=overdue")},
                        ],
                    )
                except (smtplib.SMTPException, OSError) as error:
                    _failed(setting, error)
                    failed += 1
                    continue
                sent += 1
        setting.digest_sent_on = today
        setting.save(update_fields=["digest_sent_on"])
    return RunResult(sent=sent, failed=failed)

"""The front door's writes: each public form's record made once, however often it is sent.

A form's submission key (``submission_key_new``, in a hidden field) is claimed in the same
transaction as the record it makes (``SubmissionKey``). The same key sent again answers with
what the first sending made: the same reference, never a second referral, report or message.
Two sendings at the same moment on different app servers meet at the key's unique constraint:
on PostgreSQL the second insert waits for the first transaction, then fails, and the claim
it then reads is the first one's, already pointing at its record (decision 0125).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.casework.models import Referral
from bridgeway.casework.services import report_code_renew
from bridgeway.casework.services.evidence import evidence_attach
from bridgeway.frontdoor.models import SubmissionKey

# Long enough for a person to come back to a form after a dropped connection the next day.
SUBMISSION_KEY_LIFETIME = dt.timedelta(days=2)
# 24 random bytes in URL-safe base64 are 32 characters; anything else is not one of ours.
_KEY = re.compile(r"^[A-Za-z0-9_-]{32}$")


def submission_key_new() -> str:
    """A fresh key for a form about to be shown (192 random bits)."""
    return secrets.token_urlsafe(24)


def submission_key_from(text: object) -> str | None:
    """The key a POST carried, or None if it carried none or not one of ours."""
    if isinstance(text, str) and _KEY.match(text):
        return text
    return None


@dataclass(frozen=True)
class Submitted:
    """What a sending made or found: the record, and whether it was made before."""

    referral: Referral
    repeated: bool
    # A report's follow-up code, new each time the report's answer is given (see below).
    code: str = ""


def _claim(key: str, kind: str) -> tuple[SubmissionKey, bool]:
    """The key's claim, and whether it was made now (True) or found (False)."""
    now = timezone.now()
    # A lapsed key opens nothing: forget it, so this sending makes a record of its own.
    SubmissionKey.objects.filter(key=key, expires_at__lte=now).delete()
    return SubmissionKey.objects.get_or_create(
        key=key, defaults={"kind": kind, "expires_at": now + SUBMISSION_KEY_LIFETIME}
    )


def _once(key: str | None, kind: str, make: Callable[[], Referral]) -> tuple[Referral, bool]:
    if key is None:
        return make(), False
    claim, made_now = _claim(key, kind)
    if not made_now and claim.kind == kind and claim.referral_id is not None:
        referral = Referral.objects.select_related("organisation", "service").get(
            pk=claim.referral_id
        )
        return referral, True
    referral = make()
    if made_now:
        claim.referral = referral
        claim.save(update_fields=["referral"])
    return referral, False


@transaction.atomic
def referral_submit(*, key: str | None, make: Callable[[], Referral]) -> Submitted:
    """A self-referral made by ``make`` (casework's ``referral_create``), once per key."""
    referral, repeated = _once(key, SubmissionKey.Kind.REFERRAL, make)
    return Submitted(referral=referral, repeated=repeated)


@dataclass(frozen=True)
class Picture:
    """A screenshot or photo sent with a report, as it came: its file name, bytes and type."""

    name: str
    data: bytes
    declared_type: str


# A file name is shown back only to say which picture was refused; a long one is cut.
_NAME_SHOWN = 60


def _pictures_attach(referral: Referral, pictures: Sequence[Picture]) -> None:
    """Keep each picture with the new report (``evidence_attach``), or refuse them all.

    Every picture is tried, so that one answer names each file refused and why; if any is
    refused, ``ValidationError`` on ``pictures`` undoes the whole report with the others.
    """
    problems: list[str] = []
    for picture in pictures:
        try:
            evidence_attach(
                referral=referral, data=picture.data, declared_type=picture.declared_type
            )
        except ValidationError as error:
            name = (
                picture.name
                if len(picture.name) <= _NAME_SHOWN
                else picture.name[:_NAME_SHOWN] + "…"
            )
            for problem in error.messages:
                problems.append(
                    _("%(name)s: %(problem)s")
                    % {"name": name or _("A picture"), "problem": problem}
                )
    if problems:
        raise ValidationError({"pictures": problems})


@transaction.atomic
def report_submit(
    *,
    key: str | None,
    make: Callable[[], tuple[Referral, str]],
    pictures: Sequence[Picture] = (),
) -> Submitted:
    """A report made by ``make`` (casework's ``report_create``), once per key, with the
    screenshots or photos sent with it.

    Sent again, the report is not made twice, nor are its pictures kept twice, but its
    follow-up code is replaced: the first answer, the only one that showed the first code,
    may never have reached the person, and the code is kept only as a hash. Whichever answer
    arrives last holds the working code. A picture refused refuses the report: nothing is
    kept, the key's claim included, so the form sent again with the pictures put right makes
    the report.
    """
    codes: list[str] = []

    def made() -> Referral:
        referral, code = make()
        _pictures_attach(referral, pictures)
        codes.append(code)
        return referral

    referral, repeated = _once(key, SubmissionKey.Kind.REPORT, made)
    code = report_code_renew(referral=referral) if repeated else codes[0]
    return Submitted(referral=referral, repeated=repeated, code=code)


@transaction.atomic
def message_submit(*, key: str | None, referral: Referral, make: Callable[[], object]) -> bool:
    """A message on ``referral`` written by ``make``, once per key; True if sent before.

    A key claimed for another report is not this message's: the message is sent.
    """

    def made() -> Referral:
        make()
        return referral

    found, repeated = _once(key, SubmissionKey.Kind.MESSAGE, made)
    if repeated and found.pk != referral.pk:
        make()
        return False
    return repeated


def submission_keys_forget(*, now: dt.datetime | None = None) -> int:
    """Delete lapsed keys; returns how many."""
    deleted, _ = SubmissionKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted

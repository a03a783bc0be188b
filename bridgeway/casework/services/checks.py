"""The checks every service makes of what it is sent and of who sends it.

Private to the services package: the names keep their leading underscore because nothing
outside ``bridgeway.casework.services`` should call them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.accounts.access import CASEWORK_ROLES, has_role_in
from bridgeway.accounts.models import User
from bridgeway.equality.vocabulary import (
    NOT_KNOWN_CODES,
    UnknownCode,
    check_codes,
    vocabulary,
)


def _characteristic(name: str, code: str, field_name: str) -> str:
    if code in NOT_KNOWN_CODES or code in vocabulary(name):
        return code
    raise ValidationError(
        {
            field_name: _("%(code)s is not one of the answers you can choose.")
            % {"code": _shown(code)}
        }
    )


def _checked_codes(name: str, codes: list[str] | tuple[str, ...], field_name: str) -> list[str]:
    if isinstance(codes, str) or not isinstance(codes, list | tuple):
        raise ValidationError({field_name: _("Choose answers from the list.")})
    try:
        return check_codes(name, list(codes))
    except UnknownCode as error:
        raise ValidationError(
            {
                field_name: _("%(code)s is not one of the answers you can choose.")
                % {"code": _shown(error.code)}
            }
        ) from None


def _shown(value: object) -> str:
    """A value someone sent, short enough to quote back in a message."""
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _bounded_text(value: str, *, field_name: str, limit: int, label: str) -> str:
    """``value`` stripped, or a message naming the field when it is too long or not text."""
    if not isinstance(value, str):
        raise ValidationError({field_name: _("%(label)s must be text.") % {"label": label}})
    text = value.strip()
    if "\x00" in text:
        raise ValidationError(
            {
                field_name: _("%(label)s contains a character that cannot be stored.")
                % {"label": label}
            }
        )
    if len(text) > limit:
        raise ValidationError(
            {
                field_name: _("%(label)s must be %(limit)s characters or fewer.")
                % {"label": label, "limit": limit}
            }
        )
    return text


def _received_at(moment: dt.datetime | None) -> dt.datetime:
    if moment is None:
        return timezone.now()
    if timezone.is_naive(moment):
        # A naive time could be read as UTC or as London time: an hour's error either way.
        raise ValueError("received_at must be timezone-aware")
    return moment


def _require_caseworker_of(actor: User, organisation_id: Any) -> None:
    if not has_role_in(actor, organisation_id, CASEWORK_ROLES):
        raise PermissionDenied("This account does not work cases for this organisation.")

"""Blind index digests: keyed hashes of a person's normalised details.

HMAC-SHA256 under ``BLIND_INDEX_KEY`` (apart from the encryption keys), so a database dump
holds neither the details nor hashes anyone without the key can test guesses against.
Normalising is ``name_matching``'s (pure); this module adds the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings

from bridgeway.casework.name_matching import name_tokens, normal_email, normal_phone


def digest(kind: str, value: str) -> str:
    """The index digest of one normalised ``value`` of ``kind`` (name, phone, email, birth)."""
    key = settings.BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def name_digests(name: str) -> list[str]:
    """One digest per distinct name skeleton of ``name``."""
    return [digest("name", token) for token in name_tokens(name)]


def birth_text(value: str | dt.date | None) -> str:
    """A date of birth as the ISO text that is sealed and indexed, or "" for none/invalid."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if not value:
        return ""
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        return ""


def detail_digests(
    *, name: str = "", phone: str = "", email: str = "", date_of_birth: str = ""
) -> list[tuple[str, str]]:
    """Every (kind, digest) pair the details give, for writing or for looking up."""
    pairs = [("name", d) for d in name_digests(name)]
    if phone_value := normal_phone(phone):
        pairs.append(("phone", digest("phone", phone_value)))
    if email_value := normal_email(email):
        pairs.append(("email", digest("email", email_value)))
    if birth := birth_text(date_of_birth):
        pairs.append(("birth", digest("birth", birth)))
    return pairs

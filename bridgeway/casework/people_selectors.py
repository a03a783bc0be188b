"""Finding people within one's own organisations, although their details are sealed.

Every lookup goes through the blind index (``PersonIndex``): the query is normalised and
hashed the same way, so the database compares digests, never plaintext.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch

from bridgeway.casework.blind_index import birth_text, detail_digests, digest, name_digests
from bridgeway.casework.models import Person, PersonIndex, Referral
from bridgeway.casework.name_matching import normal_email, normal_phone
from bridgeway.casework.references import normalise_reference

# The most people one search or one set of suggestions lists.
SEARCH_LIMIT = 50
SUGGESTION_LIMIT = 10
# What each kind of agreement adds to a likely duplicate's score; a suggestion needs
# SUGGESTION_THRESHOLD, so a shared name alone (common names are common) is not one.
WEIGHTS = {"phone": 3, "email": 3, "birth": 2, "name": 2}
SUGGESTION_THRESHOLD = 3
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
_PHONE_LIKE = re.compile(r"[+0-9 ()\-]{6,}")


@dataclass
class PersonMatch:
    """A person found, why they were found, and their referrals (newest first)."""

    person: Person
    matched_on: list[str] = field(default_factory=list)
    score: int = 0

    @property
    def referrals(self) -> list[Referral]:
        """The person's referrals, prefetched."""
        return list(getattr(self.person, "listed_referrals", []))


def _date(text: str) -> str:
    for fmt in _DATE_FORMATS:
        try:
            # A calendar date with no time of day: no zone applies.
            return dt.datetime.strptime(text, fmt).date().isoformat()  # noqa: DTZ007
        except ValueError:
            continue
    return ""


def _people(ids: Sequence[Any]) -> dict[Any, Person]:
    referrals = Referral.objects.only(
        "id", "reference", "stage", "received_at", "channel", "person_id", "kind"
    ).order_by("-received_at")
    people = (
        Person.objects.filter(pk__in=list(ids), merged_into__isnull=True)
        .select_related("organisation")
        .prefetch_related(Prefetch("referrals", queryset=referrals, to_attr="listed_referrals"))
    )
    return {p.pk: p for p in people}


def _all_names(organisation_ids: Sequence[Any], digests: list[str], limit: int) -> list[Any]:
    """People in the organisations whose name index holds every one of ``digests``."""
    if not digests:
        return []
    return list(
        PersonIndex.objects.filter(
            organisation_id__in=organisation_ids, kind="name", digest__in=digests
        )
        .values("person_id")
        .annotate(found=Count("digest", distinct=True))
        .filter(found=len(digests))
        .values_list("person_id", flat=True)[:limit]
    )


def people_search(organisation_ids: Sequence[Any], query: str) -> list[PersonMatch]:
    """People of ``organisation_ids`` matching ``query``: a reference, an email address, a
    date of birth, a phone number, or a name (every word must match, in any spelling the
    name normaliser takes as the same)."""
    text = (query or "").strip()[:200]
    if not text or not organisation_ids:
        return []
    reference = normalise_reference(text) if text.upper().startswith("BW") else ""
    if reference:
        ids = list(
            Referral.objects.filter(
                organisation_id__in=organisation_ids, reference=reference
            ).values_list("person_id", flat=True)
        )
        how = "reference"
    else:
        kind, value = _query_kind(text)
        how = kind
        if kind == "name":
            ids = _all_names(organisation_ids, name_digests(text), SEARCH_LIMIT)
        elif value:
            ids = list(
                PersonIndex.objects.filter(
                    organisation_id__in=organisation_ids, kind=kind, digest=digest(kind, value)
                ).values_list("person_id", flat=True)[:SEARCH_LIMIT]
            )
        else:
            ids = []
    people = _people(ids)
    return [PersonMatch(people[i], [how]) for i in dict.fromkeys(ids) if i in people]


def _query_kind(text: str) -> tuple[str, str]:
    if "@" in text:
        return "email", normal_email(text)
    if birth := _date(text):
        return "birth", birth
    if _PHONE_LIKE.fullmatch(text) and sum(c.isdigit() for c in text) >= 6:
        return "phone", normal_phone(text)
    return "name", ""


def duplicate_suggestions(
    organisation_id: Any,
    *,
    name: str = "",
    phone: str = "",
    email: str = "",
    date_of_birth: str = "",
    exclude: Any = None,
) -> list[PersonMatch]:
    """Likely earlier records of the person these details describe, best first.

    Phone, email and date of birth are looked up exactly (as digests); the name counts when
    every word of it matches. A person needs ``SUGGESTION_THRESHOLD``: a phone number or an
    email address, or a name with a date of birth.
    """
    pairs = detail_digests(phone=phone, email=email, date_of_birth=birth_text(date_of_birth) or "")
    scores: dict[Any, int] = {}
    reasons: dict[Any, list[str]] = {}
    if pairs:
        rows = PersonIndex.objects.filter(
            organisation_id=organisation_id,
            kind__in=[k for k, _d in pairs],
            digest__in=[d for _k, d in pairs],
        ).values_list("person_id", "kind")[:500]
        for person_id, kind in rows:
            if kind not in reasons.setdefault(person_id, []):
                reasons[person_id].append(kind)
                scores[person_id] = scores.get(person_id, 0) + WEIGHTS[kind]
    for person_id in _all_names([organisation_id], name_digests(name), 200):
        reasons.setdefault(person_id, []).append("name")
        scores[person_id] = scores.get(person_id, 0) + WEIGHTS["name"]
    chosen = sorted(
        (p for p, s in scores.items() if s >= SUGGESTION_THRESHOLD and p != exclude),
        key=lambda p: -scores[p],
    )[:SUGGESTION_LIMIT]
    people = _people(chosen)
    return [PersonMatch(people[p], reasons[p], scores[p]) for p in chosen if p in people]

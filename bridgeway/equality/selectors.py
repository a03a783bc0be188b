"""Reads for the equality app."""

from __future__ import annotations

from django.db.models import QuerySet

from bridgeway.equality.models import Term


def terms_for(vocabulary_name: str, codes: list[str]) -> QuerySet[Term]:
    """The stored terms of one vocabulary with the given codes."""
    return Term.objects.filter(vocabulary=vocabulary_name, code__in=codes)

"""Writes for the equality app."""

from __future__ import annotations

from django.db import transaction

from bridgeway.equality.models import Term
from bridgeway.equality.vocabulary import VOCABULARY_NAMES, vocabulary


@transaction.atomic
def terms_load() -> int:
    """Load every vocabulary file into ``Term``, updating labels in place; returns the count."""
    existing = {(t.vocabulary, t.code): t for t in Term.objects.all()}
    to_create: list[Term] = []
    to_update: list[Term] = []
    for name in VOCABULARY_NAMES:
        for item in vocabulary(name):
            record = existing.get((name, item.code))
            if record is None:
                to_create.append(
                    Term(
                        vocabulary=name,
                        code=item.code,
                        label=item.label,
                        position=item.position,
                        extra=item.extra,
                    )
                )
            elif (record.label, record.position, record.extra) != (
                item.label,
                item.position,
                item.extra,
            ):
                record.label, record.position, record.extra = item.label, item.position, item.extra
                to_update.append(record)
    Term.objects.bulk_create(to_create)
    Term.objects.bulk_update(to_update, ["label", "position", "extra"])
    return len(to_create) + len(to_update)

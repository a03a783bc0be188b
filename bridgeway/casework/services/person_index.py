"""Keeping the blind index of people in step with their sealed details."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from bridgeway.casework.blind_index import detail_digests
from bridgeway.casework.models import Person, PersonIndex


def _entries(person: Person) -> list[PersonIndex]:
    pairs = detail_digests(
        name=person.name or "",
        phone=person.phone or "",
        email=person.email or "",
        date_of_birth=person.date_of_birth or "",
    )
    return [
        PersonIndex(person=person, organisation_id=person.organisation_id, kind=kind, digest=d)
        for kind, d in dict.fromkeys(pairs)
    ]


@transaction.atomic
def person_index_refresh(person: Person) -> None:
    """Rewrite ``person``'s index entries from their details (none once merged away)."""
    PersonIndex.objects.filter(person=person).delete()
    if person.merged_into_id is None:
        PersonIndex.objects.bulk_create(_entries(person))


def people_index_rebuild(people: Iterable[Person], *, batch_size: int = 2000) -> int:
    """Rebuild the entries of many people (after a key rotation, or bulk loads). Returns
    how many people were indexed."""
    count = 0
    batch: list[Person] = []

    def flush() -> None:
        with transaction.atomic():
            PersonIndex.objects.filter(person__in=batch).delete()
            PersonIndex.objects.bulk_create(
                [entry for p in batch if p.merged_into_id is None for entry in _entries(p)]
            )

    for person in people:
        batch.append(person)
        count += 1
        if len(batch) >= batch_size:
            flush()
            batch = []
    if batch:
        flush()
    return count

"""``bridgeway reindex-people``: rebuild the blind index of people from their sealed details.

Run after changing ``BRIDGEWAY_BLIND_INDEX_KEY`` (searches find nobody until it finishes), or
after loading people without the services.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bridgeway.casework.models import Person
from bridgeway.casework.services.person_index import people_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the blind index of people under the current BRIDGEWAY_BLIND_INDEX_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        people = Person.objects.only(
            "id", "organisation_id", "name", "phone", "email", "date_of_birth", "merged_into_id"
        ).iterator(chunk_size=2000)
        count = people_index_rebuild(people)
        self.stdout.write(f"indexed {count} people")

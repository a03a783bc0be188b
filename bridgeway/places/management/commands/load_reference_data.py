"""``bridgeway load-reference-data``: the vocabulary, geography and census population."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bridgeway.equality.services import terms_load
from bridgeway.places.services import places_load


class Command(BaseCommand):
    help = (
        "Load the equality vocabulary, police force areas, local authority districts, postcode "
        "districts and census 2021 population by ethnic group. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        changed_terms = terms_load()
        counts = places_load()
        self.stdout.write(
            f"Vocabulary: {changed_terms} terms added or changed. "
            + ", ".join(f"{name.replace('_', ' ')}: {count}" for name, count in counts.items())
        )

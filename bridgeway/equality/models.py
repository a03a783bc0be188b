"""The vocabulary in the database, so services and reports can relate to its terms."""

from __future__ import annotations

from django.db import models


class Term(models.Model):
    """A code from one of the vocabulary files (loaded by ``bridgeway load-reference-data``)."""

    vocabulary = models.CharField(max_length=40)
    code = models.CharField(max_length=60)
    label = models.CharField(max_length=200)
    position = models.PositiveIntegerField()
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["vocabulary", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["vocabulary", "code"], name="equality_term_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vocabulary}:{self.code}"

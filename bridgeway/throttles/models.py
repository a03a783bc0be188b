"""How many tries one client, account, report or device has had in its current window."""

from __future__ import annotations

from django.db import models


class Throttle(models.Model):
    """The tries counted for one subject under one rule, since its window opened.

    The subject (an address, an email, a reference, a device) is kept only as an HMAC under
    the secret key (see ``throttles.services``), so the table holds no addresses or emails.
    The row is in the database, not in a process's memory, so every app server shares it.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)
    # The window the count belongs to opened here; it closes ``window`` later (the rule's).
    window_started_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="throttle_one_row_per_subject")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]}… {self.count}"

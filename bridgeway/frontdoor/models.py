"""What the front door keeps of its own: the keys of public forms already sent."""

from __future__ import annotations

from django.db import models


class SubmissionKey(models.Model):
    """One public form's submission key, and the record its first sending made.

    Each public form that creates something (a self-referral, a report, a message on a
    report) carries a random key in a hidden field, new each time the form is shown. The
    first POST with a key claims it here, in the same transaction as the record it makes;
    a second POST with the same key (a double click, a browser resending after a dropped
    connection, a proxy's retry) finds the claim and answers with the same reference
    instead of making a second record. The unique constraint is what settles two identical
    POSTs arriving at once on different app servers: the second waits for the first's
    transaction and then finds its row (decision 0125).
    """

    class Kind(models.TextChoices):
        REFERRAL = "referral", "Self-referral"
        REPORT = "report", "Report"
        MESSAGE = "message", "Message on a report"

    key = models.CharField(max_length=64)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What the first sending made; erased with it (the key then opens nothing).
    referral = models.ForeignKey(
        "casework.Referral", on_delete=models.CASCADE, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # After this the key is forgotten (hourly job) and would make a new record.
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key"], name="submission_key_once"),
        ]
        indexes = [models.Index(fields=["expires_at"], name="submission_key_expiry")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key[:8]}…"

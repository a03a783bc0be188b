"""The abstract base every Bridgeway record shares."""

from __future__ import annotations

from django.db import models


class TimestampedModel(models.Model):
    """A record that knows when it was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True

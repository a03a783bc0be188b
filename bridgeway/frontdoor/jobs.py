"""The front door's scheduled work (listed in ``operations/jobs.py``)."""

from __future__ import annotations

import logging

from bridgeway.frontdoor.services import submission_keys_forget

logger = logging.getLogger("bridgeway.jobs")


def forget_submission_keys() -> None:
    """Delete the keys of public forms sent longer ago than they are remembered."""
    logger.info("submission keys forgotten: %d", submission_keys_forget())

"""The directory's scheduled jobs, run by the job runner by dotted path."""

from __future__ import annotations

import logging

from bridgeway.directory.models import FeedSource
from bridgeway.directory.openreferral.fetching import FeedError
from bridgeway.directory.openreferral.harvest import feed_harvest
from bridgeway.directory.openreferral.importing import DirectoryImportError

logger = logging.getLogger(__name__)


def harvest_all_sources() -> dict[str, dict[str, object]]:
    """Harvest every registered feed, one after another (the nightly job).

    A feed that cannot be read is logged and recorded on its source, and the others are
    still harvested; each feed's listings change only when its whole feed was read. Returns
    each source's summary (or its error) by name.
    """
    results: dict[str, dict[str, object]] = {}
    for source in FeedSource.objects.order_by("name"):
        try:
            report = feed_harvest(source)
        except (FeedError, DirectoryImportError) as error:
            logger.warning("Harvest of feed %s failed: %s", source.name, error)
            results[source.name] = {"error": str(error)}
        else:
            results[source.name] = dict(report.summary())
    return results

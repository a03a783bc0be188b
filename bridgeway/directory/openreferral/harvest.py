"""Feeds Bridgeway harvests: registering one, and harvesting it (issue 13, items 1, 5, 6).

A harvest reads the whole feed over HTTP first (``fetching.read_feed``), and only when every
page and record has been read and checked applies it, in one transaction
(``importing.directory_import``): a feed that fails half way changes nothing. A record whose
hash key is unchanged since the last harvest is not written; a listing the feed no longer
carries is withdrawn, never deleted (docs/decisions/0075).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from bridgeway.accounts.models import Organisation
from bridgeway.directory.models import FeedSource, Service
from bridgeway.directory.openreferral.fetching import (
    FeedError,
    Fetch,
    Limits,
    http_json,
    read_feed,
)
from bridgeway.directory.openreferral.importing import (
    DirectoryImportError,
    ImportReport,
    content_hash,
    directory_import,
)


class FeedSourceError(ValueError):
    """A feed that cannot be registered: the message says what is wrong."""


def feed_limits(per_page: int | None = None) -> Limits:
    """The timeout and size limit from settings, with the page size asked for."""
    return Limits(
        timeout=float(settings.DIRECTORY_FEED_TIMEOUT),
        max_bytes=settings.DIRECTORY_FEED_MAX_BYTES,
        per_page=per_page or Limits.per_page,
    )


def feed_add(
    *, url: str, name: str, publisher: str = "", organisation_id: str | None = None
) -> FeedSource:
    """Register an ORUK API at ``url`` to harvest, as ``name``.

    ``publisher`` is whose directory it is, as the public page says ("From Leeds City
    Council's directory"); it defaults to the organisation's name, then to ``name``.
    """
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise FeedSourceError(f"{url!r} is not an http or https address") from None
    slug = slugify(name)
    if not slug or slug != name:
        raise FeedSourceError(
            f"{name!r} is not a short name: use lower-case letters, digits and hyphens"
        )
    if FeedSource.objects.filter(name=name).exists():
        raise FeedSourceError(f"a feed called {name!r} is already registered")
    organisation = None
    if organisation_id:
        pk = _uuid_or_none(organisation_id)
        organisation = Organisation.objects.filter(pk=pk).first() if pk else None
        if organisation is None:
            raise FeedSourceError(f"{organisation_id!r} is not an organisation Bridgeway knows")
    return FeedSource.objects.create(
        name=name,
        url=url,
        publisher=publisher or (organisation.name if organisation else name),
        organisation=organisation,
    )


def _uuid_or_none(text: str) -> str | None:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def feed_harvest(
    source: FeedSource,
    *,
    strict: bool = False,
    fetch: Fetch | None = None,
    per_page: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Read ``source``'s whole feed, then apply it: create, update, leave unchanged, withdraw.

    ``FeedError`` (the feed could not be read: the URL says where) or
    ``DirectoryImportError`` (``strict`` and something was wrong) leave every listing as it
    was; the source records the error as its last result.
    """
    limits = feed_limits(per_page)
    get: Fetch = fetch or (lambda url: http_json(url, limits))
    held = dict(Service.objects.filter(source=source).values_list("id", "content_hash").iterator())
    held_keys = {str(pk): key for pk, key in held.items()}
    try:
        read = read_feed(
            source.url,
            get,
            per_page=limits.per_page,
            hash_of=content_hash,
            known=lambda service_id, key: held_keys.get(service_id) == key,
            progress=progress,
        )
        if progress is not None:
            progress(f"{len(read.services)} services read in {read.requests} requests; applying")
        report = directory_import(
            read.services, strict=strict, source=source, withdraw_missing=True, keys=read.keys
        )
    except FeedError as error:
        _record(source, {"error": str(error)})
        raise
    except DirectoryImportError as error:
        _record(source, {"error": f"{len(error.problems)} problems (strict); nothing changed"})
        raise
    _record(source, {**report.summary(), "requests": read.requests}, harvested=True)
    return report


def _record(source: FeedSource, result: dict[str, object], *, harvested: bool = False) -> None:
    """Keep the outcome on the source, as staff see it (outside the harvest's transaction)."""
    now = timezone.now()
    source.last_result = {**result, "at": now.isoformat()}
    fields = ["last_result", "updated_at"]
    if harvested:
        source.last_harvested_at = now
        fields.append("last_harvested_at")
    with transaction.atomic():
        source.save(update_fields=fields)

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
    FeedRead,
    Fetch,
    FetchBody,
    Limits,
    PageSeen,
    held_digest,
    http_json,
    http_page,
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
    # Over HTTP list pages are hashed as sent, so a page the same as last time is skipped;
    # a page with an ETag is asked for with If-None-Match, and a 304 sends no body at all.
    body: FetchBody | None = None if fetch else (lambda url, etag: http_page(url, limits, etag))
    held_keys = _held(source)
    try:
        read = read_feed(
            source.url,
            get,
            per_page=limits.per_page,
            hash_of=content_hash,
            known=lambda service_id, key: held_keys.get(service_id) == key,
            progress=progress,
            fetch_body=body,
            last_pages=_pages_from(source.seen_pages),
            held=held_keys,
        )
        if progress is not None:
            progress(
                f"{len(read.services) + len(read.unchanged_ids)} services read in "
                f"{read.requests} requests ({read.unchanged_pages} of {read.pages} pages "
                f"unchanged, {read.not_modified} of them not sent again); applying"
            )
        report = directory_import(
            read.services,
            strict=strict,
            source=source,
            withdraw_missing=True,
            keys=read.keys,
            unchanged_ids=read.unchanged_ids,
        )
    except FeedError as error:
        _record(source, {"error": str(error)})
        raise
    except DirectoryImportError as error:
        _record(source, {"error": f"{len(error.problems)} problems (strict); nothing changed"})
        raise
    _record(
        source,
        {
            **report.summary(),
            "requests": read.requests,
            "pages_unchanged": read.unchanged_pages,
            "pages_not_modified": read.not_modified,
        },
        harvested=True,
        pages=_pages_kept(read, _held(source)),
    )
    return report


def _held(source: FeedSource) -> dict[str, str]:
    """The hash key of each of the source's listings, by id, as Bridgeway holds them."""
    return {
        str(pk): key
        for pk, key in Service.objects.filter(source=source)
        .values_list("id", "content_hash")
        .iterator()
    }


def _pages_kept(read: FeedRead, held: dict[str, str]) -> dict[str, list[object]]:
    """The pages a later harvest may skip: each page whose services are all held now as
    this harvest read them (a record refused is not, so its page is read again and refused
    again), with a hash of their keys."""
    read_keys = {
        document["id"]: key
        for document, key in zip(read.services, read.keys, strict=True)
        if isinstance(document, dict)
    }
    kept: dict[str, list[object]] = {}
    for url, page in read.seen_pages.items():
        if not page.held and any(held.get(i) != read_keys.get(i) for i in page.ids):
            continue
        digest = held_digest(page.ids, held)
        if digest is not None:
            kept[url] = [
                page.body,
                page.total_pages,
                page.total_items,
                digest,
                list(page.ids),
                page.etag,
            ]
    return kept


def _pages_from(stored: object) -> dict[str, PageSeen]:
    """``FeedSource.seen_pages`` read back; anything malformed is left out (read again)."""
    pages: dict[str, PageSeen] = {}
    if not isinstance(stored, dict):
        return pages
    for url, value in stored.items():
        try:
            # A page kept before harvests read ETags has five fields (decision 0156).
            body, total_pages, total_items, held, ids, *rest = value
            etag = str(rest[0]) if rest else ""
            pages[url] = PageSeen(
                str(body),
                int(total_pages),
                int(total_items),
                tuple(map(str, ids)),
                str(held),
                etag=etag,
            )
        except (TypeError, ValueError):
            continue
    return pages


def _record(
    source: FeedSource,
    result: dict[str, object],
    *,
    harvested: bool = False,
    pages: dict[str, list[object]] | None = None,
) -> None:
    """Keep the outcome on the source, as staff see it (outside the harvest's transaction),
    and after a harvest applied, the pages it read."""
    now = timezone.now()
    source.last_result = {**result, "at": now.isoformat()}
    fields = ["last_result", "updated_at"]
    if harvested:
        source.last_harvested_at = now
        source.seen_pages = pages or {}
        fields.extend(["last_harvested_at", "seen_pages"])
    with transaction.atomic():
        source.save(update_fields=fields)

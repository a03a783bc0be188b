"""Reading an Open Referral UK 3.0 API over HTTP (pure: no Django), for a harvest.

A harvest reads the whole feed first and only then changes anything (issue 13: "no harvest
leaves half a feed applied"). This module does the reading: ``api_details`` at the base, every
page of ``/services`` (following ``total_pages``), and ``/services/{id}`` for each service a
list page gives only in part. Anything wrong (a timeout, an HTTP error, a body that is not
JSON or is too big, a redirect to another host, a page whose shape or numbers contradict
themselves, a repeated id) raises ``FeedError`` naming the URL, and nothing is returned.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.client import HTTPMessage
from typing import IO, Any

# The arrays an ORUK list page leaves out (it carries a service's one-to-one fields only):
# a list record with none of them is read again whole from ``/services/{id}``.
CHILD_ARRAYS = (
    "service_at_locations",
    "phones",
    "schedules",
    "service_areas",
    "languages",
    "funding",
    "cost_options",
    "contacts",
    "attributes",
)
USER_AGENT = "Bridgeway directory harvest (+https://bridgeway.org.uk)"


class FeedError(Exception):
    """The feed could not be read as an ORUK API; ``url`` is where it went wrong."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.message = message


@dataclass(frozen=True)
class Limits:
    """How long to wait and how much to read, per request."""

    timeout: float = 30.0
    max_bytes: int = 20_000_000
    per_page: int = 100


# (url) -> decoded JSON; raises FeedError. Tests and the harvest use ``http_json``.
Fetch = Callable[[str], object]


@dataclass(frozen=True)
class PageBody:
    """A list page as answered: its body as sent, or None when the server answered 304 Not
    Modified to the ``etag`` the harvest held; and the page's ``ETag`` (empty if none)."""

    content: bytes | None
    etag: str = ""


# (url, etag held or "") -> the page as answered; raises FeedError. A harvest hashes list
# pages before decoding, and asks with ``If-None-Match`` for a page it may skip.
FetchBody = Callable[[str, str], PageBody]


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to the same scheme and host: a feed that sends the harvest
    elsewhere is refused, not followed (it could point it at an internal address)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        old, new = urllib.parse.urlsplit(req.full_url), urllib.parse.urlsplit(newurl)
        if (old.scheme, old.netloc) != (new.scheme, new.netloc):
            raise FeedError(req.full_url, f"redirects to another host ({new.netloc or newurl})")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SameHostRedirects)


def http_json(url: str, limits: Limits) -> object:
    """GET ``url`` and decode its JSON body, within ``limits``; ``FeedError`` otherwise."""
    return json_of(url, http_body(url, limits))


def http_body(url: str, limits: Limits) -> bytes:
    """GET ``url``'s body as sent, within ``limits``; ``FeedError`` otherwise."""
    body = http_page(url, limits).content
    if body is None:  # not reached: a 304 to a plain request is refused in http_page
        raise FeedError(url, "answered 304 Not Modified to a plain request")
    return body


def http_page(url: str, limits: Limits, etag: str = "") -> PageBody:
    """GET ``url`` within ``limits``, with ``If-None-Match: etag`` when one is held.

    A 304 answer (only to an etag sent) gives no content: the page is as it was. Feeds
    behind a CDN or a cache answer so, and a re-harvest then reads no body at all.
    """
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise FeedError(url, "is not an http or https address")
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - scheme checked
    try:
        with _OPENER.open(request, timeout=limits.timeout) as response:
            body = response.read(limits.max_bytes + 1)
            given = response.headers.get("ETag", "")
    except urllib.error.HTTPError as error:
        if error.code == 304 and etag:
            return PageBody(None, error.headers.get("ETag", etag))
        raise FeedError(url, f"answered HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            raise FeedError(url, f"did not answer within {limits.timeout:g} s") from None
        raise FeedError(url, f"could not be reached ({reason})") from None
    except TimeoutError:
        raise FeedError(url, f"did not answer within {limits.timeout:g} s") from None
    if len(body) > limits.max_bytes:
        raise FeedError(url, f"is larger than the limit of {limits.max_bytes:,} bytes")
    # A weak or strong validator is sent back as given; one too long to be sane is dropped.
    return PageBody(body, given if len(given) <= 200 else "")


def json_of(url: str, body: bytes) -> object:
    """``body`` decoded as JSON; ``FeedError`` naming ``url`` when it is not."""
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FeedError(url, f"is not JSON ({error})") from None


def endpoint(base: str, path: str, query: Mapping[str, object] | None = None) -> str:
    """``base`` joined with ``path`` (base may or may not end with a slash), with a query."""
    url = base.rstrip("/") + "/" + path.lstrip("/")
    if query:
        url += "?" + urllib.parse.urlencode(query)
    return url


@dataclass(frozen=True)
class PageSeen:
    """A list page as the last harvest read it: a hash of its body, the totals it gave and
    the services on it, and ``held``, a hash of those services' keys as Bridgeway then held
    them (``held_digest``). Kept only for a page whose records need no other request to
    judge: whole records, or parts that give ``last_modified``."""

    body: str
    total_pages: int
    total_items: int
    ids: tuple[str, ...]
    held: str
    # The page's ``ETag`` as the server sent it: asked with ``If-None-Match`` next time.
    etag: str = ""


def held_digest(ids: Iterable[str], held: Mapping[str, str]) -> str | None:
    """A hash of each service's held key, in order; None if one is not held."""
    digest = hashlib.sha256()
    for service_id in ids:
        key = held.get(service_id)
        if not key:
            return None
        digest.update(f"{service_id}:{key}\n".encode())
    return digest.hexdigest()


@dataclass
class FeedRead:
    """A whole feed as read: every service record (full), each with the hash key a harvest
    compares, and the counts of requests made."""

    services: list[dict[str, Any]] = field(default_factory=list)
    # The record's hash key: the list record's hash when the list gives ``last_modified``
    # (then a re-harvest need not read the full record again), else the full record's.
    keys: list[str] = field(default_factory=list)
    # Services whose list record matched what Bridgeway already holds: not read again.
    reused: int = 0
    pages: int = 0
    requests: int = 0
    # Services on list pages whose body is as the last harvest read it, with every service
    # on them held unchanged: the page is neither decoded nor checked again (issue 13, 6).
    unchanged_ids: list[str] = field(default_factory=list)
    unchanged_pages: int = 0
    # Of those, the pages the server answered 304 Not Modified (no body sent at all).
    not_modified: int = 0
    # Each list page's ETag as sent with its body, by URL.
    etags: dict[str, str] = field(default_factory=dict)
    # Every list page a later harvest may skip if it is the same, by URL (without ``held``:
    # the harvest adds it once the import has been applied).
    seen_pages: dict[str, PageSeen] = field(default_factory=dict)


def is_partial(record: Mapping[str, Any]) -> bool:
    """Whether a list page's record leaves out every child array (ORUK list pages do)."""
    return not any(name in record for name in CHILD_ARRAYS)


def read_feed(
    base: str,
    fetch: Fetch,
    *,
    per_page: int,
    hash_of: Callable[[object], str],
    known: Callable[[str, str], bool] = lambda service_id, key: False,
    progress: Callable[[str], None] | None = None,
    fetch_body: FetchBody | None = None,
    last_pages: Mapping[str, PageSeen] | None = None,
    held: Mapping[str, str] | None = None,
) -> FeedRead:
    """Read every service of the ORUK API at ``base``.

    ``known(id, key)`` says whether Bridgeway already holds that service from this source
    with that hash key: then a partial list record that names its ``last_modified`` is taken
    as it is (the import will find it unchanged) instead of reading ``/services/{id}``.

    With ``fetch_body``, list pages are read as bytes and hashed first: a page whose body
    is the one ``last_pages`` saw, and whose services ``held`` (id to hash key) still holds
    as they were then, is not decoded or checked; its services are counted in
    ``unchanged_ids``. Its totals still have to agree with page 1's, and its ids with every
    other page's, as a page read whole must.
    """
    read = FeedRead()
    last_pages = last_pages or {}
    held = held or {}

    def get(url: str) -> object:
        read.requests += 1
        return fetch(url)

    def page_at(url: str) -> tuple[object, str, PageSeen | None]:
        if fetch_body is None:
            return get(url), "", None
        read.requests += 1
        return _conditional_page(url, fetch_body, read, last_pages, held)

    details = get(endpoint(base, "/"))
    if not isinstance(details, dict) or not details.get("version"):
        raise FeedError(endpoint(base, "/"), "is not an ORUK api_details document (no version)")
    seen: dict[str, str] = {}
    page, total_pages, total_items = 1, 1, 0
    while page <= total_pages:
        url = endpoint(base, "/services", {"page": page, "per_page": per_page})
        document, digest, same = page_at(url)
        if same is not None:
            contents: list[object] = []
            pages, items = same.total_pages, same.total_items
        else:
            contents, pages, items = _page_of(url, document, page)
        if page == 1:
            total_pages, total_items = pages, items
        _agrees(url, (pages, items), (total_pages, total_items))
        read.pages += 1
        if same is not None:
            _skip_page(read, url, same, seen)
        else:
            for position, record in enumerate(contents):
                _take(read, base, url, position, record, seen, get, hash_of, known)
            if digest and all(_judged_alone(record) for record in contents):
                ids = tuple(record["id"] for record in contents)  # type: ignore[index]
                etag = read.etags.get(url, "")
                read.seen_pages[url] = PageSeen(digest, pages, items, ids, held="", etag=etag)
        if progress is not None:
            progress(f"page {page} of {total_pages}: {len(read.services)} services read")
        page += 1
    _all_there(endpoint(base, "/services"), read, total_items)
    return read


def _all_there(url: str, read: FeedRead, total_items: int) -> None:
    found = len(read.services) + len(read.unchanged_ids)
    if found != total_items:
        raise FeedError(url, f"said {total_items} services but its pages held {found}")


def _agrees(url: str, given: tuple[int, int], first: tuple[int, int]) -> None:
    """A page's totals must be page 1's: otherwise the feed changed while it was read."""
    if given != first:
        (pages, items), (total_pages, total_items) = given, first
        raise FeedError(
            url,
            f"says {items} services on {pages} pages; page 1 said {total_items} on "
            f"{total_pages}: the feed changed while it was read",
        )


def _conditional_page(
    url: str,
    fetch_body: FetchBody,
    read: FeedRead,
    last_pages: Mapping[str, PageSeen],
    held: Mapping[str, str],
) -> tuple[object, str, PageSeen | None]:
    """As ``_page_body``, asking "changed since?" with the page's ETag only for a page that
    could be skipped if it has not: one whose services Bridgeway holds as they were."""
    before = last_pages.get(url)
    if before is None or not before.etag or not _still_held(before, held):
        before = None
    answer = fetch_body(url, before.etag if before else "")
    if answer.content is None:
        if before is None:
            raise FeedError(url, "answered 304 Not Modified to a plain request")
        read.not_modified += 1
        return None, before.body, before
    read.etags[url] = answer.etag
    document, digest, same = _page_body(url, answer.content, last_pages, held)
    if same is not None and same.etag != answer.etag:
        same = dataclasses.replace(same, etag=answer.etag)
    return document, digest, same


def _page_body(
    url: str, body: bytes, last_pages: Mapping[str, PageSeen], held: Mapping[str, str]
) -> tuple[object, str, PageSeen | None]:
    """The page decoded (or None when it is the same as last time), its body's hash and
    what the last harvest saw of it (None unless the same)."""
    digest = hashlib.sha256(body).hexdigest()
    before = last_pages.get(url)
    if before is not None and before.body == digest and _still_held(before, held):
        return None, digest, before
    return json_of(url, body), digest, None


def _still_held(before: PageSeen, held: Mapping[str, str]) -> bool:
    """Whether Bridgeway holds the page's services as it did when the page was read."""
    return bool(before.held) and held_digest(before.ids, held) == before.held


def _skip_page(read: FeedRead, url: str, same: PageSeen, seen: dict[str, str]) -> None:
    """Count a page unchanged since the last harvest: its ids, checked for repeats."""
    for position, service_id in enumerate(same.ids):
        _once(f"{url} contents[{position}]", service_id, seen)
    read.unchanged_ids.extend(same.ids)
    read.unchanged_pages += 1
    read.seen_pages[url] = same


def _judged_alone(record: object) -> bool:
    """A list record whose page alone says whether it changed: a whole record, or a part
    that gives ``last_modified``. (A part without it is judged by its full record.)"""
    return isinstance(record, dict) and (
        not is_partial(record) or bool(record.get("last_modified"))
    )


def _once(where: str, service_id: str, seen: dict[str, str]) -> None:
    if service_id in seen:
        raise FeedError(where, f"repeats service id {service_id} (first at {seen[service_id]})")
    seen[service_id] = where


def _take(
    read: FeedRead,
    base: str,
    url: str,
    position: int,
    record: object,
    seen: dict[str, str],
    get: Fetch,
    hash_of: Callable[[object], str],
    known: Callable[[str, str], bool],
) -> None:
    """Add one list record (read whole from its own endpoint when the list gives part)."""
    where = f"{url} contents[{position}]"
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        raise FeedError(where, "is not a service with a string id")
    service_id = record["id"]
    _once(where, service_id, seen)
    if not is_partial(record):
        read.services.append(record)
        read.keys.append(hash_of(record))
        return
    dated = bool(record.get("last_modified"))
    list_key = hash_of(record)
    if dated and known(service_id, list_key):
        read.services.append(record)
        read.keys.append(list_key)
        read.reused += 1
        return
    full_url = endpoint(base, f"/services/{urllib.parse.quote(service_id, safe='')}")
    full = get(full_url)
    if not isinstance(full, dict) or full.get("id") != service_id:
        raise FeedError(full_url, f"is not the service {service_id} its list page named")
    read.services.append(full)
    read.keys.append(list_key if dated else hash_of(full))


def _page_of(url: str, document: object, page: int) -> tuple[list[object], int, int]:
    """A list page's contents, total pages and total items, checked against each other."""
    if not isinstance(document, dict):
        raise FeedError(url, "is not an ORUK page (not a JSON object)")
    contents = document.get("contents")
    if not isinstance(contents, list):
        raise FeedError(url, "is not an ORUK page: its contents is not a list")
    numbers = {}
    for name in ("total_pages", "total_items"):
        value = document.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise FeedError(url, f"is not an ORUK page: {name} is not a whole number")
        numbers[name] = value
    pages, items = numbers["total_pages"], numbers["total_items"]
    number = document.get("page_number", page)
    if number != page:
        raise FeedError(url, f"is page {number}, not page {page} as asked")
    size = document.get("size", len(contents))
    if size != len(contents):
        raise FeedError(url, f"says its size is {size} but holds {len(contents)} services")
    if page < pages and not contents:
        raise FeedError(url, f"is empty, but the feed says it has {pages} pages")
    return contents, max(pages, 1), items

"""Public renderings of the directory, kept while the directory is unchanged (decision 0153).

The ORUK feed's list pages and a service's public page are the same for everyone until a
listing changes, and building them costs a dozen queries and the serialising of every
service shown. ``directory_cached`` keeps what was built in Django's cache under the
directory's version stamp (``stamps.directory_stamp``, raised in the same transaction as
every change of a listing), the active language and the caller's own inputs: a change makes
a new key at once, on every app server, so nothing is served stale and nothing needs
deleting (old keys expire). Only what anyone may see goes in: never a signed-in view, a
form's token or anything else of one person.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

from django.core.cache import cache
from django.utils import translation

from bridgeway.directory.stamps import directory_stamp

Kept = TypeVar("Kept")

# Seconds a rendering is kept at most: a stamp change makes it unreachable long before that,
# so this only bounds the memory old versions hold.
KEEP_SECONDS = 300
_MISSING = object()


def directory_cached(what: str, inputs: Sequence[str], build: Callable[[], Kept]) -> Kept:
    """``build()``'s answer for ``what`` with ``inputs``, from the cache while the directory's
    version is the one it was built at.

    The stamp is read before building, so what is built is never older than its key. It is
    read again after: where the two differ (a change landed meanwhile, or this request's
    reads moved between the replica and the primary) the answer is used but not kept.
    """
    stamp = directory_stamp()
    key = directory_cache_key(what, stamp, inputs)
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return cast(Kept, found)  # only build() answers are stored
    built = build()
    if directory_stamp() == stamp:
        cache.set(key, built, KEEP_SECONDS)
    return built


def directory_cache_key(what: str, stamp: int, inputs: Sequence[str]) -> str:
    """The cache key of ``what`` at ``stamp`` in the active language with ``inputs``
    (hashed: keys stay short and free of spaces whatever a query string holds)."""
    language = translation.get_language() or ""
    digest = hashlib.sha256("\x1f".join([language, *inputs]).encode()).hexdigest()
    return f"directory:{what}:{stamp}:{digest}"

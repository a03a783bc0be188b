"""Uploads and the insight snapshot in S3-compatible object storage (decision 0129).

Local disk stays the default (the demo, one machine). With ``BRIDGEWAY_MEDIA_BUCKET`` set,
Django's default file storage is django-storages' ``S3Storage`` on that bucket, so every
upload field (a service's spoken introductions, and any later attachment saved through
Django's storage API) goes there with nothing else changed. With ``BRIDGEWAY_SNAPSHOT_STORE``
(``s3://bucket/prefix``) the snapshot's Parquet files live in the bucket and each server keeps
a copy of them in ``SNAPSHOT_DIR`` (``insight/snapshot_store.py``, through Arrow's S3
filesystem).

Nothing in the buckets is public. Objects are written with no ACL (the bucket's own, private),
the storage signs every URL it makes and they expire in five minutes, and Bridgeway never puts
one in a page: files are streamed by the views that check who may have them.

No Django here: settings call ``media_storage`` to describe the storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

# Seconds: a store that does not answer is given up on, rather than holding a request.
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 30
# A signed URL, if code ever makes one, works this long.
SIGNED_URL_SECONDS = 300


class ObjectStorageConfigurationError(ValueError):
    """A store address that is not ``s3://bucket/prefix``."""


@dataclass(frozen=True)
class S3Location:
    """Where objects are kept: a bucket, a key prefix (no slash at either end), and how to
    reach the store (``endpoint_url`` None for Amazon's)."""

    bucket: str
    prefix: str
    endpoint_url: str | None
    region: str

    def key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name


def s3_location(url: str, *, endpoint_url: str | None, region: str) -> S3Location:
    """``s3://bucket/prefix`` as an ``S3Location``; a clear error for anything else."""
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ObjectStorageConfigurationError(f"{url!r} is not an s3://bucket/prefix address")
    return S3Location(
        bucket=parsed.netloc,
        prefix=parsed.path.strip("/"),
        endpoint_url=endpoint_url or None,
        region=region,
    )


def media_storage(location: S3Location) -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry that keeps uploads in ``location``, privately."""
    from botocore.config import Config

    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": location.bucket,
            "location": location.prefix,
            "endpoint_url": location.endpoint_url,
            "region_name": location.region,
            # The bucket's own ACL (private): never "public-read".
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": SIGNED_URL_SECONDS,
            # A name already taken gets a new one: one upload never replaces another's file.
            "file_overwrite": False,
            "client_config": Config(
                connect_timeout=CONNECT_TIMEOUT,
                read_timeout=READ_TIMEOUT,
                retries={"max_attempts": 3, "mode": "standard"},
                signature_version="s3v4",
                # Path-style addresses work with every S3-compatible store, not only Amazon.
                s3={"addressing_style": "path"},
            ),
        },
    }

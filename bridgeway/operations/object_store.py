"""Backups copied to and from S3-compatible object storage (``s3://bucket/prefix``).

boto3 reads credentials the usual way (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an
instance role); ``BRIDGEWAY_BACKUP_S3_ENDPOINT_URL`` names a store other than Amazon's. The
files are already encrypted (backup_format.py), so the store never holds plain data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from django.conf import settings


class ObjectStoreError(Exception):
    """An S3 address that is not one, or a store that refused or could not be reached."""


def s3_address(url: str) -> tuple[str, str]:
    """The bucket and key prefix (no slashes at either end) of ``s3://bucket/prefix``."""
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ObjectStoreError(f"{url} is not an s3://bucket/prefix address")
    return parsed.netloc, parsed.path.strip("/")


def _client() -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=settings.BACKUP_S3_ENDPOINT_URL)


def _key(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


def folder_upload(folder: Path, url: str) -> str:
    """Copy the backup ``folder`` to ``url``/<folder name>/; returns where it went."""
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, prefix = s3_address(url)
    prefix = _key(prefix, folder.name)
    client = _client()
    # The manifest last: a folder in the store with a manifest is complete.
    names = sorted(path.name for path in folder.iterdir() if path.name != "manifest.json")
    try:
        for name in [*names, "manifest.json"]:
            client.upload_file(str(folder / name), bucket, _key(prefix, name))
    except (BotoCoreError, ClientError) as error:
        raise ObjectStoreError(f"uploading to s3://{bucket}/{prefix} failed: {error}") from None
    return f"s3://{bucket}/{prefix}"


def folder_download(url: str, target: Path) -> Path:
    """Copy the backup at ``url`` (one backup's folder) into ``target``; returns ``target``."""
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, prefix = s3_address(url)
    client = _client()
    try:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/")
        keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
        if not keys:
            raise ObjectStoreError(f"s3://{bucket}/{prefix} holds no backup")
        for key in keys:
            name = key[len(prefix) + 1 :]
            if "/" in name or name in {"", ".", ".."}:
                continue  # not one of a backup's plain file names
            client.download_file(bucket, key, str(target / name))
    except (BotoCoreError, ClientError) as error:
        raise ObjectStoreError(f"downloading s3://{bucket}/{prefix} failed: {error}") from None
    return target

"""The snapshot's files in an S3 bucket, through Arrow's S3 filesystem (decision 0129).

The bucket holds the snapshot: its part files, never changed once written, ``state.json`` and
the person numbers (decision 0150), which only the writer reads.
Each server keeps a copy in its ``SNAPSHOT_DIR``: ``snapshot_pull`` brings it up to date (one
listing of the prefix; a part is fetched only when the copy lacks it or its size differs;
a part gone from the bucket is removed), and DuckDB reads the copy with insight's SQL
unchanged. ``snapshot_push`` sends a new part and then the state, so a state in the bucket
never names a part that is not there.

Plain pyarrow; only ``configured_store`` reads Django's settings.
"""

from __future__ import annotations

import fnmatch
import logging
import os
from pathlib import Path
from urllib.parse import urlparse

import pyarrow.fs as pafs

from bridgeway.insight.snapshot import (
    PART_PATTERN,
    PERSON_NUMBERS_FILE,
    STATE_FILE,
    SnapshotError,
)
from bridgeway.object_storage import CONNECT_TIMEOUT, READ_TIMEOUT, S3Location
from bridgeway.private_files import PRIVATE_FILE, private_directory

CHUNK = 1 << 20
logger = logging.getLogger(__name__)


def s3_filesystem(location: S3Location) -> pafs.S3FileSystem:
    """Arrow's S3 filesystem for ``location``; credentials as boto3 finds them (the
    AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables, or the instance's role)."""
    options: dict[str, object] = {
        "region": location.region,
        "connect_timeout": CONNECT_TIMEOUT,
        "request_timeout": READ_TIMEOUT,
        "retry_strategy": pafs.AwsStandardS3RetryStrategy(max_attempts=3),
    }
    if location.endpoint_url:
        endpoint = urlparse(location.endpoint_url)
        options["endpoint_override"] = endpoint.netloc
        options["scheme"] = endpoint.scheme or "https"
        options["force_virtual_addressing"] = False
    return pafs.S3FileSystem(**options)


def configured_store(directory: Path) -> S3Location | None:
    """The bucket behind ``directory``: settings' ``SNAPSHOT_STORE`` when ``directory`` is
    ``SNAPSHOT_DIR`` (its copy); None for local snapshots and any other directory."""
    from django.conf import settings

    store: S3Location | None = getattr(settings, "SNAPSHOT_STORE", None)
    if store is None or Path(directory).resolve() != Path(settings.SNAPSHOT_DIR).resolve():
        return None
    return store


def snapshot_copy(directory: Path) -> Path:
    """``directory``, brought up to date from the bucket first when it is a copy of one."""
    store = configured_store(directory)
    if store is None:
        return directory
    try:
        return snapshot_pull(store, directory)
    except SnapshotError as error:
        # The store is out of reach: the copy already here is still a whole snapshot (its
        # parts are complete files), only perhaps not the newest. Without one, say so.
        if not any(Path(directory).glob(PART_PATTERN)):
            raise
        logger.warning("Reading the snapshot's last copy: %s", error)
        return directory


def _root(location: S3Location) -> str:
    return f"{location.bucket}/{location.prefix}" if location.prefix else location.bucket


def _remote_files(fs: pafs.S3FileSystem, location: S3Location) -> dict[str, int]:
    """The snapshot's files in the bucket: name to size."""
    try:
        found = fs.get_file_info(pafs.FileSelector(_root(location), allow_not_found=True))
    except OSError as error:
        raise SnapshotError(
            f"s3://{_root(location)}: the snapshot's bucket cannot be read ({error})"
        ) from None
    return {
        info.base_name: int(info.size or 0)
        for info in found
        if info.type == pafs.FileType.File
        and (
            fnmatch.fnmatch(info.base_name, PART_PATTERN)
            or info.base_name in (STATE_FILE, PERSON_NUMBERS_FILE)
        )
    }


def _download(fs: pafs.S3FileSystem, source: str, target: Path) -> None:
    """Copy one object to ``target`` (owner-only), whole or not at all."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.download")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        with os.fdopen(descriptor, "wb") as out, fs.open_input_stream(source) as stream:
            while chunk := stream.read(CHUNK):
                out.write(chunk)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def snapshot_pull(location: S3Location, directory: Path, *, with_state: bool = False) -> Path:
    """Bring the copy in ``directory`` up to date with the bucket; returns ``directory``.

    ``with_state`` also fetches ``state.json`` and the person numbers (the writer needs them;
    readers do not).
    """
    writer_files = (STATE_FILE, PERSON_NUMBERS_FILE)
    fs = s3_filesystem(location)
    remote = _remote_files(fs, location)
    private_directory(directory)
    try:
        for name, size in remote.items():
            if name in writer_files and not with_state:
                continue
            local = directory / name
            if name not in writer_files and local.exists() and local.stat().st_size == size:
                continue  # parts never change once written
            _download(fs, f"{_root(location)}/{name}", local)
    except OSError as error:
        raise SnapshotError(
            f"s3://{_root(location)}: the snapshot could not be copied from the bucket ({error})"
        ) from None
    for local in directory.glob(PART_PATTERN):
        if local.name not in remote:
            local.unlink(missing_ok=True)
    for name in writer_files if with_state else ():
        if name not in remote:
            (directory / name).unlink(missing_ok=True)
    return directory


def snapshot_push(location: S3Location, directory: Path, part: Path | None) -> None:
    """Send a newly written ``part`` (if any), its person numbers, then ``state.json``, to the
    bucket. Person numbers that do not name the bucket's parts are built again from them by
    the next writer, so a send that stops half-way gives no number to two people."""
    fs = s3_filesystem(location)
    names = [part.name, PERSON_NUMBERS_FILE] if part is not None else []
    try:
        for name in [*names, STATE_FILE]:
            with (
                (directory / name).open("rb") as source,
                fs.open_output_stream(f"{_root(location)}/{name}") as out,
            ):
                while chunk := source.read(CHUNK):
                    out.write(chunk)
    except OSError as error:
        raise SnapshotError(
            f"s3://{_root(location)}: the snapshot could not be sent to the bucket ({error})"
        ) from None

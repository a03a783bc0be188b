"""The files of a backup: encrypted in chunks, checksummed, listed in a sealed manifest.

Each file is AES-256-GCM in 1 MiB chunks (the "STREAM" construction): every chunk's nonce
is the file's random prefix and the chunk's number, and its authenticated data names the
file, the chunk's number and whether it is the last. A chunk changed, moved, dropped or
added, or a file cut short or renamed, fails to open; memory stays at one chunk, so a
database of any size can be backed up. The manifest (sizes, checksums, row counts) is plain
JSON, so an operator can read what a backup holds without the key, and sealed with an HMAC
under the same key so it cannot be changed unnoticed.

Pure: no Django here. See docs/decisions/0091-backups-encrypted-checked-restored.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import struct
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"BRIDGEWAY-BACKUP-1\n"
CHUNK_SIZE = 1 << 20
PREFIX_SIZE = 7
# Each record: the ciphertext's length (4 bytes) and whether it is the last chunk (1 byte).
RECORD = struct.Struct(">IB")
READ_SIZE = 1 << 16


class BackupDamaged(Exception):
    """A backup file or manifest that cannot be trusted: changed, cut short or wrong key."""


def backup_key(text: str) -> bytes:
    """The 32-byte key from its text form (url-safe base64, as ``Fernet.generate_key``)."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (ValueError, binascii.Error, UnicodeEncodeError):
        key = b""
    if len(key) != 32:
        raise ValueError("a backup key is url-safe base64 of 32 bytes")
    return key


def key_id(key: bytes) -> str:
    """A short name for ``key`` that says which key made a backup without revealing it."""
    return hashlib.sha256(b"bridgeway-backup-key-id\0" + key).hexdigest()[:16]


def _associated(name: str, number: int, last: bool) -> bytes:
    return name.encode("utf-8") + b"\0" + struct.pack(">QB", number, last)


def _nonce(prefix: bytes, number: int) -> bytes:
    return prefix + struct.pack(">IB", number & 0xFFFFFFFF, number >> 32)


def encrypt_stream(source: BinaryIO, target: BinaryIO, key: bytes, name: str) -> None:
    """Write ``source`` to ``target`` encrypted under ``key``, bound to the file ``name``."""
    aead = AESGCM(key)
    prefix = os.urandom(PREFIX_SIZE)
    target.write(MAGIC + prefix)
    number = 0
    chunk = source.read(CHUNK_SIZE)
    while True:
        following = source.read(CHUNK_SIZE)
        last = not following
        sealed = aead.encrypt(_nonce(prefix, number), chunk, _associated(name, number, last))
        target.write(RECORD.pack(len(sealed), last) + sealed)
        if last:
            return
        chunk = following
        number += 1


def decrypt_stream(source: BinaryIO, target: BinaryIO, key: bytes, name: str) -> None:
    """Write the plain text of ``source`` to ``target``; ``BackupDamaged`` if it was altered."""
    aead = AESGCM(key)
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupDamaged(f"{name} is not a Bridgeway backup file")
    prefix = source.read(PREFIX_SIZE)
    number = 0
    while True:
        header = source.read(RECORD.size)
        if len(header) != RECORD.size:
            raise BackupDamaged(f"{name} is cut short")
        length, last = RECORD.unpack(header)
        sealed = source.read(length)
        if len(sealed) != length or length > CHUNK_SIZE + 16:
            raise BackupDamaged(f"{name} is cut short")
        try:
            plain = aead.decrypt(_nonce(prefix, number), sealed, _associated(name, number, last))
        except InvalidTag:
            raise BackupDamaged(
                f"{name} does not open with the backup key: it was changed, or made with "
                "another key"
            ) from None
        target.write(plain)
        if last:
            break
        number += 1
    if source.read(1):
        raise BackupDamaged(f"{name} has data after its end")


def encrypt_file(source: Path, target: Path, key: bytes, name: str) -> None:
    """Encrypt the file ``source`` into ``target`` (see ``encrypt_stream``)."""
    with source.open("rb") as plain, target.open("xb") as sealed:
        encrypt_stream(plain, sealed, key, name)


def decrypt_file(source: Path, target: Path, key: bytes, name: str) -> None:
    """Decrypt the file ``source`` into ``target`` (see ``decrypt_stream``)."""
    with source.open("rb") as sealed, target.open("xb") as plain:
        decrypt_stream(sealed, plain, key, name)


def file_digest(path: Path) -> tuple[int, str]:
    """The size in bytes and SHA-256 (hex) of the file at ``path``."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(READ_SIZE):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _canonical(manifest: dict[str, Any]) -> bytes:
    body = {name: value for name, value in manifest.items() if name != "seal"}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def manifest_sealed(manifest: dict[str, Any], key: bytes) -> dict[str, Any]:
    """``manifest`` with its ``seal``: an HMAC-SHA256 of its canonical JSON under ``key``."""
    seal = hmac.new(key, _canonical(manifest), hashlib.sha256).hexdigest()
    return {**manifest, "seal": seal}


def manifest_problem(manifest: dict[str, Any], key: bytes) -> str | None:
    """Why ``manifest`` cannot be trusted under ``key``, or ``None`` when its seal holds."""
    expected = hmac.new(key, _canonical(manifest), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, str(manifest.get("seal", ""))):
        return "manifest.json was changed after the backup was made"
    return None


def files_problems(folder: Path, files: dict[str, dict[str, Any]]) -> list[str]:
    """Each listed file that is missing or whose size or checksum differs, in words."""
    problems = []
    for name, listed in sorted(files.items()):
        path = folder / name
        if Path(name).name != name:
            problems.append(f"{name} is not a plain file name")
            continue
        if not path.is_file():
            problems.append(f"{name} is missing")
            continue
        size, sha256 = file_digest(path)
        if size != listed.get("size") or sha256 != listed.get("sha256"):
            problems.append(
                f"{name} does not match the manifest (size {size}, expected {listed.get('size')};"
                " checksum differs)"
                if size != listed.get("size")
                else f"{name} does not match the manifest's checksum"
            )
    return problems

"""The backup file format: what goes in comes out, and any change is refused (pure)."""

from __future__ import annotations

import io
import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgeway.operations import backup_format
from bridgeway.operations.backup_format import (
    BackupDamaged,
    backup_key,
    decrypt_stream,
    encrypt_stream,
    manifest_problem,
    manifest_sealed,
)

KEY = os.urandom(32)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Many chunks from little data, so the chunk boundaries are what is tested.
    monkeypatch.setattr(backup_format, "CHUNK_SIZE", 64)


def _sealed(data: bytes, name: str = "database.enc") -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, KEY, name)
    return out.getvalue()


def _opened(sealed: bytes, name: str = "database.enc", key: bytes = KEY) -> bytes:
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(sealed), out, key, name)
    return out.getvalue()


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=700))
def test_what_is_encrypted_opens_to_the_same_bytes(data: bytes) -> None:
    sealed = _sealed(data)
    assert _opened(sealed) == data
    # Past the plain header (which any data may happen to repeat), nothing of it shows.
    if len(data) >= 16:
        assert data not in sealed[len(backup_format.MAGIC) :]


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=400), st.data())
def test_any_byte_changed_is_refused(data: bytes, draw: st.DataObject) -> None:
    sealed = bytearray(_sealed(data))
    position = draw.draw(st.integers(0, len(sealed) - 1))
    sealed[position] ^= draw.draw(st.integers(1, 255))
    with pytest.raises(BackupDamaged):
        _opened(bytes(sealed))


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=1, max_size=400), st.data())
def test_a_file_cut_short_or_lengthened_is_refused(data: bytes, draw: st.DataObject) -> None:
    sealed = _sealed(data)
    cut = draw.draw(st.integers(0, len(sealed) - 1))
    with pytest.raises(BackupDamaged):
        _opened(sealed[:cut])
    with pytest.raises(BackupDamaged, match="data after its end"):
        _opened(sealed + b"\0")


def test_chunks_cannot_be_dropped_at_a_boundary() -> None:
    """Cutting whole chunks off the end leaves no chunk marked last: refused, not shorter."""
    sealed = _sealed(bytes(200))
    header = len(backup_format.MAGIC) + backup_format.PREFIX_SIZE
    record = backup_format.RECORD.size + 64 + 16
    with pytest.raises(BackupDamaged, match="cut short"):
        _opened(sealed[: header + 2 * record])


def test_a_file_renamed_or_opened_with_another_key_is_refused() -> None:
    sealed = _sealed(b"some rows", name="database.enc")
    with pytest.raises(BackupDamaged, match="does not open"):
        _opened(sealed, name="media.tar.enc")
    with pytest.raises(BackupDamaged, match="does not open"):
        _opened(sealed, key=os.urandom(32))


def test_the_manifest_seal_finds_any_change() -> None:
    manifest = manifest_sealed({"rows": {"casework_referral": 3}, "files": {}}, KEY)
    assert manifest_problem(manifest, KEY) is None
    changed = json.loads(json.dumps(manifest))
    changed["rows"]["casework_referral"] = 4
    assert manifest_problem(changed, KEY) is not None
    assert manifest_problem(manifest, os.urandom(32)) is not None


@pytest.mark.parametrize("text", ["", "short", "not base64 at all!!", "A" * 44])
def test_a_key_that_is_not_32_bytes_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        backup_key(text)

"""The SQLite file, keys, snapshot and uploads are readable by their owner only."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.test import Client

from bridgeway.private_files import (
    is_private,
    owner_only_files,
    private_directory,
    private_file,
    private_tree,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """The common umask 022, under which new files are readable by every local account."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_private_file_is_created_0600_and_a_loose_one_tightened(tmp_path, loose_umask):
    new = private_file(tmp_path / "new")
    loose = tmp_path / "loose"
    loose.write_text("x")
    loose.chmod(0o644)
    private_file(loose)
    assert (_mode(new), _mode(loose)) == (0o600, 0o600)


def test_a_private_directory_is_0700_and_a_stricter_mode_is_kept(tmp_path, loose_umask):
    assert _mode(private_directory(tmp_path / "a" / "b")) == 0o700
    strict = tmp_path / "strict"
    strict.mkdir(mode=0o500)
    private_directory(strict)
    assert _mode(strict) == 0o500


def test_a_private_tree_tightens_everything_under_it(tmp_path, loose_umask):
    (tmp_path / "tree" / "inner").mkdir(parents=True)
    (tmp_path / "tree" / "inner" / "part.parquet").write_text("x")
    private_tree(tmp_path / "tree")
    assert all(is_private(path) for path in [tmp_path / "tree", *(tmp_path / "tree").rglob("*")])


def test_files_made_within_owner_only_files_are_private(tmp_path, loose_umask):
    with owner_only_files():
        (tmp_path / "dir").mkdir()
        (tmp_path / "dir" / "file").write_text("x")
    (tmp_path / "after").write_text("x")
    assert (_mode(tmp_path / "dir"), _mode(tmp_path / "dir" / "file")) == (0o700, 0o600)
    assert _mode(tmp_path / "after") == 0o644


def test_keys_and_the_sqlite_file_are_created_private(run_bridgeway, clean_environment):
    # ``migrate`` makes the keys (settings) and the database (its first connection).
    result = run_bridgeway("migrate", "--run-syncdb", "-v", "0")
    assert result.returncode == 0, result.stderr
    var = Path(clean_environment["BRIDGEWAY_VAR_DIR"])
    database = Path(clean_environment["DATABASE_URL"].removeprefix("sqlite:///"))
    assert _mode(var) == 0o700
    for key in ("secret.key", "encryption.key", "pseudonym.key"):
        assert _mode(var / key) == 0o600, key
    assert _mode(database) == 0o600


def test_uploads_are_stored_private(tmp_path, loose_umask):
    assert (settings.FILE_UPLOAD_PERMISSIONS, settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS) == (
        0o600,
        0o700,
    )
    storage = FileSystemStorage(location=tmp_path / "media")
    name = storage.save("introductions/a.mp3", ContentFile(b"ID3 recording"))
    stored = Path(storage.path(name))
    assert _mode(stored) == 0o600
    assert _mode(stored.parent) == 0o700


@pytest.mark.django_db
def test_the_snapshot_is_written_private(tmp_path, loose_umask):
    out = tmp_path / "snapshot"
    out.mkdir(mode=0o755)
    (out / "older.parquet").write_text("written before the rule")
    (out / "older.parquet").chmod(0o644)
    call_command("snapshot", "--out", str(out), stdout=io.StringIO())
    written = list(out.rglob("*"))
    assert any(path.suffix == ".parquet" and path.name != "older.parquet" for path in written)
    assert all(is_private(path) for path in [out, *written])


def test_hsts_covers_subdomains_behind_https(run_python):
    result = run_python(
        "print(settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS)",
        env={"BRIDGEWAY_HTTPS": "true"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True"]


@pytest.mark.django_db
def test_the_hsts_header_names_subdomains(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get("/healthz", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"

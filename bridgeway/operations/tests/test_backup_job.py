"""The nightly backup job: off until a folder is set; then backs up and keeps the newest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import override_settings

from bridgeway.operations import jobs
from bridgeway.operations.backup import manifest_read

pytestmark = pytest.mark.django_db(transaction=True)


def test_without_a_folder_it_backs_up_nothing_and_says_so(caplog, tmp_path: Path) -> None:
    with override_settings(BACKUP_DIR=""):
        jobs.backup()
    assert "BRIDGEWAY_BACKUP_DIR is not set" in caplog.text


def test_it_writes_a_checked_backup_and_keeps_only_the_newest(tmp_path: Path) -> None:
    with override_settings(BACKUP_DIR=str(tmp_path), BACKUP_KEEP=2, MEDIA_ROOT=tmp_path / "m"):
        for _ in range(3):
            jobs.backup()
    folders = sorted(tmp_path.glob("bridgeway-*"))
    assert len(folders) == 2
    for folder in folders:
        manifest, _ = manifest_read(folder)  # seal and checksums hold
        assert manifest["rows"]["django_migrations"] > 0
        assert json.loads((folder / "manifest.json").read_text())["files"]
    assert not list(tmp_path.glob(".bridgeway-backup-*"))  # no half-made folder left

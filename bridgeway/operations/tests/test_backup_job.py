"""The nightly backup job: off until a folder is set; then backs up and keeps the newest."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import override_settings

from bridgeway.operations import jobs
from bridgeway.operations.backup import manifest_read

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]


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


def test_the_next_backup_removes_what_a_killed_one_left_and_nothing_still_in_use(
    tmp_path: Path,
) -> None:
    out = tmp_path / "backups"
    out.mkdir()
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "bridgeway.settings",
    }
    # A backup process that has made its working folder and written into it, then is killed.
    killed = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, django; django.setup()\n"
            "from pathlib import Path\n"
            "from bridgeway.operations.backup import working_folder\n"
            "work = working_folder(Path(sys.argv[1]), '.bridgeway-backup-')\n"
            "(work / 'plain').mkdir(); (work / 'plain' / 'database.sqlite3').write_text('rows')\n"
            "print(work, flush=True); time.sleep(120)",
            str(out),
        ],
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert killed.stdout is not None
    left = Path(killed.stdout.readline().strip())
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=10)
    assert (left / "plain" / "database.sqlite3").exists()
    # Another backup still running (a live process on this host) keeps its folder.
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        in_use = out / ".bridgeway-backup-in-use"
        in_use.mkdir()
        (in_use / ".owner").write_text(f"{socket.gethostname()} {running.pid}\n")
        with override_settings(BACKUP_DIR=str(out), BACKUP_KEEP=2, MEDIA_ROOT=tmp_path / "m"):
            jobs.backup()
        assert not left.exists()
        assert in_use.exists()
        # Once that one is a day old it is abandoned whoever made it.
        day_ago = time.time() - 86401
        os.utime(in_use, (day_ago, day_ago))
        with override_settings(BACKUP_DIR=str(out), BACKUP_KEEP=2, MEDIA_ROOT=tmp_path / "m"):
            jobs.backup()
        assert not in_use.exists()
    finally:
        running.kill()
        running.wait(timeout=10)
    assert [path.name for path in out.iterdir() if path.name.startswith(".")] == []
    assert len(list(out.glob("bridgeway-*"))) == 2
    for folder in out.glob("bridgeway-*"):
        assert not (folder / ".owner").exists()

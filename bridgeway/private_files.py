"""Files only their owner can read: the SQLite database, keys, the snapshot and uploads.

These files hold sealed personal data, the keys that open it, pseudonymised case events and
documents organisations upload. On a machine shared with other accounts (a hosting user, a
backup agent, another service) the usual ``umask`` of 022 would let every local account read
them. Bridgeway creates them ``0600`` (directories ``0700``) and tightens any it finds
looser, so a deployment gets this without relying on the operator's umask.

Pure: no Django here, so the rules can be used from settings, commands and the snapshot
writer alike.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIRECTORY = 0o700
# Clears every group and other bit of whatever is created while it is in force.
OWNER_ONLY_UMASK = 0o077


def private_directory(path: Path) -> Path:
    """Create ``path`` (and missing parents) if needed, and make it ``0700``; returns it."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIRECTORY)
    _tighten(path, PRIVATE_DIRECTORY)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if it does not exist, and make it ``0600``; returns it.

    Created with ``O_EXCL`` and mode ``0600`` in one step, so there is no moment in which
    the file exists with looser permissions. An empty file is a valid empty SQLite database.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        _tighten(path, PRIVATE_FILE)
    else:
        os.close(descriptor)
    return path


def private_tree(root: Path) -> None:
    """Make ``root`` and everything under it owner-only (``0700`` directories, ``0600`` files).

    Symbolic links are left alone: their targets may be anyone's.
    """
    if not root.exists() or root.is_symlink():
        return
    if not root.is_dir():
        _tighten(root, PRIVATE_FILE)
        return
    _tighten(root, PRIVATE_DIRECTORY)
    for directory, subdirectories, files in os.walk(root):
        for name in subdirectories:
            child = Path(directory) / name
            if not child.is_symlink():
                _tighten(child, PRIVATE_DIRECTORY)
        for name in files:
            child = Path(directory) / name
            if not child.is_symlink():
                _tighten(child, PRIVATE_FILE)


@contextmanager
def owner_only_files() -> Iterator[None]:
    """Within the block, every file and directory this process creates is owner-only.

    The umask is per process, so use this around single-threaded work (a command), not in a
    request handler.
    """
    previous = os.umask(OWNER_ONLY_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def is_private(path: Path) -> bool:
    """Whether nobody but the owner may read, write or enter ``path``."""
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def _tighten(path: Path, mode: int) -> None:
    # Only ever removes permissions: a stricter mode the operator chose is kept.
    current = stat.S_IMODE(path.stat().st_mode)
    if current & ~mode:
        path.chmod(current & mode)

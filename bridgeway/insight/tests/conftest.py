"""Fixtures for insight's tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def snapshot_dir(tmp_path: Path, settings: Any) -> Path:
    """A snapshot directory (not yet made) that the settings point at."""
    directory = tmp_path / "snapshot"
    settings.SNAPSHOT_DIR = directory
    return directory

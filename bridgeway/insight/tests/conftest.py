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


@pytest.fixture
def raw_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cell key perturbation switched off (every change 0), for the tests that check a
    table's arithmetic, suppression and formatting against counts worked out by hand.

    Production code has no way to do this; the perturbation itself is tested in
    test_perturbation.py, and what pages and files publish under it in test_protection.py
    and test_attacker.py.
    """
    from bridgeway.insight import perturbation

    monkeypatch.setattr(perturbation, "perturbation", lambda count, key: 0)
    # Intervals then need not allow for any perturbation either (decision 0073).
    monkeypatch.setattr(perturbation, "MAX_PERTURBATION", 0)

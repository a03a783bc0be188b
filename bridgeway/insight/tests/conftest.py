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
def no_table_withheld(monkeypatch: pytest.MonkeyPatch) -> None:
    """No table by group withheld as too sparse (decision 0155), for the tests of a table's
    arithmetic on a few hand-made people, and for the attacker's controls."""
    from bridgeway.insight import sparse_tables

    monkeypatch.setattr(sparse_tables, "withheld_stages", lambda *args, **kwargs: ())


@pytest.fixture
def only_small_totals_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each provider's total hidden on its own when small, none to protect another (before
    decision 0161), for the attacker's control."""
    from bridgeway.insight import provider_totals

    monkeypatch.setattr(
        provider_totals,
        "hidden_totals",
        lambda totals, threshold: {key for key, value in totals.items() if 0 < value < threshold},
    )

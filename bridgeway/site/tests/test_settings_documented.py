"""Every setting an operator can give is in docs/configuration.md and .env.example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SOURCES = [
    ROOT / "bridgeway" / "settings.py",
    ROOT / "bridgeway" / "site" / "management" / "commands" / "serve.py",
]
NAMES = sorted(
    {name for path in SOURCES for name in re.findall(r"\"(BRIDGEWAY_[A-Z_]+)\"", path.read_text())}
)


def test_the_settings_are_found() -> None:
    assert "BRIDGEWAY_BACKUP_KEYS" in NAMES
    assert len(NAMES) > 40


@pytest.mark.parametrize("document", ["docs/configuration.md", ".env.example"])
def test_every_setting_is_documented(document: str) -> None:
    text = (ROOT / document).read_text()
    assert [name for name in NAMES if name not in text] == []

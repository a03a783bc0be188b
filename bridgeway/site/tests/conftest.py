"""Fixtures for the site shell's tests: running the ``bridgeway`` command in a clean process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# Settings a test's own environment might carry that would change what a fresh process sees.
_CONFIGURATION = (
    "DATABASE_URL",
    "DATABASE_OWNER_URL",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)

BridgewayRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def clean_environment(tmp_path: Path) -> dict[str, str]:
    """An environment with no Bridgeway configuration, its var/ and SQLite file under tmp."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("BRIDGEWAY_") and name not in _CONFIGURATION
    }
    environment["BRIDGEWAY_VAR_DIR"] = str(tmp_path / "var")
    environment["DATABASE_URL"] = f"sqlite:///{tmp_path / 'bridgeway.sqlite3'}"
    environment["PYTHONUNBUFFERED"] = "1"
    return environment


@pytest.fixture
def bridgeway_command() -> list[str]:
    """The installed ``bridgeway`` console script beside this interpreter."""
    script = Path(sys.executable).parent / "bridgeway"
    assert script.exists(), f"the bridgeway console script is not installed at {script}"
    return [str(script)]


@pytest.fixture
def run_bridgeway(
    bridgeway_command: list[str], clean_environment: dict[str, str]
) -> BridgewayRunner:
    """Run ``bridgeway ARGS...`` to completion in a fresh process; extra env via ``env=``."""

    def run(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*bridgeway_command, *arguments],
            env={**clean_environment, **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


@pytest.fixture
def run_python(clean_environment: dict[str, str]) -> BridgewayRunner:
    """Run a Python snippet with Bridgeway's settings set up, in a fresh process."""

    def run(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        prelude = (
            "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'bridgeway.settings'); django.setup(); from django.conf import settings; "
        )
        return subprocess.run(
            [sys.executable, "-c", prelude + code],
            env={**clean_environment, **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run

"""The owner's and the site's database URLs, and the audit keys, as settings read them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bridgeway.cli import OWNER_COMMANDS, main

SITE = "postgres://bridgeway_app@db.example.org:5432/bridgeway"
OWNER = "postgres://bridgeway_owner@db.example.org:5432/bridgeway"
PRINT_USER = "print(settings.DATABASES['default']['USER'], settings.DATABASE_APP_ROLE)"


def test_the_site_connects_as_database_url_and_knows_its_role(run_python):
    result = run_python(PRINT_USER, env={"DATABASE_URL": SITE, "DATABASE_OWNER_URL": OWNER})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "bridgeway_app bridgeway_app"


def test_the_owner_role_connects_with_database_owner_url(run_python):
    result = run_python(
        PRINT_USER,
        env={"DATABASE_URL": SITE, "DATABASE_OWNER_URL": OWNER, "BRIDGEWAY_DATABASE_ROLE": "owner"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "bridgeway_owner bridgeway_app"


def test_an_owner_url_naming_another_database_stops_start_up(run_bridgeway):
    result = run_bridgeway(
        "check",
        env={"DATABASE_URL": SITE, "DATABASE_OWNER_URL": OWNER.replace("/bridgeway", "/other")},
    )

    assert result.returncode == 2
    assert "DATABASE_OWNER_URL must name the same database as DATABASE_URL" in result.stderr


def _unset_role(monkeypatch: pytest.MonkeyPatch) -> None:
    # Set first so that the variable is unset again afterwards, whatever main() does.
    monkeypatch.setenv("BRIDGEWAY_DATABASE_ROLE", "app")
    monkeypatch.delenv("BRIDGEWAY_DATABASE_ROLE")


def test_migrate_and_seed_demo_run_as_the_owner(monkeypatch):
    assert {"migrate", "seed_demo"} <= OWNER_COMMANDS
    _unset_role(monkeypatch)

    with pytest.raises(SystemExit):
        main(["bridgeway", "migrate", "--help"])

    assert os.environ["BRIDGEWAY_DATABASE_ROLE"] == "owner"


def test_other_commands_run_as_the_site(monkeypatch):
    _unset_role(monkeypatch)

    with pytest.raises(SystemExit):
        main(["bridgeway", "audit", "--help"])

    assert "BRIDGEWAY_DATABASE_ROLE" not in os.environ


def test_audit_keys_are_generated_privately_into_var(run_python, clean_environment):
    result = run_python("print(len(settings.AUDIT_KEYS), len(settings.AUDIT_ANCHOR_KEYS))")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1 1"
    var = Path(clean_environment["BRIDGEWAY_VAR_DIR"])
    for name in ("audit.key", "audit-anchor.key"):
        assert stat.S_IMODE((var / name).stat().st_mode) == 0o600


def test_audit_keys_are_read_newest_first(run_python, tmp_path):
    keys = tmp_path / "audit-keys"
    keys.write_text("newest,\nolder\n", encoding="utf-8")
    result = run_python(
        "print(settings.AUDIT_KEYS, settings.AUDIT_ANCHOR_KEYS)",
        env={"BRIDGEWAY_AUDIT_KEYS_FILE": str(keys), "BRIDGEWAY_AUDIT_ANCHOR_KEYS": "a2,a1"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['newest', 'older'] ['a2', 'a1']"

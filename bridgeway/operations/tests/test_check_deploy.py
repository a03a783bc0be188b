"""``bridgeway check --deploy`` passes with deploy/bridgeway.env and names what is wrong."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[3]
ENV_FILE = ROOT / "deploy" / "bridgeway.env"


def production_environment(tmp_path: Path) -> dict[str, str]:
    """The documented environment file, its key files made under tmp_path."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("BRIDGEWAY_", "DATABASE_"))
    }
    environment["PYTHONPATH"] = str(ROOT)
    for line in ENV_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            environment[name] = value
    keys = tmp_path / "keys"
    keys.mkdir()
    for name, value in environment.items():
        if name.endswith("_FILE") and value.startswith("/etc/bridgeway/keys/"):
            key = keys / Path(value).name
            secret = (
                secrets.token_urlsafe(50) if "secret" in value else Fernet.generate_key().decode()
            )
            key.write_text(secret + "\n")
            environment[name] = str(key)
    environment["BRIDGEWAY_VAR_DIR"] = str(tmp_path / "var")
    environment["BRIDGEWAY_AUDIT_ANCHOR_FILE"] = str(tmp_path / "anchors")
    return environment


def check(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "bridgeway"),
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_documented_production_settings_pass(tmp_path: Path) -> None:
    result = check(production_environment(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"BRIDGEWAY_SECRET_KEY_FILE": ""}, "BRIDGEWAY_SECRET_KEY is not set"),
        ({"BRIDGEWAY_ENCRYPTION_KEYS_FILE": ""}, "BRIDGEWAY_ENCRYPTION_KEYS is not set"),
        ({"BRIDGEWAY_AUDIT_KEYS_FILE": ""}, "BRIDGEWAY_AUDIT_KEYS is not set"),
        ({"BRIDGEWAY_BLIND_INDEX_KEY_FILE": ""}, "BRIDGEWAY_BLIND_INDEX_KEY is not set"),
        ({"BRIDGEWAY_DEBUG": "true"}, "BRIDGEWAY_DEBUG is on"),
        ({"BRIDGEWAY_HTTPS": "false"}, "BRIDGEWAY_HTTPS is off behind a proxy"),
        (
            {"DATABASE_URL": "sqlite:///x.sqlite3", "DATABASE_OWNER_URL": ""},
            "DATABASE_URL is not PostgreSQL",
        ),
    ],
)
def test_each_unsafe_setting_fails_naming_it(
    tmp_path: Path, change: dict[str, str], named: str
) -> None:
    environment = production_environment(tmp_path)
    environment.update(change)
    result = check(environment)
    assert result.returncode != 0
    assert named in result.stderr


def _generated_key(environment: dict[str, str], name: str) -> Path:
    """The key file settings.py generates into var/ for local use, made as it would be."""
    var_dir = Path(environment["BRIDGEWAY_VAR_DIR"])
    var_dir.mkdir(exist_ok=True)
    key = var_dir / name
    key.write_text(Fernet.generate_key().decode() + "\n")
    return key


def test_encryption_keys_left_at_the_generated_file_fail_naming_the_setting(
    tmp_path: Path,
) -> None:
    environment = production_environment(tmp_path)
    environment["BRIDGEWAY_ENCRYPTION_KEYS_FILE"] = str(
        _generated_key(environment, "encryption.key")
    )
    result = check(environment)
    assert result.returncode != 0
    assert "BRIDGEWAY_ENCRYPTION_KEYS is the key generated into" in result.stderr
    assert "BRIDGEWAY_BACKUP_KEYS" not in result.stderr  # only the one left behind is named


def test_a_copy_of_the_generated_key_fails_too(tmp_path: Path) -> None:
    environment = production_environment(tmp_path)
    generated = _generated_key(environment, "encryption.key").read_text().strip()
    elsewhere = Path(environment["BRIDGEWAY_ENCRYPTION_KEYS_FILE"])
    elsewhere.write_text(f"{Fernet.generate_key().decode()},{generated}\n")
    result = check(environment)
    assert result.returncode != 0
    assert "BRIDGEWAY_ENCRYPTION_KEYS is the key generated into" in result.stderr
    # Once the local key is gone from var/ (rotated away and moved out), the check passes.
    (Path(environment["BRIDGEWAY_VAR_DIR"]) / "encryption.key").unlink()
    assert check(environment).returncode == 0


def test_any_secret_kept_under_the_data_folder_fails(tmp_path: Path) -> None:
    environment = production_environment(tmp_path)
    environment["BRIDGEWAY_BACKUP_KEYS_FILE"] = str(_generated_key(environment, "my-backup.key"))
    result = check(environment)
    assert result.returncode != 0
    assert "BRIDGEWAY_BACKUP_KEYS is the key generated into" in result.stderr

"""``bridgeway backup`` and ``bridgeway restore`` as an operator runs them, and the drill.

Real processes on real databases (SQLite files, or fresh PostgreSQL databases under
scripts/with-postgres) and moto's S3 server on 127.0.0.1. A source database is filled with
referrals through the real services, backed up once and uploaded; each test restores it (or a
damaged copy) into a new database and looks at what the restored site holds.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[3]
ON_POSTGRES = os.environ.get("DATABASE_OWNER_URL", "").startswith("postgres")
REFERRALS = 6
KEYS = {
    "BRIDGEWAY_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "BRIDGEWAY_AUDIT_KEYS": "an audit key for the backup tests",
    "BRIDGEWAY_BACKUP_KEYS": Fernet.generate_key().decode(),
}


class Site:
    """One database and var folder, with the environment that points commands at them."""

    def __init__(self, base: Path, **settings: str) -> None:
        self.base = base
        self.env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("BRIDGEWAY_", "AWS_"))
            and name not in {"DATABASE_URL", "DATABASE_OWNER_URL"}
        }
        self.env.update(
            PYTHONPATH=str(ROOT),
            DJANGO_SETTINGS_MODULE="bridgeway.settings",
            BRIDGEWAY_VAR_DIR=str(base / "var"),
            BRIDGEWAY_LOG_FORMAT="text",
        )
        self.env.update({**KEYS, **settings})
        self.name = f"bw_backup_{uuid.uuid4().hex[:10]}"
        if ON_POSTGRES:
            self.env["DATABASE_OWNER_URL"] = re.sub(
                r"/[^/]*$", f"/{self.name}", os.environ["DATABASE_OWNER_URL"]
            )
            self.env["DATABASE_URL"] = re.sub(
                r"/[^/]*$", f"/{self.name}", os.environ["DATABASE_URL"]
            )
            _admin(f"CREATE DATABASE {self.name}")

    def run(self, *arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "bridgeway", *arguments],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if check:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    def describe(self) -> dict[str, object]:
        result = subprocess.run(
            [sys.executable, "-m", "bridgeway.operations.tests.backup_data", "describe"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        return dict(json.loads(result.stdout))

    def tables(self) -> int:
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from django.db import connection; "
                "print(len(connection.introspection.table_names()))",
            ],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        return int(result.stdout)

    def drop(self) -> None:
        if ON_POSTGRES:
            _admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_OWNER_URL"], autocommit=True) as connection:
        connection.execute(sql)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3() -> Iterator[dict[str, str]]:
    """moto's S3 server on 127.0.0.1, with a bucket; the settings that reach it."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    settings = {
        "BRIDGEWAY_BACKUP_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-2",
    }
    boto3.client(
        "s3",
        endpoint_url=settings["BRIDGEWAY_BACKUP_S3_ENDPOINT_URL"],
        region_name="eu-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(
        Bucket="bridgeway-backups",
        CreateBucketConfiguration={"LocationConstraint": "eu-west-2"},
    )
    yield settings
    server.stop()


@pytest.fixture(scope="module")
def made(
    tmp_path_factory: pytest.TempPathFactory, s3: dict[str, str]
) -> Iterator[tuple[Site, Path, str, dict[str, object]]]:
    """A filled source site, its backup folder, the backup's S3 address and what it held."""
    base = tmp_path_factory.mktemp("source")
    source = Site(base, **s3)
    source.run("migrate", "--noinput", "-v", "0")
    subprocess.run(
        [sys.executable, "-m", "bridgeway.operations.tests.backup_data", "fill", str(REFERRALS)],
        env=source.env,
        check=True,
        timeout=600,
    )
    result = source.run(
        "backup", "--out", str(base / "backups"), "--upload", "s3://bridgeway-backups/nightly"
    )
    written = re.search(r"Backup written to (\S+)", result.stdout)
    copied = re.search(r"Copied to (\S+)", result.stdout)
    assert written is not None, result.stdout
    assert copied is not None, result.stdout
    folder, address = Path(written[1]), copied[1]
    yield source, folder, address, source.describe()
    source.drop()


@pytest.fixture
def fresh(tmp_path: Path, s3: dict[str, str]) -> Iterator[Site]:
    site = Site(tmp_path, **s3)
    yield site
    site.drop()


def test_a_backup_restores_from_s3_into_a_fresh_database(made, fresh: Site) -> None:
    _, folder, address, before = made
    assert address == f"s3://bridgeway-backups/nightly/{folder.name}"
    result = fresh.run("restore", address)
    assert "Audit log intact" in result.stdout
    assert "sealed values open with the configured keys" in result.stdout
    after = fresh.describe()
    assert after == before
    assert len(before["referrals"]) == REFERRALS
    assert "Ní Bhriain" in next(iter(before["referrals"].values()))
    assert before["upload"] == "An introduction letter, uploaded.\n"
    # The restored site goes on: its audit chain verifies on its own, and migrate has nothing to do.
    assert "Audit log intact" in fresh.run("audit", "verify").stdout
    assert "No migrations to apply" in fresh.run("migrate", "--noinput").stdout


def test_a_backup_holds_no_keys_and_no_plain_personal_data(made) -> None:
    _, folder, _, before = made
    names = sorted(path.name for path in folder.iterdir())
    assert "manifest.json" in names
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["rows"]["casework_referral"] == REFERRALS
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    everything = b"".join(path.read_bytes() for path in folder.iterdir())
    names = list(before["referrals"].values())
    for secret in [*KEYS.values(), *names, "Ní Bhriain", "introduction letter"]:
        assert secret.encode() not in everything
    for path in [folder, *folder.iterdir()]:
        assert path.stat().st_mode & 0o077 == 0, path


def test_a_database_that_has_data_is_refused_and_left_as_it_was(made) -> None:
    source, folder, _, before = made
    result = source.run("restore", str(folder), check=False)
    assert result.returncode == 1
    assert "Restore only into a new, empty database" in result.stderr
    assert source.describe() == before


def _copy(folder: Path, tmp_path: Path) -> Path:
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    return copy


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        ("alter", "does not match the manifest's checksum"),
        ("remove", "media.tar.enc is missing"),
        ("manifest", "manifest.json was changed after the backup was made"),
    ],
)
def test_a_damaged_backup_is_named_and_restores_nothing(
    made, fresh: Site, tmp_path: Path, damage: str, said: str
) -> None:
    copy = _copy(made[1], tmp_path)
    database = next(copy.glob("database.*"))
    if damage == "alter":
        data = bytearray(database.read_bytes())
        data[len(data) // 2] ^= 1
        database.write_bytes(bytes(data))
    elif damage == "remove":
        (copy / "media.tar.enc").unlink()
    else:
        manifest = json.loads((copy / "manifest.json").read_text())
        manifest["rows"]["casework_referral"] += 1
        (copy / "manifest.json").write_text(json.dumps(manifest))
    result = fresh.run("restore", str(copy), check=False)
    assert result.returncode == 1
    assert said in result.stderr
    assert "Nothing was restored" in result.stderr
    assert fresh.tables() == 0


@pytest.mark.parametrize(
    ("variable", "said"),
    [
        ("BRIDGEWAY_ENCRYPTION_KEYS", "BRIDGEWAY_ENCRYPTION_KEYS cannot open"),
        ("BRIDGEWAY_AUDIT_KEYS", "BRIDGEWAY_AUDIT_KEYS does not hold the audit key"),
        ("BRIDGEWAY_BACKUP_KEYS", "which is not among BRIDGEWAY_BACKUP_KEYS"),
    ],
)
def test_keys_that_cannot_open_it_are_named_and_nothing_is_restored(
    made, fresh: Site, variable: str, said: str
) -> None:
    fresh.env[variable] = (
        "another audit key"
        if variable == "BRIDGEWAY_AUDIT_KEYS"
        else Fernet.generate_key().decode()
    )
    result = fresh.run("restore", str(made[1]), check=False)
    assert result.returncode == 1
    assert said in result.stderr
    assert fresh.tables() == 0


def test_a_sealed_value_that_does_not_open_after_loading_leaves_the_database_empty(
    tmp_path: Path, s3: dict[str, str]
) -> None:
    """Values sealed with a key the restoring site lacks: found after the load, then undone."""
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    source = Site(tmp_path / "source", BRIDGEWAY_ENCRYPTION_KEYS=old_key, **s3)
    target = Site(tmp_path / "target", BRIDGEWAY_ENCRYPTION_KEYS=new_key, **s3)
    try:
        source.run("migrate", "--noinput", "-v", "0")
        subprocess.run(
            [sys.executable, "-m", "bridgeway.operations.tests.backup_data", "fill", "1"],
            env=source.env,
            check=True,
            timeout=600,
        )
        # A rotation begun (a new key first) but the old values never resealed, and the
        # old key then dropped: the backup's own check opens, its older values do not.
        source.env["BRIDGEWAY_ENCRYPTION_KEYS"] = f"{new_key},{old_key}"
        source.run("backup", "--out", str(tmp_path / "backups"))
        folder = next((tmp_path / "backups").iterdir())
        result = target.run("restore", str(folder), check=False)
        assert result.returncode == 1
        assert "does not open with BRIDGEWAY_ENCRYPTION_KEYS" in result.stderr
        assert target.tables() == 0
        assert not (tmp_path / "target" / "var" / "media").exists()
    finally:
        source.drop()
        target.drop()

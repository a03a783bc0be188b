"""``bridgeway backup`` and ``bridgeway restore``: a consistent, encrypted copy that restores.

A backup is a folder: the database (PostgreSQL: ``pg_dump``'s custom format taken in an
exported snapshot, so the row counts are of the very same moment; SQLite: the online backup
API), the uploaded files as a tar, each encrypted (backup_format.py), and ``manifest.json``
with sizes, checksums, row counts, applied migrations and two checks made with the keys in
force (a sealed value and an audit MAC), never the keys themselves.

A restore checks everything it can before it writes anything (manifest seal, files, the
keys, the migrations, an empty database and upload folder), then restores, then verifies
(row counts, ``audit verify``, every sealed value opens). If the database load or a check
after it fails, what was restored is removed again, so the database is empty as before.
See docs/decisions/0091-backups-encrypted-checked-restored.md.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import os
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from bridgeway import sealing
from bridgeway.operations.backup_format import (
    BackupDamaged,
    backup_key,
    decrypt_file,
    encrypt_file,
    file_digest,
    files_problems,
    key_id,
    manifest_problem,
    manifest_sealed,
)
from bridgeway.private_files import owner_only_files, private_directory

logger = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILE = {"postgresql": "database.pgdump.enc", "sqlite": "database.sqlite3.enc"}
MEDIA_FILE = "media.tar.enc"
# Sealed and MAC'd at backup time with the keys then in force; a restore opens them first.
CHECK_TEXT = "bridgeway backup key check"
# In each hidden working folder: the host and process making it, so a later run can tell a
# folder left by a killed run from one still being written.
OWNER = ".owner"
# A working folder older than this is abandoned whoever made it (no backup runs for a day).
STALE_AFTER_SECONDS = 86400


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says what and what to do."""


@dataclass(frozen=True)
class RestoreReport:
    """What a restore put back and checked."""

    tables: int
    rows: int
    audit: str
    sealed_values: int
    media_files: int


def _keys() -> list[bytes]:
    try:
        return [backup_key(key) for key in settings.BACKUP_KEYS]
    except ValueError as error:
        raise BackupError(f"BRIDGEWAY_BACKUP_KEYS: {error}") from None


def _program(name: str) -> str:
    if settings.POSTGRES_BIN_DIR:
        return str(Path(settings.POSTGRES_BIN_DIR) / name)
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found: install postgresql-client or set BRIDGEWAY_POSTGRES_BIN_DIR"
        )
    return found


def _postgres_arguments() -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for pg_dump/pg_restore: Django's own database."""
    database: dict[str, Any] = dict(settings.DATABASES["default"])
    arguments = ["--dbname", str(database["NAME"])]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            arguments += [option, str(database[key])]
    environment = {**os.environ}
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = str(database["PASSWORD"])
    return arguments, environment


def _run(command: list[str], environment: dict[str, str] | None = None) -> None:
    result = subprocess.run(  # noqa: S603 - the programs and arguments are the settings'
        command, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _row_counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _mac(key: bytes) -> str:
    return hmac.new(key, CHECK_TEXT.encode(), hashlib.sha256).hexdigest()


def _migrations_applied() -> list[list[str]]:
    recorder = MigrationRecorder(connection)
    return sorted([app, name] for app, name in recorder.applied_migrations())


# --- Backup ---------------------------------------------------------------------------------


def backup_make(out: Path) -> Path:
    """Write a backup into a new folder under ``out``; returns the folder."""
    with owner_only_files():
        return _backup_make(out)


def _backup_make(out: Path) -> Path:
    keys = _keys()
    private_directory(out)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S.%fZ")
    folder = out / f"bridgeway-{stamp}"
    if folder.exists():
        raise BackupError(f"{folder} already exists; run it again")
    work = working_folder(out, ".bridgeway-backup-")
    try:
        manifest = _backup_into(work, keys[0])
        manifest_path = work / MANIFEST
        manifest_path.write_text(json.dumps(manifest_sealed(manifest, keys[0]), indent=2))
        (work / OWNER).unlink()
        # Only a complete backup gets its final name.
        work.rename(folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return folder


def working_folder(parent: Path, prefix: str) -> Path:
    """A new hidden folder under ``parent``, after removing those that killed runs left."""
    for left in parent.glob(f"{prefix}*"):
        if left.is_dir() and _abandoned(left):
            logger.warning("removing %s, left by a backup or restore that was stopped", left)
            shutil.rmtree(left, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    (work / OWNER).write_text(f"{socket.gethostname()} {os.getpid()}\n", encoding="utf-8")
    return work


def _abandoned(folder: Path) -> bool:
    """Whether no live process is writing ``folder``: its maker on this host is gone, or it
    is a day old (a maker on another host, or a process id used again since)."""
    try:
        if time.time() - folder.stat().st_mtime > STALE_AFTER_SECONDS:
            return True
        host, _, pid = (folder / OWNER).read_text(encoding="utf-8").partition(" ")
        if host != socket.gethostname():
            return False
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (OSError, ValueError):
        # Just made and not yet signed, or not ours to judge: left until it is a day old.
        return False
    return False


def _backup_into(work: Path, key: bytes) -> dict[str, Any]:
    plain = work / "plain"
    plain.mkdir(mode=0o700)
    vendor = connection.vendor
    if vendor == "postgresql":
        rows, migrations = _dump_postgres(plain / "database")
    elif vendor == "sqlite":
        rows, migrations = _dump_sqlite(plain / "database")
    else:
        raise BackupError(f"backups of {vendor} databases are not supported")
    media_count = _tar_media(plain / "media")
    files = {}
    for source, name in (
        (plain / "database", DATABASE_FILE[vendor]),
        (plain / "media", MEDIA_FILE),
    ):
        encrypt_file(source, work / name, key, name)
        source.unlink()
        size, sha256 = file_digest(work / name)
        files[name] = {"size": size, "sha256": sha256}
    plain.rmdir()
    audit_key = settings.AUDIT_KEYS[0].encode()
    return {
        "format": FORMAT,
        "made_at": timezone.now().isoformat(),
        "engine": vendor,
        "key_id": key_id(key),
        "files": files,
        "rows": rows,
        "media_files": media_count,
        "migrations": migrations,
        "checks": {
            "sealed": sealing.seal(CHECK_TEXT),
            "audit_mac": _mac(audit_key),
        },
    }


def _dump_postgres(target: Path) -> tuple[dict[str, int], list[list[str]]]:
    arguments, environment = _postgres_arguments()
    # The counts and pg_dump read one snapshot, so the manifest describes the dump exactly
    # while the site goes on writing.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        rows = _row_counts(cursor, connection.introspection.table_names(cursor))
        migrations = _migrations_applied()
        _run(
            [
                _program("pg_dump"),
                *arguments,
                "--format=custom",
                "--no-owner",
                "--no-acl",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ],
            environment,
        )
    return rows, migrations


def _dump_sqlite(target: Path) -> tuple[dict[str, int], list[list[str]]]:
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
    with sqlite3.connect(target) as copy:
        tables = [
            name
            for (name,) in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        rows = {
            table: int(copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])  # noqa: S608
            for table in sorted(tables)
        }
        migrations = sorted(
            [app, name] for app, name in copy.execute("SELECT app, name FROM django_migrations")
        )
    copy.close()
    return rows, migrations


def _tar_media(target: Path) -> int:
    media = Path(settings.MEDIA_ROOT)
    count = 0
    with tarfile.open(target, "w") as archive:
        if media.is_dir():
            for path in sorted(media.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.add(path, arcname=str(path.relative_to(media)), recursive=False)
                    count += 1
    return count


def backups_prune(out: Path, *, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` backup folders in ``out``; returns those removed."""
    folders = sorted(
        path for path in out.glob("bridgeway-*") if path.is_dir() and (path / MANIFEST).exists()
    )
    removed = folders[:-keep] if len(folders) > keep else []
    for folder in removed:
        shutil.rmtree(folder)
    return removed


# --- Restore --------------------------------------------------------------------------------


def manifest_read(folder: Path) -> tuple[dict[str, Any], bytes]:
    """The backup's manifest and the key that opens it, after its seal and files are checked."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} holds no {MANIFEST}: it is not a Bridgeway backup folder")
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{MANIFEST} cannot be read: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{MANIFEST} is not a format {FORMAT} Bridgeway manifest")
    keys = {key_id(key): key for key in _keys()}
    key = keys.get(str(manifest.get("key_id")))
    if key is None:
        raise BackupError(
            f"The backup was made with backup key {manifest.get('key_id')}, which is not among "
            "BRIDGEWAY_BACKUP_KEYS. Add that key (newest first) and run the restore again."
        )
    problem = manifest_problem(manifest, key)
    if problem is not None:
        raise BackupError(f"The backup cannot be trusted: {problem}. Nothing was restored.")
    problems = files_problems(folder, manifest["files"])
    if problems:
        raise BackupError(
            "The backup cannot be trusted: " + "; ".join(problems) + ". Nothing was restored."
        )
    return manifest, key


def _keys_problem(manifest: dict[str, Any]) -> str | None:
    checks = manifest["checks"]
    try:
        if sealing.unseal(checks["sealed"]) != CHECK_TEXT:
            raise ImproperlyConfigured
    except ImproperlyConfigured:
        return (
            "BRIDGEWAY_ENCRYPTION_KEYS cannot open the backup's sealed values: configure the "
            "encryption keys the backed-up site used"
        )
    # The audit keys' numbering is checked after the load, by `audit verify`.
    if not any(
        hmac.compare_digest(_mac(key.encode()), checks["audit_mac"]) for key in settings.AUDIT_KEYS
    ):
        return (
            "BRIDGEWAY_AUDIT_KEYS does not hold the audit key the backed-up site sealed with: "
            "configure the audit keys it used"
        )
    return None


def _unknown_migrations(manifest: dict[str, Any]) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, name in manifest["migrations"] if (app, name) not in known]


def _media_is_empty() -> bool:
    media = Path(settings.MEDIA_ROOT)
    return not media.exists() or not any(media.iterdir())


def restore_check(folder: Path) -> tuple[dict[str, Any], bytes]:
    """Every check a restore makes before it writes anything; the manifest and its key."""
    manifest, key = manifest_read(folder)
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            f"The backup is of a {manifest['engine']} database; DATABASE_URL is {connection.vendor}"
        )
    problem = _keys_problem(manifest)
    if problem is not None:
        raise BackupError(f"{problem}. Nothing was restored.")
    unknown = _unknown_migrations(manifest)
    if unknown:
        raise BackupError(
            "The backup was made by a newer Bridgeway (migrations "
            + ", ".join(unknown[:5])
            + " are unknown here). Install that version, restore, then upgrade."
        )
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"The database already has {len(tables)} tables ({', '.join(sorted(tables)[:3])}, ...)."
            " Restore only into a new, empty database: create one, point DATABASE_URL and "
            "DATABASE_OWNER_URL at it, and do not run migrate first. Nothing was changed."
        )
    if not _media_is_empty():
        raise BackupError(
            f"The upload folder {settings.MEDIA_ROOT} is not empty. Move it aside and run the "
            "restore again. Nothing was changed."
        )
    return manifest, key


def backup_restore(folder: Path) -> RestoreReport:
    """Restore the backup in ``folder`` into the configured, empty database; verify it."""
    with owner_only_files():
        return _backup_restore(folder)


def _backup_restore(folder: Path) -> RestoreReport:
    manifest, key = restore_check(folder)
    engine = manifest["engine"]
    with _scratch(folder) as scratch:
        database = scratch / "database"
        media = scratch / "media"
        try:
            decrypt_file(folder / DATABASE_FILE[engine], database, key, DATABASE_FILE[engine])
            decrypt_file(folder / MEDIA_FILE, scratch / "media.tar", key, MEDIA_FILE)
        except BackupDamaged as error:
            raise BackupError(
                f"The backup cannot be trusted: {error}. Nothing was restored."
            ) from None
        media_files = _untar(scratch / "media.tar", media)
        try:
            _load(engine, database)
            report = _verify(manifest, media_files)
        except BaseException:
            _empty_database(engine)
            raise
        _move_media_into_place(media)
    return report


@contextmanager
def _scratch(folder: Path) -> Iterator[Path]:
    # Next to the upload folder, so the restored files are moved into place, not copied.
    parent = Path(settings.MEDIA_ROOT).parent
    private_directory(parent)
    scratch = working_folder(parent, ".bridgeway-restore-")
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _untar(archive_path: Path, target: Path) -> int:
    private_directory(target)
    with tarfile.open(archive_path) as archive:
        members = archive.getmembers()
        # The "data" filter refuses absolute paths, links out of the folder and devices.
        archive.extractall(target, filter="data")
    return sum(1 for member in members if member.isfile())


def _load(engine: str, database: Path) -> None:
    if engine == "postgresql":
        arguments, environment = _postgres_arguments()
        connections.close_all()
        _run(
            [
                _program("pg_restore"),
                *arguments,
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                "--exit-on-error",
                str(database),
            ],
            environment,
        )
        return
    connection.ensure_connection()
    with sqlite3.connect(database) as source:
        source.backup(connection.connection)
    source.close()


def _verify(manifest: dict[str, Any], media_files: int) -> RestoreReport:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        rows = _row_counts(cursor, tables)
    expected: dict[str, int] = manifest["rows"]
    if rows != expected:
        differ = [
            f"{table} has {rows.get(table)} rows, the manifest {expected.get(table)}"
            for table in sorted(set(rows) | set(expected))
            if rows.get(table) != expected.get(table)
        ]
        raise BackupError("The restored rows differ from the backup's: " + "; ".join(differ))
    if media_files != manifest["media_files"]:
        raise BackupError(
            f"The backup's upload archive holds {media_files} files, the manifest "
            f"{manifest['media_files']}"
        )
    # `migrate` grants the site's role its rights (its post_migrate signal), and brings a
    # backup from an older Bridgeway up to this one's schema, once the rows are counted.
    call_command("migrate", interactive=False, verbosity=0)
    out = io.StringIO()
    try:
        call_command("audit", "verify", stdout=out)
    except CommandError as error:
        raise BackupError(f"audit verify failed on the restored database: {error}") from None
    return RestoreReport(
        tables=len(tables),
        rows=sum(rows.values()),
        audit=out.getvalue().splitlines()[0],
        sealed_values=_sealed_values_open(),
        media_files=media_files,
    )


def _sealed_values_open() -> int:
    """How many sealed values there are, each opened; ``BackupError`` at one that does not."""
    opened = 0
    for model, model_field in sealing.sealed_columns():
        values = (
            model._default_manager.exclude(**{model_field.attname: ""})
            .exclude(**{f"{model_field.attname}__isnull": True})
            .values_list(model_field.attname, flat=True)
        )
        try:
            # Reading through the field opens each value (SealedTextField.from_db_value).
            opened += sum(1 for _ in values.iterator(chunk_size=2000))
        except ImproperlyConfigured:
            raise BackupError(
                f"A sealed value in {model._meta.db_table}.{model_field.column} does not open "
                "with BRIDGEWAY_ENCRYPTION_KEYS"
            ) from None
    return opened


def _empty_database(engine: str) -> None:
    """Remove what a failed restore put into the database, leaving it empty as it was."""
    connections.close_all()
    if engine == "sqlite":
        path = Path(settings.DATABASES["default"]["NAME"])
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
        cursor.execute(
            "SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = current_schema() AND pg_get_userbyid(p.proowner) = current_user"
        )
        for (function,) in cursor.fetchall():
            cursor.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")
    connections.close_all()


def _move_media_into_place(restored: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        media.rmdir()  # checked empty before the restore began
    restored.rename(media)

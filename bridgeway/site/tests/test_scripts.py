"""The set-up scripts behind ``make demo`` and ``make test``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from django.conf import settings

SCRIPTS = Path(settings.BASE_DIR) / "scripts"


def run_script(
    *arguments: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPTS / arguments[0]), *arguments[1:]],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_with_postgres_runs_the_command_against_a_server_then_stops_it_and_cleans_up():
    # The command reports where the server is, proves it answers, and then fails: the
    # script must pass the failure on and still stop the server and remove its files.
    # Two roles: the site's, which is no superuser, and the owner of the database.
    probe = (
        "import os, sys, psycopg; url = os.environ['DATABASE_URL']; print(url); "
        "owner = psycopg.connect(os.environ['DATABASE_OWNER_URL']); "
        "print(psycopg.connect(url).execute('select 41 + 1, current_user, "
        "(select rolsuper from pg_roles where rolname = current_user)').fetchone()); "
        "print(owner.execute('select current_user, pg_get_userbyid(datdba) from pg_database "
        "where datname = current_database()').fetchone()); sys.exit(3)"
    )
    result = run_script("with-postgres", sys.executable, "-c", probe)
    assert result.returncode == 3, result.stderr
    started, url, answer, owner = result.stdout.strip().splitlines()[-4:]
    assert url.startswith("postgres://bridgeway_app@127.0.0.1:")
    assert answer == "(42, 'bridgeway_app', False)"
    assert owner == "('bridgeway_owner', 'bridgeway_owner')"
    files = Path(started.rsplit("(files in ", 1)[1].rstrip(")"))
    assert files.name.startswith("bridgeway-postgres.")
    assert not files.exists()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    with socket.socket() as client:
        assert client.connect_ex(("127.0.0.1", port)) != 0, "the server is still listening"


def test_with_postgres_without_a_command_says_how_to_use_it():
    result = run_script("with-postgres")
    assert result.returncode == 2
    assert "usage: scripts/with-postgres COMMAND" in result.stderr


def test_test_script_refuses_an_unknown_part():
    result = run_script("test", "everything")
    assert result.returncode == 2
    assert "usage: scripts/test [all|lint|sqlite|postgres]" in result.stderr


def test_bootstrap_and_system_packages_refuse_an_unknown_mode():
    for script in ("bootstrap", "system-packages"):
        result = run_script(script, "production")
        assert result.returncode == 2
        assert f"usage: scripts/{script} demo|test" in result.stderr


def test_ci_runs_make_test():
    ci = (Path(settings.BASE_DIR) / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in ci
    assert ci.rstrip().endswith("exec make test")

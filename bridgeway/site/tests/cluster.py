"""Bridgeway as several machines on this one: app servers behind Debian's nginx, on a database.

Used by the tests of issue 18 (several app servers, the fault drill) and by the benches that
drive the same shape (``bench/fault_drill.py``, a load bench), so it imports no pytest.
Everything listens on 127.0.0.1 on free ports, keeps its files in its own temporary folder,
and is stopped (and its folder removed) by ``close``, also after a failure; every wait has a
hard limit.

- ``PostgresCopy``: a PostgreSQL server of the caller's own, made with ``pg_basebackup`` from a
  running one (so it already has the migrated database), that may be stopped and restarted.
- ``AppServer``: one ``bridgeway serve`` (gunicorn) in its own process group, which can be
  killed outright (SIGKILL, master and workers) and started again on the same port.
- ``Nginx``: Debian's nginx with ``deploy/nginx/bridgeway.conf``'s upstream and proxy settings,
  its upstream the app servers (round robin), in plain HTTP on a free port, started with
  ``nginx -p`` in its own folder. Each answer names the app server that gave it in
  ``X-Bridgeway-Upstream``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_NGINX = ROOT / "deploy" / "nginx" / "bridgeway.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
START_SECONDS = 90.0
STOP_SECONDS = 20.0
# The settings that describe a process's configuration, which a server must not inherit.
_INHERITED_NOT = ("DATABASE_URL", "DATABASE_OWNER_URL", "DATABASE_REPLICA_URL")


class ClusterError(RuntimeError):
    """A part did not start or stop in time; the message holds the end of its log."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _until(condition: Any, what: str, seconds: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise ClusterError(
        f"gave up after {seconds:.0f} s waiting for {what}" + (f"\n{_tail(log)}" if log else "")
    )


def http_status(url: str, timeout: float = 2.0) -> int | None:
    """The status of a GET of ``url``, or None if nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 - ours
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return None


# --- PostgreSQL ----------------------------------------------------------------------------------


def postgres_bin() -> Path:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1])
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl is None:
        raise ClusterError("PostgreSQL's server programs are not installed")
    return Path(pg_ctl).parent


def _as_server() -> list[str]:
    # initdb and postgres refuse to run as root; as scripts/with-postgres does, use 'postgres'.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class PostgresCopy:
    """A copy of a running server (``pg_basebackup``), run on its own port: restartable."""

    def __init__(self, *, host: str, port: int | str, superuser: str) -> None:
        self.bin = postgres_bin()
        self.source = (host, str(port), superuser)
        self.superuser = superuser
        self.port = free_port()
        self.scratch = Path(tempfile.mkdtemp(prefix="bridgeway-pgcopy-", dir="/tmp"))
        self.data = self.scratch / "data"
        self.log = self.scratch / "server.log"
        if _as_server():
            shutil.chown(self.scratch, "postgres", "postgres")

    def _run(self, *command: str, timeout: float = START_SECONDS) -> None:
        subprocess.run([*_as_server(), *command], check=True, capture_output=True, timeout=timeout)

    def create(self) -> None:
        host, port, user = self.source
        self._run(
            str(self.bin / "pg_basebackup"),
            f"--host={host}",
            f"--port={port}",
            f"--username={user}",
            f"--pgdata={self.data}",
            "--wal-method=stream",
            "--checkpoint=fast",
            "--no-sync",
            timeout=120,
        )

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.scratch} "
            "-c fsync=off -c full_page_writes=off -c max_connections=100"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            *("-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options),
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        """Stopped (open connections cut, as a crash or a fail-over does) and started again."""
        self.stop("fast")
        self.start()

    def url(self, user: str, database: str) -> str:
        return f"postgres://{user}@127.0.0.1:{self.port}/{database}"

    def close(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self.stop("immediate")
        shutil.rmtree(self.scratch, ignore_errors=True)


# --- app servers -------------------------------------------------------------------------------


def server_environment(
    *, database_url: str, secrets: Mapping[str, str], extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """What a ``bridgeway serve`` of the cluster runs with: this checkout's code, the given
    database, the secrets every server of one site shares, nothing of the caller's settings."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("BRIDGEWAY_", "DJANGO_")) and name not in _INHERITED_NOT
    }
    environment.update(
        {
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": database_url,
            "BRIDGEWAY_WORKERS": "1",
            "BRIDGEWAY_THREADS": "4",
            # nginx is the one proxy in front, adding the address it saw.
            "BRIDGEWAY_TRUSTED_PROXY_COUNT": "1",
            "BRIDGEWAY_LOG_LEVEL": "WARNING",
            "BRIDGEWAY_ALLOWED_HOSTS": "127.0.0.1,localhost",
            **secrets,
            **(extra or {}),
        }
    )
    return environment


def shared_secrets(settings: Any) -> dict[str, str]:
    """The keys of a running Django's settings as the variables that give them to a server:
    every server of one site holds the same (sessions, sealed fields, the audit chain)."""
    return {
        "BRIDGEWAY_SECRET_KEY": settings.SECRET_KEY,
        "BRIDGEWAY_ENCRYPTION_KEYS": ",".join(settings.ENCRYPTION_KEYS),
        "BRIDGEWAY_BLIND_INDEX_KEY": settings.BLIND_INDEX_KEY,
        "BRIDGEWAY_PSEUDONYM_KEY": settings.PSEUDONYM_KEY,
        "BRIDGEWAY_AUDIT_KEYS": ",".join(settings.AUDIT_KEYS),
        "BRIDGEWAY_AUDIT_ANCHOR_KEYS": ",".join(settings.AUDIT_ANCHOR_KEYS),
    }


class AppServer:
    """One ``bridgeway serve`` on its own port, with its own var/ folder and log."""

    def __init__(self, name: str, environment: Mapping[str, str], folder: Path) -> None:
        self.name = name
        self.port = free_port()
        self.folder = folder / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log = self.folder / "serve.log"
        self.environment = {**environment, "BRIDGEWAY_VAR_DIR": str(self.folder / "var")}
        self.process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [str(Path(sys.executable).parent / "bridgeway"), "serve", self.address]
        self._log_file = self.log.open("ab")
        self.process = subprocess.Popen(
            command,
            env=self.environment,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            cwd=self.folder,
            start_new_session=True,  # its own process group: gunicorn's master and workers
        )

    def ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise ClusterError(
                f"{self.name} exited with {self.process.returncode}\n{_tail(self.log)}"
            )
        return http_status(f"http://{self.address}/healthz") == 200

    def wait(self, seconds: float = START_SECONDS) -> None:
        _until(self.ready, f"{self.name} to answer /healthz", seconds, self.log)

    def _signal_group(self, number: int) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, number)

    def kill(self) -> None:
        """Killed outright, master and workers, as when a machine is lost: no goodbyes."""
        self._signal_group(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=STOP_SECONDS)
        self._close_log()

    def stop(self) -> None:
        if self.process is None:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.process.wait(timeout=STOP_SECONDS)
        # A worker the master lost track of would keep the port.
        self._signal_group(signal.SIGKILL)
        self._close_log()

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


# --- nginx -------------------------------------------------------------------------------------


def nginx_site(upstreams: Iterable[str], port: int) -> str:
    """``deploy/nginx/bridgeway.conf`` as the test runs it: the same upstream and proxy
    settings, the upstream being ``upstreams`` (round robin), in plain HTTP on ``port``."""
    site = PRODUCTION_NGINX.read_text()
    servers = "".join(
        f"server {address} max_fails=1 fail_timeout=2s;\n    " for address in upstreams
    )
    # The plain-HTTP server only sends people to HTTPS; the HTTPS one is served here in
    # plain HTTP (no certificate on this machine), with everything else as in production.
    redirect = re.compile(r"server \{\n    listen 80;.*?\n\}\n", re.DOTALL)
    changes: list[tuple[str | re.Pattern[str], str]] = [
        ("server 127.0.0.1:8000;\n    ", servers),
        (redirect, ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{port};"),
        ("server_name bridgeway.example.org;", "server_name 127.0.0.1;"),
        (
            "proxy_pass http://bridgeway;",
            "proxy_pass http://bridgeway;\n"
            "        add_header X-Bridgeway-Upstream $upstream_addr always;",
        ),
    ]
    for old, new in changes:
        if isinstance(old, re.Pattern):
            site, found = old.subn(new, site, count=1)
        else:
            found = site.count(old)
            site = site.replace(old, new)
        if not found:
            raise ClusterError(f"deploy/nginx/bridgeway.conf no longer has {old!r}")
    kept = [
        line
        for line in site.splitlines()
        if "[::]" not in line and not line.strip().startswith(("ssl_", "#"))
    ]
    return "\n".join(kept) + "\n"


class Nginx:
    """Debian's nginx in front of ``upstreams``, in its own folder (``nginx -p``)."""

    def __init__(self, upstreams: Iterable[str], folder: Path) -> None:
        self.port = free_port()
        self.folder = folder / "nginx"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log = self.folder / "error.log"
        self.config = self.folder / "nginx.conf"
        temp = {name: self.folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
        self.config.write_text(
            f"pid {self.folder}/nginx.pid;\nerror_log {self.log} warn;\n"
            "worker_processes 1;\nevents { worker_connections 1024; }\n"
            "http {\n"
            + "".join(f"{name}_temp_path {path};\n" for name, path in temp.items()).replace(
                "body_temp_path", "client_body_temp_path"
            )
            + nginx_site(upstreams, self.port)
            + "}\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        if not Path(NGINX).exists():
            raise ClusterError("nginx is missing: scripts/system-packages test installs it")
        command = [NGINX, "-p", str(self.folder), "-c", str(self.config)]
        checked = subprocess.run(
            [*command, "-t"], capture_output=True, text=True, check=False, timeout=30
        )
        if checked.returncode != 0:
            raise ClusterError(f"nginx refused its configuration:\n{checked.stderr}")
        self.process = subprocess.Popen(
            [*command, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _until(
            lambda: http_status(f"{self.url}/healthz") is not None,
            "nginx to answer",
            30,
            self.log,
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_SECONDS)


# --- the whole ---------------------------------------------------------------------------------


class Cluster:
    """``count`` app servers on one database behind one nginx; ``close`` stops them all."""

    def __init__(
        self, environment: Mapping[str, str], *, count: int = 2, folder: Path | None = None
    ) -> None:
        self.folder = folder or Path(tempfile.mkdtemp(prefix="bridgeway-cluster-"))
        self.servers = [
            AppServer(f"app-{number}", environment, self.folder) for number in range(count)
        ]
        self.nginx = Nginx([server.address for server in self.servers], self.folder)

    @property
    def url(self) -> str:
        return self.nginx.url

    def start(self) -> None:
        for server in self.servers:
            server.start()
        for server in self.servers:
            server.wait()
        self.nginx.start()

    def close(self) -> None:
        self.nginx.stop()
        for server in self.servers:
            with contextlib.suppress(Exception):
                server.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def running_cluster(environment: Mapping[str, str], *, count: int = 2) -> Iterator[Cluster]:
    cluster = Cluster(environment, count=count)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.close()

"""The ``bridgeway`` command, and ``bridgeway serve`` serving the site for real."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

BUILT_CSS = Path(settings.BASE_DIR) / "bridgeway" / "site" / "static" / "build" / "bridgeway.css"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own server
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_bridgeway_help_lists_the_projects_commands(run_bridgeway):
    result = run_bridgeway("--help")
    assert result.returncode == 0, result.stderr
    for command in ("serve", "load_reference_data", "migrate"):
        assert command in result.stdout


def test_bridgeway_serve_help_describes_the_address(run_bridgeway):
    result = run_bridgeway("serve", "--help")
    assert result.returncode == 0, result.stderr
    assert "ADDR:PORT" in result.stdout
    assert "127.0.0.1:8000" in result.stdout


def test_hyphenated_command_names_run_the_underscored_command(run_bridgeway):
    result = run_bridgeway("load-reference-data", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: bridgeway load_reference_data")


def test_unknown_command_fails_with_a_message(run_bridgeway):
    result = run_bridgeway("no-such-command")
    assert result.returncode != 0
    assert "Unknown command: 'no_such_command'" in result.stderr


def test_serve_refuses_a_bad_address_with_exit_code_2(run_bridgeway):
    result = run_bridgeway("serve", "127.0.0.1:99999")
    assert result.returncode == 2
    assert "the port 99999 in '127.0.0.1:99999' is not between 1 and 65535" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_bad_worker_count_with_exit_code_2(run_bridgeway):
    result = run_bridgeway("serve", f"127.0.0.1:{free_port()}", env={"BRIDGEWAY_WORKERS": "0"})
    assert result.returncode == 2
    assert "BRIDGEWAY_WORKERS must be at least 1, not 0" in result.stderr


def test_serve_serves_the_site_and_its_static_files(
    run_bridgeway, bridgeway_command, clean_environment
):
    migrated = run_bridgeway("migrate", "--noinput", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*bridgeway_command, "serve", f"127.0.0.1:{port}"],
        env={**clean_environment, "BRIDGEWAY_WORKERS": "1", "BRIDGEWAY_THREADS": "2"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, body = get(f"{base}/healthz")
                break
            except OSError:
                assert server.poll() is None, server.communicate()[0]
                assert time.monotonic() < deadline, "bridgeway serve did not answer in 60 s"
                time.sleep(0.2)
        assert status == 200
        assert json.loads(body) == {"status": "ok", "database": "ok"}
        assert "default-src 'self'" in headers["Content-Security-Policy"]

        status, headers, body = get(f"{base}/static/build/bridgeway.css")
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert body == BUILT_CSS.read_bytes()

        status, _, body = get(f"{base}/en/no-such-page/")
        assert status == 404
        assert b"Page not found" in body

        # A connection left idle for 3 s, as a proxy's pool leaves its connections between
        # requests, is still open for the next request (gunicorn's default closed it after
        # 2 s, and the proxy's next request on it failed; issue 19).
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", "/healthz")
            assert connection.getresponse().read()
            first_socket = connection.sock
            time.sleep(3)
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            assert response.status == 200
            assert connection.sock is first_socket
        finally:
            connection.close()
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output
    assert f"Bridgeway is serving http://127.0.0.1:{port}/" in output
    # gunicorn, not Django's development server, with its access log on stdout.
    assert "Starting gunicorn" in output
    assert '"GET /healthz HTTP/1.1" 200' in output
    # The static files were collected into this server's own var/.
    assert (
        Path(clean_environment["BRIDGEWAY_VAR_DIR"]) / "static" / "build" / "bridgeway.css"
    ).exists()

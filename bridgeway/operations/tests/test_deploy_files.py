"""The files docs/operating.md installs: the systemd units and Debian's nginx with the site.

The units are checked by ``systemd-analyze verify`` (pointed at this checkout's programs) and
against the environment file; the nginx site runs in a real nginx, with only its ports,
name and certificate swapped for the test's, in front of a server that echoes what it got.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
UNITS = ("bridgeway.service", "bridgeway-worker.service")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _environment() -> dict[str, str]:
    lines = (DEPLOY / "bridgeway.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def _unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values.setdefault(key, []).append(value)
    return values


@pytest.mark.parametrize("name", UNITS)
def test_the_units_verify_with_systemd(tmp_path: Path, name: str) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing (Debian's systemd package)")
    text = (DEPLOY / "systemd" / name).read_text()
    text = text.replace(
        "/opt/bridgeway/.venv/bin/bridgeway", str(Path(sys.executable).parent / "bridgeway")
    )
    text = text.replace("/etc/bridgeway/bridgeway.env", str(DEPLOY / "bridgeway.env"))
    (tmp_path / name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / name)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""


def test_the_units_read_the_environment_file_and_may_write_where_it_says() -> None:
    header = (DEPLOY / "bridgeway.env").read_text().splitlines()[0]
    environment = _environment()
    web, worker = (_unit(name) for name in UNITS)
    for unit in (web, worker):
        assert unit["EnvironmentFile"] == [header.split()[1].rstrip(":")]
        assert unit["User"] == ["bridgeway"]
        assert unit["UMask"] == ["0077"]
    assert web["ExecStart"][0].endswith("bridgeway serve 127.0.0.1:8000")
    assert worker["ExecStart"][0].endswith("bridgeway worker")
    writable = worker["ReadWritePaths"][0].split()
    assert environment["BRIDGEWAY_VAR_DIR"] in writable
    assert str(Path(environment["BRIDGEWAY_AUDIT_ANCHOR_FILE"]).parent) in writable
    assert environment["BRIDGEWAY_BACKUP_DIR"] in writable
    assert "server 127.0.0.1:8000;" in (DEPLOY / "nginx" / "bridgeway.conf").read_text()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Echo(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"path": self.path, "headers": dict(self.headers)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        size = int(self.headers.get("Content-Length", "0"))
        while size > 0:
            size -= len(self.rfile.read(min(size, 1 << 20)))
        self.do_GET()

    def log_message(self, *args: object) -> None:
        """Quiet."""


def _certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[tuple[int, int]]:
    """nginx with deploy/nginx/bridgeway.conf in front of the echo server: (http, https) ports."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: scripts/system-packages test installs Debian's nginx")
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    http_port, https_port = _free_port(), _free_port()
    certificate, key = _certificate(tmp_path)
    site = (DEPLOY / "nginx" / "bridgeway.conf").read_text()
    for old, new in {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream.server_address[1]};",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "/etc/letsencrypt/live/bridgeway.example.org/fullchain.pem": str(certificate),
        "/etc/letsencrypt/live/bridgeway.example.org/privkey.pem": str(key),
        "bridgeway.example.org": "localhost",
    }.items():
        assert old in site, old
        site = site.replace(old, new)
    site = "\n".join(line for line in site.splitlines() if "[::]" not in line)
    # Started as root, nginx's workers would be "nobody", who cannot reach this test's folder
    # where a large request body is kept while it is sent on.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{\nclient_body_temp_path {tmp_path}/body;\nproxy_temp_path {tmp_path}/proxy;\n"
        f"fastcgi_temp_path {tmp_path}/fastcgi;\nuwsgi_temp_path {tmp_path}/uwsgi;\n"
        f"scgi_temp_path {tmp_path}/scgi;\n{site}\n}}\n"
    )
    command = [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield http_port, https_port
    server.terminate()
    server.wait(timeout=30)
    upstream.shutdown()


def _get(port: int, path: str, *, tls: bool) -> http.client.HTTPResponse:
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", port, context=context, timeout=10
        )
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(
        "GET",
        path,
        headers={"Host": "localhost", "X-Forwarded-Proto": "bogus", "X-Forwarded-For": "6.6.6.6"},
    )
    return connection.getresponse()


def test_plain_http_is_sent_to_https(proxy: tuple[int, int]) -> None:
    response = _get(proxy[0], "/en/get-support/?x=1", tls=False)
    assert response.status == 301
    assert response.getheader("Location") == "https://localhost/en/get-support/?x=1"


def test_the_site_gets_the_scheme_and_address_nginx_saw_not_what_the_client_claimed(
    proxy: tuple[int, int],
) -> None:
    response = _get(proxy[1], "/en/", tls=True)
    assert response.status == 200
    headers = json.loads(response.read())["headers"]
    assert headers["X-Forwarded-Proto"] == "https"
    # The client's own X-Forwarded-For is kept on the left; the address nginx saw is last,
    # and BRIDGEWAY_TRUSTED_PROXY_COUNT=1 takes that one.
    assert headers["X-Forwarded-For"].split(", ")[-1] == "127.0.0.1"
    assert len(headers["X-Request-ID"]) == 32


def test_metrics_are_not_served_through_the_proxy(proxy: tuple[int, int]) -> None:
    assert _get(proxy[1], "/metrics", tls=True).status == 404


def _post(port: int, path: str, size: int) -> int:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    try:
        connection.request("POST", path, body=b"x" * size, headers={"Host": "localhost"})
        return connection.getresponse().status
    except (BrokenPipeError, ConnectionResetError):
        return 413  # nginx answered 413 and closed the connection while the body was sent
    finally:
        connection.close()


def test_the_report_form_may_carry_its_pictures_and_other_pages_keep_the_lower_ceiling(
    proxy: tuple[int, int],
) -> None:
    # Five pictures of 8 MB and the words: above the site's 25 MB, within the report's 45 MB.
    five_pictures = 5 * 8 * 1024 * 1024 + 64 * 1024
    assert _post(proxy[1], "/en/report/", five_pictures) == 200
    assert _post(proxy[1], "/cy/report/", five_pictures) == 200
    assert _post(proxy[1], "/en/report/follow-up/", five_pictures) == 413
    assert _post(proxy[1], "/en/get-support/", 26 * 1024 * 1024) == 413
    assert _post(proxy[1], "/en/report/", 46 * 1024 * 1024) == 413


@pytest.mark.parametrize(
    ("path", "lang", "direction", "title"),
    [
        ("/cy/report/", "cy", "ltr", "Rhowch gynnig arall arni ymhen munud"),
        ("/ur/get-support/", "ur", "rtl", "براہ کرم ایک منٹ بعد دوبارہ کوشش کریں"),
        ("/pa/", "pa", "ltr", "ਕਿਰਪਾ ਕਰਕੇ ਇੱਕ ਮਿੰਟ ਬਾਅਦ ਦੁਬਾਰਾ ਕੋਸ਼ਿਸ਼ ਕਰੋ"),
        ("/pl/report/", "pl", "ltr", "Spróbuj ponownie za minutę"),
        ("/en/report/", "en", "ltr", "Please try again in a minute"),
    ],
    ids=["cy", "ur", "pa", "pl", "en"],
)
def test_the_calm_503_for_a_lost_app_server_is_in_the_language_of_the_page_asked_for(
    tmp_path: Path, path: str, lang: str, direction: str, title: str
) -> None:
    from bridgeway.site.tests.cluster import Nginx, free_port

    proxy = Nginx([f"127.0.0.1:{free_port()}"], tmp_path)  # nothing listens there
    proxy.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode()
        assert response.status == 503
        assert response.getheader("Retry-After") == "30"
        assert f'<html lang="{lang}" dir="{direction}">' in body
        assert f"<h1>{title}</h1>" in body
    finally:
        proxy.stop()


def test_no_app_server_answering_gets_a_calm_503_with_retry_after_not_bad_gateway(
    tmp_path: Path,
) -> None:
    from bridgeway.site.tests.cluster import Nginx, free_port

    proxy = Nginx([f"127.0.0.1:{free_port()}"], tmp_path)  # nothing listens there
    proxy.start()
    try:
        for method in ("GET", "POST"):
            connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
            connection.request(method, "/en/report/", body=b"" if method == "POST" else None)
            response = connection.getresponse()
            body = response.read().decode()
            assert response.status == 503
            assert response.getheader("Retry-After") == "30"
            assert response.getheader("Cache-Control") == "no-store"
            assert "Please try again in a minute" in body
            assert "Bad Gateway" not in body
            assert "nginx" not in body
    finally:
        proxy.stop()

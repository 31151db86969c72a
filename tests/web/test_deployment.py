"""The documented deployment, run for real: deploy/nginx.conf (TLS, a path prefix, large
uploads, an access log without query strings) in front of the app, with Debian's nginx."""

from __future__ import annotations

import http.client
import os
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from tests.conftest import fresh_database_url, migrate

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The app on a database of its own, served over HTTP from a thread, trusting one proxy."""
    url = fresh_database_url("deployment", tmp_path_factory.mktemp("deployment-db"))
    migrate(url)
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": url, "BEHIND_PROXY": True})
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()
    app.extensions["lr_engine"].dispose()


@pytest.fixture(scope="module")
def nginx(app_server: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """nginx running deploy/nginx.conf, changed only where the file says CHANGE (and paths)."""
    here = tmp_path_factory.mktemp("nginx")
    subprocess.run(  # a throwaway self-signed certificate for 127.0.0.1
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-keyout", str(here / "key.pem")),
            *("-out", str(here / "cert.pem")),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    port, plain_port = _free_port(), _free_port()
    site = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{plain_port};",
        "server 127.0.0.1:5000;": f"server 127.0.0.1:{app_server};",
        "listen 443 ssl;": f"listen 127.0.0.1:{port} ssl;",
        "/etc/ssl/certs/learning-review.pem": str(here / "cert.pem"),
        "/etc/ssl/private/learning-review.key": str(here / "key.pem"),
        "/var/log/nginx/learning-review.access.log": str(here / "access.log"),
    }
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx.conf no longer has {old!r}"
        site = site.replace(old, new)
    (here / "site.conf").write_text(site)
    temp_paths = "\n".join(
        f"  {kind}_temp_path {here / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (here / "main.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\ndaemon off;\npid {here / 'nginx.pid'};\n"
        + f"error_log {here / 'error.log'} warn;\nevents {{}}\n"
        + f"http {{\n{temp_paths}\n  include {here / 'site.conf'};\n}}\n"
    )
    process = subprocess.Popen(
        [NGINX, "-c", str(here / "main.conf"), "-p", str(here)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # our throwaway certificate
    deadline = time.monotonic() + 30
    while True:  # wait for nginx to answer, not for a time
        try:
            connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=5)
            connection.request("GET", "/")
            connection.getresponse().read()
            connection.close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                _, errors = process.communicate(timeout=5)
                pytest.fail(f"nginx did not start: {errors.decode()}")
            time.sleep(0.1)
    yield {"port": port, "plain_port": plain_port, "context": context, "dir": here}
    process.terminate()
    process.communicate(timeout=10)


def _request(
    nginx: dict[str, Any], method: str, path: str, body: bytes | None = None, **headers: str
) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPSConnection(
        "127.0.0.1", nginx["port"], context=nginx["context"], timeout=60
    )
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    text = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, dict(response.getheaders()), text


def test_pages_under_the_prefix_link_under_the_prefix(nginx: dict[str, Any]) -> None:
    status, headers, _ = _request(nginx, "GET", "/learning-review/")
    assert status == 302
    assert headers["Location"].startswith("/learning-review/sign-in")
    status, _, page = _request(nginx, "GET", "/learning-review/sign-in")
    assert status == 200
    assert 'href="/learning-review/static/' in page and 'href="/static/' not in page
    status, _, _ = _request(nginx, "GET", "/learning-review/static/css/app.css")
    assert status == 200


def test_a_two_megabyte_upload_reaches_the_app(nginx: dict[str, Any]) -> None:
    # nginx's default limit is 1 MB: a 2 MB chronology import used to die there with nginx's 413.
    body = b'{"format": "learning-review/1", "padding": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    status, headers, text = _request(
        nginx,
        "POST",
        "/learning-review/api/v1/reviews/import",
        body,
        **{"Content-Type": "application/json"},
    )
    assert status != 413, text[:200]
    assert headers.get("Content-Type", "").startswith("application/json")  # the app answered
    assert "nginx" not in text


def test_the_access_log_keeps_no_query_string(nginx: dict[str, Any]) -> None:
    _request(nginx, "GET", "/learning-review/sign-in?q=Tamsin+Testcase")
    log = nginx["dir"] / "access.log"
    deadline = time.monotonic() + 10
    while "sign-in" not in (log.read_text() if log.exists() else ""):
        assert time.monotonic() < deadline, "nothing logged"
        time.sleep(0.05)
    text = log.read_text()
    assert "GET /learning-review/sign-in HTTP/1.1" in text
    assert "Tamsin" not in text and "q=" not in text


def test_plain_http_is_sent_to_https(nginx: dict[str, Any]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", nginx["plain_port"], timeout=10)
    connection.request("GET", "/learning-review/sign-in?next=/")
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 301
    assert response.getheader("Location", "").startswith("https://")

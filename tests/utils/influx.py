"""A real InfluxDB (the Debian ``influxd``, 1.6) on free ports, behind a v2-write adapter.

InfluxDB 1.6 speaks the v1 API only. Kolam writes through ``influxdb-client``, which
posts to ``/api/v2/write?org=..&bucket=db/rp&precision=ms`` — the mapping InfluxDB 1.8
does natively. ``V2WriteAdapter`` is a tiny threaded HTTP server that does that mapping
(forwarding to ``/write?db=..&rp=..&precision=ms``) and passes ``/query`` and ``/ping``
through untouched. Line-protocol parsing, storage and InfluxQL are the real database.
"""

from __future__ import annotations

import secrets
import shutil
import signal
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from tests.utils.net import free_port, port_open, wait_for

_PASSED_THROUGH = ("/query", "/ping", "/write")


def influxd_binary() -> str:
    found = shutil.which("influxd") or "/usr/bin/influxd"
    if not Path(found).exists():
        raise RuntimeError("influxd is not installed: run `make test` (it installs `influxdb`)")
    return found


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream: ClassVar[str] = ""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _forward(self, method: str) -> None:
        parts = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parts.query)
        if parts.path == "/api/v2/write":
            bucket = query.get("bucket", [""])[0]
            db, _, rp = bucket.partition("/")
            params = {"db": db, "precision": query.get("precision", ["ns"])[0]}
            if rp:
                params["rp"] = rp
            target = "/write?" + urllib.parse.urlencode(params)
        elif parts.path in _PASSED_THROUGH:
            target = self.path
        else:
            self._reply(404, b'{"error":"not served by the test adapter"}', {})
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() in ("content-type", "content-encoding", "authorization")}
        request = urllib.request.Request(self.upstream + target, data=body, headers=headers,
                                         method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                self._reply(resp.status, resp.read(), dict(resp.headers))
        except urllib.error.HTTPError as exc:
            self._reply(exc.code, exc.read(), dict(exc.headers))
        except OSError:
            # The database is down: the 502 a reverse proxy would give.
            self._reply(502, b'{"error":"influxd is not reachable"}', {})

    def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key in ("Content-Type", "X-Influxdb-Version", "X-Influxdb-Build"):
            if key in headers:
                self.send_header(key, headers[key])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._forward("GET")

    def do_POST(self) -> None:
        self._forward("POST")

    def do_HEAD(self) -> None:
        self._forward("HEAD")


class V2WriteAdapter:
    """Serve ``/api/v2/write`` on ``port`` by forwarding to InfluxDB 1.x's ``/write``."""

    def __init__(self, upstream: str, port: int) -> None:
        self.port = port
        handler = type("Handler", (_Handler,), {"upstream": upstream})
        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="influx-adapter", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


class InfluxServer:
    """Start/stop/restart ``influxd``; its data survives restarts (same directories).

    ``url`` is the adapter's address, which is what Kolam is configured with. While the
    server is stopped the adapter is closed too, so clients see "connection refused",
    exactly like a stopped InfluxDB 1.8.
    """

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.http_port = free_port()
        self.rpc_port = free_port()
        self.port = free_port()
        self.conf = self.dir / "influxdb.conf"
        self.proc: subprocess.Popen[bytes] | None = None
        self.adapter: V2WriteAdapter | None = None
        self._log = self.dir / "influxd.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def direct_url(self) -> str:
        """influxd itself (v1 API), for the test's own set-up queries."""
        return f"http://127.0.0.1:{self.http_port}"

    def _write_conf(self) -> None:
        d = self.dir
        self.conf.write_text(f"""\
reporting-disabled = true
bind-address = "127.0.0.1:{self.rpc_port}"
[meta]
  dir = "{d / 'meta'}"
[data]
  dir = "{d / 'data'}"
  wal-dir = "{d / 'wal'}"
  wal-fsync-delay = "0s"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:{self.http_port}"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
[logging]
  level = "warn"
""")

    def start(self) -> InfluxServer:
        self._write_conf()
        with self._log.open("ab") as log:
            self.proc = subprocess.Popen([influxd_binary(), "run", "-config", str(self.conf)],
                                         stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        proc = self.proc
        try:
            wait_for(lambda: self._pings() or proc.poll() is not None, 30,
                     what="influxd to answer /ping")
        except TimeoutError:
            self.stop()
            raise
        if proc.poll() is not None:
            tail = self._log.read_text(errors="replace")[-2000:]
            self.proc = None
            raise RuntimeError(f"influxd failed to start:\n{tail}")
        self.adapter = V2WriteAdapter(self.direct_url, self.port)
        return self

    def _pings(self) -> bool:
        if not port_open(self.http_port):
            return False
        try:
            with urllib.request.urlopen(self.direct_url + "/ping", timeout=1) as resp:
                return int(resp.status) == 204
        except OSError:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.adapter is not None:
            self.adapter.close()
            self.adapter = None
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def query(self, q: str, db: str | None = None) -> bytes:
        """Run an InfluxQL statement directly (set-up and tear-down)."""
        params = {"q": q} | ({"db": db} if db else {})
        data = urllib.parse.urlencode(params).encode()
        with urllib.request.urlopen(self.direct_url + "/query", data=data, timeout=30) as resp:
            body: bytes = resp.read()
        if b'"error"' in body:
            raise RuntimeError(f"{q}: {body.decode(errors='replace')}")
        return body

    def create_database(self, name: str) -> None:
        self.query(f'CREATE DATABASE "{name}"')

    def drop_database(self, name: str) -> None:
        self.query(f'DROP DATABASE "{name}"')


@pytest.fixture(scope="session")
def influx_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfluxServer]:
    """One influxd for the test session (starting one takes a fraction of a second,
    but the tests share it and each gets its own database)."""
    server = InfluxServer(tmp_path_factory.mktemp("influxdb")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def influx_db(influx_server: InfluxServer) -> Iterator[str]:
    """A fresh database on the session's server; its name, dropped afterwards."""
    name = f"kolam_{secrets.token_hex(4)}"
    influx_server.create_database(name)
    yield name
    if influx_server.proc is not None:
        influx_server.drop_database(name)

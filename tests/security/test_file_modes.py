"""Only Kolam's own account can read what Kolam keeps: after a real run of ingest,
the API and a gateway, the data directories are 0700 and every file in them 0600
(SQLite's -wal and -shm included); secrets are written with their mode from the start;
a service warns at start-up about anything wider."""

from __future__ import annotations

import logging
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from kolam.config import MqttUrl, load_config
from kolam.mqtt import MqttClient
from kolam.security.files import exposed, private_dir, private_file, warn_if_exposed, write_atomic
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import free_port, wait_for

SITE = "serang"
TELEMETRY = f"kolam/v1/{SITE}/kolam-1/node-1/telemetry"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual login umask: what Kolam creates must not depend on the caller's."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@contextmanager
def service(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("KOLAM_")}
    with log.open("ab") as out:
        # Started with the usual umask, so the test shows what Kolam itself sets.
        proc = subprocess.Popen([sys.executable, "-m", "kolam", *args], env=base | env,
                                stdout=out, stderr=subprocess.STDOUT,
                                preexec_fn=lambda: os.umask(0o022))
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def test_every_file_the_services_create_is_private(tmp_path: Path) -> None:
    central = Mosquitto(tmp_path / "central", persistence=False).start()
    local = Mosquitto(tmp_path / "local", persistence=False).start()
    data, gw_data, logs = tmp_path / "data", tmp_path / "gateway", tmp_path / "logs"
    logs.mkdir()
    http_port = free_port()
    common = {"KOLAM_MQTT_URL": central.url()}
    try:
        with (service(["ingest"], common | {"KOLAM_DATA_DIR": str(data),
                                            "KOLAM_READY_FILE": str(data / "ingest.ready")},
                      logs / "ingest.log"),
              service(["api", "--host", "127.0.0.1", "--port", str(http_port)],
                      common | {"KOLAM_DATA_DIR": str(data)}, logs / "api.log"),
              service(["gateway"], common | {
                  "KOLAM_DATA_DIR": str(gw_data), "KOLAM_LOCAL_MQTT_URL": local.url(),
                  "KOLAM_SITE": SITE, "KOLAM_GATEWAY_ID": "gw-1",
                  "KOLAM_READY_FILE": str(gw_data / "gateway.ready")}, logs / "gateway.log")):
            wait_for(lambda: (data / "ingest.ready").exists()
                     and (gw_data / "gateway.ready").exists(), 30, what="ingest and gateway")
            wait_for(lambda: _healthy(http_port), 30, what="the API")
            node = MqttClient(MqttUrl.parse(local.url()), "test-node")
            node.connect(timeout_s=5)
            try:
                for i in range(1, 4):
                    node.publish(TELEMETRY, b'{"v":1,"seq":%d,"boot":1,"samples":'
                                 b'[{"t":%d,"do_mgl":5.0}]}' % (i, 1764291600000 + i), wait_s=5)
            finally:
                node.close()
            wait_for(lambda: (data / "samples.sqlite-wal").exists(), 30,
                     what="ingest to store the readings")
            # The API's signing key: generated at start-up into the data dir.
            wait_for(lambda: (data / "secret_key").exists(), 10, what="the signing key")
            running = _files(tmp_path, data, gw_data)  # -wal and -shm exist only meanwhile
            assert exposed(data) == [] and exposed(gw_data) == []
    finally:
        central.stop()
        local.stop()
    assert {"data/registry.sqlite", "data/registry.sqlite-wal", "data/registry.sqlite-shm",
            "data/samples.sqlite", "data/samples.sqlite-wal", "data/samples.sqlite-shm",
            "data/secret_key", "gateway/gateway-outbox.sqlite",
            "gateway/gateway-outbox.sqlite-wal"} <= running, running
    assert exposed(data) == [] and exposed(gw_data) == []  # and after they stopped
    assert mode(data) == 0o700 and mode(gw_data) == 0o700
    assert mode(data / "registry.sqlite") == 0o600


def _files(root: Path, *dirs: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for d in dirs for p in d.rglob("*")}


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_stores_registry_outbox_and_secrets_are_private_whatever_the_umask(
        tmp_path: Path, umask_022: None) -> None:
    from gateway.outbox import Outbox
    from ingest.alerts.channels import webhook_secret
    from kolam.registry.repo import Registry
    from kolam.security.auth import secret_key
    from kolam.store import SeriesKey, SqliteStore

    data = tmp_path / "data"
    config = load_config(None, data_dir=data)
    store = SqliteStore(config.samples_path)
    store.write([(SeriesKey(SITE, "kolam-1", "node-1", "do_mgl"), 1764291600000, 5.0)])
    registry = Registry(config.registry_url)
    registry.ensure_pond(SITE, "kolam-1")
    outbox = Outbox(data / "outbox" / "gateway-outbox.sqlite")
    secret_key(config)
    webhook_secret(config)
    try:
        files = sorted(p.name for p in data.rglob("*"))
        assert {"samples.sqlite-wal", "registry.sqlite-wal", "gateway-outbox.sqlite",
                "secret_key", "webhook_secret"} <= set(files), files
        assert exposed(data) == []
    finally:
        outbox.close()
        registry.close()
        store.close()


def test_a_secret_is_replaced_atomically_with_its_mode(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "secret"
    write_atomic(path, "one")
    assert (path.read_text(), mode(path)) == ("one", 0o600)
    write_atomic(path, "two", 0o640)  # the broker's group may read its files
    assert (path.read_text(), mode(path)) == ("two", 0o640)
    assert [p.name for p in tmp_path.iterdir()] == ["secret"]  # no temporary file left


def test_existing_files_keep_their_content(tmp_path: Path) -> None:
    db = private_file(tmp_path / "d" / "x.sqlite")
    db.write_bytes(b"data")
    assert private_file(db).read_bytes() == b"data"
    assert private_dir(tmp_path / "d") == tmp_path / "d"


def test_wider_modes_are_reported_at_start_up(tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    data = private_dir(tmp_path / "data")
    (data / "registry.sqlite").write_bytes(b"")
    (data / "registry.sqlite").chmod(0o644)
    (data / "secret_key").write_text("k")
    (data / "secret_key").chmod(0o600)
    with caplog.at_level(logging.WARNING, "kolam.security.files"):
        found = warn_if_exposed(data)
    assert found == [(data / "registry.sqlite", 0o644)]
    assert "registry.sqlite is mode 0644" in caplog.text and "secret_key" not in caplog.text
    data.chmod(0o755)
    assert [p for p, _ in warn_if_exposed(data)] == [data, data / "registry.sqlite"]

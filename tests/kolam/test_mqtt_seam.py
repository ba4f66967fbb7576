"""paho stays inside ``kolam/mqtt/``, and the private paho names its seam uses still exist.

A paho release that renames one of them fails here, not in a running gateway or ingest.
"""

from __future__ import annotations

import ast
import inspect
import tomllib
from importlib.metadata import version
from pathlib import Path

import paho.mqtt.client as paho
from packaging.requirements import Requirement
from paho.mqtt.enums import CallbackAPIVersion

from kolam.mqtt.seam import BufferedSocket, PahoClient

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("kolam", "gateway", "ingest", "api", "firmware_sim")
ALLOWED = {Path("kolam/mqtt/client.py"), Path("kolam/mqtt/seam.py")}


def _imports_paho(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name == "paho" or name.startswith("paho.") for name in names):
            return True
    return False


def test_only_the_mqtt_package_imports_paho() -> None:
    offenders = sorted(str(path.relative_to(ROOT)) for package in PRODUCT
                       for path in (ROOT / package).rglob("*.py")
                       if path.relative_to(ROOT) not in ALLOWED and _imports_paho(path))
    assert offenders == []


def test_the_scan_sees_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from paho.mqtt import client\n    return client\n")
    assert _imports_paho(sample)
    sample.write_text("import pahoo\nfrom kolam.mqtt import MqttClient\n")
    assert not _imports_paho(sample)


def test_installed_paho_is_within_the_pin() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = [Requirement(d) for d in project["dependencies"] if d.startswith("paho-mqtt")]
    assert len(pins) == 1
    assert pins[0].specifier.contains(version("paho-mqtt"))


def test_the_private_names_the_seam_uses_exist() -> None:
    create = inspect.signature(paho.Client._create_socket)
    assert list(create.parameters) == ["self"]
    queue = inspect.signature(paho.Client._packet_queue)
    assert list(queue.parameters)[:5] == ["self", "command", "packet", "mid", "qos"]
    assert all(p.default is not inspect.Parameter.empty for p in list(queue.parameters.values())[5:])
    assert "max_packets" in inspect.signature(paho.Client.loop_read).parameters
    # paho's loop asks the socket for buffered bytes before it blocks in select().
    assert "pending()" in inspect.getsource(paho.Client._loop)
    assert "_topic" in paho.MQTTMessage.__slots__
    client = PahoClient(CallbackAPIVersion.VERSION2, client_id="seam-probe")
    assert client._sock is None  # the attribute exists before any connection
    assert paho.PUBACK == 0x40


def test_raw_topic_decodes_leniently() -> None:
    msg = paho.MQTTMessage(1, b"kolam/v1/\xff/x")
    assert PahoClient.raw_topic(msg) == "kolam/v1/\ufffd/x"


class _Chunks:
    """A socket whose ``recv`` hands out what is queued, at most ``n`` bytes a call."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = list(chunks)
        self.calls = 0

    def recv(self, n: int) -> bytes:
        self.calls += 1
        head = self.chunks.pop(0)
        if len(head) > n:
            self.chunks.insert(0, head[n:])
        return head[:n]


def test_buffered_socket_serves_small_reads_from_one_recv() -> None:
    inner = _Chunks(b"\x30\x05hello\x30\x02hi")
    sock = BufferedSocket(inner)
    assert sock.recv(1) == b"\x30"
    assert sock.pending() == 10
    assert [sock.recv(1), sock.recv(5), sock.recv(1), sock.recv(1), sock.recv(2)] == [
        b"\x05", b"hello", b"\x30", b"\x02", b"hi"]
    assert inner.calls == 1
    assert sock.pending() == 0


def test_the_public_surface() -> None:
    import kolam.mqtt

    assert sorted(kolam.mqtt.__all__) == ["Message", "MessageHandler", "MqttClient", "Publish",
                                          "SUBACK_TIMEOUT_S", "Will"]
    assert all(hasattr(kolam.mqtt, name) for name in kolam.mqtt.__all__)

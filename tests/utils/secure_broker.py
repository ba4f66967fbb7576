"""A real Mosquitto that trusts only the logins and ACL ``kolam broker-config`` wrote."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
from pathlib import Path

from kolam.broker.acl import is_device_username
from kolam.config import MqttUrl
from kolam.mqtt import Message, MqttClient
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import free_port, port_open, wait_for
from tests.utils.tls import CertAuthority


class SecuredMosquitto(Mosquitto):
    """Mosquitto configured by the ``mosquitto.conf`` that ``kolam broker-config`` wrote
    into ``auth_dir`` (its two listeners moved to free ports on loopback), plus an
    optional TLS listener taking every login. :meth:`url` picks the devices' listener
    for a device login and the services' listener otherwise."""

    drops_clients_on_reload = True

    def __init__(self, workdir: Path, auth_dir: Path, tls: CertAuthority | None = None) -> None:
        super().__init__(workdir, persistence=False)
        self.auth_dir = auth_dir
        self.device_port = free_port()
        self.tls = tls
        self.tls_port = free_port() if tls else None
        self.pid_file = workdir / "mosquitto.pid"

    def _write_conf(self) -> None:
        ports = {"listener 1883": self.device_port, "listener 1884": self.port}
        lines = [f"listener {ports[line]} 127.0.0.1" if line in ports else line
                 for line in (self.auth_dir / "mosquitto.conf").read_text().splitlines()]
        assert sum(line.startswith("listener") for line in lines) == 2, lines
        lines += [
            f"pid_file {self.pid_file}",
            f"log_dest file {self.dir / 'mosquitto.log'}",
            "log_type error",
            "log_type warning",
            "log_type notice",
        ]
        if self.tls is not None:
            lines += [f"listener {self.tls_port} 127.0.0.1", "allow_anonymous false",
                      f"password_file {self.auth_dir / 'passwd'}",
                      f"acl_file {self.auth_dir / 'acl'}",
                      f"cafile {self.tls.ca_cert}", f"certfile {self.tls.server_cert}",
                      f"keyfile {self.tls.server_key}"]
        if os.geteuid() == 0:
            lines.append("user root")
        self.conf.write_text("\n".join(lines) + "\n")

    def url(self, username: str | None = None, password: str | None = None) -> str:
        auth = f"{username}:{password}@" if username else ""
        port = self.device_port if is_device_username(username) else self.port
        return f"mqtt://{auth}127.0.0.1:{port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def tls_url(self, username: str, password: str) -> str:
        return f"mqtts://{username}:{password}@127.0.0.1:{self.tls_port}"


class Listener:
    """A connected client collecting every message it receives."""

    def __init__(self, url: str, client_id: str, filters: list[str],
                 ca_file: str | None = None) -> None:
        self.messages: queue.Queue[Message] = queue.Queue()
        self.client = MqttClient(MqttUrl.parse(url), client_id, ca_file=ca_file)
        self.client.subscribe(filters, self.messages.put)

    def __enter__(self) -> Listener:
        self.client.connect(timeout_s=5)
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def next(self, timeout_s: float = 5.0) -> Message:
        return self.messages.get(timeout=timeout_s)

    def until(self, topic: str, timeout_s: float = 5.0) -> list[Message]:
        """Every message up to and including the first on ``topic``."""
        seen = []
        while True:
            msg = self.next(timeout_s)
            seen.append(msg)
            if msg.topic == topic:
                return seen


def connack(url: str, client_id: str | None = None, ca_file: str | None = None,
            timeout_s: float = 5.0) -> int:
    """The broker's CONNACK return code for this login (0: accepted, 5: not authorised);
    -1 when there is no CONNACK at all (e.g. the TLS handshake failed). The client id
    defaults to a device login's own (what it must use), else ``test-probe``."""
    import threading

    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    parsed = MqttUrl.parse(url)
    if client_id is None:
        client_id = parsed.username if is_device_username(parsed.username) else "test-probe"
    result: list[int] = []
    done = threading.Event()
    c = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv311)
    if parsed.username:
        c.username_pw_set(parsed.username, parsed.password)
    if parsed.tls:
        c.tls_set(ca_certs=ca_file)

    def on_connect(client: paho.Client, userdata: object, flags: object, reason: object,
                   properties: object) -> None:
        result.append(int(getattr(reason, "value", reason)))  # type: ignore[call-overload]
        done.set()

    c.on_connect = on_connect
    c.on_connect_fail = lambda client, userdata: done.set()
    c.on_disconnect = lambda *args: done.set()
    try:
        c.connect(parsed.host, parsed.port, keepalive=10)
    except OSError:
        return -1
    c.loop_start()
    try:
        done.wait(timeout_s)
    finally:
        c.disconnect()
        c.loop_stop()
    return result[0] if result else -1


class EmbeddedBroker:
    """``kolam broker`` (amqtt) over the same ``passwd`` and ``acl`` files, as a process."""

    drops_clients_on_reload = False

    def __init__(self, workdir: Path, auth_dir: Path) -> None:
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.auth_dir = auth_dir
        self.port = free_port()
        self.pid_file: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> EmbeddedBroker:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KOLAM_")}
        with (self.dir / "broker.log").open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "kolam", "broker", "--port", str(self.port),
                 "--passwd", str(self.auth_dir / "passwd"), "--acl", str(self.auth_dir / "acl")],
                env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: port_open(self.port) or self.proc.poll() is not None, 20,
                     what="the embedded broker to listen")
        except TimeoutError:
            self.stop()
            raise
        if self.proc.poll() is not None:
            raise RuntimeError(f"kolam broker failed: {(self.dir / 'broker.log').read_text()}")
        return self

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def url(self, username: str | None = None, password: str | None = None) -> str:
        auth = f"{username}:{password}@" if username else ""
        return f"mqtt://{auth}127.0.0.1:{self.port}"

"""A real Mosquitto broker on a free port, with its own config and data directory."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

from kolam.config import MqttUrl
from tests.utils.net import free_port, port_open, wait_for


def mosquitto_binary() -> str:
    found = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(found).exists():
        raise RuntimeError("mosquitto is not installed: run `make test` (it installs it)")
    return found


class Mosquitto:
    """Start/stop/restart a broker; persistence survives restarts (same data dir)."""

    def __init__(self, workdir: Path, *, persistence: bool = True, extra: str = "") -> None:
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.persistence = persistence
        self.extra = extra
        self.proc: subprocess.Popen[bytes] | None = None
        self.conf = self.dir / "mosquitto.conf"

    def _write_conf(self) -> None:
        lines = [
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous true",
            # Manual-ack consumers need a wide in-flight window (the default is 20).
            "max_inflight_messages 1000",
            "max_queued_messages 1000000",
            "max_queued_bytes 0",
            f"log_dest file {self.dir / 'mosquitto.log'}",
            "log_type error",
            "log_type warning",
            "log_type notice",
        ]
        if os.geteuid() == 0:
            lines.append("user root")
        if self.persistence:
            lines += ["persistence true", f"persistence_location {self.dir}/",
                      "autosave_interval 1"]
        self.conf.write_text("\n".join(lines) + "\n" + self.extra + "\n")

    def start(self) -> Mosquitto:
        self._write_conf()
        self.proc = proc = subprocess.Popen([mosquitto_binary(), "-c", str(self.conf)],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for(lambda: port_open(self.port) or proc.poll() is not None, 10,
                     what="mosquitto to listen")
        except TimeoutError:
            self.stop()
            raise
        if self.proc.poll() is not None:
            err = self.proc.stderr.read().decode() if self.proc.stderr else ""
            raise RuntimeError(f"mosquitto failed to start: {err}")
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """SIGTERM makes Mosquitto save its persistence file before exiting."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def url(self, username: str | None = None, password: str | None = None) -> str:
        auth = f"{username}:{password}@" if username else ""
        return f"mqtt://{auth}127.0.0.1:{self.port}"

    @property
    def mqtt(self) -> MqttUrl:
        return MqttUrl.parse(self.url())

"""Run Kolam services inside the test process (threads) against real brokers and files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ingest.worker import IngestWorker
from kolam.config import KolamConfig
from kolam.registry.repo import Registry
from kolam.store import SqliteStore, open_store


@contextmanager
def running_ingest(config: KolamConfig, store: SqliteStore | None = None,
                   ) -> Iterator[tuple[IngestWorker, SqliteStore, Registry]]:
    """An ingest worker on a thread, over ``store`` (default: the configured one)."""
    store = store or open_store(config)
    registry = Registry(config.registry_url, device_cache_s=config.ingest.device_cache_s)
    worker = IngestWorker(config, store, registry)
    worker.start()
    thread = threading.Thread(target=worker.run, name="ingest", daemon=True)
    thread.start()
    try:
        yield worker, store, registry
    finally:
        worker.stop()
        thread.join(10)
        worker.close()
        registry.close()
        store.close()


class IngestProcess:
    """``kolam ingest`` as a real child process (for SIGKILL/SIGTERM tests)."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("KOLAM_")} | env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> IngestProcess:
        ready = Path(self.env["KOLAM_DATA_DIR"]) / "ingest.ready"
        ready.unlink(missing_ok=True)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "kolam", "ingest"],
                env=self.env | {"KOLAM_READY_FILE": str(ready)}, stdout=log,
                stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not ready.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"ingest did not start: {self.log_path.read_text()[-2000:]}")
            time.sleep(0.05)
        return self

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def terminate(self, timeout_s: float = 20) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise

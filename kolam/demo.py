"""``kolam demo``: the whole system on one machine, each service in its own process.

Like a real site, the simulated nodes publish to a site-local broker and a
gateway forwards their data to the central broker (two embedded brokers here).
Start-up order: credentials and registry, central broker, local broker, ingest,
API, gateway, simulator.
Shut-down is the reverse, each child given SIGTERM and a bounded wait, then
SIGKILL; children also stop by themselves if this process dies.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from kolam.broker.acl import Account, ServiceRole, render_acl, service_grants
from kolam.errors import KolamError
from kolam.farming.demo_data import seed_demo_data
from kolam.registry.repo import Registry
from kolam.registry.users import Users
from kolam.security.auth import Role
from kolam.security.files import private_dir, write_atomic
from kolam.timeutil import now_ms

log = logging.getLogger(__name__)

SITE = "serang"
SITE_NAME = "Rutan Kelas IIB Serang"
SERVICES = ("ingest", "api", "sim", "gateway")
GATEWAY_ID = "gw-1"
STOP_TIMEOUT_S = 8.0
LIVE_INTERVAL_S = 10
DEMO_USERS: dict[str, tuple[Role, tuple[str, ...]]] = {
    "admin": (Role.ADMIN, ()), f"kiosk-{SITE}": (Role.KIOSK, (SITE,))}


@dataclass
class Child:
    name: str
    proc: subprocess.Popen[bytes]


def wait_port(host: str, port: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def wait_file(path: Path, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.1)
    return False


def local_broker_port(mqtt_port: int) -> int:
    """The site-local broker listens next to the central one, or on any free port."""
    for port in (mqtt_port + 1, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise KolamError("no free port for the local broker")


def demo_users(path: Path) -> dict[str, str]:
    """One broker login per service, generated once per data directory."""
    if path.exists():
        users = dict(line.split(":", 1) for line in path.read_text().split() if ":" in line)
        if set(SERVICES) <= users.keys():
            return users
    users = {name: secrets.token_urlsafe(12) for name in SERVICES}
    write_atomic(path, "".join(f"{k}:{v}\n" for k, v in users.items()))
    return users


def demo_acl(path: Path) -> Path:
    """What each demo service may publish and read: the rules production brokers get
    from ``kolam broker-config`` (docs/security.md)."""
    roles = {"ingest": (ServiceRole.INGEST, None), "api": (ServiceRole.API, None),
             "sim": (ServiceRole.SIM, SITE), "gateway": (ServiceRole.GATEWAY, SITE)}
    write_atomic(path, render_acl(Account(name, service_grants(role, site))
                                  for name, (role, site) in roles.items()))
    return path


def demo_logins(registry: Registry, path: Path) -> dict[str, str]:
    """An admin and the site's kiosk, with passwords generated once per data directory."""
    logins: dict[str, str] = {}
    if path.exists():
        logins = dict(line.split(":", 1) for line in path.read_text().split() if ":" in line)
    if set(DEMO_USERS) - logins.keys():
        logins = {name: secrets.token_urlsafe(9) for name in DEMO_USERS}
        write_atomic(path, "".join(f"{k}:{v}\n" for k, v in logins.items()))
    users = Users(registry.engine)
    for name, (role, sites) in DEMO_USERS.items():
        users.add(name, role, sites, logins[name])
    return logins


def _span(seconds: float) -> str:
    return f"{seconds / 86400:g} d" if seconds >= 86400 else f"{seconds / 3600:g} h"


class Demo:
    def __init__(self, data_dir: Path, http_port: int, mqtt_port: int, ponds: int,
                 backfill_s: float) -> None:
        self.data_dir = data_dir.resolve()
        self.http_port = http_port
        self.mqtt_port = mqtt_port
        self.local_mqtt_port = local_broker_port(mqtt_port)
        self.ponds = ponds
        self.backfill_s = backfill_s
        self.children: list[Child] = []
        self.logins: dict[str, str] = {}

    def _env(self, user: str, password: str, port: int | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KOLAM_")}
        env.update({
            "KOLAM_DATA_DIR": str(self.data_dir),
            "KOLAM_MQTT_URL": f"mqtt://{user}:{password}@127.0.0.1:{port or self.mqtt_port}",
            "KOLAM_HTTP_PORT": str(self.http_port),
            "KOLAM_SIM__PONDS": str(self.ponds),
            "KOLAM_SIM__SITE": SITE,
            # Live readings every 10 s so the dashboard is never more than seconds old.
            "KOLAM_SIM__INTERVAL_S": str(LIVE_INTERVAL_S),
            # History at 5-minute resolution: a day of it passes both brokers and the
            # gateway in a few seconds, so live readings follow at once.
            "KOLAM_SIM__HISTORY_STEP_S": "300",
            "KOLAM_PARENT_PID": str(os.getpid()),
        })
        return env

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> None:
        log_path = self.data_dir / f"{name}.log"
        with log_path.open("ab") as log_file:
            proc = subprocess.Popen([sys.executable, "-m", "kolam", *args], env=env,
                                    stdout=log_file, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        self.children.append(Child(name, proc))
        log.debug("started %s (pid %d), log in %s", name, proc.pid, log_path)

    def start(self) -> None:
        private_dir(self.data_dir)
        users = demo_users(self.data_dir / "mqtt-users")
        registry = Registry(f"sqlite:///{self.data_dir / 'registry.sqlite'}")
        for i in range(1, self.ponds + 1):
            registry.ensure_pond(SITE, f"kolam-{i}", site_name=SITE_NAME, pond_name=f"Kolam {i}",
                                 area_m2=50.0, depth_cm=100.0)
        try:
            self.logins = demo_logins(registry, self.data_dir / "demo-logins")
            seed_demo_data(registry, SITE, [f"kolam-{i}" for i in range(1, self.ponds + 1)],
                           now_ms())
        finally:
            registry.close()
        acl = str(demo_acl(self.data_dir / "mqtt-acl"))
        self._spawn("broker", ["broker", "--port", str(self.mqtt_port), "--users",
                               str(self.data_dir / "mqtt-users"), "--acl", acl],
                    self._env("", ""))
        if not wait_port("127.0.0.1", self.mqtt_port, 15):
            raise KolamError(f"the embedded broker did not open port {self.mqtt_port}; "
                             f"see {self.data_dir / 'broker.log'}")
        self._spawn("local-broker", ["broker", "--port", str(self.local_mqtt_port), "--users",
                                     str(self.data_dir / "mqtt-users"), "--acl", acl],
                    self._env("", ""))
        if not wait_port("127.0.0.1", self.local_mqtt_port, 15):
            raise KolamError(f"the local broker did not open port {self.local_mqtt_port}; "
                             f"see {self.data_dir / 'local-broker.log'}")
        ready = self.data_dir / "ingest.ready"
        ready.unlink(missing_ok=True)
        self._spawn("ingest", ["ingest"], self._env("ingest", users["ingest"])
                    | {"KOLAM_READY_FILE": str(ready)})
        self._spawn("api", ["api", "--port", str(self.http_port)],
                    self._env("api", users["api"]))
        # The simulator starts with a backfill: ingest and gateway must be subscribed first.
        if not wait_file(ready, 30):
            raise KolamError(f"ingest did not start; see {self.data_dir / 'ingest.log'}")
        gateway_ready = self.data_dir / "gateway.ready"
        gateway_ready.unlink(missing_ok=True)
        local = f"mqtt://gateway:{users['gateway']}@127.0.0.1:{self.local_mqtt_port}"
        self._spawn("gateway", ["gateway"], self._env("gateway", users["gateway"]) | {
            "KOLAM_LOCAL_MQTT_URL": local, "KOLAM_SITE": SITE, "KOLAM_GATEWAY_ID": GATEWAY_ID,
            "KOLAM_READY_FILE": str(gateway_ready)})
        if not wait_file(gateway_ready, 30):
            raise KolamError(f"the gateway did not start; see {self.data_dir / 'gateway.log'}")
        self._spawn("sim", ["sim", "--relays", "--backfill", f"{int(self.backfill_s)}s"],
                    self._env("sim", users["sim"], self.local_mqtt_port))
        if not wait_port("127.0.0.1", self.http_port, 30):
            raise KolamError(f"the API did not open port {self.http_port}; "
                             f"see {self.data_dir / 'api.log'}")

    def stop(self) -> None:
        """SIGTERM in reverse start order, bounded waits, then SIGKILL."""
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for child in reversed(self.children):
            if child.proc.poll() is None:
                child.proc.send_signal(signal.SIGTERM)
            try:
                child.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in time: killing it", child.name)
                child.proc.kill()
                child.proc.wait(2)
        self.children.clear()

    def run(self) -> None:
        def _interrupt(signum: int, _frame: object) -> None:
            raise KeyboardInterrupt

        # Ctrl-C stops the demo even when its parent ignored SIGINT (a shell's background
        # job, nohup): Python then leaves SIGINT ignored, and only SIGKILL would stop it.
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGINT, _interrupt)
        try:
            print(f"Kolam demo starting in {self.data_dir} (each service logs to its own "
                  "file there)…", file=sys.stderr, flush=True)
            self.start()
            url = f"http://127.0.0.1:{self.http_port}"
            print(f"\nKolam demo is running: {url}/  (the dashboard)\n"
                  f"  demo login: admin / {self.logins['admin']}\n"
                  f"  kiosk: {url}/kiosk/{SITE} (login kiosk-{SITE} / "
                  f"{self.logins[f'kiosk-{SITE}']})\n"
                  f"  history ({_span(self.backfill_s)}) is loading; live readings every "
                  f"{LIVE_INTERVAL_S} s\n"
                  f"  API docs: {url}/docs (Authorize with the demo login); the API: "
                  f"{url}/api/v1/sites/{SITE}/ponds\n"
                  f"  site broker: mqtt://127.0.0.1:{self.local_mqtt_port} (nodes → gateway)\n"
                  f"  data and logs: {self.data_dir} (logins in demo-logins)\n"
                  "Press Ctrl-C to stop.", flush=True)
            while True:
                for child in self.children:
                    code = child.proc.poll()
                    if code is not None:
                        raise KolamError(f"{child.name} exited with code {code}; see "
                                         f"{self.data_dir / (child.name + '.log')}")
                time.sleep(0.5)
        except KeyboardInterrupt:
            print("\nstopping…", flush=True)
        finally:
            self.stop()
            print("demo stopped", flush=True)

"""A site provisioned with ``kolam devices`` and a real Mosquitto configured by
``kolam broker-config``: what an attacker on the site network would face."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kolam.broker.acl import ServiceRole, is_device_username
from kolam.cli import app
from kolam.registry.devices import BrokerLogins
from kolam.registry.repo import Registry
from tests.utils.secure_broker import EmbeddedBroker, SecuredMosquitto


@dataclass
class Kolam:
    """Runs ``kolam ...`` in-process over one data directory."""

    data_dir: Path
    runner: CliRunner = field(default_factory=CliRunner)

    def __call__(self, *args: str) -> str:
        result = self.runner.invoke(app, list(args), env={"KOLAM_DATA_DIR": str(self.data_dir)})
        assert result.exit_code == 0, (result.output, result.exception)
        return result.stdout

    def login(self, *args: str) -> tuple[str, str]:
        creds = json.loads(self(*args, "--json"))
        return creds["username"], creds["password"]


@dataclass
class Site:
    kolam: Kolam
    broker: SecuredMosquitto | EmbeddedBroker
    auth_dir: Path
    logins: dict[str, tuple[str, str]]

    def url(self, who: str) -> str:
        return self.broker.url(*self.logins[who])

    def client_id(self, who: str) -> str:
        """A device connects with its login as client id (kolam.broker.acl.client_id_allowed)."""
        username = self.logins[who][0]
        return username if is_device_username(username) else f"test-{who}"

    def apply(self) -> None:
        """``kolam broker-config`` and reload the broker, as an operator would (the
        embedded broker rereads changed files by itself)."""
        reload = ["--pid-file", str(self.broker.pid_file)] if self.broker.pid_file else []
        self.kolam("broker-config", "--out", str(self.auth_dir), *reload)


@pytest.fixture
def kolam(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Kolam:
    for key in list(os.environ):
        if key.startswith("KOLAM_"):
            monkeypatch.delenv(key)
    return Kolam(tmp_path / "data")


@pytest.fixture(scope="module")
def provisioned(tmp_path_factory: pytest.TempPathFactory,
                ) -> tuple[Path, dict[str, tuple[str, str]]]:
    """Two ponds with a device each, ingest, the API, the site's gateway and simulator,
    an all-seeing observer, and a device of another site (lebak); made once per module (the Argon2 hashes take a moment), each
    test gets a copy of this registry."""
    data_dir = tmp_path_factory.mktemp("provisioned")
    registry = Registry(f"sqlite:///{data_dir / 'registry.sqlite'}")
    provision = BrokerLogins(registry)
    try:
        made = [provision.add_device("serang", "kolam-1", "node-a"),
                provision.add_device("serang", "kolam-2", "node-b"),
                provision.set_service("api", ServiceRole.API),
                provision.set_service("observer", ServiceRole.OBSERVER),
                provision.set_service("ingest", ServiceRole.INGEST),
                provision.set_service("gw-serang", ServiceRole.GATEWAY, "serang"),
                provision.add_device("lebak", "kolam-1", "node-c"),
                provision.set_service("sim-serang", ServiceRole.SIM, "serang")]
    finally:
        provision.close()
    return data_dir, {name: (c.username, c.password)
                      for name, c in zip(["a", "b", "api", "observer", "ingest", "gateway", "c", "sim"], made,
                                         strict=True)}


@pytest.fixture(params=["mosquitto", "embedded"])
def site(request: pytest.FixtureRequest, kolam: Kolam, tmp_path: Path,
         provisioned: tuple[Path, dict[str, tuple[str, str]]]) -> Iterator[Site]:
    """The provisioned registry behind a broker configured by ``kolam broker-config``:
    a real Mosquitto, then the embedded amqtt broker reading the same files."""
    template, logins = provisioned
    shutil.copytree(template, kolam.data_dir)
    auth_dir = tmp_path / "broker-auth"
    kolam("broker-config", "--out", str(auth_dir))
    kind = SecuredMosquitto if request.param == "mosquitto" else EmbeddedBroker
    broker = kind(tmp_path / request.param, auth_dir).start()
    try:
        yield Site(kolam, broker, auth_dir, dict(logins))
    finally:
        broker.stop()

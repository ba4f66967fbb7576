"""The ``kolam`` commands a newcomer trips over: a mistyped site or pond, a device added
twice, a broker that cannot start, and start-up noise."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from kolam.cli import app
from kolam.config import load_config
from kolam.registry.alert_models import AlertRow
from kolam.registry.cycles import Cycles
from kolam.registry.records import NewCycle, NewTeam, Programme
from kolam.registry.repo import Registry
from kolam.registry.teams import Teams
from kolam.store import SeriesKey, open_store
from kolam.timeutil import now_ms
from tests.utils.auth import PASSWORD

Run = Callable[..., str]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith("KOLAM_"):
            monkeypatch.delenv(key)
    return tmp_path / "data"


@pytest.fixture
def kolam(data_dir: Path) -> Run:
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env={"KOLAM_DATA_DIR": str(data_dir),
                                                     "KOLAM_USER_PASSWORD": PASSWORD})
        assert result.exit_code == code, (result.output, result.exception)
        failed = result.exception if not isinstance(result.exception, SystemExit) else None
        return result.output + (f"error: {failed}" if failed else "")

    return run


@pytest.fixture
def registry(data_dir: Path, kolam: Run) -> Iterator[Registry]:
    kolam("migrate")
    r = Registry(load_config(None, data_dir=data_dir).registry_url)
    try:
        yield r
    finally:
        r.close()


def test_adding_a_device_again_needs_rotate(kolam: Run) -> None:
    first = kolam("devices", "add", "serang", "kolam-1", "node-1")
    assert "new site serang" in first and "new pond serang/kolam-1" in first
    again = kolam("devices", "add", "serang", "kolam-1", "node-1", code=1)
    assert "already has a login; nothing changed" in again and "--rotate" in again
    rotated = kolam("devices", "add", "serang", "kolam-1", "node-1", "--rotate")
    assert "its password is replaced" in rotated and "password: " in rotated
    assert "new pond" not in rotated
    password = next(line.split(": ", 1)[1] for line in first.splitlines()
                    if line.strip().startswith("password:"))
    assert password not in rotated  # a new one
    # --rotate on a new device is a plain add; on the wrong pond still refused.
    assert "replaced" not in kolam("devices", "add", "serang", "kolam-1", "node-2", "--rotate")
    assert "belongs to pond" in kolam("devices", "add", "serang", "kolam-2", "node-1",
                                      "--rotate", code=1)


def test_users_add_refuses_an_unknown_site(kolam: Run, registry: Registry) -> None:
    registry.ensure_pond("serang", "kolam-1")
    out = kolam("users", "add", "budi", "--role", "officer", "--site", "cilegon", code=1)
    assert "no site cilegon (known: serang); nothing changed" in out
    assert "budi" not in kolam("users", "list")
    assert "officer of serang" in kolam("users", "add", "budi", "--role", "officer",
                                        "--site", "serang")


def test_ponds_remove_a_mistyped_pond(kolam: Run, registry: Registry, data_dir: Path) -> None:
    kolam("devices", "add", "serang", "kolam-1", "node-1")
    kolam("devices", "add", "serang", "kolam-l", "node-9")  # l for 1
    with Session(registry.engine) as s, s.begin():
        s.add(AlertRow(site="serang", pond="kolam-l", rule_key="offline/node-9",
                       rule="offline", severity="warning", state="active", since_t=1,
                       last_t=1, created_at=1, updated_at=1))
    out = kolam("ponds", "remove", "serang", "kolam-l")
    assert "pond serang/kolam-l removed" in out and "devices node-9" in out
    assert "1 open alert(s) resolved" in out
    assert [p.slug for p in registry.ponds("serang")] == ["kolam-1"]
    assert "node-9" not in kolam("devices", "list")
    with Session(registry.engine) as s:
        assert s.query(AlertRow).one().state == "resolved"
    assert "no pond 'kolam-l'" in kolam("ponds", "remove", "serang", "kolam-l", code=1)


def test_ponds_remove_keeps_records_and_asks_before_readings(
        kolam: Run, registry: Registry, data_dir: Path) -> None:
    registry.ensure_pond("serang", "kolam-1")
    registry.ensure_pond("serang", "kolam-2")
    team = Teams(registry.engine).add_team("serang", NewTeam(
        "Kelompok A", Programme.LELE_GROWOUT, now_ms() - 86_400_000, ()))
    Cycles(registry.engine).start("serang", "kolam-1", NewCycle(
        team.id, now_ms() - 3_600_000, 1000, 2.5, 6.0, "UPR", 300_000))
    out = kolam("ponds", "remove", "serang", "kolam-1", "--force", code=1)
    assert "1 cycle(s) of farming records" in out and "nothing changed" in out

    store = open_store(load_config(None, data_dir=data_dir))
    store.write([(SeriesKey("serang", "kolam-2", "node-2", "temp_c"), now_ms(), 28.0)])
    store.close()
    out = kolam("ponds", "remove", "serang", "kolam-2", code=1)
    assert "has readings (1 series); nothing changed" in out and "--force" in out
    out = kolam("ponds", "remove", "serang", "kolam-2", "--force")
    assert "removed" in out and "readings (1 series) stay in the time-series store" in out
    assert [p.slug for p in registry.ponds("serang")] == ["kolam-1"]


def _kolam(*args: str, cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLAM_")}
    return subprocess.run([sys.executable, "-m", "kolam", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_broker_errors_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "users").write_text("u:p\n")
    (tmp_path / "acl").write_text("not an acl\n")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        cases = {
            "mqtt-users: No such file or directory": ["broker"],  # the default file
            "--users /nope: No such file or directory": ["broker", "--users", "/nope"],
            "--acl acl: ACL line 1 is not understood": ["broker", "--users", "users",
                                                        "--acl", "acl"],
            f"cannot listen on 127.0.0.1:{port}: Address already in use": [
                "broker", "--users", "users", "--port", port],
        }
        for message, args in cases.items():
            run = _kolam(*args, cwd=tmp_path)
            assert run.returncode == 1, (args, run.stderr)
            assert run.stderr.splitlines() == [f"error: {run.stderr.strip()[7:]}"], run.stderr
            assert message in run.stderr and "Traceback" not in run.stderr, run.stderr


def test_services_start_quietly(tmp_path: Path) -> None:
    """A fresh data dir migrates the registry: no alembic lines, no warnings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLAM_")}
    env["KOLAM_DATA_DIR"] = str(tmp_path / "data")
    run = subprocess.run([sys.executable, "-W", "default", "-m", "kolam", "migrate"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stderr == "", run.stderr


def test_users_hash_password_makes_the_gateway_kiosk_credential(kolam: Run) -> None:
    from kolam.security.auth import verify_password

    [line] = kolam("users", "hash-password").split()
    assert line.startswith("$argon2id$") and verify_password(line, PASSWORD)

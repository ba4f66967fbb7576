"""``kolam devices`` and ``kolam broker-config`` as an operator runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kolam.broker.acl import parse_acl
from kolam.broker.passwd import parse_passwd, verify_password
from kolam.cli import app
from tests.utils.net import wait_for


@pytest.fixture
def kolam(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for key in list(os.environ):
        if key.startswith("KOLAM_"):
            monkeypatch.delenv(key)
    runner = CliRunner()
    env = {"KOLAM_DATA_DIR": str(tmp_path / "data")}

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, (result.output, result.exception)
        # A KolamError reaches the user through main(): "error: ..." and exit code 1.
        failed = result.exception if not isinstance(result.exception, SystemExit) else None
        if "--json" in args and not failed:
            return result.stdout  # what scripts parse; notes go to stderr
        return result.output + (f"error: {failed}" if failed else "")

    return run


def test_add_shows_the_password_once(kolam, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    creds = json.loads(kolam("devices", "add", "serang", "kolam-1", "node-1", "--json"))
    assert set(creds) == {"username", "password"}
    assert creds["username"] == "serang.node-1"
    text = kolam("devices", "add", "serang", "kolam-1", "node-2")
    assert "username: serang.node-2" in text and "shown only now" in text
    listing = kolam("devices", "list")
    assert creds["password"] not in listing
    assert [line.split("\t")[:5] for line in listing.splitlines()] == [
        ["serang", "kolam-1", "node-1", "serang.node-1", "enabled"],
        ["serang", "kolam-1", "node-2", "serang.node-2", "enabled"]]
    registry = (tmp_path / "data" / "registry.sqlite").read_bytes()
    assert creds["password"].encode() not in registry


def test_broker_config_writes_what_mosquitto_reads(kolam, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    node = json.loads(kolam("devices", "add", "serang", "kolam-1", "node-1", "--json"))
    kolam("devices", "add", "serang", "kolam-2", "node-2", "--json")
    ingest = json.loads(kolam("devices", "service", "ingest", "--role", "ingest", "--json"))
    kolam("devices", "disable", "serang", "node-2")
    out = tmp_path / "broker"
    assert "(2 logins)" in kolam("broker-config", "--out", str(out))
    users = parse_passwd((out / "passwd").read_text())
    assert sorted(users) == ["ingest", "serang.node-1"]
    assert verify_password(users["serang.node-1"], node["password"])
    assert verify_password(users["ingest"], ingest["password"])
    acl = parse_acl((out / "acl").read_text())
    assert [g.topic for g in acl["serang.node-1"]] == [
        "kolam/v1/serang/kolam-1/node-1/telemetry", "kolam/v1/serang/kolam-1/node-1/status",
        "kolam/v1/serang/kolam-1/node-1/state", "kolam/v1/serang/kolam-1/node-1/cmd"]
    assert oct((out / "passwd").stat().st_mode & 0o777) == "0o640"

    rotated = json.loads(kolam("devices", "rotate", "serang", "node-1", "--json"))
    kolam("devices", "enable", "serang", "node-2")
    kolam("broker-config", "--out", str(out))
    users = parse_passwd((out / "passwd").read_text())
    assert sorted(users) == ["ingest", "serang.node-1", "serang.node-2"]
    assert verify_password(users["serang.node-1"], rotated["password"])
    assert not verify_password(users["serang.node-1"], node["password"])


def test_broker_config_reloads_the_broker(kolam, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """SIGHUP to the process named by --pid-file (here a stand-in that records it)."""
    marker = tmp_path / "hup"
    code = (f"import signal,time,pathlib\n"
            f"signal.signal(signal.SIGHUP, lambda *a: pathlib.Path({str(marker)!r}).touch())\n"
            f"pathlib.Path({str(tmp_path / 'ready')!r}).touch()\ntime.sleep(30)\n")
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        wait_for((tmp_path / "ready").exists, 10, what="the stand-in to start")
        (tmp_path / "pid").write_text(f"{proc.pid}\n")
        out = kolam("broker-config", "--out", str(tmp_path / "b"), "--pid-file",
                    str(tmp_path / "pid"))
        assert f"broker {proc.pid} reloaded" in out
        wait_for(marker.exists, 5, what="SIGHUP")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(5)


def test_clear_errors(kolam, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert "no device" in kolam("devices", "rotate", "serang", "nope", code=1)
    assert "no device" in kolam("devices", "disable", "serang", "nope", code=1)
    assert "role must be one of" in kolam("devices", "service", "x", "--role", "root", code=2)
    (tmp_path / "pid").write_text("not a pid")
    assert "does not hold a process id" in kolam(
        "broker-config", "--out", str(tmp_path / "b"), "--pid-file", str(tmp_path / "pid"),
        code=1)

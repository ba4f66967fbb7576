"""``kolam sites`` and ``kolam ponds`` as an operator runs them, against a real registry
file: register, complete a telemetry-made record, list, and refuse what cannot be true."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kolam.protocol import DeviceRef
from kolam.registry.repo import DeviceCheck, Registry
from kolam.registry.users import Users

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def kolam(tmp_path: Path) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLAM_")}
    env["KOLAM_DATA_DIR"] = str(tmp_path / "data")

    def run(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "kolam", *args], env=env, text=True,
                              capture_output=True, timeout=60, check=False)
        assert done.returncode == code, (done.stdout, done.stderr)
        return done

    return run


def _registry(tmp_path: Path) -> Registry:
    return Registry(f"sqlite:///{tmp_path / 'data' / 'registry.sqlite'}")


def test_sites_and_ponds_from_the_shell(kolam: Run, tmp_path: Path) -> None:
    out = kolam("sites", "add", "lapas-abepura", "--name", "Lapas Abepura", "--kind", "lapas",
                "--province", "Papua", "--regency", "Kota Jayapura", "--lat", "-2.6",
                "--lon", "140.67", "--timezone", "Asia/Jayapura", "--altitude-m", "20").stdout
    assert "lapas-abepura (Lapas Abepura): lapas, Asia/Jayapura" in out
    kolam("ponds", "add", "lapas-abepura", "kolam-1", "--kind", "tarpaulin", "--area-m2",
          "7.07", "--depth-cm", "120", "--min-level-cm", "60")
    kolam("ponds", "set", "lapas-abepura", "kolam-1", "--inactive", "--name", "Bundar 1")
    sites = json.loads(kolam("sites", "list", "--json").stdout)
    assert sites == [{"slug": "lapas-abepura", "name": "Lapas Abepura", "kind": "lapas",
                      "province": "Papua", "regency": "Kota Jayapura", "lat": -2.6,
                      "lon": 140.67, "timezone": "Asia/Jayapura", "altitude_m": 20.0,
                      "pond_count": 1}]
    ponds = json.loads(kolam("ponds", "list", "lapas-abepura", "--json").stdout)
    assert ponds == [{"site": "lapas-abepura", "slug": "kolam-1", "name": "Bundar 1",
                      "kind": "tarpaulin", "area_m2": 7.07, "depth_cm": 120.0,
                      "min_level_cm": 60.0, "active": False}]
    assert kolam("ponds", "list", "lapas-abepura").stdout.split("\t")[:3] == [
        "kolam-1", "Bundar 1", "tarpaulin"]
    registry = _registry(tmp_path)
    try:
        audit = [(a.username, a.action, a.entity) for a in Users(registry.engine).audit_log()]
    finally:
        registry.close()
    assert audit == [("cli", "update", "pond"), ("cli", "create", "pond"),
                     ("cli", "create", "site")]


def test_a_telemetry_made_site_is_completed(kolam: Run, tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    try:
        assert registry.check_device(DeviceRef("rutan-makassar", "k-1", "node-1"),
                                     auto_provision=True) is DeviceCheck.ACCEPTED
    finally:
        registry.close()
    kolam("sites", "set", "rutan-makassar", "--timezone", "Asia/Makassar", "--kind", "rutan")
    kolam("ponds", "set", "rutan-makassar", "k-1", "--depth-cm", "100")
    line = kolam("sites", "list").stdout.strip().split("\t")
    assert line == ["rutan-makassar", "rutan-makassar", "rutan", "-", "-", "-", "-",
                    "Asia/Makassar", "0.0", "1"]


@pytest.mark.parametrize(("args", "message"), [
    (("sites", "add", "x", "--lat", "106.1"), "lat must be between -11 and 6"),
    (("sites", "add", "x", "--timezone", "Asia/Serang"), "unknown time zone"),
    (("sites", "add", "Bad Slug"), "slug"),
    (("sites", "set", "nowhere", "--name", "N"), "no site 'nowhere'"),
    (("ponds", "add", "nowhere", "k-1"), "no site 'nowhere'"),
])
def test_what_cannot_be_true_is_refused(kolam: Run, args: tuple[str, ...],
                                        message: str) -> None:
    done = kolam(*args, code=1)
    assert message in done.stderr and "Traceback" not in done.stderr


def test_min_level_below_depth_and_known_kinds(kolam: Run) -> None:
    kolam("sites", "add", "s1")
    kolam("ponds", "add", "s1", "k-1", "--depth-cm", "80")
    done = kolam("ponds", "set", "s1", "k-1", "--min-level-cm", "90", code=1)
    assert "below the pond's depth_cm (80)" in done.stderr
    done = kolam("ponds", "add", "s1", "k-2", "--kind", "glass", code=2)
    assert "tarpaulin" in done.stderr  # typer lists the choices

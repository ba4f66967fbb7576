"""``kolam sim --relays``: the command line gives every pond a relay node."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _sim(*args: str) -> list[dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for k in [k for k in env if k.startswith("KOLAM_")]:
        del env[k]
    out = subprocess.run(
        [sys.executable, "-m", "kolam", "sim", "--dry-run", "--duration", "2m", "--ponds", "2",
         "--scenario", "simple", *args],
        capture_output=True, text=True, timeout=60, env=env, cwd=ROOT, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_relays_flag_adds_a_relay_node_per_pond() -> None:
    lines = _sim("--relays")
    states = {str(m["topic"]): m["payload"] for m in lines if str(m["topic"]).endswith("/state")}
    assert set(states) == {"kolam/v1/serang/kolam-1/relay-1/state",
                           "kolam/v1/serang/kolam-2/relay-2/state"}
    out = states["kolam/v1/serang/kolam-1/relay-1/state"]["outputs"]  # type: ignore[index]
    assert out["aerator-1"]["on"] is True
    assert out["aerator-1"]["amps"] > 0


def test_without_the_flag_no_relay() -> None:
    assert not [m for m in _sim() if "relay-" in str(m["topic"])]

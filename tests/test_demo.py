"""`kolam demo` starts every service, serves fresh readings for every pond, and stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.utils.net import free_port, wait_for


def children_of(pid: int) -> list[int]:
    """Processes started by the demo (they carry KOLAM_PARENT_PID in their environment)."""
    found = []
    marker = f"KOLAM_PARENT_PID={pid}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


HEADERS: dict[str, str] = {}


def get_json(url: str) -> object:
    with urllib.request.urlopen(urllib.request.Request(url, headers=HEADERS), timeout=5) as r:
        return json.load(r)


def demo_login(data_dir: Path, http_port: int) -> None:
    """Log in as the demo admin (password from the data dir) for the next requests."""
    logins = dict(line.split(":", 1) for line in (data_dir / "demo-logins").read_text().split())
    form = urllib.parse.urlencode({"username": "admin", "password": logins["admin"]}).encode()
    with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/api/v1/auth/token", form,
                                timeout=5) as r:
        HEADERS["Authorization"] = f"Bearer {json.load(r)['access_token']}"


def test_demo_serves_fresh_readings_and_stops_cleanly(tmp_path: Path) -> None:
    http_port, mqtt_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLAM_")}
    err = (tmp_path / "stderr").open("wb")
    proc = subprocess.Popen(  # the default backfill (a day), as `make demo` runs it
        [sys.executable, "-m", "kolam", "demo", "--http-port", str(http_port), "--mqtt-port",
         str(mqtt_port), "--data-dir", str(tmp_path / "demo")],
        env=env, stdout=subprocess.PIPE, stderr=err)
    base = f"http://127.0.0.1:{http_port}/api/v1/sites/serang/ponds"
    assert proc.stdout is not None
    printed: list[bytes] = []
    children: list[int] = []
    try:
        for line in proc.stdout:  # up to the banner: its first line is the dashboard
            printed.append(line)
            if line.startswith(b"Press Ctrl-C"):
                break
        url_printed = time.monotonic()
        banner = [x for x in printed if x.strip()]
        first = banner[0].decode()
        assert first.rstrip().endswith(f"http://127.0.0.1:{http_port}/  (the dashboard)"), first
        assert banner[1].startswith(b"  demo login: admin / ")

        def all_fresh() -> bool:
            try:
                if not HEADERS:
                    demo_login(tmp_path / "demo", http_port)
                ponds = get_json(base)
            except OSError:
                return False
            assert isinstance(ponds, list)
            if len(ponds) != 4:
                return False
            for p in ponds:
                detail = get_json(f"{base}/{p['slug']}")
                assert isinstance(detail, dict)
                temp = detail["latest"].get("temp_c")
                if temp is None or temp["age_s"] > 30:
                    return False
            return True

        wait_for(all_fresh, 60, interval_s=0.5, what="4 ponds with readings under 30 s old")
        to_fresh_s = time.monotonic() - url_printed
        assert to_fresh_s < 15, f"fresh data {to_fresh_s:.1f} s after the URL was printed"
        print(f"fresh readings {to_fresh_s:.1f} s after the demo printed its URL")
        history = get_json(f"{base}/kolam-1/series?metric=do_mgl&step=3600")  # the last 24 h
        assert isinstance(history, dict) and len(history["buckets"]) >= 20  # 1 d backfill
        detail = get_json(f"{base}/kolam-1")
        assert isinstance(detail, dict) and detail["current_cycle"]["team_name"]  # demo data
        # The simulator's relay nodes (#18): their state reaches the centre via the gateway.
        def aerator_known() -> bool:
            outputs = get_json(f"{base}/kolam-1/outputs")
            assert isinstance(outputs, list)
            return any(o["device"] == "relay-1" and o["output"] == "aerator-1"
                       and o["on"] is True for o in outputs)

        wait_for(aerator_known, 20, interval_s=1, what="relay-1's aerator at the centre")
        children = children_of(proc.pid)
        assert len(children) == 6  # broker, local broker, ingest, api, gateway, sim
    finally:
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        err.close()
    out = b"".join(printed) + out
    stopping_s = time.monotonic() - started
    if stopping_s >= 10:  # say which service held it up: the demo logs each it had to kill
        logs = {f.name: f.read_text(errors="replace")[-1500:]
                for f in sorted((tmp_path / "demo").glob("*.log"))}
        raise AssertionError(f"demo took {stopping_s:.1f} s to stop\n"
                             f"{(tmp_path / 'stderr').read_text()[-2000:]}\n{logs}")
    assert proc.returncode == 0, out.decode()
    assert b"demo stopped" in out
    log = (tmp_path / "stderr").read_text()
    assert "alembic" not in log and "Warning" not in log and "Traceback" not in log, log
    leftovers = [pid for pid in children if Path(f"/proc/{pid}").exists()]
    assert leftovers == [], f"processes left behind: {leftovers}"

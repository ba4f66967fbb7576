"""The kiosk page served by the gateway at the pond, in real Chromium (issue #18 item 4):
a real ``kolam gateway`` on two real Mosquitto brokers with the uplink down, the kiosk
login, the pond from the gateway's own readings, the aerator's state, and a feeding posted
from the form into the gateway's outbox."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from kolam.config import load_config
from kolam.kiosk import decode_log
from kolam.protocol import DeviceRef, Sample
from kolam.timeutil import now_ms
from tests.gateway.test_gateway_crash import spawn_gateway
from tests.utils.browser import ARTIFACTS, chromium
from tests.utils.gateway import SITE, Node, open_outbox
from tests.utils.gateway_kiosk import PASSWORD, kiosk_env
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import free_port, port_open, wait_for

NODE = DeviceRef(SITE, "kolam-1", "node-1")


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


def test_gateway_kiosk_renders_and_posts_a_feeding(tmp_path: Path, browser: Browser,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("KOLAM_"):
            monkeypatch.delenv(key)
    config = load_config(None, data_dir=tmp_path / "data")
    local = Mosquitto(tmp_path / "local").start()
    central = Mosquitto(tmp_path / "central").start()
    central.stop()  # the internet is down
    port = free_port()
    gateway = spawn_gateway(config, central, local, tmp_path / "gw.ready",
                            tmp_path / "gw.log", kiosk_env(port))
    node = Node(local.mqtt)
    context = browser.new_context(viewport={"width": 800, "height": 1280},
                                  base_url=f"http://127.0.0.1:{port}", locale="id-ID",
                                  timezone_id="Asia/Jakarta")
    page = context.new_page()
    script_errors: list[str] = []
    page.on("pageerror", lambda e: script_errors.append(str(e)))
    try:
        wait_for(lambda: port_open(port), 10, what="the kiosk page")
        now = now_ms()
        node.send(NODE, [Sample(now, {"do_mgl": 4.2, "temp_c": 28.6, "ph": 7.4})])
        node.raw(f"kolam/v1/{SITE}/kolam-1/relay-1/state", json.dumps(
            {"v": 1, "outputs": {"aerator-1": {"on": True, "since": now - 600_000,
                                               "amps": 2.0}}}).encode(), retain=True)
        page.goto(f"/kiosk/{SITE}")
        page.fill("input[name=username]", "kiosk")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"**/kiosk/{SITE}")
        tile = page.locator("#tile-kolam-1")
        expect(tile.locator("h2")).to_have_text("Kolam Satu")
        expect(tile.locator("[data-metric=do_mgl]")).to_contain_text("4,20 mg/L")
        expect(tile.locator("[data-output='relay-1/aerator-1']")).to_contain_text(
            "aerator-1: menyala")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "gateway-kiosk.png"), full_page=True)

        page.check("input[name=pond][value=kolam-1]")
        page.check("input[name=kind][value=feeding]")
        page.fill("input[name=amount]", "1,5")
        page.click("form.logform button[type=submit]")
        expect(page.locator("#saved-echo")).to_contain_text("pakan 1,5 kg, Kolam Satu")
        expect(page.locator(".tasks li.done")).to_have_count(1)
        outbox = open_outbox(config)
        try:
            rows = outbox._query("SELECT payload, sent FROM kiosk_logs")
        finally:
            outbox.close()
        assert [(decode_log(bytes(p)).feed_kg, s) for p, s in rows] == [(1.5, 0)]
    finally:
        context.close()
        node.close()
        gateway.send_signal(signal.SIGTERM)
        try:
            code = gateway.wait(15)
        except subprocess.TimeoutExpired:
            gateway.kill()
            code = gateway.wait(5)
        local.stop()
    assert code == 0, (tmp_path / "gw.log").read_text()[-3000:]
    assert script_errors == []

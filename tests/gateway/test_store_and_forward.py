"""Local Mosquitto → gateway → central Mosquitto → ingest → store, through an outage."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from kolam.config import KolamConfig
from kolam.protocol import DeviceRef, Sample, gateway_status_topic, status_topic
from kolam.store.sqlite import SqliteStore
from kolam.timeutil import now_ms
from tests.utils.gateway import SITE, Node, Recorder, open_outbox, running_gateway, values_at
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for
from tests.utils.services import running_ingest

DEVICES = [DeviceRef(SITE, f"kolam-{i}", f"node-{i}") for i in (1, 2, 3)]
GW_STATUS = gateway_status_topic(SITE, "gw-1")


def gateway_config(make_config: Callable[..., KolamConfig], central: Mosquitto,
                   local: Mosquitto, **gateway: Any) -> KolamConfig:
    return make_config(
        mqtt_url=central.url(), local_mqtt_url=local.url(), site=SITE, gateway_id="gw-1",
        ingest={"flush_interval_ms": 20},
        gateway={"flush_interval_ms": 20, "samples_per_message": 20,
                 "drain_rate_samples_s": 150, "status_interval_s": 0.3} | gateway)


def central_points(store: SqliteStore, ref: DeviceRef) -> list[tuple[int, float]]:
    return [(p.t, p.value) for p in store.raw(SITE, ref.pond, "do_mgl", 0, 2**62)]


def publish_range(node: Node, t0: int, start: int, stop: int, pause_s: float = 0.0) -> None:
    for k in range(start, stop):
        for i, ref in enumerate(DEVICES):
            t = t0 + k * 60_000
            node.send(ref, [Sample(t, values_at(i, t))])
        if pause_s:
            time.sleep(pause_s)


def test_outage_every_sample_exactly_once_in_order_live_first(
        central: Mosquitto, local: Mosquitto,
        make_config: Callable[..., KolamConfig]) -> None:
    config = gateway_config(make_config, central, local)
    t0 = now_ms() - 3 * 86_400_000
    before, backlog, live = 10, 100, 40  # samples per device in each phase
    recorder = Recorder(central.mqtt, ["kolam/v1/+/+/+/telemetry", GW_STATUS], "recorder")
    node = Node(local.mqtt)
    with running_ingest(config) as (_worker, store, _registry), running_gateway(config) as gw:
        node.raw(status_topic(DEVICES[0]), b'{"v":1,"online":true,"fw":"t-1"}', retain=True)
        publish_range(node, t0, 0, before)
        wait_for(lambda: all(len(central_points(store, r)) == before for r in DEVICES), 20,
                 what="the first samples centrally")

        central.stop()
        publish_range(node, t0, before, before + backlog)
        outbox = open_outbox(config)
        wait_for(lambda: outbox.stats().buffered == len(DEVICES) * backlog, 20,
                 what="the backlog in the outbox")
        outbox.close()
        restarted_at = len(recorder.snapshot())

        central.start()
        # Samples published until the uplink is back are backlog too; live starts after.
        wait_for(lambda: gw.uplink.connected, 40, what="the uplink to reconnect")
        stop_live = threading.Event()

        def live_nodes() -> None:
            k = before + backlog
            while k < before + backlog + live and not stop_live.is_set():
                publish_range(node, t0, k, k + 1, pause_s=0.05)
                k += 1

        feeder = threading.Thread(target=live_nodes)
        feeder.start()
        total = before + backlog + live
        try:
            wait_for(lambda: all(len(central_points(store, r)) == total for r in DEVICES), 60,
                     interval_s=0.2, what="every sample centrally")
        finally:
            stop_live.set()
            feeder.join(10)
        wait_for(lambda: (recorder.last(GW_STATUS) or {}).get("buffered") == 0, 10,
                 what="a gateway status with an empty outbox")

    node.close()
    recorder.close()
    for i, ref in enumerate(DEVICES):
        want = [(t0 + k * 60_000, values_at(i, t0 + k * 60_000)["do_mgl"]) for k in range(total)]
        assert central_points(store, ref) == want  # every sample, exactly once

    # Order: after the reconnect, each device's backlog and its live samples each arrive
    # oldest first, and live samples arrive while the backlog is still draining.
    after = [m for m in recorder.snapshot()[restarted_at:] if m.topic.endswith("/telemetry")]
    history_end = t0 + (before + backlog) * 60_000
    for ref in DEVICES:
        ts = [s["t"] for m in after if f"/{ref.device}/" in m.topic
              for s in m.body["samples"]]  # type: ignore[attr-defined]
        old = [t for t in ts if t < history_end]
        new = [t for t in ts if t >= history_end]
        assert old == sorted(old) and new == sorted(new)
        assert set(new) == {t0 + k * 60_000 for k in range(before + backlog, total)}
    first_live = next(i for i, m in enumerate(after)
                      if any(s["t"] >= history_end for s in m.body["samples"]))  # type: ignore[attr-defined]
    last_history = max(i for i, m in enumerate(after)
                       if any(s["t"] < history_end for s in m.body["samples"]))  # type: ignore[attr-defined]
    assert first_live < last_history, "live data waited for the whole backlog"
    status = recorder.last(GW_STATUS)
    assert status is not None and status["uplink"] == "up"
    assert json.loads(json.dumps(status))["thinned"] == 0

"""While the uplink is down: the disk cap, local alarms and garbage from the nodes."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from kolam.config import KolamConfig
from kolam.protocol import DeviceRef, Sample, gateway_status_topic
from kolam.timeutil import now_ms
from tests.utils.gateway import SITE, Node, Recorder, open_outbox, running_gateway, values_at
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for
from tests.utils.services import running_ingest

DEVICES = [DeviceRef(SITE, f"kolam-{i}", f"node-{i}") for i in (1, 2, 3)]
GW_STATUS = gateway_status_topic(SITE, "gw-1")


def config_for(make_config: Callable[..., KolamConfig], central: Mosquitto, local: Mosquitto,
               **gateway: object) -> KolamConfig:
    return make_config(
        mqtt_url=central.url(), local_mqtt_url=local.url(), site=SITE, gateway_id="gw-1",
        ingest={"flush_interval_ms": 20},
        gateway={"flush_interval_ms": 20, "status_interval_s": 0.2} | gateway)


def test_disk_cap_thins_oldest_reports_loss_and_keeps_newest(
        central: Mosquitto, local: Mosquitto, make_config: Callable[..., KolamConfig],
        caplog: pytest.LogCaptureFixture) -> None:
    config = config_for(make_config, central, local, max_outbox_mb=0.25,
                        drain_rate_samples_s=5000, samples_per_message=500)
    central.stop()  # a long outage: 2 days of 3 ponds at 1-minute resolution
    n, t0 = 2880, now_ms() - 3 * 86_400_000
    watcher = Recorder(local.mqtt, [GW_STATUS], "watcher")
    node = Node(local.mqtt)
    with caplog.at_level(logging.WARNING, "gateway"), running_gateway(config):
        for k in range(0, n, 60):
            for i, ref in enumerate(DEVICES):
                node.send(ref, [Sample(t0 + j * 60_000, values_at(i, t0 + j * 60_000))
                                for j in range(k, k + 60)])
        outbox = open_outbox(config)
        cap = 0.25 * 1024 * 1024

        def settled() -> bool:
            stats = outbox.stats()
            return stats.buffered + stats.thinned == n * 3 and stats.used_bytes <= cap
        wait_for(settled, 20, what="every sample buffered or thinned, within the cap")
        stats = outbox.stats()
        assert stats.thinned > 0
        wait_for(lambda: (watcher.last(GW_STATUS) or {}).get("thinned") == stats.thinned, 5,
                 what="the loss in the gateway status")
        status = watcher.last(GW_STATUS)
        assert status is not None
        assert (status["uplink"], status["buffered"]) == ("down", stats.buffered)
        assert any("thinned" in r.message and "lost to thinning" in r.message
                   for r in caplog.records)
        newest = 300
        for ref in DEVICES:
            ts = [r.t for r in outbox.rows(0, None, 100_000)
                  if outbox.device(r.device_id) == ref]
            assert ts[-newest:] == [t0 + j * 60_000 for j in range(n - newest, n)]
        outbox.close()

        central.start()
        with running_ingest(config) as (_worker, store, _registry):
            def central_ts(ref: DeviceRef) -> list[int]:
                return [p.t for p in store.raw(SITE, ref.pond, "do_mgl", 0, 2**62)]
            wait_for(lambda: sum(len(central_ts(r)) for r in DEVICES) == stats.buffered, 30,
                     interval_s=0.2, what="the thinned backlog centrally")
            for ref in DEVICES:
                assert central_ts(ref)[-newest:] == [t0 + j * 60_000
                                                     for j in range(n - newest, n)]
    node.close()
    watcher.close()


def test_local_alarm_while_uplink_is_down(
        central: Mosquitto, local: Mosquitto, make_config: Callable[..., KolamConfig],
        caplog: pytest.LogCaptureFixture) -> None:
    config = config_for(make_config, central, local, alarm_min_duration_s=120)
    central.stop()
    alarm_topic = f"kolam/v1/{SITE}/kolam-1/alarm"
    siren = Recorder(local.mqtt, [alarm_topic, GW_STATUS], "siren")
    node = Node(local.mqtt)
    ref = DEVICES[0]
    now = now_ms()
    with caplog.at_level(logging.WARNING, "gateway"), running_gateway(config):
        # A dawn DO crash: 1.4 mg/L (critical below 2) for two minutes.
        for k, do in enumerate([1.6, 1.5, 1.4]):
            node.send(ref, [Sample(now - (6 - k) * 60_000, {"do_mgl": do, "temp_c": 27.0})])
        wait_for(lambda: siren.last(alarm_topic) is not None, 10, what="the local alarm")
        alarm = siren.last(alarm_topic)
        assert alarm is not None
        assert alarm["change"]["state"] == "raised"  # type: ignore[index]
        (active,) = alarm["active"]  # type: ignore[misc]
        assert (active["metric"], active["value"], active["since"]) == (
            "do_mgl", 1.4, now - 6 * 60_000)
        assert any("ALARM raised" in r.message for r in caplog.records)
        wait_for(lambda: (siren.last(GW_STATUS) or {}).get("alarms") == 1, 5,
                 what="the alarm count in the gateway status")
        assert (siren.last(GW_STATUS) or {}).get("uplink") == "down"

        for k in range(3):  # aerators on: back above 2 mg/L for two minutes
            node.send(ref, [Sample(now - (3 - k) * 60_000, {"do_mgl": 3.5})])
        wait_for(lambda: (siren.last(alarm_topic) or {}).get("active") == [], 10,
                 what="the alarm to clear")
    node.close()
    siren.close()


def test_garbage_is_dead_lettered_and_valid_data_still_flows(
        central: Mosquitto, local: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = config_for(make_config, central, local)
    central.stop()
    node = Node(local.mqtt)
    ref = DEVICES[0]
    t = now_ms() - 60_000
    base = f"kolam/v1/{SITE}/kolam-1/node-1"
    with running_gateway(config):
        node.raw(f"{base}/telemetry", b"{not json")
        node.raw(f"{base}/telemetry", b'{"v":1,"seq":1,"boot":1,"samples":[{"t":%d,'
                 b'"do_mgl":5.0,"temp_c":-127,"bogus":1}]}' % t)
        node.raw(f"kolam/v1/{SITE}/Bad Pond/node-1/telemetry", b"{}")
        node.raw(f"{base}/status", b'{"v":1}')
        node.send(ref, [Sample(t + 1000, values_at(0, t + 1000))])
        outbox = open_outbox(config)
        wait_for(lambda: outbox.stats().buffered == 2, 10, what="the valid samples")
        reasons = sorted(d.reason for d in outbox.dead_letters())
        assert reasons == ["bad_topic", "malformed_json", "missing_field", "sentinel",
                           "unknown_metric"]
        assert outbox.stats().dead_letters == 5
        rows = outbox.rows(0, None, 10)
        assert rows[0].vals == '{"do_mgl":5.0}'
        outbox.close()
    node.close()

"""A locked store slows ingest without loss; partitions and shared groups split the work."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack

from kolam.config import KolamConfig
from kolam.mqtt import MqttClient
from kolam.protocol import DeviceRef, Sample, Telemetry, encode_telemetry, telemetry_topic
from kolam.store import SqliteStore
from kolam.timeutil import now_ms
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for
from tests.utils.services import running_ingest


def publish(broker: Mosquitto, refs: list[DeviceRef], n_per_ref: int, t0: int) -> int:
    pub = MqttClient(broker.mqtt, "test-publisher", max_inflight=1000)
    pub.connect()
    infos = []
    for i in range(n_per_ref):
        for ref in refs:
            msg = Telemetry(i, 1, (Sample(t0 + i * 1000, {"ph": 7.0, "do_mgl": 5.5}),))
            infos.append(pub.publish(telemetry_topic(ref), encode_telemetry(msg)))
    for info in infos:
        info.wait(30)
    pub.close()
    return len(infos) * 2


def test_locked_store_slows_ingest_but_loses_nothing(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = make_config(mqtt_url=mosquitto.url("kolam-ingest"),
                         ingest={"flush_interval_ms": 20, "batch_size": 20,
                                 "max_queued_messages": 50, "retry_max_s": 0.2})
    store = SqliteStore(config.samples_path, busy_timeout_ms=50)
    with running_ingest(config, store=store) as (worker, store, registry):
        blocker = sqlite3.connect(config.samples_path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")  # another process holding the write lock
        peak = 0
        done = threading.Event()

        def watch() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, len(worker.inbox))
                time.sleep(0.005)

        watcher = threading.Thread(target=watch)
        watcher.start()
        refs = [DeviceRef("serang", f"kolam-{i}", f"node-{i}") for i in range(1, 5)]
        sender = threading.Thread(target=publish, args=(mosquitto, refs, 250, now_ms() - 10**6))
        sender.start()
        wait_for(lambda: worker.metrics.store_retries._value.get() >= 5, 15,
                 what="ingest to retry against the locked store")
        assert store.count() == 0
        time.sleep(1.0)
        blocker.execute("ROLLBACK")  # the lock goes away; ingest resumes by itself
        blocker.close()
        sender.join(60)
        wait_for(lambda: store.count() >= 2000, 60, what="every value after the lock")
        done.set()
        watcher.join()
        assert store.count() == 2000  # 1000 messages × (ph, do_mgl)
        assert peak <= 50, f"inbox grew to {peak} messages"
        assert registry.dead_letter_counts() == {}


def test_sites_partitioned_by_topic_filter(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    base = make_config(mqtt_url=mosquitto.url("x"))
    a = make_config(mqtt_url=mosquitto.url("ingest-a"),
                    ingest={"client_id": "ingest-a", "topics": ["kolam/v1/site-a/#"],
                            "flush_interval_ms": 20})
    b = make_config(mqtt_url=mosquitto.url("ingest-b"),
                    ingest={"client_id": "ingest-b", "topics": ["kolam/v1/site-b/#"],
                            "flush_interval_ms": 20})
    assert a.samples_path == b.samples_path == base.samples_path
    with ExitStack() as stack:
        wa, store, _ = stack.enter_context(running_ingest(a))
        wb, _, _ = stack.enter_context(running_ingest(b))
        n = publish(mosquitto, [DeviceRef("site-a", "p1", "n1")], 100, now_ms() - 10**6)
        n += publish(mosquitto, [DeviceRef("site-b", "p1", "n2"), DeviceRef("site-b", "p2", "n3")],
                     100, now_ms() - 10**6)
        wait_for(lambda: store.count() >= n, 30, what="both sites stored")
        # The metrics are counted just after the commit: wait for them as well.
        wait_for(lambda: wa.metrics.samples._value.get() + wb.metrics.samples._value.get() >= n,
                 10, what="metrics")
        assert wa.metrics.samples._value.get() == 200  # only site-a's values
        assert wb.metrics.samples._value.get() == 400
        assert {k.site for k in store.series()} == {"site-a", "site-b"}


def test_shared_subscription_group_splits_messages(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    configs = [make_config(mqtt_url=mosquitto.url(f"w{i}"),
                           ingest={"client_id": f"writer-{i}", "shared_group": "writers",
                                   "topics": ["kolam/v1/+/+/+/telemetry"],
                                   "flush_interval_ms": 20}) for i in range(2)]
    with ExitStack() as stack:
        workers = [stack.enter_context(running_ingest(c)) for c in configs]
        refs = [DeviceRef("serang", f"kolam-{i}", f"node-{i}") for i in range(1, 5)]
        n = publish(mosquitto, refs, 200, now_ms() - 10**6)
        store = workers[0][1]
        wait_for(lambda: store.count() >= n, 30, what="all values")
        wait_for(lambda: sum(w.metrics.samples._value.get() for w, _, _ in workers) >= n, 10,
                 what="metrics")
        per_worker = [w.metrics.samples._value.get() for w, _, _ in workers]
        assert sum(per_worker) == n  # each message handled by exactly one worker
        assert all(x > 0 for x in per_worker), per_worker
        assert store.count() == n


def test_late_data_stored_at_its_own_time_without_rewinding_latest(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = make_config(mqtt_url=mosquitto.url("kolam-ingest"), ingest={"flush_interval_ms": 20})
    ref = DeviceRef("serang", "kolam-1", "node-1")
    now = now_ms()
    with running_ingest(config) as (_w, store, _r):
        pub = MqttClient(mosquitto.mqtt, "test-publisher")
        pub.connect()
        live = Telemetry(10, 1, (Sample(now - 1000, {"do_mgl": 6.0}),))
        pub.publish(telemetry_topic(ref), encode_telemetry(live), wait_s=5)
        wait_for(lambda: store.count() >= 1, 10, what="live value")
        # A gateway catching up three days later, out of order.
        old = Telemetry(11, 1, tuple(Sample(now - 3 * 86_400_000 + k * 60_000, {"do_mgl": 2.0 + k})
                                     for k in reversed(range(5))))
        pub.publish(telemetry_topic(ref), encode_telemetry(old), wait_s=5)
        wait_for(lambda: store.count() >= 6, 10, what="late values")
        pub.close()
        latest = store.latest("serang", "kolam-1")
        assert [(x.t, x.value) for x in latest] == [(now - 1000, 6.0)]
        old_pts = store.raw("serang", "kolam-1", "do_mgl", now - 4 * 86_400_000, now - 86_400_000)
        assert [p.value for p in old_pts] == [2.0, 3.0, 4.0, 5.0, 6.0]

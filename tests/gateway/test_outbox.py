"""The SQLite outbox on a real file: durable rows, merge on redelivery, thinning."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from gateway.outbox import DeadLetter, Outbox
from gateway.outbox_tables import ActiveAlarm
from kolam.protocol import DeviceRef, Sample

A = DeviceRef("serang", "kolam-1", "node-1")
B = DeviceRef("serang", "kolam-2", "node-2")
T0 = 1_764_000_000_000


def test_rows_survive_reopen_and_delete_by_id(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite")
    box.commit([(A, Sample(T0, {"do_mgl": 5.21})), (B, Sample(T0, {"ph": 7.1}))], [], [])
    box.close()
    box = Outbox(tmp_path / "o.sqlite")
    rows = box.rows(0, None, 10)
    assert [(box.device(r.device_id), r.t, json.loads(r.vals)) for r in rows] == [
        (A, T0, {"do_mgl": 5.21}), (B, T0, {"ph": 7.1})]
    box.delete([rows[0].id])
    assert [r.id for r in box.rows(0, None, 10)] == [rows[1].id]
    assert box.stats().buffered == 1 and box.stats().oldest_t == T0


def test_redelivered_sample_is_merged_not_duplicated(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite")
    box.commit([(A, Sample(T0, {"do_mgl": 5.0}))], [], [])
    box.commit([(A, Sample(T0, {"do_mgl": 5.0, "ph": 7.0}))], [], [])
    rows = box.rows(0, None, 10)
    assert len(rows) == 1 and json.loads(rows[0].vals) == {"do_mgl": 5.0, "ph": 7.0}


def test_ids_are_never_reused(tmp_path: Path) -> None:
    """An ack for a deleted row must never delete a newer row that reused its id."""
    box = Outbox(tmp_path / "o.sqlite")
    box.commit([(A, Sample(T0, {"ph": 7.0}))], [], [])
    first = box.max_id()
    box.delete([first])
    box.commit([(A, Sample(T0 + 1, {"ph": 7.0}))], [], [])
    assert box.max_id() > first


def test_rows_between_ids_for_history_and_live(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite")
    box.commit([(A, Sample(T0 + k, {"ph": 7.0})) for k in range(10)], [], [])
    boundary = box.max_id() - 4
    assert len(box.rows(0, boundary, 100)) == 6
    assert len(box.rows(boundary, None, 100)) == 4
    assert len(box.rows(0, boundary, 2)) == 2


def test_statuses_keep_the_newest_until_sent(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite")
    box.commit([], [(A, b'{"v":1,"online":true}')], [])
    box.commit([], [(A, b'{"v":1,"online":false}')], [])
    (pending,) = box.pending_statuses()
    assert pending.payload == b'{"v":1,"online":false}'
    box.commit([], [(A, b'{"v":1,"online":true}')], [])  # changed while in flight
    box.mark_status_sent(pending.device_id, pending.version)
    (again,) = box.pending_statuses()
    assert again.payload == b'{"v":1,"online":true}'
    box.mark_status_sent(again.device_id, again.version)
    assert box.pending_statuses() == []


def test_dead_letters_are_bounded_and_counted(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite", max_dead_letters=10)
    for i in range(25):
        box.commit([], [], [DeadLetter("kolam/v1/x", "malformed_json", "bad", f"#{i}", T0)])
    kept = box.dead_letters(100)
    assert len(kept) == 10 and kept[0].payload == "#24"
    assert box.stats().dead_letters == 25
    assert box.stats().dead_letters_dropped == 15


def test_old_samples_and_dead_letters_expire_and_are_counted(tmp_path: Path) -> None:
    day = 86_400_000
    box = Outbox(tmp_path / "o.sqlite")
    box.commit([(ref, Sample(T0 + d * day, {"do_mgl": 5.0})) for d in range(10) for ref in (A, B)],
               [], [DeadLetter("kolam/v1/x", "malformed_json", "bad", f"#{d}", T0 + d * day)
                    for d in range(10)])
    now = T0 + 10 * day
    dropped = box.expire(now, max_age_ms=7 * day, dead_letter_max_age_ms=3 * day)
    assert (dropped.samples, dropped.dead_letters) == (2 * 3, 7)
    stats = box.stats()
    assert stats.oldest_t == T0 + 3 * day and stats.buffered == 2 * 7
    assert (stats.expired, stats.dead_letters_dropped) == (6, 7)
    assert [d.payload for d in box.dead_letters(100)] == ["#9", "#8", "#7"]
    box.close()
    box = Outbox(tmp_path / "o.sqlite")  # the counters are on disk
    assert box.expire(now, 7 * day, 3 * day).samples == 0
    assert box.stats().expired == 6


def test_cap_thins_oldest_first_counts_the_loss_and_keeps_newest_raw(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite", max_bytes=200 * 1024, thin_resolutions_s=[600, 3600])
    n = 3000  # 50 hours a device at 1-minute resolution: far more than 200 KiB holds
    thinned = []
    for k in range(0, n, 50):
        box.commit([(ref, Sample(T0 + j * 60_000, {"do_mgl": 5.123, "temp_c": 28.1,
                                                    "ph": 7.21}))
                    for j in range(k, k + 50) for ref in (A, B)], [], [])
        thinned += box.enforce_cap()
    stats = box.stats()
    assert thinned and stats.used_bytes <= 200 * 1024
    assert stats.thinned == sum(r.removed for r in thinned) == 2 * n - stats.buffered
    rows = box.rows(0, None, 100_000)
    per_hour = Counter((r.t - T0) // 3_600_000 for r in rows if box.device(r.device_id) == A)
    hours = sorted(per_hour)
    assert per_hour[hours[0]] <= 6  # the oldest hours are thinned...
    assert all(per_hour[h] == 60 for h in hours[-5:-1])  # ...the newest are raw
    newest = [r.t for r in rows if box.device(r.device_id) == A][-300:]
    assert newest == [T0 + j * 60_000 for j in range(n - 300, n)]


def test_alarms_persist(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite")
    alarm = ActiveAlarm(A, "do_mgl", T0, T0 + 60_000, 1.5)
    box.save_alarm(alarm, active=True)
    assert Outbox(tmp_path / "o.sqlite").active_alarms() == [alarm]
    box.save_alarm(alarm, active=False)
    assert box.active_alarms() == []


def test_every_relay_switch_is_logged_once_and_forgotten_when_forwarded(
        tmp_path: Path) -> None:
    relay = DeviceRef("serang", "kolam-1", "relay-1")
    on = b'{"v":1,"outputs":{"aerator-1":{"on":true,"since":1764000000000,"by":"gateway:auto"}}}'
    off = b'{"v":1,"outputs":{"aerator-1":{"on":false,"since":1764000600000,"by":"user:budi"}}}'
    box = Outbox(tmp_path / "o.sqlite")
    box.commit([], [], [], [(relay, on)])
    box.commit([], [], [], [(relay, on)])  # republished on reconnect: not a switch
    box.commit([], [], [], [(relay, off), (relay, on)])  # two switches in one batch
    assert [p for _, _, p in box.switches()] == [on, off, on]
    assert box.relay_states() == [(relay, on)]
    pending = [p for p in box.pending_statuses() if p.kind == "switch"]
    assert [p.payload for p in pending] == [on, off, on]
    box.mark_status_sent(pending[0].device_id, pending[0].version, "switch")
    box.close()
    box = Outbox(tmp_path / "o.sqlite")
    assert [p for _, _, p in box.switches()] == [off, on]
    assert box.relay_states() == [(relay, on)]

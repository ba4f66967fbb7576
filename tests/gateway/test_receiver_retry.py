"""The receiver acks only what the outbox holds: an outbox failure is retried, not acked."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from gateway.alarms import AlarmTracker
from gateway.outbox import DeadLetter, Outbox
from gateway.receiver import COMMIT_RETRY, Receiver
from kolam.config import GatewayConfig
from kolam.errors import OutboxError, StoreUnavailable
from kolam.mqtt import Message
from kolam.protocol import DeviceRef, Sample
from kolam.timeutil import now_ms


class FailingOutbox(Outbox):
    def __init__(self, path: Path, failures: list[Exception]) -> None:
        super().__init__(path)
        self.failures = failures

    def commit(self, samples: Sequence[tuple[DeviceRef, Sample]],
               statuses: Sequence[tuple[DeviceRef, bytes]],
               dead: Sequence[DeadLetter],
               states: Sequence[tuple[DeviceRef, bytes]] = ()) -> None:
        if self.failures:
            raise self.failures.pop(0)
        super().commit(samples, statuses, dead, states)


def receiver(outbox: Outbox, acked: list[int]) -> Receiver:
    return Receiver(GatewayConfig.model_validate({}), "serang", outbox, lambda mid, qos: acked.append(mid),
                    AlarmTracker(min_duration_ms=0, max_age_ms=3_600_000),
                    on_alarm=lambda change: None, on_commit=lambda: None)


def telemetry(mid: int) -> Message:
    body = {"v": 1, "seq": mid, "boot": 1, "samples": [{"t": now_ms() - 1000, "ph": 7.0}]}
    return Message("kolam/v1/serang/kolam-1/node-1/telemetry", json.dumps(body).encode(), 1,
                   False, mid)


def test_outbox_failures_are_retried_then_the_message_is_acked(tmp_path: Path) -> None:
    outbox = FailingOutbox(tmp_path / "o.sqlite", [StoreUnavailable("database is locked"),
                                                   OutboxError("disk I/O error")])
    acked: list[int] = []
    receiver(outbox, acked).process([(telemetry(7), 0)])
    assert outbox.failures == [] and acked == [7]
    assert outbox.max_id() == 1
    outbox.close()


def test_a_bug_is_not_retried_and_nothing_is_acked(tmp_path: Path) -> None:
    outbox = FailingOutbox(tmp_path / "o.sqlite", [TypeError("a bug, not the disk")])
    acked: list[int] = []
    with pytest.raises(TypeError):
        receiver(outbox, acked).process([(telemetry(7), 0)])
    assert acked == []
    outbox.close()


def test_the_commit_back_off_is_capped_at_ten_seconds() -> None:
    assert COMMIT_RETRY.max_elapsed_s is None  # forever: the outbox is the only copy
    assert COMMIT_RETRY.delay_s(1000, 0.5) == pytest.approx(10.0)

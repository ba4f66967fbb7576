"""What the gateway publishes is valid protocol v1."""

from __future__ import annotations

import json

from gateway.messages import GatewayHealth, encode_batch, encode_health, is_alarm_topic
from gateway.outbox import OutboxRow
from kolam.protocol import decode_gateway_status, decode_telemetry

T0 = 1_764_000_000_000


def test_batch_is_protocol_v1_telemetry() -> None:
    rows = [OutboxRow(1, 1, T0, '{"do_mgl":5.21,"ph":7.0}'), OutboxRow(2, 1, T0 + 60_000, "{}"),
            OutboxRow(3, 1, T0 + 120_000, '{"temp_c":28.4}')]
    decoded = decode_telemetry(encode_batch(4, 2, rows), now_ms=T0 + 10**9)
    assert (decoded.seq, decoded.boot) == (4, 2)
    assert [(s.t, dict(s.values)) for s in decoded.samples] == [
        (T0, {"do_mgl": 5.21, "ph": 7.0}), (T0 + 120_000, {"temp_c": 28.4})]


def test_health_is_a_gateway_status_with_extras() -> None:
    payload = encode_health(GatewayHealth(True, "down", 12, T0, 3, 1, 0, 7))
    status = decode_gateway_status(payload)
    assert (status.online, status.uplink, status.buffered, status.oldest_t) == (
        True, "down", 12, T0)
    assert json.loads(payload)["thinned"] == 3
    dropped = json.loads(encode_health(GatewayHealth(True, "up", 0, None, 0, 0, 0, 1, 5, 2)))
    assert (dropped["expired"], dropped["dead_letters_dropped"]) == (5, 2)


def test_alarm_topics_are_recognised() -> None:
    assert is_alarm_topic("kolam/v1/serang/kolam-1/alarm")
    assert not is_alarm_topic("kolam/v1/serang/kolam-1/alerts")

"""The kiosk log's wire format (docs/protocol.md, "Kiosk logs from a gateway")."""

from __future__ import annotations

import pytest

from kolam.errors import ProtocolError
from kolam.kiosk import KioskLog, decode_log, encode_log, log_topic
from kolam.kiosk.logs import site_of


def test_round_trip() -> None:
    for log in (KioskLog("abcdefgh12", "kolam-1", "feeding", 1764291600000, feed_kg=2.5,
                         members=(3, 4)),
                KioskLog("abcdefgh13", "kolam-2", "mortality", 1764291600000, dead_count=3,
                         by="kiosk-b")):
        assert decode_log(encode_log(log)) == log


@pytest.mark.parametrize(("payload", "reason"), [
    (b"not json", "malformed_json"),
    (b"[]", "wrong_type"),
    (b'{"v":2}', "wrong_version"),
    (b'{"v":1,"id":"short","pond":"kolam-1","kind":"feeding","t":1,"feed_kg":1}',
     "missing_field"),
    (b'{"v":1,"id":"abcdefgh12","pond":"Kolam 1","kind":"feeding","t":1,"feed_kg":1}',
     "missing_field"),
    (b'{"v":1,"id":"abcdefgh12","pond":"kolam-1","kind":"harvest","t":1}', "wrong_type"),
    (b'{"v":1,"id":"abcdefgh12","pond":"kolam-1","kind":"feeding","t":1}', "missing_field"),
    (b'{"v":1,"id":"abcdefgh12","pond":"kolam-1","kind":"mortality","t":1,"dead_count":1.5}',
     "missing_field"),
    (b'{"v":1,"id":"abcdefgh12","pond":"kolam-1","kind":"feeding","t":1,"feed_kg":1,'
     b'"members":["x"]}', "wrong_type"),
    (b"x" * 5000, "too_large"),
], ids=["not-json", "array", "version", "short-id", "pond-slug", "kind", "no-feed",
        "fractional-dead", "members", "too-large"])
def test_bad_logs_say_why(payload: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_log(payload)
    assert caught.value.reason.value == reason


def test_topic() -> None:
    assert log_topic("serang", "gw-1") == "kolam/v1/serang/gateway/gw-1/log"
    assert site_of("kolam/v1/serang/gateway/gw-1/log") == "serang"
    assert site_of("kolam/v1/serang/gateway/gw-1/status") is None
    assert site_of("kolam/v1/serang/kolam-1/gw-1/log") is None

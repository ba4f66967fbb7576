"""The bounded text of a dead letter, shared by ingest and the gateway."""

from __future__ import annotations

import base64

from kolam.protocol import Reason
from kolam.runtime.deadletter import (
    MAX_DETAIL_CHARS,
    MAX_PAYLOAD_BYTES,
    MAX_TOPIC_CHARS,
    dead_letter_fields,
    payload_text,
)


def test_utf8_payload_is_kept_as_text_up_to_the_bound() -> None:
    assert payload_text(b'{"v":1}') == '{"v":1}'
    long = b"x" * (3 * MAX_PAYLOAD_BYTES)
    assert payload_text(long) == "x" * MAX_PAYLOAD_BYTES


def test_binary_payload_is_base64_of_its_start_within_the_same_bound() -> None:
    raw = bytes(range(256)) * 40  # not UTF-8, 10 KiB
    text = payload_text(raw)
    assert text.startswith("base64:")
    assert len(text) <= MAX_PAYLOAD_BYTES
    kept = base64.b64decode(text.removeprefix("base64:"))
    assert raw.startswith(kept) and len(kept) > 3000


def test_fields_are_bounded_and_the_reason_is_its_value() -> None:
    fields = dead_letter_fields("t" * 1000, b"\xff", Reason.BAD_ENCODING, "d" * 1000)
    assert fields.topic == "t" * MAX_TOPIC_CHARS
    assert fields.detail == "d" * MAX_DETAIL_CHARS
    assert fields.reason == "bad_encoding"
    assert fields.payload == "base64:/w=="

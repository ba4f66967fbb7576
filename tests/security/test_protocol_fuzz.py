"""Fuzzing the wire protocol decoders: whatever arrives on a topic, from a broken node
or from someone on the site network, decoding either succeeds or raises
``ProtocolError`` (which ingest dead-letters). Any other exception would be a crash
path in ingest or the gateway."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kolam.catalogue import MEASURED
from kolam.errors import ProtocolError
from kolam.protocol import (
    MIN_T_MS,
    DecodedTelemetry,
    Limits,
    decode_command,
    decode_gateway_status,
    decode_status,
    decode_telemetry,
    parse_topic,
)

NOW_MS = 1_764_291_600_000
LIMITS = Limits(max_payload_bytes=64 * 1024, max_samples=200)
FUZZ = settings(max_examples=400, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

DECODERS = (
    lambda p: decode_telemetry(p, NOW_MS, LIMITS),
    lambda p: decode_status(p, LIMITS),
    lambda p: decode_gateway_status(p, LIMITS),
    lambda p: decode_command(p, LIMITS),
)

# Numbers a hostile or broken node might send: huge integers, floats that JSON writes as
# Infinity/NaN, booleans where numbers belong, and ordinary values near the edges.
numbers = st.one_of(
    st.integers(), st.integers(min_value=10**300, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.sampled_from([0, -1, -127, 85, 1e308, -0.0, NOW_MS, NOW_MS * 1000, 2**63, 2**64 + 1]))
scalars = st.one_of(st.none(), numbers, st.text(max_size=20))


def _nested(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)


json_values = st.recursive(scalars, _nested, max_leaves=12)
keys = st.sampled_from([*sorted(MEASURED), "t", "v", "online", "cmd", "interval_s", "x"])
samples = st.one_of(
    st.dictionaries(keys, st.one_of(numbers, json_values), max_size=6),
    json_values)
fields = {
    "v": st.one_of(st.just(1), st.sampled_from([1.0, True, "1", 2, None])),
    "seq": st.one_of(st.integers(min_value=0), numbers),
    "boot": st.one_of(st.integers(min_value=0), numbers),
    "samples": st.one_of(st.lists(samples, max_size=8), json_values),
    "online": st.one_of(st.booleans(), json_values),
    "fw": st.one_of(st.text(max_size=100), json_values),
    "battery_v": numbers, "rssi_dbm": numbers, "interval_s": numbers,
    "boot_s": numbers, "uplink": scalars, "buffered": numbers, "oldest_t": numbers,
    "cmd": st.one_of(st.just("set_interval"), scalars),
}
near_valid = st.fixed_dictionaries({}, optional=fields)
# Telemetry whose envelope is right, so the fuzzing reaches every sample check.
timestamps = st.one_of(st.integers(MIN_T_MS, NOW_MS), numbers)
good_samples = st.fixed_dictionaries(
    {"t": timestamps}, optional={k: st.one_of(numbers, json_values) for k in [*MEASURED, "x"]})
telemetry = st.fixed_dictionaries({
    "v": st.just(1), "seq": st.one_of(st.integers(0, 10**6), numbers),
    "boot": st.integers(0, 10**6),
    "samples": st.lists(st.one_of(good_samples, samples), max_size=8)})


def _fits(x: object) -> bool:
    """What the stores can hold: finite floats and 64-bit integers."""
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return True
    if isinstance(x, int):
        return abs(x) <= 2**63 - 1
    return isinstance(x, float) and math.isfinite(x)


def _decode_all(payload: bytes) -> None:
    for decode in DECODERS:
        try:
            decoded = decode(payload)
        except ProtocolError:
            continue
        if isinstance(decoded, DecodedTelemetry):
            assert _fits(decoded.seq) and _fits(decoded.boot)
            for sample in decoded.samples:
                assert MIN_T_MS <= sample.t <= NOW_MS + LIMITS.max_future_ms
                assert all(k in MEASURED and _fits(v) and isinstance(v, float)
                           for k, v in sample.values.items())
        else:
            assert all(_fits(v) for v in dataclasses.asdict(decoded).values()), decoded


@FUZZ
@given(st.binary(max_size=2048))
def test_arbitrary_bytes(payload: bytes) -> None:
    _decode_all(payload)


@FUZZ
@given(near_valid)
def test_near_valid_json(obj: dict[str, Any]) -> None:
    _decode_all(json.dumps(obj, allow_nan=True).encode())


@FUZZ
@given(telemetry)
def test_near_valid_telemetry(obj: dict[str, Any]) -> None:
    _decode_all(json.dumps(obj, allow_nan=True).encode())


@FUZZ
@given(st.one_of(json_values, st.lists(json_values, max_size=3)),
       st.sampled_from([b"", b"\xef\xbb\xbf", b" ", b"\x00"]))
def test_any_json_document(obj: Any, prefix: bytes) -> None:
    _decode_all(prefix + json.dumps(obj, allow_nan=True).encode())


levels = st.one_of(st.sampled_from(["kolam", "v1", "serang", "kolam-1", "node-1", "gateway",
                                    "telemetry", "status", "cmd", "alerts", "", "+", "#",
                                    "A", "a" * 33]), st.text(max_size=12))


@FUZZ
@given(st.one_of(st.text(max_size=200), st.lists(levels, max_size=8).map("/".join)))
def test_topics(topic: str) -> None:
    try:
        parsed = parse_topic(topic)
    except ProtocolError:
        return
    assert topic.startswith("kolam/v1/")
    if parsed.pond is not None and parsed.device is not None:
        assert parsed.device_ref.site == parsed.site


def test_what_the_first_fuzz_run_found() -> None:
    """Crash paths found by this file, kept as plain regression cases."""
    huge = 10**400
    decoded = decode_telemetry(json.dumps({"v": 1, "seq": 1, "boot": 1, "samples": [
        {"t": NOW_MS, "ph": huge}, {"t": huge, "ph": 7}]}).encode(), NOW_MS, LIMITS)
    assert [r.reason.value for r in decoded.rejected] == ["out_of_range", "future_timestamp"]
    with pytest.raises(ProtocolError, match="out_of_range"):
        decode_gateway_status(b'{"v":1,"online":false,"oldest_t":%d}' % 2**63, LIMITS)
    with pytest.raises(ProtocolError, match="out_of_range"):
        decode_status(b'{"v":1,"online":true,"battery_v":1%s}' % (b"0" * 400), LIMITS)

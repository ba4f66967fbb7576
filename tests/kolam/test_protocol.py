from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kolam.errors import ProtocolError
from kolam.protocol import (
    LAST_WILL,
    Command,
    DeviceRef,
    Limits,
    OutputState,
    Reason,
    RelayState,
    Sample,
    SetOutput,
    Status,
    Telemetry,
    TopicKind,
    _loads,
    cmd_topic,
    decode_command,
    decode_state,
    decode_status,
    decode_telemetry,
    encode_command,
    encode_state,
    encode_status,
    encode_telemetry,
    gateway_status_topic,
    parse_topic,
    state_topic,
    status_topic,
    telemetry_topic,
)

NOW = 1_764_291_600_000
REF = DeviceRef("serang", "kolam-1", "node-1")


def tel(*samples: dict[str, object], **fields: object) -> bytes:
    body = {"v": 1, "seq": 1, "boot": 1, "samples": list(samples)} | fields
    return json.dumps(body).encode()


def test_topics_round_trip() -> None:
    topic = parse_topic(telemetry_topic(REF))
    assert topic.kind is TopicKind.TELEMETRY
    assert topic.device_ref == REF
    assert parse_topic(status_topic(REF)).kind is TopicKind.STATUS
    gw = parse_topic(gateway_status_topic("serang", "gw-1"))
    assert (gw.kind, gw.site, gw.device) == (TopicKind.GATEWAY_STATUS, "serang", "gw-1")
    assert parse_topic("kolam/v1/serang/kolam-1/alerts").kind is TopicKind.ALERTS


@pytest.mark.parametrize("topic", [
    "kolam/v2/serang/kolam-1/node-1/telemetry",
    "kolam/v1/Serang/kolam-1/node-1/telemetry",
    "kolam/v1/serang/kolam-1/node-1/telemetry/extra",
    "kolam/v1/serang/kolam-1/node_1/telemetry",
    "kolam/v1/serang/kolam-1/node-1/firmware",
    "kolam/v1/serang/kolam-1/node-1",
    "kolam/v1/serang/" + "x" * 33 + "/node-1/telemetry",
    "kolam/v1/serang/kolam-1/+/telemetry",
    "kolam/v1/serang/gateway/gw-1/telemetry",
    "kolam/v1/serang/kolam-1/\ufffd/telemetry",
    "",
])
def test_bad_topics(topic: str) -> None:
    with pytest.raises(ProtocolError) as err:
        parse_topic(topic)
    assert err.value.reason is Reason.BAD_TOPIC


def test_telemetry_round_trip() -> None:
    msg = Telemetry(7, 2, (Sample(NOW, {"do_mgl": 5.2, "temp_c": 28.4}),
                           Sample(NOW + 60_000, {"ph": 7.1})))
    decoded = decode_telemetry(encode_telemetry(msg), NOW + 120_000)
    assert (decoded.seq, decoded.boot) == (7, 2)
    assert decoded.samples == list(msg.samples)
    assert decoded.rejected == []


@pytest.mark.parametrize(("payload", "reason"), [
    (b"\xff\xfe not utf-8", Reason.BAD_ENCODING),
    (b"{not json", Reason.MALFORMED_JSON),
    (b"[" * 100_000 + b"]" * 100_000, Reason.MALFORMED_JSON),
    (b"[1, 2]", Reason.WRONG_TYPE),
    (b'"text"', Reason.WRONG_TYPE),
    (b"null", Reason.WRONG_TYPE),
    (b'{"seq": 1, "boot": 1, "samples": []}', Reason.WRONG_VERSION),
    (b'{"v": 2, "seq": 1, "boot": 1, "samples": []}', Reason.WRONG_VERSION),
    (b'{"v": true, "seq": 1, "boot": 1, "samples": []}', Reason.WRONG_VERSION),
    (b'{"v": 1, "boot": 1, "samples": []}', Reason.MISSING_FIELD),
    (b'{"v": 1, "seq": -1, "boot": 1, "samples": []}', Reason.WRONG_TYPE),
    (b'{"v": 1, "seq": "1", "boot": 1, "samples": []}', Reason.WRONG_TYPE),
    (b'{"v": 1, "seq": 1, "boot": 1}', Reason.MISSING_FIELD),
    (b'{"v": 1, "seq": 1, "boot": 1, "samples": {"t": 1}}', Reason.WRONG_TYPE),
    (b'{"v": 1, "seq": 1, "boot": 1, "samples": []' + b" " * 300_000 + b"}", Reason.TOO_LARGE),
])
def test_unusable_messages_raise_with_reason(payload: bytes, reason: Reason) -> None:
    with pytest.raises(ProtocolError) as err:
        decode_telemetry(payload, NOW)
    assert err.value.reason is reason


def test_too_many_samples() -> None:
    samples = [{"t": NOW - i, "ph": 7.0} for i in range(101)]
    with pytest.raises(ProtocolError) as err:
        decode_telemetry(tel(*samples), NOW, Limits(max_samples=100))
    assert err.value.reason is Reason.TOO_MANY_SAMPLES


@pytest.mark.parametrize(("sample", "reason"), [
    ({"t": NOW, "salinity": 3.0}, Reason.UNKNOWN_METRIC),
    ({"t": NOW, "ph": "7.1"}, Reason.WRONG_TYPE),
    ({"t": NOW, "ph": True}, Reason.WRONG_TYPE),
    ({"t": NOW, "ph": None}, Reason.WRONG_TYPE),
    ({"t": NOW, "ph": [7]}, Reason.WRONG_TYPE),
    ({"t": NOW, "ph": 15.0}, Reason.OUT_OF_RANGE),
    ({"t": NOW, "do_mgl": -0.1}, Reason.OUT_OF_RANGE),
    ({"t": NOW, "temp_c": -127}, Reason.SENTINEL),
    ({"t": NOW, "temp_c": 85.0}, Reason.SENTINEL),
    ({"t": NOW, "temp_c": -128}, Reason.SENTINEL),
    ({"t": NOW + 3_600_000, "ph": 7.0}, Reason.FUTURE_TIMESTAMP),
    ({"t": -5, "ph": 7.0}, Reason.OLD_TIMESTAMP),
    ({"t": 0, "ph": 7.0}, Reason.OLD_TIMESTAMP),
    ({"t": 1.5e12, "ph": 7.0}, Reason.WRONG_TYPE),
    ({"t": str(NOW), "ph": 7.0}, Reason.WRONG_TYPE),
    ({"ph": 7.0}, Reason.MISSING_FIELD),
    ({"t": NOW}, Reason.MISSING_FIELD),
])
def test_bad_sample_is_rejected_and_neighbours_kept(sample: dict[str, object],
                                                    reason: Reason) -> None:
    good = {"t": NOW - 60_000, "do_mgl": 5.0}
    decoded = decode_telemetry(tel(good, sample), NOW)
    assert [r.reason for r in decoded.rejected] == [reason]
    assert decoded.samples == [Sample(NOW - 60_000, {"do_mgl": 5.0})]


def test_non_finite_values_rejected() -> None:
    payload = b'{"v":1,"seq":1,"boot":1,"samples":[{"t":%d,"ph":NaN,"do_mgl":Infinity,"temp_c":28}]}' % NOW
    decoded = decode_telemetry(payload, NOW)
    assert sorted(r.reason for r in decoded.rejected) == [Reason.NOT_FINITE, Reason.NOT_FINITE]
    assert decoded.samples == [Sample(NOW, {"temp_c": 28.0})]


def test_one_bad_metric_keeps_the_rest_of_its_sample() -> None:
    decoded = decode_telemetry(tel({"t": NOW, "temp_c": -127, "ph": 7.2}), NOW)
    assert decoded.samples == [Sample(NOW, {"ph": 7.2})]
    assert decoded.rejected[0].reason is Reason.SENTINEL
    assert "-127" in decoded.rejected[0].fragment


def test_duplicate_sample_in_one_message() -> None:
    decoded = decode_telemetry(tel({"t": NOW, "ph": 7.0}, {"t": NOW, "ph": 7.1}), NOW)
    assert decoded.samples == [Sample(NOW, {"ph": 7.0})]
    assert [r.reason for r in decoded.rejected] == [Reason.DUPLICATE_SAMPLE]


def test_status_and_last_will() -> None:
    status = Status(True, "sim-1.0", 3, 3.9, -61, 60)
    assert decode_status(encode_status(status)) == status
    assert decode_status(LAST_WILL) == Status(online=False)
    with pytest.raises(ProtocolError):
        decode_status(b'{"v":1}')
    with pytest.raises(ProtocolError):
        decode_status(b'{"v":1,"online":true,"battery_v":"low"}')


def test_command() -> None:
    assert decode_command(encode_command(Command("set_interval", 30))).interval_s == 30
    late = Command("set_interval", 30.0, expires_t=NOW)
    assert decode_command(encode_command(late)) == late
    with pytest.raises(ProtocolError):
        decode_command(b'{"v":1,"cmd":"set_interval","interval_s":0}')
    with pytest.raises(ProtocolError):
        decode_command(b'{"v":1,"cmd":"reboot"}')


# ---------------------------------------------------------------- relay nodes (issue #18)

RELAY = DeviceRef("serang", "kolam-1", "relay-1")


def test_relay_topics_are_the_contract() -> None:
    assert cmd_topic(RELAY) == "kolam/v1/serang/kolam-1/relay-1/cmd"
    assert state_topic(RELAY) == "kolam/v1/serang/kolam-1/relay-1/state"
    topic = parse_topic(state_topic(RELAY))
    assert (topic.kind, topic.device_ref) == (TopicKind.STATE, RELAY)


def test_set_output_exactly_as_the_issue_writes_it() -> None:
    raw = (b'{"v":1,"cmd":"set_output","output":"aerator-1","on":true,'
           b'"by":"gateway:auto","reason":"do_low"}')
    cmd = decode_command(raw)
    assert cmd == SetOutput("aerator-1", True, "gateway:auto", "do_low")
    assert json.loads(encode_command(cmd)) == json.loads(raw)
    more = decode_command(b'{"v":1,"cmd":"set_output","output":"pump-2","on":false,'
                          b'"id":"c-17","expires_t":1764291600000,"colour":"red",'
                          b'"until_t":1764295200000}')
    assert more == SetOutput("pump-2", False, None, None, "c-17", 1_764_291_600_000,
                             1_764_295_200_000)
    assert decode_command(encode_command(more)) == more


@pytest.mark.parametrize(("payload", "reason"), [
    (b'{"v":1,"cmd":"set_output","on":true}', Reason.MISSING_FIELD),
    (b'{"v":1,"cmd":"set_output","output":"aerator-1"}', Reason.MISSING_FIELD),
    (b'{"v":1,"cmd":"set_output","output":"aerator-1","on":1}', Reason.MISSING_FIELD),
    (b'{"v":1,"cmd":"set_output","output":"Aerator 1","on":true}', Reason.WRONG_TYPE),
    (b'{"v":1,"cmd":"set_output","output":["a"],"on":true}', Reason.MISSING_FIELD),
    (b'{"v":1,"cmd":"set_output","output":"a","on":true,"by":7}', Reason.WRONG_TYPE),
    (b'{"v":1,"cmd":"set_output","output":"a","on":true,"expires_t":"soon"}', Reason.WRONG_TYPE),
    (b'{"v":2,"cmd":"set_output","output":"a","on":true}', Reason.WRONG_VERSION),
    (b'[1]', Reason.WRONG_TYPE),
])
def test_bad_set_output_is_refused(payload: bytes, reason: Reason) -> None:
    with pytest.raises(ProtocolError) as err:
        decode_command(payload)
    assert err.value.reason is reason


def test_state_exactly_as_the_issue_writes_it() -> None:
    raw = b'{"v":1,"outputs":{"aerator-1":{"on":true,"since":1764291600000}}}'
    state = decode_state(raw)
    assert state == RelayState({"aerator-1": OutputState(True, 1_764_291_600_000)})
    assert json.loads(encode_state(state)) == json.loads(raw)
    with_amps = RelayState({"aerator-1": OutputState(True, NOW, 2.1, "gateway:auto", "do_low"),
                            "pump-1": OutputState(False, NOW, 0.0)})
    assert decode_state(encode_state(with_amps)) == with_amps
    assert json.loads(encode_state(with_amps))["outputs"]["aerator-1"]["amps"] == 2.1


@pytest.mark.parametrize(("payload", "reason"), [
    (b'{"v":1}', Reason.MISSING_FIELD),
    (b'{"v":1,"outputs":[]}', Reason.WRONG_TYPE),
    (b'{"v":1,"outputs":{"a":true}}', Reason.WRONG_TYPE),
    (b'{"v":1,"outputs":{"a":{"since":1764291600000}}}', Reason.MISSING_FIELD),
    (b'{"v":1,"outputs":{"a":{"on":true}}}', Reason.MISSING_FIELD),
    (b'{"v":1,"outputs":{"a":{"on":true,"since":5}}}', Reason.OLD_TIMESTAMP),
    (b'{"v":1,"outputs":{"a":{"on":true,"since":1764291600000.5}}}', Reason.WRONG_TYPE),
    (b'{"v":1,"outputs":{"a":{"on":true,"since":1764291600000,"amps":-1}}}',
     Reason.OUT_OF_RANGE),
    (b'{"v":1,"outputs":{"a":{"on":true,"since":1764291600000,"amps":"x"}}}',
     Reason.WRONG_TYPE),
    (b'{"v":1,"outputs":{"A B":{"on":true,"since":1764291600000}}}', Reason.WRONG_TYPE),
    (json.dumps({"v": 1, "outputs": {f"o{i}": {"on": True, "since": NOW}
                                     for i in range(33)}}).encode(), Reason.OUT_OF_RANGE),
    (b'{"v":1,"outputs":{"a":{"on":true,"since":1e400}}}', Reason.WRONG_TYPE),
    (b'\xff', Reason.BAD_ENCODING),
])
def test_bad_state_is_refused(payload: bytes, reason: Reason) -> None:
    with pytest.raises(ProtocolError) as err:
        decode_state(payload)
    assert err.value.reason is reason


_json_text = st.one_of(
    st.text(max_size=40),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
                 | st.text(max_size=6),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                 max_leaves=10).map(json.dumps),
).flatmap(lambda s: st.sampled_from([s, f" {s}", f"{s}\n", f"\ufeff{s}", f"{s}}}", s[:-1]]))


@settings(max_examples=500, deadline=None)
@given(_json_text)
def test_payload_json_reads_exactly_as_json_loads(text: str) -> None:
    """The payload reader's shortcut changes nothing: same value, or the same error."""

    def outcome(load: Callable[[str], object]) -> tuple[str, str]:
        try:
            return "ok", repr(load(text))
        except (ValueError, RecursionError) as exc:
            return type(exc).__name__, str(exc)

    assert outcome(_loads) == outcome(json.loads)

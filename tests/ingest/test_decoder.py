"""The decoder never raises and accounts for every message (property-based)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.decoder import Decoder
from kolam.mqtt import Message
from kolam.protocol import Limits
from kolam.registry.repo import Registry

NOW = 1_795_000_000_000
TOPIC = "kolam/v1/serang/kolam-1/node-1/telemetry"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                               max_size=4),
    max_leaves=20)
metric_keys = st.sampled_from(["do_mgl", "temp_c", "ph", "tan_mgl", "level_cm", "bogus", "t"])
samples = st.lists(st.dictionaries(
    metric_keys, st.one_of(st.integers(NOW - 10**9, NOW + 10**9), st.floats(allow_nan=True),
                           json_values), max_size=5), max_size=8)
payloads = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.builds(lambda s, seq, boot: json.dumps({"v": 1, "seq": seq, "boot": boot,
                                               "samples": s}).encode(),
              samples, st.one_of(st.integers(-2, 10), st.text(max_size=2)), st.integers(0, 3)),
)
topics = st.one_of(st.just(TOPIC), st.text(max_size=60),
                   st.sampled_from(["kolam/v1/serang/kolam-1/node-1/status",
                                    "kolam/v1/serang/kolam-1/#/telemetry",
                                    "kolam/v1/serang/kolam-1/node-1/telemetry/../../x",
                                    "kolam/v1/serang/gateway/gw/status"]))


@pytest.fixture(scope="module")
def decoder(tmp_path_factory: pytest.TempPathFactory) -> Decoder:
    path: Path = tmp_path_factory.mktemp("reg") / "registry.sqlite"
    return Decoder(Registry(f"sqlite:///{path}"), Limits(), auto_provision=True)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(topics, payloads), min_size=1, max_size=5))
def test_decoder_never_raises_and_accounts_for_every_message(
        decoder: Decoder, msgs: list[tuple[str, bytes]]) -> None:
    batch = decoder.decode([Message(t, p, 1, False, i) for i, (t, p) in enumerate(msgs)], NOW)
    assert batch.telemetry + batch.status + batch.other + _message_level_dead(batch) >= len(msgs)
    for key, t, value in batch.rows:
        assert isinstance(t, int) and isinstance(value, float)
        assert key.metric in {"do_mgl", "temp_c", "ph", "tan_mgl", "level_cm", "nh3_mgl",
                              "do_sat_pct"}
    for d in batch.dead:
        assert d.reason and len(d.payload) <= 4096 and len(d.topic) <= 300


def _message_level_dead(batch: object) -> int:
    return len(batch.dead)  # type: ignore[attr-defined]


def test_topic_injection_and_hostile_payloads(decoder: Decoder) -> None:
    good = json.dumps({"v": 1, "seq": 1, "boot": 1, "samples": [{"t": NOW, "ph": 7.0}]}).encode()
    hostile = [
        ("kolam/v1/serang/kolam-1/node-1/telemetry\x00/x", good),
        ("kolam/v1/serang/kolam-1/+/telemetry", good),
        ("kolam/v1/serang/kolam-1/node-1/telemetry", b"[" * 50_000),
        ("kolam/v1/serang/kolam-1/node-1/telemetry", b'{"v":1,"seq":1,"boot":1,"samples":[' +
         b",".join(b'{"t":%d,"ph":7}' % (NOW - i) for i in range(10_001)) + b"]}"),
        ("kolam/v1/serang/kolam-1/node-1/telemetry", b"\xc3\x28"),
        ("kolam/v1/serang/kolam-1/node-1/telemetry", b"1e999999"),
    ]
    batch = decoder.decode([Message(t, p, 1, False, i) for i, (t, p) in enumerate(hostile)],
                           NOW)
    reasons = sorted(d.reason for d in batch.dead)
    assert reasons == sorted(["bad_topic", "bad_topic", "malformed_json", "too_large",
                              "bad_encoding", "wrong_type"])
    assert batch.rows == []


def test_do_saturation_uses_the_site_altitude(tmp_path: Path) -> None:
    from sqlalchemy import update

    from kolam.registry.models import Site

    registry = Registry(f"sqlite:///{tmp_path / 'registry.sqlite'}")
    registry.ensure_pond("serang", "kolam-1")
    registry.ensure_pond("dieng", "kolam-1")
    with registry.engine.begin() as conn:  # an upland site: Dieng plateau, ~2,000 m
        conn.execute(update(Site).where(Site.slug == "dieng").values(altitude_m=2000.0))
    decoder = Decoder(registry, Limits(), auto_provision=True)
    payload = json.dumps({"v": 1, "seq": 1, "boot": 1,
                          "samples": [{"t": NOW, "temp_c": 28.0, "do_mgl": 7.83}]}).encode()
    sat = {}
    for site in ("serang", "dieng"):
        topic = f"kolam/v1/{site}/kolam-1/node-1/telemetry"
        batch = decoder.decode([Message(topic, payload, 1, False, 1)], NOW)
        sat[site] = next(v for k, _, v in batch.rows if k.metric == "do_sat_pct")
    # 7.83 mg/L is saturation at 28 °C at sea level. At 2,000 m the air is at 0.7845 atm
    # and water vapour (0.0373 atm at 28 °C) takes its share of it, so water holds
    # (0.7845 − 0.0373) / (1 − 0.0373) = 77.6 % as much oxygen (APHA 4500-O).
    assert sat["serang"] == pytest.approx(100.0, abs=0.2)
    assert sat["dieng"] == pytest.approx(100.0 / 0.7762, abs=0.3)
    registry.close()


def test_device_checked_once_a_batch_and_disabling_takes_the_next(tmp_path: Path) -> None:
    from kolam.registry.devices import BrokerLogins

    registry = Registry(f"sqlite:///{tmp_path / 'registry.sqlite'}", device_cache_s=0)
    decoder = Decoder(registry, Limits(), auto_provision=True)
    asked: list[object] = []
    check = registry.check_device

    def counting(ref: object, *, auto_provision: bool) -> object:
        asked.append(ref)
        return check(ref, auto_provision=auto_provision)  # type: ignore[arg-type]

    registry.check_device = counting  # type: ignore[method-assign, assignment]

    def batch(seq: int) -> list[Message]:
        return [Message(TOPIC, json.dumps({"v": 1, "seq": seq + i, "boot": 1, "samples": [
            {"t": NOW + 1000 * (seq + i), "do_mgl": 5.0}]}).encode(), 1, False, i + 1)
            for i in range(3)]

    first = decoder.decode(batch(0), NOW)
    assert len(first.rows) == 3 and not first.dead
    assert len(asked) == 1  # three messages, one device: one question
    BrokerLogins(registry).set_device_enabled("serang", "node-1", False)
    second = decoder.decode(batch(3), NOW)
    assert second.rows == []
    assert [d.reason for d in second.dead] == ["disabled_device"] * 3
    registry.close()

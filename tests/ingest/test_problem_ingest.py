"""Ingest's side of the gateways' problems: what decodes goes to the alert engine with the
batch, what does not is a dead letter with its reason (never an exception)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from ingest.aerator_problems import ProblemIngest
from ingest.decoder import Decoder
from kolam.config import KolamConfig
from kolam.control import AeratorProblem, encode_problem, problem_topic
from kolam.kiosk import log_topic
from kolam.mqtt import Message
from kolam.protocol import Limits
from kolam.registry.repo import Registry
from kolam.timeutil import now_ms

TOPIC = problem_topic("serang", "gw-1")


@pytest.fixture
def registry(make_config: Callable[..., KolamConfig]) -> Iterator[Registry]:
    reg = Registry(make_config().registry_url)
    yield reg
    reg.close()


def msg(payload: bytes, topic: str = TOPIC) -> Message:
    return Message(topic, payload, 1, False, 1)


def test_good_events_go_on_bad_ones_are_dead_letters(registry: Registry) -> None:
    good = AeratorProblem("9b2e0c1d4f", "kolam-1", "relay-1", "aerator-1",
                          "do_still_falling", True, now_ms(), 2.6, now_ms() - 1_200_000, 2.9)
    handler = ProblemIngest(registry)
    handler.prepare([msg(b"not json"), msg(encode_problem(good)),
                     msg(b'{"v":1,"id":"9b2e0c1d4f"}'), msg(b"{}", "kolam/v1/serang/k/n/state")],
                    now_ms())
    assert [(site, p) for site, p, _ in handler.events] == [("serang", good)]
    handler.commit()
    handler.commit()  # a retried commit step stores them once
    dead = registry.dead_letters()
    assert sorted(d.reason for d in dead) == ["malformed_json", "missing_field"]
    assert {d.topic for d in dead} == {TOPIC}
    handler.prepare([], now_ms())
    assert handler.events == [] and handler.received == 3


def test_the_decoder_leaves_gateway_events_to_their_handlers(registry: Registry) -> None:
    """A kiosk log or a problem is not an unknown topic (it was dead-lettered as
    ``bad_topic`` next to being applied); an unknown gateway leaf still is."""
    decoder = Decoder(registry, Limits(), auto_provision=True)
    batch = decoder.decode([msg(b"{}"), msg(b"{}", log_topic("serang", "gw-1")),
                            msg(b"{}", "kolam/v1/serang/gateway/gw-1/other")], now_ms())
    assert [d.reason for d in batch.dead] == ["bad_topic"] and batch.other == 2

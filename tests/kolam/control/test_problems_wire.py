"""The wire format of a gateway's "aerator not working" problem (docs/protocol.md,
"Aerator problems from a gateway")."""

from __future__ import annotations

import pytest

from gateway.control import Problem
from kolam.control import PROBLEMS, AeratorProblem, decode_problem, encode_problem, problem_topic
from kolam.control.problems import site_of
from kolam.errors import ProtocolError

T = 1764291600000
GOOD = (b'{"v":1,"id":"9b2e0c1d4f","pond":"kolam-1","device":"relay-1","output":"aerator-1",'
        b'"problem":"do_still_falling","raised":true,"t":1764291600000')


def test_round_trip() -> None:
    for p in (AeratorProblem("9b2e0c1d4f", "kolam-1", "relay-1", "aerator-1",
                             "do_still_falling", True, T, 2.61, T - 1_200_000, 2.9, True),
              AeratorProblem("9b2e0c1d50", "kolam-2", "relay-2", "kincir", "not_confirmed",
                             False, T)):
        assert decode_problem(encode_problem(p)) == p
    assert decode_problem(GOOD + b"}").do_mgl is None


def test_the_gateways_problems_are_the_wire_vocabulary() -> None:
    assert {p.value for p in Problem} == set(PROBLEMS)


def test_topic() -> None:
    assert problem_topic("serang", "gw-1") == "kolam/v1/serang/gateway/gw-1/problem"
    assert site_of("kolam/v1/serang/gateway/gw-1/problem") == "serang"
    assert site_of("kolam/v1/serang/gateway/gw-1/log") is None
    assert site_of("kolam/v1/serang/kolam-1/gw-1/problem") is None
    assert site_of("kolam/v1/Serang/gateway/gw-1/problem") is None


@pytest.mark.parametrize(("payload", "reason"), [
    (b"not json", "malformed_json"),
    (b"\xff\xfe", "bad_encoding"),
    (b"[]", "wrong_type"),
    (b'{"v":2}', "wrong_version"),
    (GOOD.replace(b"9b2e0c1d4f", b"short") + b"}", "missing_field"),
    (GOOD.replace(b'"kolam-1"', b'"Kolam 1"') + b"}", "missing_field"),
    (GOOD.replace(b'"relay-1"', b"7") + b"}", "missing_field"),
    (GOOD.replace(b"do_still_falling", b"on_fire") + b"}", "wrong_type"),
    (GOOD.replace(b'"raised":true', b'"raised":1') + b"}", "missing_field"),
    (GOOD.replace(b"1764291600000", b"1") + b"}", "missing_field"),
    (GOOD.replace(b"1764291600000", b"true") + b"}", "missing_field"),
    (GOOD + b',"do_mgl":"2.6"}', "wrong_type"),
    (GOOD + b',"do_mgl":NaN}', "wrong_type"),
    (GOOD + b',"switched_on_t":5}', "missing_field"),
    (GOOD + b',"wanted":"on"}', "wrong_type"),
    (GOOD + b',"x":"' + b"y" * 1100 + b'"}', "too_large"),
], ids=["not-json", "not-utf8", "array", "version", "short-id", "pond-slug", "device",
        "problem", "raised", "t-too-early", "t-bool", "do-string", "do-nan", "switched-on-t",
        "wanted", "too-large"])
def test_bad_problems_say_why(payload: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_problem(payload)
    assert caught.value.reason.value == reason

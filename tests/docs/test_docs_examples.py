"""docs/protocol.md cannot drift from the code: its examples decode, its tables match.

Convention in the doc: every fenced ```json block is preceded by a marker comment

    <!-- example: telemetry -->                   valid, decodes with no rejection
    <!-- example: telemetry reject=sentinel -->   produces that dead-letter reason
    <!-- example: status | command | gateway-status | state -->

and the metric tables follow ``<!-- metric-table: measured -->`` and
``<!-- metric-table: derived -->``. ``mosquitto_pub`` lines with a single-quoted ``-m``
payload are checked too.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from kolam.catalogue import MEASURED, METRICS
from kolam.config import IngestConfig
from kolam.control import decode_problem
from kolam.errors import ProtocolError
from kolam.kiosk import decode_log
from kolam.protocol import (
    LAST_WILL,
    Reason,
    TopicKind,
    decode_command,
    decode_gateway_status,
    decode_state,
    decode_status,
    decode_telemetry,
    parse_topic,
)

PROTOCOL_MD = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
TEXT = PROTOCOL_MD.read_text(encoding="utf-8")

EXAMPLE_NOW_MS = 1_764_291_660_000
"""2025-11-28T01:01Z: the server clock the doc's examples assume."""

EXAMPLE_RE = re.compile(
    r"<!-- example: (?P<kind>[a-z-]+)(?: reject=(?P<reason>[a-z_]+))? -->\n"
    r"```json\n(?P<body>.*?)```", re.S)
KINDS = {"telemetry", "status", "command", "gateway-status", "state", "kiosk-log",
         "gateway-problem"}


@dataclass(frozen=True)
class Example:
    kind: str
    reason: str | None
    body: str
    line: int

    def __str__(self) -> str:
        return f"protocol.md:{self.line} {self.kind}" + (f" reject={self.reason}"
                                                           if self.reason else "")


def _examples() -> list[Example]:
    return [Example(m["kind"], m["reason"], m["body"], TEXT.count("\n", 0, m.start()) + 1)
            for m in EXAMPLE_RE.finditer(TEXT)]


EXAMPLES = _examples()


def _reasons(payload: bytes) -> set[str]:
    """Every reason decoding this telemetry payload produces (empty when all is valid)."""
    try:
        decoded = decode_telemetry(payload, EXAMPLE_NOW_MS)
    except ProtocolError as exc:
        return {exc.reason.value}
    return {r.reason.value for r in decoded.rejected}


def test_every_json_block_is_a_marked_example() -> None:
    assert TEXT.count("```json") == len(EXAMPLES), (
        "every ```json block in protocol.md needs an <!-- example: ... --> marker line")
    assert {e.kind for e in EXAMPLES} <= KINDS
    assert {e.kind for e in EXAMPLES if e.reason is None} == KINDS


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_example_decodes_as_documented(example: Example) -> None:
    payload = example.body.encode()
    json.loads(payload)  # plain JSON, no comments or ellipses
    if example.kind == "telemetry":
        if example.reason is None:
            decoded = decode_telemetry(payload, EXAMPLE_NOW_MS)
            assert decoded.rejected == []
            assert decoded.samples
        else:
            assert example.reason in {r.value for r in Reason}
            assert example.reason in _reasons(payload)
    else:
        assert example.reason is None, "only telemetry examples carry reject="
        decoders: dict[str, Callable[[bytes], object]] = {
            "status": decode_status, "command": decode_command,
            "gateway-status": decode_gateway_status, "state": decode_state,
            "kiosk-log": decode_log, "gateway-problem": decode_problem}
        decode = decoders[example.kind]
        decode(payload)


def test_last_will_example_is_the_real_last_will() -> None:
    statuses = [json.loads(e.body) for e in EXAMPLES if e.kind == "status"]
    assert json.loads(LAST_WILL) in statuses


def _mosquitto_pub_lines() -> list[list[str]]:
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", TEXT, re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            if "mosquitto_pub" in line:
                commands.append(shlex.split(line.strip()))
    return commands


def test_mosquitto_pub_examples_publish_valid_messages() -> None:
    kinds = set()
    for argv in _mosquitto_pub_lines():
        topic = parse_topic(argv[argv.index("-t") + 1])
        payload = argv[argv.index("-m") + 1]
        if "$(" in payload:  # built by the shell at run time: check the topic only
            continue
        data = payload.encode()
        if topic.kind is TopicKind.TELEMETRY:
            assert _reasons(data) == set(), payload
        elif topic.kind is TopicKind.STATUS:
            decode_status(data)
            assert "-r" in argv, "status is published retained"
        elif topic.kind is TopicKind.CMD:
            decode_command(data)
        kinds.add(topic.kind)
    assert {TopicKind.TELEMETRY, TopicKind.STATUS} <= kinds


def _table(name: str) -> dict[str, list[str]]:
    start = TEXT.index(f"<!-- metric-table: {name} -->")
    rows: dict[str, list[str]] = {}
    for line in TEXT[start:].splitlines()[1:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def _range(cell: str) -> tuple[float, float]:
    low, high = cell.split(" to ")
    return float(low), float(high)


def test_measured_metric_table_matches_catalogue() -> None:
    table = _table("measured")
    assert set(table) == MEASURED
    for key, (unit, valid, sentinels, _what) in table.items():
        metric = METRICS[key]
        assert unit == metric.unit, key
        assert _range(valid) == (metric.valid.low, metric.valid.high), key
        documented = {float(s) for s in sentinels.split(",") if s.strip()}
        assert documented == set(metric.sentinels), key


def test_derived_metric_table_matches_catalogue() -> None:
    table = _table("derived")
    assert set(table) == {k for k, m in METRICS.items() if m.derived}
    for key, (unit, valid, _source) in table.items():
        assert unit == METRICS[key].unit, key
        assert _range(valid) == (METRICS[key].valid.low, METRICS[key].valid.high), key


def test_every_reason_is_documented() -> None:
    section = TEXT[TEXT.index("## Dead letters"):TEXT.index("## Checklist")]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", section, re.M))
    assert documented == {r.value for r in Reason}


def test_documented_limits_are_the_defaults() -> None:
    ingest = IngestConfig.model_validate({})
    assert f"| {ingest.max_payload_bytes} bytes" in TEXT
    assert f"| samples per message | {ingest.max_samples_per_message} |" in TEXT
    assert f"`ingest.max_future_s` (default {ingest.max_future_s:g} s)" in TEXT

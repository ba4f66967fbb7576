"""What the gateway itself publishes: its status, local alarms, batched telemetry.

Gateway status (retained, on both brokers, topic ``kolam/v1/{site}/gateway/{gw}/status``)
is protocol v1's ``{"v","online","uplink","buffered","oldest_t"}`` plus fields a
local display and an operator need: ``thinned`` (samples lost to the disk cap,
ever), ``dead_letters`` (rejected local messages, ever), ``alarms`` (active local
alarms), ``boot``, ``expired`` (samples dropped for age, ever) and
``dead_letters_dropped`` (dead letters dropped for age or count, ever). Readers of
protocol v1 ignore keys they do not know.

The control loops' state goes to ``kolam/v1/{site}/{pond}/control`` (gateway.controller).

Local alarms go to ``kolam/v1/{site}/{pond}/alarm`` on the *local* broker only,
retained, carrying every active alarm of the pond (critical water, and "aerator
not working" from the control loops): a siren relay switches on while ``active``
is non-empty. (``.../alerts`` on the central broker is the
ingest's alert-event stream, a different thing.)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gateway.alarms import AlarmChange, describe
from gateway.outbox import OutboxRow
from gateway.outbox_tables import ActiveAlarm
from kolam.protocol import ROOT, VERSION, PondRef


@dataclass(frozen=True, slots=True)
class GatewayHealth:
    online: bool
    uplink: str
    buffered: int
    oldest_t: int | None
    thinned: int
    dead_letters: int
    alarms: int
    boot: int
    expired: int = 0
    dead_letters_dropped: int = 0


def _dumps(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":"), allow_nan=False).encode()


def encode_health(h: GatewayHealth) -> bytes:
    return _dumps({"v": VERSION, "online": h.online, "uplink": h.uplink, "buffered": h.buffered,
                   "oldest_t": h.oldest_t, "thinned": h.thinned, "dead_letters": h.dead_letters,
                   "alarms": h.alarms, "boot": h.boot, "expired": h.expired,
                   "dead_letters_dropped": h.dead_letters_dropped})


def alarm_topic(pond: PondRef) -> str:
    return f"{ROOT}/{pond.site}/{pond.pond}/alarm"


def is_alarm_topic(topic: str) -> bool:
    """The gateway's own pond-level topics on the local broker: ``alarm`` and ``control``."""
    parts = topic.split("/")
    return len(parts) == 5 and parts[4] in ("alarm", "control")


@dataclass(frozen=True, slots=True)
class AeratorAlarm:
    """'Aerator not working' on one relay output (gateway.control.Problem values)."""

    device: str
    output: str
    problem: str
    since: int

    def entry(self, pond: str) -> dict[str, Any]:
        return {"device": self.device, "output": self.output, "problem": self.problem,
                "since": self.since, "text": describe_aerator(pond, self)}


AERATOR_TEXT = {"not_confirmed": "perintah tidak dikonfirmasi",
                "no_current": "arus motor nol",
                "do_still_falling": "DO terus turun setelah dinyalakan"}


def describe_aerator(pond: str, alarm: AeratorAlarm) -> str:
    why = AERATOR_TEXT.get(alarm.problem, alarm.problem)
    return f"{pond}/{alarm.device}/{alarm.output}: aerator tidak bekerja ({why})"


def encode_alarm(pond: PondRef, active: Sequence[ActiveAlarm], change: AlarmChange,
                 aerators: Sequence[AeratorAlarm] = ()) -> bytes:
    return encode_pond_alarms(pond, active, aerators, {
        "state": change.change.value, "device": change.alarm.ref.device,
        "metric": change.alarm.metric, "value": change.alarm.value, "t": change.alarm.t,
        "text": describe(change.alarm)})


def encode_aerator_change(pond: PondRef, active: Sequence[ActiveAlarm],
                          aerators: Sequence[AeratorAlarm], alarm: AeratorAlarm, raised: bool,
                          t: int) -> bytes:
    return encode_pond_alarms(pond, active, aerators, {
        "state": "raised" if raised else "cleared", **alarm.entry(pond.pond), "t": t})


def encode_pond_alarms(pond: PondRef, active: Sequence[ActiveAlarm],
                       aerators: Sequence[AeratorAlarm], change: dict[str, Any]) -> bytes:
    """Every active alarm of the pond (water, then aerators) and the change that caused it."""
    return _dumps({
        "v": VERSION,
        "pond": pond.pond,
        "active": [{"device": a.ref.device, "metric": a.metric, "value": a.value,
                    "since": a.since, "t": a.t, "text": describe(a)} for a in active]
                  + [a.entry(pond.pond) for a in aerators],
        "change": change,
    })


def encode_batch(seq: int, boot: int, rows: Sequence[OutboxRow]) -> bytes:
    """Protocol v1 telemetry from buffered rows, without re-parsing their JSON values."""
    samples = ",".join(f'{{"t":{r.t},{r.vals[1:]}' if len(r.vals) > 2 else f'{{"t":{r.t}}}'
                       for r in rows)
    return f'{{"v":{VERSION},"seq":{seq},"boot":{boot},"samples":[{samples}]}}'.encode()

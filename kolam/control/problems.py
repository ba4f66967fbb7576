"""An "aerator not working" problem of a gateway's control loop, and its way to the centre.

``kolam/v1/{site}/gateway/{gateway}/problem``, QoS 1, not retained (docs/protocol.md)::

    {"v":1,"id":"9b2e…","pond":"kolam-1","device":"relay-1","output":"aerator-1",
     "problem":"do_still_falling","raised":true,"t":1764291600000,"do_mgl":2.61,
     "switched_on_t":1764290400000,"switched_on_do_mgl":2.9,"wanted":true}

``problem`` is one of :data:`PROBLEMS` (``gateway.control.Problem``): the relay did not
confirm a command within 60 s, the output is on but draws less than the loop's
``min_amps``, or DO is still below its switch-on value 20 minutes after switching on.
``raised`` false is the problem cleared. ``do_mgl`` is the pond's newest DO at the
gateway, ``switched_on_t``/``switched_on_do_mgl`` when the output was confirmed on and
the DO then, ``wanted`` the state of the command in flight (``not_confirmed``); each is
``null`` when not known.

Like the kiosk's logs (:mod:`kolam.kiosk.logs`) each event waits in the gateway's durable
outbox until the central broker acknowledges it, so after a link cut or a gateway restart
the same event may arrive twice. ``id`` is made once per event by the gateway; the centre
applies an event only if it is newer (``t``) than the last one it applied for the same
output and problem, so a duplicate changes nothing.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from kolam.errors import ProtocolError
from kolam.protocol import (
    GATEWAY_SEGMENT,
    MIN_T_MS,
    ROOT,
    SLUG_RE,
    Reason,
    gateway_topic_site,
    v1_object,
)

PROBLEMS = ("not_confirmed", "no_current", "do_still_falling")
"""The problems a control loop reports (``gateway.control.Problem``'s values)."""
NOT_AERATING = frozenset({"no_current", "do_still_falling"})
"""Problems that mean the output, though on, moves no air: the dawn forecast is told the
pond's aerator has failed."""
EVENT_ID_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_PROBLEM_BYTES = 1024
LEAF = "problem"
PROBLEM_FILTER = f"{ROOT}/+/{GATEWAY_SEGMENT}/+/{LEAF}"
"""Every gateway's problems (ingest's subscription)."""


def problem_topic(site: str, gateway: str) -> str:
    return f"{ROOT}/{site}/{GATEWAY_SEGMENT}/{gateway}/{LEAF}"


def site_of(topic: str) -> str | None:
    """The site of a problem topic, or ``None`` when it is not one."""
    return gateway_topic_site(topic, LEAF)


@dataclass(frozen=True, slots=True)
class AeratorProblem:
    event_id: str
    pond: str
    device: str
    output: str
    problem: str
    raised: bool
    t: int
    do_mgl: float | None = None
    switched_on_t: int | None = None
    switched_on_do_mgl: float | None = None
    wanted: bool | None = None

    @property
    def not_aerating(self) -> bool:
        """The output, though on, moves no air (:data:`NOT_AERATING`)."""
        return self.problem in NOT_AERATING


def encode_problem(p: AeratorProblem) -> bytes:
    body = {"v": 1, "id": p.event_id, "pond": p.pond, "device": p.device, "output": p.output,
            "problem": p.problem, "raised": p.raised, "t": p.t, "do_mgl": p.do_mgl,
            "switched_on_t": p.switched_on_t, "switched_on_do_mgl": p.switched_on_do_mgl,
            "wanted": p.wanted}
    return json.dumps(body, separators=(",", ":")).encode()


def _number(obj: dict[str, Any], key: str) -> float | None:
    x = obj.get(key)
    if x is None:
        return None
    if not isinstance(x, int | float) or isinstance(x, bool) or not math.isfinite(x):
        raise ProtocolError(Reason.WRONG_TYPE, f"{key!r} must be a number or null")
    return float(x)


def _time(obj: dict[str, Any], key: str, required: bool) -> int | None:
    x = obj.get(key)
    if x is None and not required:
        return None
    if not isinstance(x, int) or isinstance(x, bool) or x < MIN_T_MS:
        raise ProtocolError(Reason.MISSING_FIELD, f"{key!r} (epoch ms) is required")
    return x


def decode_problem(payload: bytes) -> AeratorProblem:
    """A problem event from the wire, or ``ProtocolError`` with the reason."""
    obj = v1_object(payload, MAX_PROBLEM_BYTES, "a problem")
    event_id = obj.get("id")
    if not isinstance(event_id, str) or not EVENT_ID_RE.fullmatch(event_id):
        raise ProtocolError(Reason.MISSING_FIELD, "'id' must be 8-64 letters, digits, - or _")
    for key in ("pond", "device", "output"):
        value = obj.get(key)
        if not isinstance(value, str) or not SLUG_RE.fullmatch(value):
            raise ProtocolError(Reason.MISSING_FIELD, f"{key!r} must be a slug")
    problem, raised, wanted = obj.get("problem"), obj.get("raised"), obj.get("wanted")
    if problem not in PROBLEMS:
        raise ProtocolError(Reason.WRONG_TYPE, f"'problem' must be one of {PROBLEMS}")
    if not isinstance(raised, bool):
        raise ProtocolError(Reason.MISSING_FIELD, "'raised' must be true or false")
    if wanted is not None and not isinstance(wanted, bool):
        raise ProtocolError(Reason.WRONG_TYPE, "'wanted' must be true, false or null")
    t = _time(obj, "t", required=True)
    assert t is not None
    return AeratorProblem(event_id, obj["pond"], obj["device"], obj["output"], problem, raised,
                          t, _number(obj, "do_mgl"), _time(obj, "switched_on_t", required=False),
                          _number(obj, "switched_on_do_mgl"), wanted)

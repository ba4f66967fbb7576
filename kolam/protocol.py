"""Wire protocol v1: topics and payloads, parsed into typed objects.

Topics::

    kolam/v1/{site}/{pond}/{device}/telemetry   QoS 1, not retained
    kolam/v1/{site}/{pond}/{device}/status      QoS 1, retained (Last Will: online=false)
    kolam/v1/{site}/{pond}/{device}/cmd         QoS 1, downlink (set_interval, set_output,
                                                set_auto: for the gateway's loops only)
    kolam/v1/{site}/{pond}/{device}/state       QoS 1, retained: a relay node's outputs
    kolam/v1/{site}/gateway/{gateway}/status    QoS 1, retained
    kolam/v1/{site}/{pond}/alerts               QoS 1, alert events

Telemetry decoding never raises for a bad *sample*: valid samples are kept and
each bad value is returned as a :class:`Rejected` with a :class:`Reason`, so a
single broken probe loses nothing its neighbours measured. A message that cannot
be read at all raises :class:`~kolam.errors.ProtocolError`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from kolam.catalogue import MEASURED, METRICS
from kolam.errors import ProtocolError

VERSION = 1
ROOT = "kolam/v1"
SLUG_RE = re.compile(r"[a-z0-9-]{1,32}")
GATEWAY_SEGMENT = "gateway"
MIN_T_MS = 946_684_800_000
"""2000-01-01T00:00Z: anything earlier is a node with an unset clock."""
MAX_INT = 2**63 - 1
"""Integers must fit the stores' 64-bit columns (JSON integers are unbounded)."""


class Reason(StrEnum):
    """Why a message or a sample was dead-lettered."""

    BAD_TOPIC = "bad_topic"
    TOO_LARGE = "too_large"
    BAD_ENCODING = "bad_encoding"
    MALFORMED_JSON = "malformed_json"
    WRONG_VERSION = "wrong_version"
    WRONG_TYPE = "wrong_type"
    MISSING_FIELD = "missing_field"
    TOO_MANY_SAMPLES = "too_many_samples"
    UNKNOWN_METRIC = "unknown_metric"
    OUT_OF_RANGE = "out_of_range"
    SENTINEL = "sentinel"
    NOT_FINITE = "not_finite"
    FUTURE_TIMESTAMP = "future_timestamp"
    OLD_TIMESTAMP = "old_timestamp"
    DUPLICATE_SAMPLE = "duplicate_sample"
    UNKNOWN_DEVICE = "unknown_device"
    DISABLED_DEVICE = "disabled_device"


class TopicKind(StrEnum):
    TELEMETRY = "telemetry"
    STATUS = "status"
    CMD = "cmd"
    STATE = "state"
    GATEWAY_STATUS = "gateway_status"
    ALERTS = "alerts"


class PondRef(NamedTuple):
    site: str
    pond: str


class DeviceRef(NamedTuple):
    """A device by its slugs. (Named tuples, like ``SeriesKey``: ingest looks one up per
    message, and a tuple is hashed and compared in C.)"""

    site: str
    pond: str
    device: str

    @property
    def pond_ref(self) -> PondRef:
        return PondRef(self.site, self.pond)


@dataclass(frozen=True, slots=True)
class Topic:
    """A parsed topic. ``device`` is the gateway id for gateway status topics."""

    kind: TopicKind
    site: str
    pond: str | None = None
    device: str | None = None

    @property
    def device_ref(self) -> DeviceRef:
        if self.pond is None or self.device is None:
            raise ProtocolError(Reason.BAD_TOPIC, f"{self.kind} topic names no device")
        return DeviceRef(self.site, self.pond, self.device)


class Sample(NamedTuple):
    """One instant and the metrics measured at it. (A named tuple: ingest makes one per
    sample, and it is built several times faster than a frozen dataclass.)"""

    t: int
    values: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Telemetry:
    seq: int
    boot: int
    samples: tuple[Sample, ...]


@dataclass(frozen=True, slots=True)
class Status:
    online: bool
    fw: str | None = None
    boot: int | None = None
    battery_v: float | None = None
    rssi_dbm: float | None = None
    interval_s: float | None = None


@dataclass(frozen=True, slots=True)
class GatewayStatus:
    online: bool
    uplink: str | None = None
    buffered: int | None = None
    oldest_t: int | None = None


@dataclass(frozen=True, slots=True)
class Command:
    """``set_interval``; ``expires_t`` (epoch ms), as on every command: not obeyed after.
    ``by`` and ``id``, as on ``set_output``: who sent it, and its id for the audit."""

    cmd: str
    interval_s: float | None = None
    expires_t: int | None = None
    by: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class SetAuto:
    """Back to automatic: end a person's manual override of an output a gateway loop
    drives, before its ``until_t``. Addressed to the relay's ``cmd`` topic but taken by
    the site's gateway (a node never receives it); the gateway confirms it in the relay's
    forwarded ``state`` (``"mode":"auto","ack":id`` on that output)."""

    output: str
    by: str | None = None
    reason: str | None = None
    id: str | None = None
    expires_t: int | None = None


@dataclass(frozen=True, slots=True)
class SetOutput:
    """Switch one output of a relay node. ``by`` and ``reason`` say who and why
    (``gateway:auto``/``do_low``, ``user:budi``/``manual``); a command carrying an
    ``expires_t`` (epoch ms) that has passed is not obeyed; ``id`` lets the sender match
    the confirmed state to its command. ``until_t`` (epoch ms), for an output a gateway
    loop drives: the loop leaves it so until then (manual), then takes over again."""

    output: str
    on: bool
    by: str | None = None
    reason: str | None = None
    id: str | None = None
    expires_t: int | None = None
    until_t: int | None = None


@dataclass(frozen=True, slots=True)
class OutputState:
    """One output as the relay node confirms it: on or off ``since`` (epoch ms), the motor
    current where the relay measures it, and who switched it last and why."""

    on: bool
    since: int
    amps: float | None = None
    by: str | None = None
    reason: str | None = None
    mode: str | None = None
    """Only in a state a gateway forwards for a loop's output: ``auto`` or ``manual``."""
    until_t: int | None = None
    """With ``mode`` ``manual``: the loop takes over again then (epoch ms)."""
    ack: str | None = None
    """The ``id`` of the centre's command this state answers (``set_auto``, or a
    ``set_output`` the gateway made a manual override)."""


@dataclass(frozen=True, slots=True)
class RelayState:
    """A relay node's confirmed outputs, by output name."""

    outputs: Mapping[str, OutputState]


@dataclass(frozen=True, slots=True)
class Rejected:
    """A part of a message that failed validation, kept for the dead-letter store."""

    reason: Reason
    detail: str
    fragment: str = ""


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds applied while decoding; see ``IngestConfig`` for the configured values."""

    max_payload_bytes: int = 256 * 1024
    max_samples: int = 10_000
    max_future_ms: int = 5 * 60 * 1000


@dataclass(slots=True)
class DecodedTelemetry:
    """Valid samples of a telemetry message and what was rejected from it."""

    seq: int
    boot: int
    samples: list[Sample] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


# ---------------------------------------------------------------- topics


def _check_slug(kind: str, value: str) -> str:
    if not SLUG_RE.fullmatch(value):
        raise ProtocolError(
            Reason.BAD_TOPIC, f"{kind} {value[:40]!r} is not a slug [a-z0-9-]{{1,32}}")
    return value


def telemetry_topic(ref: DeviceRef) -> str:
    return f"{ROOT}/{ref.site}/{ref.pond}/{ref.device}/telemetry"


def status_topic(ref: DeviceRef) -> str:
    return f"{ROOT}/{ref.site}/{ref.pond}/{ref.device}/status"


def cmd_topic(ref: DeviceRef) -> str:
    return f"{ROOT}/{ref.site}/{ref.pond}/{ref.device}/cmd"


def state_topic(ref: DeviceRef) -> str:
    return f"{ROOT}/{ref.site}/{ref.pond}/{ref.device}/state"


def alerts_topic(ref: PondRef) -> str:
    return f"{ROOT}/{ref.site}/{ref.pond}/alerts"


def gateway_status_topic(site: str, gateway: str) -> str:
    return f"{ROOT}/{site}/{GATEWAY_SEGMENT}/{gateway}/status"


def site_filter(site: str = "+") -> str:
    """Subscription filter for everything a site's devices publish."""
    return f"{ROOT}/{site}/#"


def v1_object(payload: bytes, max_bytes: int, what: str) -> dict[str, Any]:
    """``payload`` as a version-1 JSON object (a gateway's kiosk log, an aerator problem),
    or ``ProtocolError`` with the reason; ``what`` names it in the error."""
    if len(payload) > max_bytes:
        raise ProtocolError(Reason.TOO_LARGE, f"{len(payload)} bytes > {max_bytes}")
    try:
        obj = json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ProtocolError(Reason.BAD_ENCODING, str(exc)) from exc
    except ValueError as exc:
        raise ProtocolError(Reason.MALFORMED_JSON, str(exc)) from exc
    if not isinstance(obj, dict):
        raise ProtocolError(Reason.WRONG_TYPE, f"{what} is a JSON object")
    if obj.get("v") != 1:
        raise ProtocolError(Reason.WRONG_VERSION, f"v={obj.get('v')!r}, expected 1")
    return obj


def gateway_topic_site(topic: str, leaf: str) -> str | None:
    """The site of ``kolam/v1/{site}/gateway/{gateway}/{leaf}``, or ``None`` when
    ``topic`` is not one (the gateway's own topics: kiosk logs, aerator problems)."""
    parts = topic.split("/")
    if (len(parts) == 6 and "/".join(parts[:2]) == ROOT and parts[3] == GATEWAY_SEGMENT
            and parts[5] == leaf and SLUG_RE.fullmatch(parts[2])
            and SLUG_RE.fullmatch(parts[4])):
        return parts[2]
    return None


def parse_topic(topic: str) -> Topic:
    """Parse a protocol v1 topic, or raise ``ProtocolError(BAD_TOPIC)``."""
    parts = topic.split("/")
    if len(parts) < 5 or parts[0] != "kolam" or parts[1] != "v1":
        raise ProtocolError(Reason.BAD_TOPIC, f"not a kolam/v1 topic: {topic[:120]!r}")
    site = _check_slug("site", parts[2])
    if len(parts) == 5 and parts[4] == "alerts":
        return Topic(TopicKind.ALERTS, site, _check_slug("pond", parts[3]))
    if len(parts) != 6:
        raise ProtocolError(Reason.BAD_TOPIC, f"wrong number of levels: {topic[:120]!r}")
    middle, device, leaf = parts[3], parts[4], parts[5]
    if middle == GATEWAY_SEGMENT:
        if leaf != "status":
            raise ProtocolError(Reason.BAD_TOPIC, f"unknown gateway topic leaf {leaf[:40]!r}")
        return Topic(TopicKind.GATEWAY_STATUS, site, None, _check_slug("gateway", device))
    kinds = {"telemetry": TopicKind.TELEMETRY, "status": TopicKind.STATUS, "cmd": TopicKind.CMD,
             "state": TopicKind.STATE}
    if leaf not in kinds:
        raise ProtocolError(Reason.BAD_TOPIC, f"unknown topic leaf {leaf[:40]!r}")
    return Topic(kinds[leaf], site, _check_slug("pond", middle), _check_slug("device", device))


# ---------------------------------------------------------------- payloads


_scan_once: Callable[[str, int], tuple[Any, int]] = (
    json.JSONDecoder().scan_once)  # type: ignore[attr-defined]  # set in __init__, untyped


def _loads(text: str) -> Any:
    """``json.loads(text)``, a little faster for what nodes send. A payload that is one
    JSON value from its first character to its last is scanned directly (json.loads
    would first look for whitespace around it, twice); anything else, and any error,
    goes through ``json.loads`` itself, so results and error messages are its own."""
    try:
        obj, end = _scan_once(text, 0)
    except (StopIteration, ValueError, RecursionError):
        return json.loads(text)
    if end != len(text):
        return json.loads(text)
    return obj


def _load_object(payload: bytes, limits: Limits) -> dict[str, Any]:
    if len(payload) > limits.max_payload_bytes:
        raise ProtocolError(
            Reason.TOO_LARGE, f"{len(payload)} bytes > limit {limits.max_payload_bytes}")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(Reason.BAD_ENCODING, f"payload is not UTF-8: {exc.reason}") from exc
    try:
        obj = _loads(text)
    except RecursionError as exc:
        raise ProtocolError(Reason.MALFORMED_JSON, "nesting too deep") from exc
    except ValueError as exc:
        raise ProtocolError(Reason.MALFORMED_JSON, str(exc)[:200]) from exc
    if not isinstance(obj, dict):
        raise ProtocolError(
            Reason.WRONG_TYPE, f"payload is a JSON {type(obj).__name__}, not an object")
    v = obj.get("v")
    if v != VERSION or isinstance(v, bool):
        raise ProtocolError(Reason.WRONG_VERSION, f"'v' must be {VERSION}, got {v!r}"[:200])
    return obj


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _counter(obj: Mapping[str, Any], key: str) -> int:
    value = obj.get(key)
    if type(value) is int and 0 <= value <= MAX_INT:
        return value
    if value is None:
        raise ProtocolError(Reason.MISSING_FIELD, f"'{key}' is required")
    if not _is_int(value) or value < 0:
        raise ProtocolError(Reason.WRONG_TYPE, f"'{key}' must be a non-negative integer")
    if value > MAX_INT:
        raise ProtocolError(Reason.OUT_OF_RANGE, f"'{key}' does not fit in 64 bits")
    return int(value)


def _fragment(obj: object) -> str:
    try:
        return json.dumps(obj, separators=(",", ":"), allow_nan=True)[:500]
    except (TypeError, ValueError):
        return repr(obj)[:500]


def decode_telemetry(payload: bytes, now_ms: int, limits: Limits = Limits()) -> DecodedTelemetry:
    """Decode and validate a telemetry payload.

    Raises ``ProtocolError`` when the message as a whole is unusable; otherwise
    returns the valid samples plus one ``Rejected`` per bad sample or value.
    """
    obj = _load_object(payload, limits)
    seq, boot = obj.get("seq"), obj.get("boot")
    # The counters' common case inline (this runs per message); _counter says what is wrong.
    if type(seq) is not int or not 0 <= seq <= MAX_INT:
        seq = _counter(obj, "seq")
    if type(boot) is not int or not 0 <= boot <= MAX_INT:
        boot = _counter(obj, "boot")
    out = DecodedTelemetry(seq, boot)
    raw_samples = obj.get("samples")
    if raw_samples is None:
        raise ProtocolError(Reason.MISSING_FIELD, "'samples' is required")
    if not isinstance(raw_samples, list):
        raise ProtocolError(Reason.WRONG_TYPE, "'samples' must be a list")
    if len(raw_samples) > limits.max_samples:
        raise ProtocolError(
            Reason.TOO_MANY_SAMPLES, f"{len(raw_samples)} samples > limit {limits.max_samples}")
    latest_ok = now_ms + limits.max_future_ms
    seen: dict[int, dict[str, float]] = {}  # metrics already taken at each t (duplicates)
    reject, keep = out.rejected.append, out.samples.append
    fast = _IN_RANGE
    for raw in raw_samples:
        if type(raw) is not dict:  # json.loads makes plain dicts
            reject(Rejected(Reason.WRONG_TYPE, "sample is not an object", _fragment(raw)))
            continue
        t = raw.get("t")
        if type(t) is not int:  # not bool either
            why = Reason.MISSING_FIELD if t is None else Reason.WRONG_TYPE
            reject(Rejected(why, "'t' must be integer epoch milliseconds", _fragment(raw)))
            continue
        if not MIN_T_MS <= t <= latest_ok:
            if t < MIN_T_MS:
                reject(Rejected(Reason.OLD_TIMESTAMP, "t is before 2000-01-01", _fragment(raw)))
            else:
                ahead = f"{(t - now_ms) // 1000} s" if t <= MAX_INT else "too far"
                reject(Rejected(Reason.FUTURE_TIMESTAMP, f"t is {ahead} in the future",
                                _fragment(raw)))
            continue
        values: dict[str, float] = {}
        taken = seen.get(t)
        for key, value in raw.items():
            if key == "t":
                continue
            # The common case inline (a plain number inside its metric's valid range);
            # anything else gets _check_value's reason.
            spec = fast.get(key)
            if (spec is None or type(value) not in _NUMBER_TYPES
                    or not spec[0] <= value <= spec[1] or value in spec[2]):
                problem = _check_value(key, value)
            else:
                problem = None
            if problem is None:
                if taken is not None and key in taken:
                    problem = (Reason.DUPLICATE_SAMPLE, f"{key} at t={t} repeated in one message")
                else:
                    values[key] = value if type(value) is float else float(value)
                    continue
            reject(Rejected(problem[0], problem[1], _fragment({"t": t, key: value})))
        if values:
            if taken is None:
                seen[t] = values  # membership is all a duplicate check needs
            else:
                seen[t] = {**taken, **values}
            keep(_new_sample(Sample, (t, values)))
        elif len(raw) == 1:
            reject(Rejected(Reason.MISSING_FIELD, "sample carries no metric", _fragment(raw)))
    return out


_new_sample = tuple.__new__  # Sample(t, values) without the named tuple's Python __new__
_NUMBER_TYPES = frozenset((int, float))  # not bool, whose type is its own
_IN_RANGE = {k: (m.valid.low, m.valid.high, frozenset(m.sentinels)) for k, m in METRICS.items()
             if k in MEASURED and m.valid.low is not None and m.valid.high is not None}
"""Per measured metric, the valid range and fault codes, for ``decode_telemetry``'s fast
path: a value inside the range and not a fault code passes every check of _check_value."""


def _check_value(key: str, value: object) -> tuple[Reason, str] | None:
    if key not in MEASURED:
        return Reason.UNKNOWN_METRIC, f"unknown metric {key[:40]!r}"
    if not _is_number(value):
        return Reason.WRONG_TYPE, f"{key} must be a number, got {type(value).__name__}"
    try:
        x = float(value)  # type: ignore[arg-type]
    except OverflowError:
        return Reason.OUT_OF_RANGE, f"{key} is too large for a number"
    if not math.isfinite(x):
        return Reason.NOT_FINITE, f"{key} is {x}"
    metric = METRICS[key]
    if x in metric.sentinels:
        return Reason.SENTINEL, f"{key}={x:g} is a probe fault code, not a reading"
    if not metric.valid.contains(x):
        return Reason.OUT_OF_RANGE, (
            f"{key}={x:g} {metric.unit} outside {metric.valid.low:g}–{metric.valid.high:g}")
    return None


def _opt(obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) and kind is not bool:
        raise ProtocolError(Reason.WRONG_TYPE, f"'{key}' must not be a boolean")
    if not isinstance(value, kind):
        raise ProtocolError(Reason.WRONG_TYPE, f"'{key}' has the wrong type")
    if isinstance(value, float) and not math.isfinite(value):
        raise ProtocolError(Reason.NOT_FINITE, f"'{key}' is {value}")
    if isinstance(value, int) and abs(value) > MAX_INT:
        raise ProtocolError(Reason.OUT_OF_RANGE, f"'{key}' does not fit in 64 bits")
    return value


def decode_status(payload: bytes, limits: Limits = Limits()) -> Status:
    """Decode a device status (including the Last Will ``{"v":1,"online":false}``)."""
    obj = _load_object(payload, limits)
    online = obj.get("online")
    if not isinstance(online, bool):
        raise ProtocolError(Reason.MISSING_FIELD, "'online' must be true or false")
    fw = _opt(obj, "fw", str)
    return Status(
        online=online,
        fw=fw[:64] if fw else None,
        boot=_opt(obj, "boot", int),
        battery_v=_opt(obj, "battery_v", (int, float)),
        rssi_dbm=_opt(obj, "rssi_dbm", (int, float)),
        interval_s=_opt(obj, "interval_s", (int, float)),
    )


def decode_gateway_status(payload: bytes, limits: Limits = Limits()) -> GatewayStatus:
    obj = _load_object(payload, limits)
    online = obj.get("online")
    if not isinstance(online, bool):
        raise ProtocolError(Reason.MISSING_FIELD, "'online' must be true or false")
    return GatewayStatus(online, _opt(obj, "uplink", str), _opt(obj, "buffered", int),
                         _opt(obj, "oldest_t", int))


MAX_OUTPUTS = 32
"""Outputs one relay node may report (real boards carry 1–16 relays)."""
MAX_AMPS = 1000.0
MAX_LABEL = 64
"""``by``, ``reason`` and ``id`` are cut to this many characters."""


def _label(obj: Mapping[str, Any], key: str) -> str | None:
    value = _opt(obj, key, str)
    return value[:MAX_LABEL] if value else None


def _output_name(value: object) -> str:
    if not isinstance(value, str):
        raise ProtocolError(Reason.MISSING_FIELD, "'output' must be an output name")
    if not SLUG_RE.fullmatch(value):
        raise ProtocolError(
            Reason.WRONG_TYPE, f"output {value[:40]!r} is not a slug [a-z0-9-]{{1,32}}")
    return value


def decode_command(payload: bytes, limits: Limits = Limits()
                   ) -> Command | SetOutput | SetAuto:
    """``set_interval``, ``set_output`` or ``set_auto``; anything else raises
    ``ProtocolError``."""
    obj = _load_object(payload, limits)
    cmd = obj.get("cmd")
    if cmd == "set_output":
        on = obj.get("on")
        if not isinstance(on, bool):
            raise ProtocolError(Reason.MISSING_FIELD, "'on' must be true or false")
        return SetOutput(_output_name(obj.get("output")), on, _label(obj, "by"),
                         _label(obj, "reason"), _label(obj, "id"), _opt(obj, "expires_t", int),
                         _opt(obj, "until_t", int))
    if cmd == "set_auto":
        return SetAuto(_output_name(obj.get("output")), _label(obj, "by"), _label(obj, "reason"),
                       _label(obj, "id"), _opt(obj, "expires_t", int))
    if cmd != "set_interval":
        raise ProtocolError(Reason.WRONG_TYPE, f"unknown command {str(cmd)[:40]!r}")
    interval = _opt(obj, "interval_s", (int, float))
    if interval is None or not 1 <= interval <= 86_400:
        raise ProtocolError(Reason.OUT_OF_RANGE, "'interval_s' must be 1–86400 seconds")
    return Command(cmd, float(interval), _opt(obj, "expires_t", int), _label(obj, "by"),
                   _label(obj, "id"))


def decode_state(payload: bytes, limits: Limits = Limits()) -> RelayState:
    """A relay node's retained state: ``{"v":1,"outputs":{name: {"on","since","amps"?}}}``."""
    obj = _load_object(payload, limits)
    raw = obj.get("outputs")
    if raw is None:
        raise ProtocolError(Reason.MISSING_FIELD, "'outputs' is required")
    if not isinstance(raw, dict):
        raise ProtocolError(Reason.WRONG_TYPE, "'outputs' must be an object")
    if len(raw) > MAX_OUTPUTS:
        raise ProtocolError(Reason.OUT_OF_RANGE, f"{len(raw)} outputs > limit {MAX_OUTPUTS}")
    outputs: dict[str, OutputState] = {}
    for name, body in raw.items():
        _output_name(name)
        if not isinstance(body, dict):
            raise ProtocolError(Reason.WRONG_TYPE, f"output {name!r} is not an object")
        on = body.get("on")
        if not isinstance(on, bool):
            raise ProtocolError(Reason.MISSING_FIELD, f"{name}: 'on' must be true or false")
        since = _opt(body, "since", int)
        if since is None:
            raise ProtocolError(Reason.MISSING_FIELD, f"{name}: 'since' (epoch ms) is required")
        if since < MIN_T_MS:
            raise ProtocolError(Reason.OLD_TIMESTAMP, f"{name}: 'since' is before 2000-01-01")
        amps = _opt(body, "amps", (int, float))
        if amps is not None and not 0 <= amps <= MAX_AMPS:
            raise ProtocolError(Reason.OUT_OF_RANGE, f"{name}: 'amps' outside 0–{MAX_AMPS:g}")
        mode = body.get("mode")
        if mode is not None and mode not in ("auto", "manual"):
            raise ProtocolError(Reason.WRONG_TYPE, f"{name}: 'mode' must be auto or manual")
        outputs[name] = OutputState(on, since, None if amps is None else float(amps),
                                    _label(body, "by"), _label(body, "reason"), mode,
                                    _opt(body, "until_t", int), _label(body, "ack"))
    return RelayState(outputs)


def _dumps(obj: Mapping[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":"), allow_nan=False).encode()


def encode_telemetry(msg: Telemetry) -> bytes:
    samples = [{"t": s.t, **s.values} for s in msg.samples]
    return _dumps({"v": VERSION, "seq": msg.seq, "boot": msg.boot, "samples": samples})


def encode_status(status: Status) -> bytes:
    body: dict[str, Any] = {"v": VERSION, "online": status.online}
    for key in ("fw", "boot", "battery_v", "rssi_dbm", "interval_s"):
        value = getattr(status, key)
        if value is not None:
            body[key] = value
    return _dumps(body)


def encode_gateway_status(status: GatewayStatus) -> bytes:
    return _dumps({"v": VERSION, "online": status.online, "uplink": status.uplink,
                   "buffered": status.buffered, "oldest_t": status.oldest_t})


def encode_command(cmd: Command | SetOutput | SetAuto) -> bytes:
    if isinstance(cmd, SetAuto):
        body: dict[str, Any] = {"v": VERSION, "cmd": "set_auto", "output": cmd.output}
        for key in ("by", "reason", "id", "expires_t"):
            value = getattr(cmd, key)
            if value is not None:
                body[key] = value
        return _dumps(body)
    if isinstance(cmd, SetOutput):
        body = {"v": VERSION, "cmd": "set_output", "output": cmd.output, "on": cmd.on}
        for key in ("by", "reason", "id", "expires_t", "until_t"):
            value = getattr(cmd, key)
            if value is not None:
                body[key] = value
        return _dumps(body)
    body = {"v": VERSION, "cmd": cmd.cmd}
    if cmd.interval_s is not None:
        body["interval_s"] = cmd.interval_s
    for key in ("expires_t", "by", "id"):
        value = getattr(cmd, key)
        if value is not None:
            body[key] = value
    return _dumps(body)


def encode_state(state: RelayState) -> bytes:
    outputs: dict[str, Any] = {}
    for name, out in state.outputs.items():
        body: dict[str, Any] = {"on": out.on, "since": out.since}
        for key in ("amps", "by", "reason", "mode", "until_t", "ack"):
            value = getattr(out, key)
            if value is not None:
                body[key] = value
        outputs[name] = body
    return _dumps({"v": VERSION, "outputs": outputs})


LAST_WILL = encode_status(Status(online=False))
"""The payload a node registers as its Last Will on its status topic."""

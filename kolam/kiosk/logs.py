"""A log entered at the gateway's kiosk, and its way to the centre.

``kolam/v1/{site}/gateway/{gateway}/log``, QoS 1, not retained (docs/protocol.md)::

    {"v":1,"id":"3f1c…","pond":"kolam-1","kind":"feeding","t":1764291600000,
     "feed_kg":2.5,"members":[12,14],"by":"kiosk"}

``id`` is made by the gateway when the trainee presses "Simpan" and is the idempotency key:
the gateway keeps the log in its durable outbox until the central broker acknowledges it,
so after a link cut or a gateway crash the same log may arrive twice; the centre stores a
log with an ``id`` it already has only once (``cycle_logs.client_id``, unique).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from kolam.errors import ProtocolError
from kolam.protocol import GATEWAY_SEGMENT, ROOT, SLUG_RE, Reason, gateway_topic_site, v1_object

KIOSK_LOG_KINDS = ("feeding", "mortality")
"""What the kiosk records (as ``api.routes.records.KIOSK_KINDS``): meals and dead fish."""
CLIENT_ID_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_LOG_BYTES = 4096
MAX_MEMBERS = 50
LEAF = "log"


def log_topic(site: str, gateway: str) -> str:
    return f"{ROOT}/{site}/{GATEWAY_SEGMENT}/{gateway}/{LEAF}"


LOG_FILTER = f"{ROOT}/+/{GATEWAY_SEGMENT}/+/{LEAF}"
"""Every gateway's kiosk logs (ingest's subscription)."""


@dataclass(frozen=True, slots=True)
class KioskLog:
    client_id: str
    pond: str
    kind: str
    t: int
    feed_kg: float | None = None
    dead_count: int | None = None
    members: tuple[int, ...] = ()
    by: str = "kiosk"


def site_of(topic: str) -> str | None:
    """The site of a kiosk log topic, or ``None`` when it is not one."""
    return gateway_topic_site(topic, LEAF)


def encode_log(log: KioskLog) -> bytes:
    body: dict[str, object] = {"v": 1, "id": log.client_id, "pond": log.pond,
                               "kind": log.kind, "t": log.t, "by": log.by}
    if log.feed_kg is not None:
        body["feed_kg"] = log.feed_kg
    if log.dead_count is not None:
        body["dead_count"] = log.dead_count
    if log.members:
        body["members"] = list(log.members)
    return json.dumps(body, separators=(",", ":")).encode()


def decode_log(payload: bytes) -> KioskLog:
    """A kiosk log from the wire, or ``ProtocolError`` with the reason."""
    obj = v1_object(payload, MAX_LOG_BYTES, "a kiosk log")
    client_id, pond, kind, t = obj.get("id"), obj.get("pond"), obj.get("kind"), obj.get("t")
    if not isinstance(client_id, str) or not CLIENT_ID_RE.fullmatch(client_id):
        raise ProtocolError(Reason.MISSING_FIELD, "'id' must be 8-64 letters, digits, - or _")
    if not isinstance(pond, str) or not SLUG_RE.fullmatch(pond):
        raise ProtocolError(Reason.MISSING_FIELD, "'pond' must be a pond slug")
    if kind not in KIOSK_LOG_KINDS:
        raise ProtocolError(Reason.WRONG_TYPE, f"'kind' must be one of {KIOSK_LOG_KINDS}")
    if not isinstance(t, int) or isinstance(t, bool) or t <= 0:
        raise ProtocolError(Reason.MISSING_FIELD, "'t' (epoch ms) is required")
    feed, dead = obj.get("feed_kg"), obj.get("dead_count")
    if kind == "feeding" and (not isinstance(feed, int | float) or isinstance(feed, bool)
                              or not math.isfinite(feed)):
        raise ProtocolError(Reason.MISSING_FIELD, "a feeding needs 'feed_kg'")
    if kind == "mortality" and (not isinstance(dead, int) or isinstance(dead, bool)):
        raise ProtocolError(Reason.MISSING_FIELD, "a mortality needs 'dead_count'")
    members = obj.get("members", [])
    if (not isinstance(members, list) or len(members) > MAX_MEMBERS
            or not all(isinstance(m, int) and not isinstance(m, bool) for m in members)):
        raise ProtocolError(Reason.WRONG_TYPE, "'members' must be a list of member ids")
    by = obj.get("by", "kiosk")
    if not isinstance(by, str) or not 0 < len(by) <= 64:
        raise ProtocolError(Reason.WRONG_TYPE, "'by' must be a short name")
    return KioskLog(client_id, pond, kind, t,
                    float(feed) if kind == "feeding" and feed is not None else None,
                    int(dead) if kind == "mortality" and dead is not None else None,
                    tuple(members), by)

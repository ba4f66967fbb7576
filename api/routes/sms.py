"""``/api/v1/webhooks/sms``: delivery reports of a generic HTTP SMS gateway.

Gateways report in their own shapes; this route reads the common one, a form or JSON
POST with the message id and a status (field names ``sms_report_id_field``,
``sms_report_status_field``). The id is the one the gateway answered when it accepted the
SMS (``sms_id_field``), which the accepted attempt recorded as ``sms {id}``; the status
is recorded as an attempt of that notification (``delivered``; ``failed`` also marks the
notification failed). The key (``sms_webhook_secret``, in ``X-Kolam-Key`` or ``?key=``,
since many gateways can only be given a URL) is the authentication: no login. Without it
the route does not exist (404).
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from api.deps import AlertsDep, ConfigDep
from kolam.registry.alerts import Receipt
from kolam.timeutil import now_ms

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
KEY_HEADER = "X-Kolam-Key"
DELIVERED = ("deliv", "success", "sent_to_handset", "dlvrd")
FAILED = ("fail", "undeliv", "reject", "expired", "error", "undlv")


def status_of(raw: str) -> str | None:
    """A gateway's status word as Kolam's: ``delivered``, ``failed``, or None (an
    intermediate one such as ``queued`` or ``sent``, not recorded)."""
    word = raw.strip().lower()
    if any(w in word for w in FAILED):
        return "failed"
    if any(w in word for w in DELIVERED):
        return "delivered"
    return None


@router.post("/sms", summary="SMS gateway delivery reports (by the webhook key)")
async def report(request: Request, config: ConfigDep, alerts: AlertsDep,
                 key: Annotated[str, Query(max_length=256)] = "") -> dict[str, int]:
    secret = config.sms_webhook_secret
    if secret is None:
        raise HTTPException(404, "the SMS delivery-report webhook is not configured")
    given = request.headers.get(KEY_HEADER, "") or key
    if not hmac.compare_digest(given.encode(), secret.get_secret_value().encode()):
        raise HTTPException(401, f"missing or wrong {KEY_HEADER} (or ?key=)")
    raw = await request.body()
    body: Any
    if request.headers.get("Content-Type", "").startswith("application/json"):
        try:
            body = await request.json()
        except ValueError as exc:
            raise HTTPException(400, "the body is not JSON") from exc
    else:
        body = {k: v[0] for k, v in parse_qs(raw.decode(errors="replace")).items()}
    items = body if isinstance(body, list) else [body]
    receipts = []
    for item in items:
        if not isinstance(item, dict):
            continue
        message_id = item.get(config.sms_report_id_field)
        status = status_of(str(item.get(config.sms_report_status_field, "")))
        if message_id is None or status is None:
            continue
        detail = f"sms {item.get(config.sms_report_status_field)}"[:200]
        receipts.append(Receipt(f"sms {message_id}", status, now_ms(), detail))
    matched = await run_in_threadpool(alerts.record_receipts, receipts) if receipts else 0
    return {"reports": len(receipts), "matched": matched}

"""``/api/v1/webhooks/whatsapp``: the Cloud API's webhook, for delivery statuses.

Meta subscribes the URL with a GET (``hub.mode=subscribe``, ``hub.verify_token``,
``hub.challenge``: answer the challenge) and then POSTs ``messages`` changes signed with
``X-Hub-Signature-256: sha256=HMAC_SHA256(app_secret, body)``; the signature is the
authentication, so the route needs no login. Statuses (``sent``, ``delivered``, ``read``,
``failed``) are recorded on the notification whose send returned that ``wamid``
(``Alerts.record_receipts``). Anything else in the payload (incoming messages) is
acknowledged and ignored. Without ``whatsapp_app_secret`` the route does not exist (404).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from api.deps import ConfigDep
from kolam.registry.alerts import Alerts, Receipt

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
STATUSES = ("sent", "delivered", "read", "failed")


def _receipts(body: Any) -> list[Receipt]:
    out: list[Receipt] = []
    entries = body.get("entry") if isinstance(body, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        for change in changes if isinstance(changes, list) else []:
            value = change.get("value") if isinstance(change, dict) else None
            statuses = value.get("statuses") if isinstance(value, dict) else None
            for st in statuses if isinstance(statuses, list) else []:
                if not isinstance(st, dict) or st.get("status") not in STATUSES:
                    continue
                try:
                    at = int(st.get("timestamp", 0)) * 1000
                except (TypeError, ValueError):
                    at = 0
                found = st.get("errors")
                errors = found if isinstance(found, list) else []
                detail = "; ".join(f"code {e.get('code')}: {e.get('title') or e.get('message')}"
                                   for e in errors if isinstance(e, dict))
                out.append(Receipt(f"whatsapp {st.get('id')}", str(st["status"]), at,
                                   f"whatsapp {st['status']}" + (f": {detail}" if detail
                                                                 else "")))
    return out


@router.get("/whatsapp", response_class=PlainTextResponse,
            summary="WhatsApp webhook subscription (Meta's verification request)")
def verify(config: ConfigDep, mode: Annotated[str, Query(alias="hub.mode")] = "",
           token: Annotated[str, Query(alias="hub.verify_token")] = "",
           challenge: Annotated[str, Query(alias="hub.challenge", max_length=200)] = "") -> str:
    expected = config.whatsapp_verify_token
    if config.whatsapp_app_secret is None or expected is None:
        raise HTTPException(404, "the WhatsApp webhook is not configured")
    if mode != "subscribe" or not hmac.compare_digest(token.encode(),
                                                       expected.get_secret_value().encode()):
        raise HTTPException(403, "wrong hub.mode or hub.verify_token")
    return challenge


@router.post("/whatsapp", summary="WhatsApp delivery statuses (signed by Meta)")
async def statuses(request: Request, config: ConfigDep) -> dict[str, int]:
    secret = config.whatsapp_app_secret
    if secret is None:
        raise HTTPException(404, "the WhatsApp webhook is not configured")
    raw = await request.body()
    sent = request.headers.get("X-Hub-Signature-256", "")
    good = "sha256=" + hmac.new(secret.get_secret_value().encode(), raw,
                                hashlib.sha256).hexdigest()
    if not hmac.compare_digest(sent.encode(), good.encode()):
        raise HTTPException(401, "missing or wrong X-Hub-Signature-256")
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HTTPException(400, "the body is not JSON") from exc
    receipts = _receipts(body)
    alerts: Alerts = request.app.state.alerts
    matched = await run_in_threadpool(alerts.record_receipts, receipts) if receipts else 0
    return {"statuses": len(receipts), "matched": matched}

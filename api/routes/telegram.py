"""``/api/v1/webhooks/telegram``: taps on the "Tanggapi" button of an alert message.

Telegram POSTs each update to the URL given to ``setWebhook``, with the ``secret_token``
given there in ``X-Telegram-Bot-Api-Secret-Token``; that header is the authentication,
so the route needs no login. A ``callback_query`` whose data is ``ack:{token}`` uses the
message's one-time acknowledgement token (``kolam.registry.ack_links``): the alert is
acknowledged as the person the message was sent to, once, and audited. The answer is a
Bot API method call in the webhook's response (``answerCallbackQuery``), which Telegram
carries out, so the API never calls Telegram itself. Without ``telegram_webhook_secret``
the route does not exist (404).
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from api.deps import AckLinksDep, ConfigDep
from kolam.errors import InvalidRecord, NotFound
from kolam.registry.ack_links import CALLBACK_PREFIX
from kolam.timeutil import now_ms

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
AUTH_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ANSWERS = {"done": ("Ditangani. Eskalasi berhenti.", "Acknowledged. Escalation stops."),
           "ack_link_used": ("Tombol ini sudah dipakai.", "This button was used already."),
           "ack_link_expired": ("Tombol ini sudah kedaluwarsa.", "This button has expired."),
           "ack_link_done": ("Peringatan ini sudah ditangani atau pulih.",
                             "This alert is acknowledged or resolved already."),
           "unknown": ("Tombol ini tidak dikenal.", "This button is not known.")}


def _answer(query_id: object, key: str, lang: str) -> dict[str, Any]:
    words = ANSWERS.get(key, ANSWERS["unknown"])
    return {"method": "answerCallbackQuery", "callback_query_id": str(query_id),
            "text": words[1] if lang == "en" else words[0]}


@router.post("/telegram", summary="Telegram updates: the acknowledgement button's taps")
async def update(request: Request, config: ConfigDep, links: AckLinksDep) -> dict[str, Any]:
    secret = config.telegram_webhook_secret
    if secret is None:
        raise HTTPException(404, "the Telegram webhook is not configured")
    sent = request.headers.get(AUTH_HEADER, "")
    if not hmac.compare_digest(sent.encode(), secret.get_secret_value().encode()):
        raise HTTPException(401, f"missing or wrong {AUTH_HEADER}")
    try:
        body = await request.json()
    except ValueError as exc:
        raise HTTPException(400, "the body is not JSON") from exc
    query = body.get("callback_query") if isinstance(body, dict) else None
    data = query.get("data") if isinstance(query, dict) else None
    if not isinstance(query, dict) or not isinstance(data, str) or not data.startswith(
            CALLBACK_PREFIX):
        return {}  # other updates (messages, member changes): nothing to do
    who = query.get("from") if isinstance(query.get("from"), dict) else {}
    assert isinstance(who, dict)
    lang = "en" if str(who.get("language_code", "")).startswith("en") else "id"
    try:
        await run_in_threadpool(links.use, data[len(CALLBACK_PREFIX):], now_ms(),
                                client=f"telegram user {who.get('id')}")
    except InvalidRecord as exc:
        return _answer(query.get("id"), exc.key or "unknown", lang)
    except NotFound:
        return _answer(query.get("id"), "unknown", lang)
    return _answer(query.get("id"), "done", lang)

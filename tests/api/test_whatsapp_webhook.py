"""The WhatsApp delivery-status webhook: Meta's subscription handshake, the signature, and
statuses recorded on the notification that sent the message (through the real notifier and
a local Cloud API server)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from kolam.config import KolamConfig
from kolam.registry.repo import Registry
from kolam.store import open_store
from tests.ingest.alerts.test_phone_channels import GOOD, make, raise_do, service, settle

SECRET = "meta-app-secret"


def signed(body: dict[str, Any], secret: str = SECRET) -> dict[str, Any]:
    raw = json.dumps(body).encode()
    sig = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return {"content": raw, "headers": {"X-Hub-Signature-256": sig,
                                        "Content-Type": "application/json"}}


def statuses(*items: dict[str, Any]) -> dict[str, Any]:
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{
        "field": "messages", "value": {"messaging_product": "whatsapp",
                                       "metadata": {"phone_number_id": "1098765"},
                                       "statuses": list(items)}}]}]}


def test_delivery_statuses_reach_the_notification(
        make_config: Callable[..., KolamConfig]) -> None:
    with service("whatsapp") as (_, settings):
        config = make_config(**settings, whatsapp_to=GOOD["whatsapp"], alerts={"mqtt": False},
                             whatsapp_app_secret=SECRET, whatsapp_verify_token="verify-me")
        outbox, notifier, alerts = make(config)
        raise_do(outbox)
        n = settle(notifier, alerts)
        assert n.receipt == "whatsapp wamid.TEST000001"
        registry = Registry(config.registry_url)
        client = TestClient(create_app(config, open_store(config), registry))
        hub = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
        r = client.get("/api/v1/webhooks/whatsapp", params=hub | {"hub.verify_token": "verify-me"})
        assert r.status_code == 200 and r.text == "1158201444"
        r = client.get("/api/v1/webhooks/whatsapp", params=hub | {"hub.verify_token": "guess"})
        assert r.status_code == 403

        body = statuses(
            {"id": "wamid.TEST000001", "status": "delivered", "timestamp": "1764550000",
             "recipient_id": GOOD["whatsapp"]},
            {"id": "wamid.TEST000001", "status": "read", "timestamp": "1764550060",
             "recipient_id": GOOD["whatsapp"]},
            {"id": "wamid.SOMEONE-ELSE", "status": "read", "timestamp": "1764550060"})
        assert client.post("/api/v1/webhooks/whatsapp", json=body).status_code == 401
        assert client.post("/api/v1/webhooks/whatsapp",
                           **signed(body, "wrong")).status_code == 401
        r = client.post("/api/v1/webhooks/whatsapp", **signed(body))
        assert r.status_code == 200 and r.json() == {"statuses": 3, "matched": 2}
        (n,) = [x for a in alerts.find(None) for x in alerts.notifications(a.id)]
        assert n.outcomes == ("ok", "delivered", "read") and n.confirmed == "read"
        assert n.status == "sent" and n.receipt == "whatsapp wamid.TEST000001"
        registry.close()


def test_a_later_failure_marks_the_notification_failed(
        make_config: Callable[..., KolamConfig]) -> None:
    with service("whatsapp") as (_, settings):
        config = make_config(**settings, whatsapp_to=GOOD["whatsapp"], alerts={"mqtt": False},
                             whatsapp_app_secret=SECRET)
        outbox, notifier, alerts = make(config)
        raise_do(outbox)
        settle(notifier, alerts)
        registry = Registry(config.registry_url)
        client = TestClient(create_app(config, open_store(config), registry))
        body = statuses({"id": "wamid.TEST000001", "status": "failed", "timestamp": "1",
                         "errors": [{"code": 131026, "title": "Message undeliverable"}]})
        r = client.post("/api/v1/webhooks/whatsapp", **signed(body))
        assert r.json() == {"statuses": 1, "matched": 1}
        (n,) = [x for a in alerts.find(None) for x in alerts.notifications(a.id)]
        assert n.status == "failed" and "code 131026: Message undeliverable" in n.last_error
        raw = b"not json"
        sig = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
        r = client.post("/api/v1/webhooks/whatsapp", content=raw,
                        headers={"X-Hub-Signature-256": sig})
        assert r.status_code == 400
        registry.close()


def test_without_an_app_secret_there_is_no_webhook(
        make_config: Callable[..., KolamConfig]) -> None:
    config = make_config()
    registry = Registry(config.registry_url)
    client = TestClient(create_app(config, open_store(config), registry))
    assert client.get("/api/v1/webhooks/whatsapp").status_code == 404
    assert client.post("/api/v1/webhooks/whatsapp", **signed(statuses())).status_code == 404
    registry.close()

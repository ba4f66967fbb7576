"""The Telegram acknowledgement button (issue #21): the bot's webhook, authenticated by
setWebhook's secret_token, acknowledges an alert once when its button is tapped, as the
person the message was for, and answers the tap through the webhook response."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ingest.alerts.phone_channels import TelegramChannel
from kolam.config import load_config
from kolam.registry.alerts import Alerts
from kolam.registry.repo import Registry
from kolam.registry.users import Users
from kolam.store.sqlite import SqliteStore
from tests.utils.ack import open_alert
from tests.utils.phone_services import TELEGRAM_TOKEN, FakeTelegram

SECRET = "telegram-webhook-secret-1"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient,
                                                                            Registry]]:
    import os

    for key in list(os.environ):
        if key.startswith("KOLAM_"):
            monkeypatch.delenv(key)
    config = load_config(None, data_dir=tmp_path / "data", telegram_webhook_secret=SECRET)
    registry, store = Registry(config.registry_url), SqliteStore(config.samples_path)
    try:
        with TestClient(create_app(config, store, registry)) as client:
            yield client, registry
    finally:
        store.close()
        registry.close()


def tap(token: str, query_id: str = "q-1") -> dict[str, object]:
    return {"update_id": 7, "callback_query": {
        "id": query_id, "from": {"id": 5550001, "is_bot": False, "first_name": "Budi",
                                 "language_code": "id"},
        "message": {"message_id": 3, "chat": {"id": 5550001, "type": "private"}},
        "data": f"ack:{token}"}}


def test_a_tap_acknowledges_once(app: tuple[TestClient, Registry]) -> None:
    client, registry = app
    alert, token = open_alert(registry.engine, "serang", "kolam-1", "budi")
    r = client.post("/api/v1/webhooks/telegram", json=tap(token), headers=HEADERS)
    assert r.status_code == 200
    assert r.json() == {"method": "answerCallbackQuery", "callback_query_id": "q-1",
                        "text": "Ditangani. Eskalasi berhenti."}
    a = Alerts(registry.engine).get(alert)
    assert (a.state, a.acked_by) == ("acknowledged", "budi")
    again = client.post("/api/v1/webhooks/telegram", json=tap(token, "q-2"), headers=HEADERS)
    assert again.json()["text"] == "Tombol ini sudah dipakai."
    (entry,) = [e for e in Users(registry.engine).audit_log() if e.entity == "alert"]
    assert (entry.username, entry.action) == ("budi", "ack")
    assert "telegram user 5550001" in entry.detail


def test_only_telegram_may_post(app: tuple[TestClient, Registry]) -> None:
    client, registry = app
    alert, token = open_alert(registry.engine, "serang", "kolam-2", "budi")
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
        r = client.post("/api/v1/webhooks/telegram", json=tap(token), headers=headers)
        assert r.status_code == 401
    assert Alerts(registry.engine).get(alert).state == "open"
    other = {"update_id": 8, "message": {"message_id": 4, "text": "/start"}}
    assert client.post("/api/v1/webhooks/telegram", json=other, headers=HEADERS).json() == {}
    unknown = client.post("/api/v1/webhooks/telegram", json=tap("x" * 22), headers=HEADERS)
    assert unknown.json()["text"] == "Tombol ini tidak dikenal."


def test_the_message_carries_the_button_only_when_taps_can_arrive() -> None:
    with FakeTelegram({"5550001"}) as server:
        for buttons in (True, False):
            channel = TelegramChannel(server.url, TELEGRAM_TOKEN, 5, buttons=buttons)
            try:
                channel.send("5550001", "[KRITIS] ...", "Zm9vYmFyYmF6cXV4cXV1eA")
            finally:
                channel.close()
        with_button, without = (r.body for r in server.accepted)
        assert with_button["reply_markup"] == {"inline_keyboard": [[
            {"text": "Tanggapi", "callback_data": "ack:Zm9vYmFyYmF6cXV4cXV1eA"}]]}
        assert "reply_markup" not in without
        assert len(with_button["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                   .encode()) <= 64  # the Bot API's limit on callback_data

"""SMS delivery reports (issue #21): the gateway's message id kept as the receipt, and its
delivery reports, posted to /api/v1/webhooks/sms with the webhook key, recorded on that
notification (``delivered``; ``failed`` fails it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes.sms import status_of
from ingest.alerts.phone_channels import SmsChannel
from kolam.config import load_config
from kolam.registry.alert_models import AttemptRow, NotificationRow
from kolam.registry.alerts import Alerts
from kolam.registry.db import session_factory
from kolam.registry.repo import Registry
from kolam.store.sqlite import SqliteStore
from kolam.timeutil import now_ms
from tests.utils.ack import open_alert
from tests.utils.phone_services import FakeSmsGateway

KEY = "sms-webhook-key-1"


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient,
                                                                            Registry]]:
    for key in list(os.environ):
        if key.startswith("KOLAM_"):
            monkeypatch.delenv(key)
    config = load_config(None, data_dir=tmp_path / "data", sms_webhook_secret=KEY,
                         sms_report_id_field="message_id")
    registry, store = Registry(config.registry_url), SqliteStore(config.samples_path)
    try:
        with TestClient(create_app(config, store, registry)) as client:
            yield client, registry
    finally:
        store.close()
        registry.close()


def sent_sms(registry: Registry, pond: str, receipt: str) -> int:
    """An alert whose SMS the gateway accepted with ``receipt``; its alert id."""
    alert, _ = open_alert(registry.engine, "serang", pond, "budi")
    with session_factory(registry.engine)() as s, s.begin():
        n = s.query(NotificationRow).filter_by(alert_id=alert).one()
        n.channel, n.status = "sms", "sent"
        s.add(AttemptRow(notification_id=n.id, at=now_ms(), outcome="ok", detail=receipt))
    return alert


def test_the_gateways_id_is_the_receipt() -> None:
    with FakeSmsGateway({"6281200000001"}) as gw:
        channel = SmsChannel(gw.url, fmt="form", to_field="msisdn", text_field="message",
                             fields={"sender": "KOLAM"}, auth_header="X-Api-Key",
                             auth_value="sms-key-1", max_chars=160, timeout_s=5,
                             id_field="id")
        try:
            assert channel.send("6281200000001", "KRITIS kolam-1: ...") == "sms sms-1"
        finally:
            channel.close()


def test_delivery_reports_are_recorded(app: tuple[TestClient, Registry]) -> None:
    client, registry = app
    delivered, failed = sent_sms(registry, "kolam-1", "sms sms-1"), sent_sms(
        registry, "kolam-2", "sms sms-2")
    r = client.post(f"/api/v1/webhooks/sms?key={KEY}",
                    data={"message_id": "sms-1", "status": "DELIVRD"})
    assert r.status_code == 200 and r.json() == {"reports": 1, "matched": 1}
    r = client.post("/api/v1/webhooks/sms", headers={"X-Kolam-Key": KEY},
                    json=[{"message_id": "sms-2", "status": "UNDELIV"},
                          {"message_id": "sms-2", "status": "queued"},
                          {"message_id": "not-ours", "status": "delivered"}])
    assert r.json() == {"reports": 2, "matched": 1}
    alerts = Alerts(registry.engine)
    (n1,), (n2,) = alerts.notifications(delivered), alerts.notifications(failed)
    assert (n1.status, n1.confirmed, n1.outcomes) == ("sent", "delivered", ("ok", "delivered"))
    assert (n2.status, n2.outcomes, n2.last_error) == ("failed", ("ok", "failed"),
                                                       "sms UNDELIV")


def test_only_the_gateway_may_report(app: tuple[TestClient, Registry]) -> None:
    client, _ = app
    for url, headers in (("/api/v1/webhooks/sms", {}), ("/api/v1/webhooks/sms?key=guess", {}),
                         ("/api/v1/webhooks/sms", {"X-Kolam-Key": "guess"})):
        assert client.post(url, headers=headers, data={"message_id": "x"}).status_code == 401


@pytest.mark.parametrize(("word", "status"), [
    ("DELIVRD", "delivered"), ("delivered", "delivered"), ("Success", "delivered"),
    ("UNDELIV", "failed"), ("REJECTD", "failed"), ("EXPIRED", "failed"), ("failed", "failed"),
    ("queued", None), ("sent", None), ("ACCEPTD", None)],
    ids=lambda x: str(x))
def test_status_words(word: str, status: str | None) -> None:
    assert status_of(word) == status
